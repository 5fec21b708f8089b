from decimal import Decimal

import pytest

from audit.models import AuditEntry
from budgets.models import Account, Budget, Transaction
from budgets.services import account_balance, book_grant, budget_remaining
from tests.budgets.factories import granted_decision


@pytest.mark.django_db
def test_book_grant_creates_budget_lines_accounts_and_balanced_grant(platform, support_staff):
    decision = granted_decision(platform=platform, amount="1000.00")
    budget = book_grant(decision=decision, by=support_staff)
    assert budget.platform == platform
    assert budget.year == 2026
    assert budget.granted_amount == Decimal("1000.00")
    assert [line.planned_amount for line in budget.lines.all()] == [Decimal("500.00")] * 2
    assert Account.objects.filter(budget=budget, kind=Account.Kind.EXPENSE).count() == 2
    for kind in ("grant_source", "bank", "returned"):
        assert Account.objects.filter(kind=kind, platform=None).count() == 1
    tx = Transaction.objects.get(decision=decision, kind="grant")
    assert tx.entries.count() == 2
    assert budget_remaining(budget) == Decimal("1000.00")
    source = Account.objects.get(kind="grant_source")
    assert account_balance(source) == Decimal("-1000.00")
    assert AuditEntry.objects.filter(action="budgets.grant.booked").count() == 1


@pytest.mark.django_db
def test_book_grant_is_idempotent(platform, support_staff):
    decision = granted_decision(platform=platform)
    first = book_grant(decision=decision, by=support_staff)
    second = book_grant(decision=decision, by=support_staff)
    assert first.pk == second.pk
    assert Budget.objects.count() == 1
    assert Transaction.objects.filter(kind="grant").count() == 1
    assert AuditEntry.objects.filter(action="budgets.grant.booked").count() == 1
