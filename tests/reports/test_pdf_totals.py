"""The euro totals printed in the PDF reports equal the sums in the ledger (TRUST row 25)."""

import re
from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from budgets.models import Account, Budget, Entry
from reports.rendering import render_report
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

AMOUNT = re.compile(r"€\s?(-?[\d.]+,\d{2})")


def nl_amounts(text: str) -> set[Decimal]:
    """Every € amount in Dutch notation (1.234,56) found in the text, as Decimals."""
    return {Decimal(m.replace(".", "").replace(",", ".")) for m in AMOUNT.findall(text)}


def ledger_spent(budgets) -> Decimal:
    """Net spending from the entries themselves: debits minus credits on expense accounts."""
    sums = Entry.objects.filter(
        account__kind=Account.Kind.EXPENSE, account__budget__in=budgets
    ).aggregate(
        debit=Sum("amount", filter=Q(side=Entry.Side.DEBIT)),
        credit=Sum("amount", filter=Q(side=Entry.Side.CREDIT)),
    )
    return (sums["debit"] or Decimal(0)) - (sums["credit"] or Decimal(0))


def test_district_overview_totals_match_the_ledger(scenario):
    budgets = Budget.objects.filter(year=2026)
    granted = budgets.aggregate(total=Sum("granted_amount"))["total"]
    spent = ledger_spent(budgets)
    assert spent > 0  # the scenario paid claims (and reversed one)

    amounts = nl_amounts(pdf_text(render_report("district_year", "2026")))

    assert granted in amounts
    assert spent in amounts
    assert granted - spent in amounts


def test_platform_year_report_totals_match_the_ledger(scenario):
    budgets = Budget.objects.filter(year=2026, platform=scenario.platform)
    granted = budgets.aggregate(total=Sum("granted_amount"))["total"]
    spent = ledger_spent(budgets)

    text = pdf_text(render_report("platform_year", f"{scenario.platform.slug}/2026"))
    amounts = nl_amounts(text)

    assert granted in amounts
    assert spent in amounts
    assert granted - spent in amounts
    for line in budgets.get().lines.all():
        assert line.planned_amount in amounts
