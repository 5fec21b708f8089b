"""Account balances kept by the database (budgets.models.AccountBalance).

Every entry inserted, by the posting service, by a bulk insert or by hand, lands in its
account's balance in the same transaction; pages read those balances; check_ledger finds a
balance that no longer matches its entries. The autouse ``ledger_invariants`` fixture checks
the same after every test in tests/budgets.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from budgets.models import (
    Account,
    AccountBalance,
    Budget,
    Entry,
    LedgerImmutableError,
    Transaction,
)
from budgets.selectors import (
    balances_mismatch,
    budgets_with_totals,
    ledger_breaches,
    plan_vs_actual,
    remaining_of,
    round_summary,
)
from budgets.services import (
    Line,
    account_balance,
    approve_claim,
    budget_account,
    budget_spent,
    create_batch,
    get_system_account,
    line_account,
    post_transaction,
    signed_sum,
)
from tests.budgets.conftest import confirmed_reversal, make_claim, release_and_pay

pytestmark = pytest.mark.django_db


def kept(account: Account) -> Decimal:
    row = AccountBalance.objects.filter(account=account).first()
    return row.balance if row else Decimal("0.00")


def every_balance_matches_its_entries() -> None:
    accounts = Account.objects.all()
    assert accounts.exists()
    for account in accounts:
        assert kept(account) == account_balance(account), account.code
    assert balances_mismatch() == []


def test_a_grant_payment_and_correction_keep_every_balance(
    budget, member, support_staff, support_staff2
):
    assert kept(budget_account(budget)) == Decimal("1000.00")
    claims = [make_claim(budget, member, amount=a) for a in ("100.00", "250.50", "0.10")]
    for claim in claims:
        approve_claim(claim=claim, by=support_staff)
    release_and_pay(create_batch(claims=claims, by=support_staff), by=support_staff2)
    every_balance_matches_its_entries()
    wrong = Transaction.objects.get(kind="payment", claim=claims[1])
    confirmed_reversal(wrong, asker=support_staff, confirmer=support_staff2, reason="Dubbel")
    every_balance_matches_its_entries()

    line = budget.lines.first()
    assert kept(line_account(line)) == Decimal("100.10")
    assert kept(budget_account(budget)) == Decimal("899.90")
    assert kept(get_system_account(Account.Kind.GRANT_SOURCE)) == Decimal("-1000.00")


def test_pages_read_the_same_figures_as_the_entries(budget, member, support_staff, support_staff2):
    claims = [make_claim(budget, member, amount=a) for a in ("12.50", "7.25")]
    for claim in claims:
        approve_claim(claim=claim, by=support_staff)
    release_and_pay(create_batch(claims=claims, by=support_staff), by=support_staff2)
    shown = budgets_with_totals(Budget.objects.filter(pk=budget.pk)).get()
    assert shown.spent == budget_spent(budget) == Decimal("19.75")
    assert shown.remaining == remaining_of(budget) == Decimal("980.25")
    lines = {line.pk: line.spent for line in plan_vs_actual(budget)}
    for line in budget.lines.all():
        assert lines[line.pk] == signed_sum(Entry.objects.filter(account__budget_line=line))
    summary = round_summary(budget.round)
    assert (summary["spent"], summary["remaining"]) == (Decimal("19.75"), Decimal("980.25"))


def test_a_bulk_insert_of_many_entries_lands_in_the_balances(budget):
    """One INSERT of many rows over several accounts (as seed_scale writes them)."""
    source = get_system_account(Account.Kind.GRANT_SOURCE)
    target = budget_account(budget)
    tx = Transaction.objects.create(
        budget=budget, kind="grant", value_date=datetime.date(2026, 5, 1), description="bulk"
    )
    entries = []
    for i in range(1, 301):
        amount = Decimal(i) / 100
        entries += [
            Entry(transaction=tx, account=target, side="debit", amount=amount),
            Entry(transaction=tx, account=source, side="credit", amount=amount),
        ]
    Entry.objects.bulk_create(entries)
    added = sum(Decimal(i) / 100 for i in range(1, 301))  # 451.50
    assert kept(target) == Decimal("1000.00") + added
    assert kept(source) == Decimal("-1000.00") - added
    every_balance_matches_its_entries()


def test_a_rolled_back_posting_leaves_the_balances_as_they_were(budget):
    before = kept(budget_account(budget))
    with pytest.raises(RuntimeError), transaction.atomic():
        post_transaction(
            budget=budget,
            kind="grant",
            lines=[
                Line(budget_account(budget), "debit", Decimal("5.00")),
                Line(get_system_account(Account.Kind.GRANT_SOURCE), "credit", Decimal("5.00")),
            ],
            value_date=datetime.date(2026, 5, 1),
            description="teruggedraaid",
        )
        assert kept(budget_account(budget)) == before + Decimal("5.00")
        raise RuntimeError("roll back")
    assert kept(budget_account(budget)) == before
    every_balance_matches_its_entries()


def test_python_code_cannot_write_a_balance(budget):
    row = AccountBalance.objects.get(account=budget_account(budget))
    row.balance = Decimal("1.00")
    with pytest.raises(LedgerImmutableError):
        row.save()
    with pytest.raises(LedgerImmutableError):
        AccountBalance.objects.filter(pk=row.pk).update(balance=Decimal("1.00"))
    with pytest.raises(LedgerImmutableError):
        row.delete()
    assert kept(budget_account(budget)) == Decimal("1000.00")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the balance guard trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE budgets_accountbalance SET balance = balance + 1",
        "DELETE FROM budgets_accountbalance",
    ],
)
def test_raw_sql_edit_of_a_balance_is_refused_by_the_database(budget, sql):
    with pytest.raises(DatabaseError, match="kept by the ledger trigger"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert kept(budget_account(budget)) == Decimal("1000.00")


def test_check_ledger_reports_a_balance_that_differs_from_its_entries(budget, allow_ledger_breach):
    """A hand edit in the database past every guard (on PostgreSQL only with the triggers
    switched off, as a superuser can) is found."""
    account = budget_account(budget)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE budgets_accountbalance SET balance = balance + 1 WHERE account_id = %s",
            [account.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    assert balances_mismatch() == [(account.pk, Decimal("1001.00"), Decimal("1000.00"))]
    assert any(f"Rekening {account.pk}" in breach for breach in ledger_breaches())
