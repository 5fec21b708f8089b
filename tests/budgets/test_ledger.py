"""Balancing, immutability, reversal once, balances in the database, closed periods."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from budgets.models import Account, Budget, Entry, LedgerImmutableError, Transaction
from budgets.services import (
    Line,
    PeriodClosedError,
    account_balance,
    approve_claim,
    budget_account,
    budget_remaining,
    get_system_account,
    money,
    post_transaction,
    propose_year_close,
    request_reversal,
    reverse_transaction,
)
from buurtplatform.formatting import format_money
from tests.budgets.closing import close_budget, past_budget
from tests.budgets.conftest import confirmed_reversal, make_claim, release_and_pay

pytestmark = pytest.mark.django_db


def _lines(budget, debit="10.00", credit="10.00"):
    return [
        Line(budget_account(budget), "debit", Decimal(debit)),
        Line(get_system_account(Account.Kind.GRANT_SOURCE), "credit", Decimal(credit)),
    ]


def test_unbalanced_transaction_is_refused(budget):
    with pytest.raises(ValidationError, match="niet in evenwicht"):
        post_transaction(
            budget=budget,
            kind="grant",
            lines=_lines(budget, "10.00", "9.99"),
            value_date=datetime.date(2026, 5, 1),
            description="fout",
        )
    assert Transaction.objects.count() == 1  # only the grant


def test_single_line_and_nonpositive_amounts_are_refused(budget):
    account = budget_account(budget)
    with pytest.raises(ValidationError):
        post_transaction(
            budget=budget,
            kind="grant",
            lines=[Line(account, "debit", Decimal("1.00"))],
            value_date=datetime.date(2026, 5, 1),
            description="x",
        )
    with pytest.raises(ValidationError):
        post_transaction(
            budget=budget,
            kind="grant",
            lines=_lines(budget, "-5.00", "-5.00"),
            value_date=datetime.date(2026, 5, 1),
            description="x",
        )


def test_money_refuses_floats_and_fractions_of_cents():
    with pytest.raises(TypeError):
        money(0.1)
    with pytest.raises(ValidationError):
        money("1.005")
    assert money("0.1") + money("0.2") == Decimal("0.30")


def test_dutch_money_format():
    assert format_money(Decimal("1234.5")) == "€ 1.234,50"
    assert format_money(Decimal("-1000000")) == "€ -1.000.000,00"
    assert format_money(Decimal("0")) == "€ 0,00"


def test_entries_and_transactions_cannot_be_changed_through_the_orm(budget):
    tx = Transaction.objects.get(kind="grant")
    entry = tx.entries.first()
    entry.amount = Decimal("1.00")
    with pytest.raises(LedgerImmutableError):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        tx.delete()
    with pytest.raises(LedgerImmutableError):
        Entry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(LedgerImmutableError):
        Transaction.objects.all().delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000.00")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE budgets_entry SET amount = 1",
        "DELETE FROM budgets_entry",
        "UPDATE budgets_transaction SET description = 'x'",
        "DELETE FROM budgets_transaction",
    ],
)
def test_raw_sql_update_or_delete_is_refused_by_the_database(budget, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Entry.objects.filter(amount=Decimal("1000.00")).count() == 2


def test_reversal_mirrors_the_original_and_happens_once(budget, support_staff, support_staff2):
    grant = Transaction.objects.get(kind="grant")
    reversal = confirmed_reversal(
        grant, asker=support_staff2, confirmer=support_staff, reason="Dubbel geboekt"
    )
    assert reversal.reverses == grant
    assert reversal.reason == "Dubbel geboekt"
    assert budget_remaining(budget) == Decimal("0.00")
    with pytest.raises(ValidationError, match="al gecorrigeerd"):
        request_reversal(original=grant, by=support_staff, reason="nog eens")
    with pytest.raises(ValidationError):
        request_reversal(original=reversal, by=support_staff, reason="terug")
    # The unique constraint holds even if the service is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Transaction.objects.create(
            budget=budget,
            kind="reversal",
            value_date=datetime.date(2026, 6, 1),
            description="tweede",
            reverses=grant,
        )


def test_reversal_needs_a_reason(budget, support_staff):
    with pytest.raises(ValidationError):
        request_reversal(
            original=Transaction.objects.get(kind="grant"), by=support_staff, reason=" "
        )


def test_balances_are_computed_by_one_database_query(budget, django_assert_num_queries):
    account = budget_account(budget)
    with django_assert_num_queries(1):
        assert account_balance(account) == Decimal("1000.00")


def test_closed_period_refuses_bookings_and_claims(platform, member, support_staff, support_staff2):
    budget = past_budget(platform, support_staff2)
    close = close_budget(budget, first=support_staff, second=support_staff2)
    assert close.amount == Decimal("1000.00")
    assert budget_remaining(budget) == Decimal("0.00")
    assert account_balance(get_system_account(Account.Kind.RETURNED)) == Decimal("1000.00")
    with pytest.raises(PeriodClosedError):
        post_transaction(
            budget=budget,
            kind="grant",
            lines=_lines(budget),
            value_date=datetime.date(2027, 1, 5),
            description="te laat",
        )
    with pytest.raises(ValidationError):
        make_claim(budget, member)
    with pytest.raises(ValidationError):
        propose_year_close(budget=budget, outcome="returned", reason="nog eens", by=support_staff)
    with pytest.raises(ValidationError):
        request_reversal(
            original=Transaction.objects.get(kind="grant", budget=budget),
            by=support_staff,
            reason="x",
        )
        reverse_transaction(
            original=Transaction.objects.get(kind="grant", budget=budget),
            by=support_staff2,
            reason="x",
        )


def test_year_cannot_close_while_claims_are_open(platform, member, support_staff, support_staff2):
    budget = past_budget(platform, support_staff2)
    claim = make_claim(budget, member, amount="100.00")
    approve_claim(claim=claim, by=support_staff)
    with pytest.raises(ValidationError, match="open"):
        propose_year_close(budget=budget, outcome="carried_over", reason="x", by=support_staff)


def test_year_close_carry_over_books_to_carried_over_account(
    platform, member, support_staff, support_staff2
):
    budget = past_budget(platform, support_staff2)
    claim = make_claim(budget, member)
    from budgets.services import reject_claim

    reject_claim(claim=claim, by=support_staff, reason="dubbel")
    close_budget(budget, first=support_staff, second=support_staff2, outcome="carried_over")
    carried = Account.objects.get(kind=Account.Kind.CARRIED_OVER)
    # Carried out of this year and into the next year's budget: the account nets to zero.
    assert account_balance(carried) == Decimal("0.00")
    assert Transaction.objects.filter(kind="carry_over").count() == 1
    assert Transaction.objects.filter(kind="carry_in").count() == 1
    nxt = Budget.objects.get(carried_from=budget)
    assert budget_remaining(nxt) == Decimal("1000.00")


def test_check_ledger_command_passes_on_a_clean_ledger(budget, capsys):
    call_command("check_ledger")
    assert "ledger ok" in capsys.readouterr().out
    assert mail.outbox == []


def test_check_ledger_reports_breaches_to_support_staff(
    budget, support_staff, allow_ledger_breach, django_capture_on_commit_callbacks
):
    # Bypass the posting service (as a buggy migration or a hand edit might) to break a rule.
    bad = Transaction.objects.create(
        budget=budget, kind="grant", value_date=datetime.date(2026, 5, 1), description="scheef"
    )
    Entry.objects.create(
        transaction=bad, account=budget_account(budget), side="debit", amount=Decimal("5.00")
    )
    from django.core.management.base import CommandError

    # The mail is sent after commit (immediately in the command's autocommit).
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        call_command("check_ledger")
    assert len(mail.outbox) == 1
    assert support_staff.email in mail.outbox[0].to
    assert f"Boeking {bad.pk}" in mail.outbox[0].body


def test_check_ledger_task_runs_the_check(budget):
    from budgets.tasks import check_ledger_task

    assert check_ledger_task.delay().get() == 0


def test_a_reversed_grant_leaves_nothing_to_claim_or_approve(
    budget, member, support_staff, support_staff2
):
    claim = make_claim(budget, member)
    confirmed_reversal(
        Transaction.objects.get(kind="grant"),
        asker=support_staff2,
        confirmer=support_staff,
        reason="Verkeerd besluit",
    )
    with pytest.raises(ValidationError, match="teruggedraaid"):
        approve_claim(claim=claim, by=support_staff)
    with pytest.raises(ValidationError):
        make_claim(budget, member)
    from budgets.services import reject_claim

    reject_claim(claim=claim, by=support_staff, reason="Budget ingetrokken")


def test_a_grant_with_approved_claims_cannot_be_reversed(
    budget, member, support_staff, support_staff2
):
    approve_claim(claim=make_claim(budget, member), by=support_staff)
    with pytest.raises(ValidationError, match="al declaraties goedgekeurd"):
        confirmed_reversal(
            Transaction.objects.get(kind="grant"),
            asker=support_staff2,
            confirmer=support_staff,
            reason="x",
        )


def test_story_grant_expense_correction_report(
    budget, platform, member, support_staff, support_staff2
):
    """Replay a whole story and check every view of the books agrees with the ledger."""
    from budgets.selectors import platform_ledger_rows, public_budget_summary
    from budgets.services import create_batch, public_transactions

    claims = [make_claim(budget, member, amount=a) for a in ("100.00", "250.50", "49.50")]
    for c in claims:
        approve_claim(claim=c, by=support_staff)
    release_and_pay(create_batch(claims=claims, by=support_staff), by=support_staff2)
    wrong = Transaction.objects.get(kind="payment", claim=claims[1])
    confirmed_reversal(
        wrong, asker=support_staff, confirmer=support_staff2, reason="Dubbel betaald"
    )

    summary = public_budget_summary(platform)[0]
    assert summary["spent"] == Decimal("149.50")
    assert summary["remaining"] == Decimal("850.50")
    assert [p["amount"] for p in summary["payments"]] == [Decimal("100.00"), Decimal("49.50")]
    public = list(public_transactions())
    assert len(public) == 2 * Transaction.objects.count()
    debit = sum(Decimal(r["debit"]) for r in public if r["debit"])
    credit = sum(Decimal(r["credit"]) for r in public if r["credit"])
    assert debit == credit
    ledger = list(platform_ledger_rows(platform))
    assert len(ledger) == len(public)
    assert any(row[12] == "Dubbel betaald" for row in ledger)
    assert Budget.objects.get().committed == Decimal("149.50")


def test_running_total_constraint_is_the_last_line_of_defence(budget):
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(committed=Decimal("1000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(committed=Decimal("-0.01"))
