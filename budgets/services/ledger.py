"""The ledger core: money, accounts, balances (in the database), posting, grants."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DecimalField, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditEntry
from audit.services import record
from budgets.models import (
    Account,
    Budget,
    BudgetLine,
    Entry,
    ExpenseClaim,
    PaymentBatch,
    Transaction,
    YearClose,
)
from buurtplatform.formatting import format_money
from recognition.models import Decision

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

SYSTEM_GRANT_SOURCE = "SYS-GRANT-SOURCE"
SYSTEM_BANK = "SYS-BANK"
SYSTEM_RETURNED = "SYS-RETURNED"


class PeriodClosedError(ValidationError):
    pass


@dataclass(frozen=True)
class Line:
    """One entry to post: account, side ("debit"/"credit"), amount."""

    account: Account
    side: str
    amount: Decimal


def money(value: Decimal | str | int) -> Decimal:
    """Decimal with exactly two places; refuses floats (they cannot hold cents exactly)."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal, str or int, never float")
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Een bedrag heeft hoogstens twee decimalen."))
    return amount.quantize(CENT)


def lock_timeout() -> None:
    """On PostgreSQL wait at most a few seconds for a row lock; then OperationalError, which
    the views turn into "probeer het opnieuw" instead of piling up waiting requests."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")


# --- accounts ---------------------------------------------------------------------------


def get_system_account(kind: str) -> Account:
    system_accounts: dict[str, tuple[str, str]] = {
        Account.Kind.GRANT_SOURCE: (SYSTEM_GRANT_SOURCE, "Subsidiebron stadsdeel"),
        Account.Kind.BANK: (SYSTEM_BANK, "Bank ondersteuningsorganisatie"),
        Account.Kind.RETURNED: (SYSTEM_RETURNED, "Teruggestort aan stadsdeel"),
    }
    code, name = system_accounts[kind]
    account, _created = Account.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind}
    )
    return account


def ensure_system_accounts() -> None:
    for kind in (Account.Kind.GRANT_SOURCE, Account.Kind.BANK, Account.Kind.RETURNED):
        get_system_account(kind)


def budget_account(budget: Budget) -> Account:
    account, _created = Account.objects.get_or_create(
        code=f"B{budget.pk}-BUDGET",
        defaults={
            "name": f"Budget {budget.platform.name} {budget.year}",
            "kind": Account.Kind.BUDGET,
            "platform": budget.platform,
            "budget": budget,
        },
    )
    return account


def line_account(line: BudgetLine) -> Account:
    budget = line.budget
    account, _created = Account.objects.get_or_create(
        code=f"B{budget.pk}-L{line.pk}",
        defaults={
            "name": f"{line.category}: {line.description}"[:200],
            "kind": Account.Kind.EXPENSE,
            "platform": budget.platform,
            "budget": budget,
            "budget_line": line,
        },
    )
    return account


def carried_over_account(budget: Budget) -> Account:
    account, _created = Account.objects.get_or_create(
        code=f"P{budget.platform_id}-CARRY-{budget.year + 1}",
        defaults={
            "name": f"Overgeheveld {budget.platform.name} naar {budget.year + 1}",
            "kind": Account.Kind.CARRIED_OVER,
            "platform": budget.platform,
        },
    )
    return account


# --- balances (always computed in the database) -----------------------------------------

SUM_FIELD = DecimalField(max_digits=14, decimal_places=2)
SIGNED = Case(
    When(side=Entry.Side.DEBIT, then=F("amount")),
    default=-F("amount"),
    output_field=SUM_FIELD,
)


def signed_sum(entries: QuerySet[Entry]) -> Decimal:
    """Debit minus credit of an Entry queryset, summed by the database."""
    value = entries.aggregate(total=Coalesce(Sum(SIGNED), Value(ZERO), output_field=SUM_FIELD))[
        "total"
    ]
    # Exact on PostgreSQL (numeric). SQLite sums as floating point; every real amount is whole
    # cents, so rounding to the cent removes only the float artefact (e.g. 0.630000001).
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def account_balance(account: Account) -> Decimal:
    return signed_sum(Entry.objects.filter(account=account))


def budget_remaining(budget: Budget) -> Decimal:
    """The platform's budget account balance: granted minus paid minus returned/carried."""
    return signed_sum(Entry.objects.filter(account__code=f"B{budget.pk}-BUDGET"))


def budget_spent(budget: Budget) -> Decimal:
    return signed_sum(
        Entry.objects.filter(account__budget=budget, account__kind=Account.Kind.EXPENSE)
    )


# --- periods ----------------------------------------------------------------------------


def is_budget_closed(budget: Budget) -> bool:
    """A closed year locks the whole budget: nothing can be booked on it any more (a close
    that is only proposed does not; a reversed one no longer does)."""
    return YearClose.objects.filter(budget=budget, status=YearClose.Status.CLOSED).exists()


def is_grant_reversed(budget: Budget) -> bool:
    """A reversed grant (booked by mistake), or a reversed carry-over into a next-year budget,
    leaves nothing to spend on this budget."""
    return Transaction.objects.filter(
        budget=budget,
        kind__in=[Transaction.Kind.GRANT, Transaction.Kind.CARRY_IN],
        reversed_by__isnull=False,
    ).exists()


def _refuse_closed(budget: Budget) -> None:
    if is_budget_closed(budget):
        raise PeriodClosedError(
            _(
                "Het jaar %(year)s van dit budget is afgesloten; er kan niets meer op geboekt worden."
            )
            % {"year": budget.year}
        )


# --- posting ----------------------------------------------------------------------------


@transaction.atomic
def post_transaction(
    *,
    budget: Budget,
    kind: str,
    lines: Iterable[Line],
    value_date: datetime.date,
    description: str,
    by: User | None = None,
    private_description: str = "",
    reference: str = "",
    decision: Decision | None = None,
    claim: ExpenseClaim | None = None,
    batch: PaymentBatch | None = None,
    reverses: Transaction | None = None,
    reason: str = "",
) -> Transaction:
    """The one way to book money: validates balance and the period, writes entries and audit."""
    lines = list(lines)
    if len(lines) < 2:
        raise ValidationError(_("Een boeking heeft minstens twee regels."))
    debit = credit = ZERO
    for line in lines:
        amount = money(line.amount)
        if amount <= 0:
            raise ValidationError(_("Elk bedrag in een boeking moet positief zijn."))
        if line.side == Entry.Side.DEBIT:
            debit += amount
        elif line.side == Entry.Side.CREDIT:
            credit += amount
        else:
            raise ValidationError(_("Onbekende kant van een boeking."))
    if debit != credit:
        raise ValidationError(
            _("De boeking is niet in evenwicht (debet %(d)s, credit %(c)s).")
            % {"d": debit, "c": credit}
        )
    _refuse_closed(budget)
    tx = Transaction.objects.create(
        budget=budget,
        kind=kind,
        value_date=value_date,
        description=description[:300],
        private_description=private_description,
        reference=reference[:60],
        booked_by=by if getattr(by, "is_authenticated", False) else None,
        decision=decision,
        claim=claim,
        batch=batch,
        reverses=reverses,
        reason=reason,
    )
    Entry.objects.bulk_create(
        Entry(transaction=tx, account=line.account, side=line.side, amount=money(line.amount))
        for line in lines
    )
    record(
        actor=by,
        action=f"budgets.transaction.{kind}",
        obj=tx,
        data={
            "budget": budget.pk,
            "amount": str(debit),
            "reverses": reverses.pk if reverses else None,
        },
    )
    return tx


# --- grants -----------------------------------------------------------------------------


def book_grant(*, decision: Decision, by: User) -> Budget:
    """Book a granting decision exactly once: budget, lines, accounts, grant transaction.

    Idempotent: a retry or a concurrent call returns the existing budget (row lock on the
    decision; Budget.decision is one-to-one and transaction_grant_once is a unique constraint).
    """
    try:
        return _book_grant(decision=decision, by=by)
    except IntegrityError:
        # A concurrent call won the race between our check and insert (only possible where
        # row locks are not available); the constraint kept it single, so return its budget.
        existing = Budget.objects.filter(decision_id=decision.pk, carried_from=None).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _book_grant(*, decision: Decision, by: User) -> Budget:
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("round", "application__platform")
        .get(pk=decision.pk)
    )
    existing = Budget.objects.filter(decision=decision, carried_from=None).first()
    if existing is not None:
        return existing
    if decision.outcome != Decision.Outcome.GRANTED:
        raise ValidationError(_("Alleen een toekenningsbesluit kan als budget worden geboekt."))
    amount = money(decision.granted_amount)
    if amount <= 0:
        raise ValidationError(_("Het toegekende bedrag moet positief zijn."))
    application = decision.application
    platform = application.platform
    with transaction.atomic():  # savepoint: a lost race raises IntegrityError cleanly
        budget = Budget.objects.create(
            platform=platform,
            round=decision.round,
            decision=decision,
            year=decision.round.budget_year,
            granted_amount=amount,
        )
        for plan_line in application.plan_lines.order_by("id"):
            line = BudgetLine.objects.create(
                budget=budget,
                plan_line=plan_line,
                category=plan_line.category,
                description=plan_line.description,
                planned_amount=plan_line.amount,
            )
            line_account(line)
        if not budget.lines.exists():
            line = BudgetLine.objects.create(
                budget=budget,
                category=_("Algemeen"),
                description=_("Niet uitgesplitst in het plan"),
                planned_amount=amount,
            )
            line_account(line)
        ensure_system_accounts()
        account = budget_account(budget)
        # The grant covers the budget year, so it is dated at the year's start: payments in
        # that year never precede it, whenever the decision happened to be published.
        value_date = datetime.date(budget.year, 1, 1)
        post_transaction(
            budget=budget,
            kind=Transaction.Kind.GRANT,
            lines=[
                Line(account, Entry.Side.DEBIT, amount),
                Line(get_system_account(Account.Kind.GRANT_SOURCE), Entry.Side.CREDIT, amount),
            ],
            value_date=value_date,
            description=_("Toekenning %(round)s aan %(platform)s")
            % {"round": decision.round.title, "platform": platform.name},
            reference=f"besluit-{decision.pk}",
            by=by,
            decision=decision,
        )
    record(
        actor=by,
        action="budgets.grant.booked",
        obj=budget,
        data={"decision": decision.pk, "amount": str(amount), "platform": platform.pk},
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    return budget


@transaction.atomic
def adjust_grant(
    *, budget: Budget, new_amount: Decimal, decision: Decision, by: User
) -> Transaction | None:
    """A later decision (an upheld objection) changes what the budget's grant is worth: book the
    difference on the budget as one balanced transaction and set Budget.granted_amount.

    The existing grant and every other ledger row stay as they are. Idempotent per decision
    (transaction_adjustment_once); None when the amount does not change. Lowering the grant
    below what is already approved or paid on the budget is refused."""
    lock_timeout()
    budget = (
        Budget.objects.select_for_update().select_related("platform", "round").get(pk=budget.pk)
    )
    existing = Transaction.objects.filter(decision=decision, kind=Transaction.Kind.ADJUSTMENT)
    if existing.exists():
        return existing.get()
    amount = money(new_amount)
    if amount < 0:
        raise ValidationError(_("Het toegekende bedrag moet positief zijn."))
    old = budget.granted_amount
    difference = amount - old
    if difference == 0:
        return None
    if is_grant_reversed(budget):
        raise ValidationError(
            _("De toekenning van dit budget is tegengeboekt; er valt niets aan te passen.")
        )
    if amount < budget.committed:
        raise ValidationError(
            _(
                "Het nieuwe bedrag (%(new)s) is lager dan wat al is goedgekeurd of betaald op dit "
                "budget (%(committed)s). Handel eerst die declaraties af."
            )
            % {"new": format_money(amount), "committed": format_money(budget.committed)},
            code="below_committed",
        )
    account = budget_account(budget)
    source = get_system_account(Account.Kind.GRANT_SOURCE)
    if difference > 0:
        lines = [
            Line(account, Entry.Side.DEBIT, difference),
            Line(source, Entry.Side.CREDIT, difference),
        ]
        description = _("Verhoging van de toekenning %(round)s aan %(platform)s")
    else:
        lines = [
            Line(source, Entry.Side.DEBIT, -difference),
            Line(account, Entry.Side.CREDIT, -difference),
        ]
        description = _("Verlaging van de toekenning %(round)s aan %(platform)s")
    tx = post_transaction(
        budget=budget,
        kind=Transaction.Kind.ADJUSTMENT,
        lines=lines,
        # Never before the grant itself (dated at the budget year's start).
        value_date=max(timezone.localdate(), datetime.date(budget.year, 1, 1)),
        description=description % {"round": budget.round.title, "platform": budget.platform.name},
        reference=f"besluit-{decision.pk}",
        by=by,
        decision=decision,
    )
    budget.granted_amount = amount
    budget.save(update_fields=["granted_amount"])
    record(
        actor=by,
        action="budgets.grant.adjusted",
        obj=budget,
        data={
            "decision": decision.pk,
            "old_amount": str(old),
            "new_amount": str(amount),
            "difference": str(difference),
            "transaction": tx.pk,
        },
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    return tx
