"""Re-budgeting after a partial grant (issue 13, part 4), through the views and with forged POSTs.

A grant lower than asked leaves the copied plan lines adding up to the request: the public page
and the year PDF show the granted total and "nog niet herbegroot" until the coordinator's new
plan (lines adding up to the grant exactly) is approved by a different support person. The
ledger invariants are checked after every test (tests/budgets/conftest.py).
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import SUPPORT
from budgets.models import BudgetLine, PlanVersion
from budgets.selectors import ledger_breaches, plan_matches_grant, planned_total
from budgets.services import (
    adjust_grant,
    approve_claim,
    book_grant,
    create_batch,
    save_plan_version,
)
from platforms.models import Membership
from tests.budgets.conftest import make_claim, release_and_pay
from tests.budgets.factories import ApplicationFactory, DecisionFactory, PlanLineFactory
from tests.factories import MembershipFactory, UserFactory
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

LINES = [
    ("Activiteiten", "Huiswerkklas", "9000.00"),
    ("Activiteiten", "Buurtmaaltijden", "6000.00"),
    ("Ruimte", "Huur buurthuis", "7000.00"),
    ("Communicatie", "Nieuwsbrief", "3000.00"),
]


def partial_budget(platform, by, granted="22000.00"):
    """€ 22.000 granted on a plan of € 25.000 (as the demo round does for Samen Sterk)."""
    application = ApplicationFactory(platform=platform, requested_amount=Decimal("25000.00"))
    for category, description, amount in LINES:
        PlanLineFactory(
            application=application,
            category=category,
            description=description,
            amount=Decimal(amount),
        )
    decision = DecisionFactory(application=application, granted_amount=Decimal(granted))
    return book_grant(decision=decision, by=by)


@pytest.fixture
def partial(platform, support_staff2):
    return partial_budget(platform, support_staff2)


def _line(budget, description):
    return BudgetLine.objects.get(budget=budget, description=description)


def _post_data(budget, amounts, new=(), action="submit"):
    """The coordinator's form: an amount per current line (by description), new lines."""
    data = {"action": action, "note": "Huur lager, zoals de commissie vroeg."}
    for description, amount in amounts.items():
        data[f"line_{_line(budget, description).pk}"] = amount
    for i, (category, description, amount) in enumerate(new):
        data[f"new_{i}_category"] = category
        data[f"new_{i}_description"] = description
        data[f"new_{i}_amount"] = amount
    return data


GOOD = {
    "Huiswerkklas": "9000,00",
    "Buurtmaaltijden": "6000",
    "Huur buurthuis": "4500.00",
    "Nieuwsbrief": "2500",
}


def _public_page(client, platform) -> str:
    return client.get(reverse("platforms:platform_detail", args=[platform.slug])).content.decode()


def _year_pdf(client, platform, year, django_capture_on_commit_callbacks) -> str:
    url = reverse("reports:platform_report", args=[platform.slug, year])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    if response.status_code == 202:
        response = client.get(url)
    assert response.status_code == 200
    return pdf_text(b"".join(response.streaming_content))


def test_partial_grant_shows_granted_total_and_not_rebudgeted(
    client, partial, platform, django_capture_on_commit_callbacks
):
    assert not plan_matches_grant(partial)
    assert planned_total(partial) == Decimal("25000.00")
    page = _public_page(client, platform)
    assert "Nog niet herbegroot" in page
    assert "€ 22.000,00" in page
    assert "€ 25.000,00" not in page  # the lines that do not add up are not shown
    assert "Huur buurthuis" not in page
    text = _year_pdf(client, platform, partial.year, django_capture_on_commit_callbacks)
    assert "nog niet herbegroot" in text
    assert "22.000,00" in text
    assert "25.000,00" not in text and "Huur buurthuis" not in text


def test_platform_page_offers_the_coordinator_to_rebudget(
    client_for, partial, platform, member, coordinator
):
    url = reverse("budgets:platform_budget", args=[platform.slug])
    page = client_for(coordinator).get(url).content.decode()
    assert reverse("budgets:plan_propose", args=[platform.slug, partial.pk]) in page
    assert "Nog niet herbegroot" in page
    page = client_for(member).get(url).content.decode()
    assert reverse("budgets:plan_propose", args=[platform.slug, partial.pk]) not in page


def test_wrong_sum_is_refused_with_a_clear_message(client_for, partial, platform, coordinator):
    url = reverse("budgets:plan_propose", args=[platform.slug, partial.pk])
    client = client_for(coordinator)
    assert client.get(url).status_code == 200
    wrong = dict(GOOD, Nieuwsbrief="3000")  # € 22.500
    response = client.post(url, _post_data(partial, wrong), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "tellen op tot € 22.500,00" in page and "€ 22.000,00" in page
    assert not PlanVersion.objects.filter(status="submitted").exists()
    assert planned_total(partial) == Decimal("25000.00")


@pytest.mark.parametrize("role", ["member", "other_coordinator", "support_staff", "resident"])
def test_only_the_coordinator_proposes(role, request, client_for, partial, platform):
    user = request.getfixturevalue(role)
    url = reverse("budgets:plan_propose", args=[platform.slug, partial.pk])
    assert client_for(user).post(url, _post_data(partial, GOOD)).status_code == 403
    assert not PlanVersion.objects.exists()


def test_another_platforms_budget_is_not_found(
    client_for, partial, other_platform, other_coordinator
):
    url = reverse("budgets:plan_propose", args=[other_platform.slug, partial.pk])
    assert client_for(other_coordinator).get(url).status_code == 404


def test_propose_approve_and_the_page_adds_up(
    client,
    client_for,
    partial,
    platform,
    coordinator,
    support_staff,
    django_capture_on_commit_callbacks,
):
    url = reverse("budgets:plan_propose", args=[platform.slug, partial.pk])
    response = client_for(coordinator).post(url, _post_data(partial, GOOD))
    assert response.status_code == 302
    version = PlanVersion.objects.get()
    assert version.status == "submitted" and version.created_by == coordinator
    page = client_for(coordinator).get(reverse("budgets:platform_budget", args=[platform.slug]))
    assert "wacht op goedkeuring" in page.content.decode()
    # Still the old lines until approval.
    assert "Nog niet herbegroot" in _public_page(client, platform)

    review = client_for(support_staff).get(
        reverse("budgets:plan_version_review", args=[version.pk])
    )
    assert review.status_code == 200 and "€ 4.500,00" in review.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(support_staff).post(
            reverse("budgets:plan_version_approve", args=[version.pk])
        )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "approved" and version.reviewed_by == support_staff
    partial.refresh_from_db()
    assert plan_matches_grant(partial)
    assert _line(partial, "Huur buurthuis").planned_amount == Decimal("4500.00")
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "goedgekeurd" in mail.outbox[0].subject

    page = _public_page(client, platform)
    assert "Nog niet herbegroot" not in page
    assert "Huur buurthuis" in page and "€ 4.500,00" in page and "€ 22.000,00" in page
    text = _year_pdf(client, platform, partial.year, django_capture_on_commit_callbacks)
    assert "nog niet herbegroot" not in text
    assert "Huur buurthuis" in text and "4.500,00" in text and "22.000,00" in text
    assert ledger_breaches() == []


def test_the_proposer_and_non_support_cannot_approve(
    client_for, partial, platform, coordinator, member, support_staff
):
    # A coordinator who also works for the support organisation proposes.
    both = UserFactory(email="both@example.org", roles=[SUPPORT])
    MembershipFactory(platform=platform, user=both, role=Membership.Role.COORDINATOR)
    version = save_plan_version(
        budget=partial,
        by=both,
        lines=[
            {"line": _line(partial, d).pk, "amount": a.replace(",", ".")} for d, a in GOOD.items()
        ],
        submit=True,
    )
    approve = reverse("budgets:plan_version_approve", args=[version.pk])
    for user in (coordinator, member):  # not support: forbidden
        assert client_for(user).post(approve).status_code == 403
    response = client_for(both).post(approve, follow=True)  # forged: the proposer
    assert "Vier ogen" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "submitted"
    assert planned_total(partial) == Decimal("25000.00")
    reject = reverse("budgets:plan_version_reject", args=[version.pk])
    client_for(both).post(reject, {"reason": "zelf"})
    version.refresh_from_db()
    assert version.status == "submitted"
    client_for(support_staff).post(approve)
    version.refresh_from_db()
    assert version.status == "approved"


def test_rejection_keeps_the_lines_and_tells_the_coordinator(
    client_for, partial, platform, coordinator, support_staff, django_capture_on_commit_callbacks
):
    client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, GOOD),
    )
    version = PlanVersion.objects.get()
    reject = reverse("budgets:plan_version_reject", args=[version.pk])
    client_for(support_staff).post(reject, {"reason": ""})
    version.refresh_from_db()
    assert version.status == "submitted"  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        client_for(support_staff).post(reject, {"reason": "De nieuwsbrief is te laag begroot."})
    version.refresh_from_db()
    assert version.status == "rejected"
    assert planned_total(partial) == Decimal("25000.00")
    assert "afgewezen" in mail.outbox[0].subject
    assert "te laag begroot" in mail.outbox[0].body
    # A new version can be proposed after a rejection.
    client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, GOOD),
    )
    assert PlanVersion.objects.filter(status="submitted", number=2).exists()


def test_a_draft_is_kept_and_a_second_proposal_waits_for_review(
    client_for, partial, platform, coordinator
):
    url = reverse("budgets:plan_propose", args=[platform.slug, partial.pk])
    client = client_for(coordinator)
    wrong = dict(GOOD, Nieuwsbrief="3000")
    client.post(url, _post_data(partial, wrong, action="draft"))  # a draft need not add up
    draft = PlanVersion.objects.get()
    assert draft.status == "draft"
    assert 'value="3000.00"' in client.get(url).content.decode()
    client.post(url, _post_data(partial, GOOD))
    draft.refresh_from_db()
    assert draft.status == "submitted" and PlanVersion.objects.count() == 1
    response = client.post(url, _post_data(partial, GOOD), follow=True)
    assert "wacht" in response.content.decode()
    assert PlanVersion.objects.count() == 1


def test_new_lines_and_removed_lines(client_for, partial, platform, coordinator, support_staff):
    amounts = {"Huiswerkklas": "9000", "Buurtmaaltijden": "6000", "Huur buurthuis": "5000"}
    client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, amounts, new=[("Materiaal", "Tafels en stoelen", "2000")]),
    )
    version = PlanVersion.objects.get(status="submitted")
    client_for(support_staff).post(reverse("budgets:plan_version_approve", args=[version.pk]))
    partial.refresh_from_db()
    assert plan_matches_grant(partial)
    assert not BudgetLine.objects.filter(budget=partial, description="Nieuwsbrief").exists()
    new = _line(partial, "Tafels en stoelen")
    assert new.planned_amount == Decimal("2000.00") and new.account.kind == "expense"


def test_a_line_cannot_go_below_what_is_spent(
    client_for, partial, platform, member, coordinator, support_staff, support_staff2
):
    ruimte = _line(partial, "Huur buurthuis")
    claim = approve_claim(
        claim=make_claim(partial, member, amount="300.00", line=ruimte), by=support_staff
    )
    release_and_pay(create_batch(claims=[claim], by=support_staff), support_staff2)
    amounts = dict(GOOD, **{"Huur buurthuis": "200", "Huiswerkklas": "13300"})
    response = client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, amounts),
        follow=True,
    )
    assert "kan niet lager dan € 300,00" in response.content.decode()
    assert not PlanVersion.objects.exists()
    # Leaving the line out (removing it) is refused too.
    amounts = dict(GOOD, Huiswerkklas="13500")
    del amounts["Huur buurthuis"]
    response = client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, amounts),
        follow=True,
    )
    assert "kan niet lager dan € 300,00" in response.content.decode()


def test_approval_checks_the_grant_again(client_for, partial, platform, coordinator, support_staff):
    client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, GOOD),
    )
    version = PlanVersion.objects.get()
    # An upheld objection raises the grant before the version is approved.
    decision = DecisionFactory(
        application=partial.decision.application, granted_amount=Decimal("24000.00")
    )
    adjust_grant(
        budget=partial, new_amount=Decimal("24000.00"), decision=decision, by=support_staff
    )
    response = client_for(support_staff).post(
        reverse("budgets:plan_version_approve", args=[version.pk]), follow=True
    )
    assert "het toegekende bedrag is € 24.000,00" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "submitted"


def test_a_changed_grant_needs_rebudgeting_again(
    client, client_for, partial, platform, coordinator, support_staff
):
    client_for(coordinator).post(
        reverse("budgets:plan_propose", args=[platform.slug, partial.pk]),
        _post_data(partial, GOOD),
    )
    version = PlanVersion.objects.get()
    client_for(support_staff).post(reverse("budgets:plan_version_approve", args=[version.pk]))
    assert "Nog niet herbegroot" not in _public_page(client, platform)
    decision = DecisionFactory(
        application=partial.decision.application, granted_amount=Decimal("23000.00")
    )
    adjust_grant(
        budget=partial, new_amount=Decimal("23000.00"), decision=decision, by=support_staff
    )
    partial.refresh_from_db()
    assert not plan_matches_grant(partial)
    page = _public_page(client, platform)
    assert "Nog niet herbegroot" in page and "€ 23.000,00" in page
    admin = client_for(support_staff).get(reverse("budgets:budget_detail", args=[partial.pk]))
    assert "Nog niet herbegroot" in admin.content.decode()
