"""Corrections by reversal (the year close and its undo: budgets.services.yearclose)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_support
from audit.services import record
from budgets.models import (
    Budget,
    Entry,
    ExpenseClaim,
    Transaction,
)
from budgets.services.claims import _transition
from budgets.services.ledger import (
    Line,
    lock_timeout,
    post_transaction,
)
from budgets.services.reversals import confirm_pending_request

# --- corrections ----------------------------------------------------------------------------

YEAR_CLOSE_KINDS = (Transaction.Kind.RETURN, Transaction.Kind.CARRY_OVER, Transaction.Kind.CARRY_IN)


@transaction.atomic
def reverse_transaction(*, original: Transaction, by: User, reason: str) -> Transaction:
    """Correct a booking by a reversal that points at it (once; the original stays)."""
    if not is_support(by):
        raise PermissionDenied
    # Four eyes: only as the confirmation of another support person's pending request.
    confirm_pending_request(original=original, by=by)
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
    if original.kind in YEAR_CLOSE_KINDS:
        # Booked by a year close (and into the next year's budget): undone only with the close
        # itself (budgets.services.yearclose), never one booking on its own.
        raise ValidationError(
            _(
                "Deze boeking hoort bij een jaarafsluiting; draai de afsluiting terug in plaats "
                "van de boeking."
            ),
            code="year_close",
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
