"""Corrections by reversal, and the year close that locks a budget."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_support
from audit.models import AuditEntry
from audit.services import record
from budgets.models import (
    Account,
    Budget,
    Entry,
    ExpenseClaim,
    Transaction,
    YearClose,
)
from budgets.services.claims import _transition
from budgets.services.ledger import (
    ZERO,
    Line,
    PeriodClosedError,
    budget_account,
    budget_remaining,
    carried_over_account,
    get_system_account,
    is_budget_closed,
    lock_timeout,
    post_transaction,
)

# --- corrections and year close -----------------------------------------------------------


@transaction.atomic
def reverse_transaction(*, original: Transaction, by: User, reason: str) -> Transaction:
    """Correct a booking by a reversal that points at it (once; the original stays)."""
    if not is_support(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor de correctie."))
    lock_timeout()
    budget = Budget.objects.select_for_update().get(pk=original.budget_id)
    original = Transaction.objects.select_related("claim").get(pk=original.pk)
    if original.kind == Transaction.Kind.REVERSAL:
        raise ValidationError(_("Een correctie kan niet zelf gecorrigeerd worden."))
    if original.kind == Transaction.Kind.ADJUSTMENT:
        # It follows a published decision and moved Budget.granted_amount with it.
        raise ValidationError(
            _("Een aanpassing van de toekenning volgt uit een besluit en wordt niet tegengeboekt.")
        )
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError(_("Deze boeking is al gecorrigeerd."), code="already_reversed")
    if original.kind == Transaction.Kind.GRANT and budget.committed > 0:
        raise ValidationError(
            _(
                "Op deze toekenning zijn al declaraties goedgekeurd; een correctie kan pas als die "
                "zijn afgehandeld."
            )
        )
    lines = [
        Line(
            e.account,
            Entry.Side.CREDIT if e.side == Entry.Side.DEBIT else Entry.Side.DEBIT,
            e.amount,
        )
        for e in original.entries.select_related("account")
    ]
    try:
        with transaction.atomic():
            reversal = post_transaction(
                budget=budget,
                kind=Transaction.Kind.REVERSAL,
                lines=lines,
                value_date=timezone.localdate(),
                description=_("Correctie van boeking %(pk)s") % {"pk": original.pk},
                reference=f"corr-{original.pk}",
                by=by,
                claim=original.claim,
                batch=original.batch,
                reverses=original,
                reason=reason.strip(),
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Deze boeking is al gecorrigeerd."), code="already_reversed"
        ) from exc
    if original.kind == Transaction.Kind.PAYMENT and original.claim_id:
        claim = ExpenseClaim.objects.select_for_update().get(pk=original.claim_id)
        _transition(claim, ExpenseClaim.Status.REVERSED)
        claim.review_message = reason.strip()
        claim.save(update_fields=["status", "review_message"])
        Budget.objects.filter(pk=budget.pk).update(committed=F("committed") - claim.amount)
    record(
        actor=by,
        action="budgets.transaction.reversed",
        obj=original,
        data={"reversal": reversal.pk, "reason": reason},
    )
    return reversal


@transaction.atomic
def close_year(*, budget: Budget, outcome: str, reason: str, by: User) -> YearClose:
    """Close a budget's year: book the unspent money as returned or carried over, then lock."""
    if not is_support(by):
        raise PermissionDenied
    if outcome not in YearClose.Outcome.values:
        raise ValidationError(_("Kies teruggestort of overgeheveld."))
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor deze keuze."))
    lock_timeout()
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if is_budget_closed(budget):
        raise PeriodClosedError(_("Dit budgetjaar is al afgesloten."))
    open_claims = budget.claims.filter(
        status__in=[
            ExpenseClaim.Status.SUBMITTED,
            ExpenseClaim.Status.CHANGES_REQUESTED,
            ExpenseClaim.Status.APPROVED,
        ]
    ).count()
    if open_claims:
        raise ValidationError(
            _("Er staan nog %(n)s declaraties open; handel die eerst af.") % {"n": open_claims}
        )
    remaining = budget_remaining(budget)
    if remaining > 0:
        if outcome == YearClose.Outcome.RETURNED:
            target, kind = get_system_account(Account.Kind.RETURNED), Transaction.Kind.RETURN
            text = _("Niet besteed, teruggestort aan het stadsdeel")
        else:
            target, kind = carried_over_account(budget), Transaction.Kind.CARRY_OVER
            text = _("Niet besteed, overgeheveld naar %(y)s") % {"y": budget.year + 1}
        post_transaction(
            budget=budget,
            kind=kind,
            lines=[
                Line(target, Entry.Side.DEBIT, remaining),
                Line(budget_account(budget), Entry.Side.CREDIT, remaining),
            ],
            value_date=datetime.date(budget.year, 12, 31),
            description=text,
            reference=f"jaarafsluiting-{budget.pk}",
            by=by,
            reason=reason.strip(),
        )
    close = YearClose.objects.create(
        budget=budget,
        year=budget.year,
        outcome=outcome,
        reason=reason.strip(),
        amount=max(remaining, ZERO),
        closed_by=by,
    )
    record(
        actor=by,
        action="budgets.year.closed",
        obj=budget,
        data={"outcome": outcome, "amount": str(close.amount), "reason": reason},
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    return close
