"""Mijn platform (issue 15 part 1): the coordinator's home per platform, for members only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets.models import ExpenseClaim
from budgets.services import book_grant
from platforms.models import Membership
from recognition.models import Round
from tests.budgets.factories import RoundFactory, granted_decision
from tests.factories import MembershipFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def url(platform):
    return reverse("workflows:my_platform", kwargs={"slug": platform.slug})


def test_outsiders_are_refused(client, platform, resident, other_coordinator):
    assert client.get(url(platform)).status_code == 302  # to the login page
    client.force_login(resident)
    assert client.get(url(platform)).status_code == 403
    client.force_login(other_coordinator)
    assert client.get(url(platform)).status_code == 403
    response = client.get(reverse("workflows:my_platform", kwargs={"slug": "bestaat-niet"}))
    assert response.status_code == 404


def test_coordinator_sees_what_needs_doing(client, platform, coordinator, support_staff):
    # A grant lower than asked: the plan lines (1000) do not add up to the grant (800).
    decision = granted_decision(platform=platform, year=timezone.localdate().year)
    decision.granted_amount = Decimal("800.00")
    decision.save()
    budget = book_grant(decision=decision, by=support_staff)
    ExpenseClaim.objects.create(
        budget=budget,
        budget_line=budget.lines.first(),
        submitted_by=coordinator,
        amount=Decimal("25.00"),
        expense_date=timezone.localdate(),
        payee_name="Bakker",
        iban="NL91ABNA0417164300",
        description="Koffie en koek",
        status=ExpenseClaim.Status.CHANGES_REQUESTED,
    )
    RoundFactory(
        title="Ronde open",
        status=Round.Status.OPEN,
        application_deadline=timezone.now() + datetime.timedelta(days=7),
        assessment_deadline=timezone.now() + datetime.timedelta(days=30),
    )
    client.force_login(coordinator)
    response = client.get(url(platform))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wat moet er gebeuren?" in html
    assert "Er zijn nog geen activiteiten in" in html
    assert "Ronde open" in html and "Aanvraag beginnen" in html
    assert "Aanpassing gevraagd" in html and "Koffie en koek" in html
    assert reverse("budgets:claim_edit", kwargs={"pk": budget.claims.get().pk}) in html
    assert "herbegroot de posten" in html
    plan = reverse("budgets:plan_propose", kwargs={"slug": platform.slug, "budget_pk": budget.pk})
    assert plan in html
    claim_create = reverse(
        "budgets:claim_create", kwargs={"slug": platform.slug, "budget_pk": budget.pk}
    )
    assert claim_create in html and "Declaratie indienen" in html
    assert "Cora Coördinator" in html


def test_member_sees_own_claims_only_and_no_coordinator_actions(
    client, platform, coordinator, member, support_staff
):
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    ExpenseClaim.objects.create(
        budget=budget,
        budget_line=budget.lines.first(),
        submitted_by=coordinator,
        amount=Decimal("10.00"),
        expense_date=timezone.localdate(),
        payee_name="Bakker",
        iban="NL91ABNA0417164300",
        description="Claim van de coördinator",
    )
    client.force_login(member)
    html = client.get(url(platform)).content.decode()
    assert "Mijn declaraties" in html
    assert "Claim van de coördinator" not in html
    assert "Leden beheren" not in html


def test_menu_links_to_the_one_platform_or_the_list(client, platform, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{url(platform)}"' in html
    MembershipFactory(platform=PlatformFactory(), user=coordinator, role=Membership.Role.MEMBER)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{url(platform)}"' not in html
    assert f'href="{reverse("platforms:my_platforms")}"' in html


def test_public_platform_page_links_members_to_their_page(client, platform, coordinator):
    client.force_login(coordinator)
    html = client.get(platform.get_absolute_url()).content.decode()
    assert url(platform) in html
