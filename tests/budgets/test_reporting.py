"""Plan versus actual, public summaries and open data: amounts from the database, payees safe."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.selectors import (
    PUBLIC_COLUMNS,
    plan_vs_actual,
    public_budget_summary,
    round_summary,
)
from budgets.services import (
    approve_claim,
    book_grant,
    create_batch,
    public_transactions,
)
from tests.budgets.conftest import OTHER_IBAN, make_claim, release_and_pay
from tests.budgets.factories import granted_decision
from tests.factories import ActivityFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def _pay(budget, member, approver, payer, specs):
    claims = []
    lines = list(budget.lines.all())
    for amount, line_index, org in specs:
        claim = make_claim(
            budget,
            member,
            amount=amount,
            line=lines[line_index],
            payee_name="Bakkerij De Zon BV" if org else "Petra Privé",
            payee_is_organisation=org,
            iban=OTHER_IBAN,
            description="Taart" if org else "Boodschappen",
        )
        claims.append(approve_claim(claim=claim, by=approver))
    release_and_pay(create_batch(claims=claims, by=approver), by=payer)
    return claims


def test_plan_versus_actual_per_line_with_activities(
    budget, member, platform, support_staff, support_staff2
):
    activity = ActivityFactory(platform=platform, title="Buurtfeest")
    claim = make_claim(budget, member, amount="120.00", activities=[activity])
    approve_claim(claim=claim, by=support_staff)
    release_and_pay(create_batch(claims=[claim], by=support_staff), by=support_staff2)
    lines = list(plan_vs_actual(budget))
    assert [(line.planned_amount, line.spent, line.remaining) for line in lines] == [
        (Decimal("500.00"), Decimal("120.00"), Decimal("380.00")),
        (Decimal("500.00"), Decimal("0.00"), Decimal("500.00")),
    ]
    summary = public_budget_summary(platform)[0]
    assert summary["granted"] == Decimal("1000.00")
    assert summary["spent"] == Decimal("120.00")
    assert summary["remaining"] == Decimal("880.00")
    assert [a.title for a in summary["lines"][0].activity_list] == ["Buurtfeest"]


def test_round_summary_totals(platform, other_platform, member, support_staff, support_staff2):
    first = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    round_obj = first.round
    from tests.budgets.factories import ApplicationFactory, DecisionFactory, PlanLineFactory

    app = ApplicationFactory(platform=other_platform, round=round_obj)
    PlanLineFactory(application=app, amount=Decimal("2000.00"))
    book_grant(
        decision=DecisionFactory(application=app, granted_amount=Decimal("2000.00")),
        by=support_staff,
    )
    _pay(first, member, support_staff, support_staff2, [("250.00", 0, True)])
    summary = round_summary(round_obj)
    assert summary["granted"] == Decimal("3000.00")
    assert summary["spent"] == Decimal("250.00")
    assert summary["remaining"] == Decimal("2750.00")
    assert summary["district"].code == "T"


def test_public_transactions_anonymise_private_payees(
    budget, member, support_staff, support_staff2
):
    _pay(budget, member, support_staff, support_staff2, [("10.00", 0, False), ("20.00", 1, True)])
    rows = list(public_transactions())
    assert list(rows[0].keys()) == PUBLIC_COLUMNS
    text = repr(rows)
    assert "Petra Privé" not in text
    assert OTHER_IBAN not in text
    assert "Bakkerij De Zon BV" in text
    assert "particulier" in text
    debit = sum(Decimal(r["debit"]) for r in rows if r["debit"])
    credit = sum(Decimal(r["credit"]) for r in rows if r["credit"])
    assert debit == credit == Decimal("1030.00")


def test_public_transactions_use_constant_queries(
    budget, member, support_staff, support_staff2, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        small = list(public_transactions())
    _pay(budget, member, support_staff, support_staff2, [("10.00", 0, False)] * 5)
    with django_assert_max_num_queries(1):
        large = list(public_transactions())
    assert len(large) == len(small) + 10


def test_platform_page_shows_budget_without_private_names(
    client, budget, platform, member, support_staff, support_staff2
):
    _pay(budget, member, support_staff, support_staff2, [("10.00", 0, False), ("20.00", 1, True)])
    page = client.get(reverse("platforms:platform_detail", args=[platform.slug])).content.decode()
    assert "Budget 2026" in page
    assert "€ 1.000,00" in page  # granted
    assert "€ 970,00" in page  # remaining
    assert "Bakkerij De Zon BV" in page
    assert "Petra Privé" not in page
    assert OTHER_IBAN not in page


def test_platform_page_without_budget_shows_no_budget_section(client):
    platform = PlatformFactory()
    page = client.get(reverse("platforms:platform_detail", args=[platform.slug])).content.decode()
    assert 'id="budget-title"' not in page


def test_platform_budget_summary_queries_do_not_grow_with_claims(
    budget, platform, member, support_staff, support_staff2, django_assert_max_num_queries
):
    _pay(budget, member, support_staff, support_staff2, [("10.00", 0, False)])
    with django_assert_max_num_queries(8):
        public_budget_summary(platform)
    _pay(budget, member, support_staff, support_staff2, [("10.00", 1, True)] * 6)
    with django_assert_max_num_queries(8):
        public_budget_summary(platform)


def test_budgets_of_unpublished_decisions_stay_out_of_public_data(platform, support_staff):
    decision = granted_decision(platform=platform)
    type(decision).objects.filter(pk=decision.pk).update(status="pending")
    book_grant(decision=decision, by=support_staff)
    assert list(public_transactions()) == []
    assert public_budget_summary(platform) == []
