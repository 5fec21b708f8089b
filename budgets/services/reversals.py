"""Four eyes on corrections: a reversal is requested by one support person and confirmed by
another (``budgets.permissions.needs_second_approval("reversal")`` is always true).

``request_reversal`` stores a pending ``ReversalRequest`` (one per booking at a time); the
confirmation is ``budgets.services.corrections.reverse_transaction`` by a different support
person, whose four-eyes gate (``confirm_pending_request``, below) locks the pending request,
checks ``permissions.can_confirm_reversal`` and marks it confirmed in the same transaction as
the reversal. The requester can withdraw a pending request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_support
from audit.services import record
from budgets import permissions
from budgets.models import ReversalRequest, Transaction
from budgets.services.ledger import lock_timeout


@transaction.atomic
def request_reversal(*, original: Transaction, by: User, reason: str) -> ReversalRequest:
    """Ask for a reversal of ``original``; a colleague confirms it (or the asker withdraws)."""
    if not is_support(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor de correctie."))
    original = Transaction.objects.get(pk=original.pk)
    if original.kind == Transaction.Kind.REVERSAL:
        raise ValidationError(_("Een correctie kan niet zelf gecorrigeerd worden."))
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError(_("Deze boeking is al gecorrigeerd."), code="already_reversed")
    try:
        with transaction.atomic():
            request = ReversalRequest.objects.create(
                transaction=original, reason=reason.strip(), requested_by=by
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Voor deze boeking is al een tegenboeking aangevraagd; die wacht op tweede akkoord."),
            code="already_requested",
        ) from exc
    record(
        actor=by,
        action="budgets.reversal.requested",
        obj=original,
        data={"request": request.pk, "reason": request.reason},
    )
    return request


@transaction.atomic
def withdraw_reversal(*, request: ReversalRequest, by: User) -> ReversalRequest:
    if not is_support(by):
        raise PermissionDenied
    lock_timeout()
    request = ReversalRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.can_withdraw_reversal(by, request):
        raise ValidationError(
            _("Alleen wie de tegenboeking aanvroeg, kan een wachtende aanvraag intrekken.")
        )
    request.status = ReversalRequest.Status.WITHDRAWN
    request.decided_by, request.decided_at = by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor=by,
        action="budgets.reversal.withdrawn",
        obj=request.transaction,
        data={"request": request.pk},
    )
    return request


def confirm_pending_request(*, original: Transaction, by: User) -> ReversalRequest:
    """The four-eyes gate at the start of ``reverse_transaction``: there must be a pending
    request for this booking by someone else; it is locked and marked confirmed by ``by``
    (rolled back with the reversal if that fails). Call inside a transaction."""
    lock_timeout()
    request = (
        ReversalRequest.objects.select_for_update()
        .filter(transaction_id=original.pk, status=ReversalRequest.Status.PENDING)
        .first()
    )
    if request is None:
        raise ValidationError(
            _(
                "Vier ogen: een tegenboeking wordt door één persoon aangevraagd en door een "
                "ander bevestigd. Vraag haar eerst aan."
            ),
            code="four_eyes",
        )
    if not permissions.can_confirm_reversal(by, request):
        raise ValidationError(
            _("Vier ogen: je vroeg deze tegenboeking zelf aan; een collega bevestigt haar."),
            code="four_eyes",
        )
    request.status = ReversalRequest.Status.CONFIRMED
    request.decided_by, request.decided_at = by, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    return request
