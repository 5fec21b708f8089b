"""The bookkeeper's workbench: one action on many claims, each through its own service.

Every claim goes through the same service as a single review (approve_claim, reject_claim,
request_claim_changes, create_batch), in its own transaction, so every rule (four eyes, own
platform, overspending, status) holds per claim and one refusal never undoes the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import is_support
from audit.services import record
from budgets import permissions
from budgets.models import ExpenseClaim, PaymentBatch
from budgets.services.claims import (
    ALREADY,
    approve_claim,
    reject_claim,
    request_claim_changes,
)
from budgets.services.payments import create_batch
from platforms.models import Platform

APPROVE = "approve"
REJECT = "reject"
CHANGES = "changes"
BATCH = "batch"
ACTIONS = (APPROVE, REJECT, CHANGES, BATCH)
MAX_CLAIMS = 200  # one confirmation covers at most this many claims

# Outcomes of one claim.
APPROVED = "approved"
WAITING = "waiting"  # approved by this person; a second support person still has to approve
REJECTED = "rejected"
CHANGES_REQUESTED = "changes_requested"
BATCHED = "batched"
REFUSED = "refused"


@dataclass
class ClaimOutcome:
    claim_id: int
    outcome: str
    message: str = ""
    claim: ExpenseClaim | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != REFUSED


@dataclass
class BulkResult:
    action: str
    outcomes: list[ClaimOutcome] = field(default_factory=list)
    batch: PaymentBatch | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def refused(self) -> list[ClaimOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def summary(self) -> str:
        """E.g. "3 goedgekeurd, 1 wacht op tweede akkoord, 1 geweigerd"."""
        words: list[tuple[str, Callable[[int], str]]] = [
            (APPROVED, lambda n: ngettext("%(n)s goedgekeurd", "%(n)s goedgekeurd", n)),
            (
                WAITING,
                lambda n: ngettext(
                    "%(n)s wacht op tweede akkoord", "%(n)s wachten op tweede akkoord", n
                ),
            ),
            (REJECTED, lambda n: ngettext("%(n)s afgewezen", "%(n)s afgewezen", n)),
            (
                CHANGES_REQUESTED,
                lambda n: ngettext("%(n)s terug voor aanpassing", "%(n)s terug voor aanpassing", n),
            ),
            (BATCHED, lambda n: ngettext("%(n)s in de betaalbatch", "%(n)s in de betaalbatch", n)),
            (REFUSED, lambda n: ngettext("%(n)s geweigerd", "%(n)s geweigerd", n)),
        ]
        parts = [text(n) % {"n": n} for outcome, text in words if (n := self.count(outcome))]
        return ", ".join(parts) or _("Er is niets gebeurd.")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    if isinstance(exc, OperationalError):
        return _("Iemand anders werkt tegelijk aan deze declaratie; probeer het opnieuw.")
    return _("Dit mag je niet.")


def selected_claims(claim_ids: Iterable[int]) -> list[ExpenseClaim]:
    """The claims a bulk action names, in id order (the order they are handled in). Claims of
    one platform share its object, so a membership check is asked once per platform."""
    ids = sorted({int(pk) for pk in claim_ids})[:MAX_CLAIMS]
    claims: list[ExpenseClaim] = list(
        ExpenseClaim.objects.filter(pk__in=ids)
        .select_related("budget__platform", "submitted_by", "batch")
        .annotate(n_receipts=Count("receipts"))
        .order_by("pk")
    )
    platforms: dict[int, Platform] = {}
    for claim in claims:
        claim.budget.platform = platforms.setdefault(
            claim.budget.platform_id, claim.budget.platform
        )
    return claims


def _review_refusal(claim: ExpenseClaim, by: User) -> str | None:
    """Why this person may not review this claim, or None (the predicate decides)."""
    if permissions.can_review_claim(by, claim):
        return None
    if claim.submitted_by_id == by.pk:
        return _("Vier ogen: je kunt je eigen declaratie niet beoordelen.")
    return _("Je bent lid van dit platform en kunt zijn declaraties niet beoordelen.")


def preview_claims(*, action: str, claims: Iterable[ExpenseClaim], by: User) -> list[ClaimOutcome]:
    """What the action will most likely do to each claim, for the confirmation page. The
    services decide when it runs; this only reads the same predicates and figures."""
    room: dict[int, Decimal] = {}
    result = []
    for claim in claims:
        expected, message = _expected(action, claim, by, room)
        result.append(ClaimOutcome(claim.pk, expected, message, claim))
    return result


def _expected(
    action: str, claim: ExpenseClaim, by: User, room: dict[int, Decimal]
) -> tuple[str, str]:
    if action == BATCH:
        if claim.status != ExpenseClaim.Status.APPROVED or claim.batch_id is not None:
            return REFUSED, _("Niet goedgekeurd of al in een batch.")
        return BATCHED, ""
    refusal = _review_refusal(claim, by)
    if refusal:
        return REFUSED, refusal
    if claim.status != ExpenseClaim.Status.SUBMITTED:
        return REFUSED, str(ALREADY.get(claim.status) or _("Deze declaratie wacht niet op je."))
    if action == REJECT:
        return REJECTED, ""
    if action == CHANGES:
        return CHANGES_REQUESTED, ""
    if not permissions.can_approve_claim(by, claim):
        return REFUSED, _("Je gaf het eerste akkoord al; het tweede komt van een collega.")
    budget = claim.budget
    left = room.setdefault(
        budget.pk, budget.granted_amount + budget.overspend_allowance - budget.committed
    )
    if claim.amount > left:
        return REFUSED, _("Onvoldoende budget; keur deze declaratie los goed met een reden.")
    room[budget.pk] = left - claim.amount
    note = ""
    if not getattr(claim, "n_receipts", 1):
        note = _("Zonder bon: alleen als je de verklaring accepteert.")
    if claim.approved_by_id is None and permissions.needs_second_approval(amount=claim.amount):
        return WAITING, note
    return APPROVED, note


def review_claims(
    *,
    action: str,
    claim_ids: Iterable[int],
    by: User,
    text: str = "",
    accept_statement: bool = False,
) -> BulkResult:
    """Approve, reject or send back many claims: each through its own service and transaction,
    with the outcome per claim (approved, waiting for a second approval, refused and why)."""
    if not is_support(by):
        raise PermissionDenied
    if action not in (APPROVE, REJECT, CHANGES):
        raise ValueError(action)
    if action in (REJECT, CHANGES) and not text.strip():
        raise ValidationError(_("Schrijf een reden; die krijgt elke indiener te lezen."))
    result = BulkResult(action)
    for claim in selected_claims(claim_ids):
        try:
            if action == APPROVE:
                done = approve_claim(claim=claim, by=by, accept_statement=accept_statement)
                outcome = APPROVED if done.status == ExpenseClaim.Status.APPROVED else WAITING
            elif action == REJECT:
                done = reject_claim(claim=claim, by=by, reason=text)
                outcome = REJECTED
            else:
                done = request_claim_changes(claim=claim, by=by, message=text)
                outcome = CHANGES_REQUESTED
        except (ValidationError, PermissionDenied, OperationalError) as exc:
            result.outcomes.append(ClaimOutcome(claim.pk, REFUSED, _message(exc), claim))
        else:
            result.outcomes.append(ClaimOutcome(claim.pk, outcome, "", done))
    _record(result, by)
    return result


def batch_claims(*, claim_ids: Iterable[int], by: User) -> BulkResult:
    """Put the approved claims among those named into one new payment batch (create_batch);
    the others are reported, not batched."""
    if not is_support(by):
        raise PermissionDenied
    result = BulkResult(BATCH)
    eligible = []
    for claim in selected_claims(claim_ids):
        if claim.status != ExpenseClaim.Status.APPROVED or claim.batch_id is not None:
            message = _("Niet goedgekeurd of al in een batch.")
            result.outcomes.append(ClaimOutcome(claim.pk, REFUSED, message, claim))
        else:
            eligible.append(claim)
    if eligible:
        try:
            result.batch = create_batch(claims=eligible, by=by)
        except (ValidationError, PermissionDenied, OperationalError) as exc:
            message = _message(exc)
            result.outcomes += [ClaimOutcome(c.pk, REFUSED, message, c) for c in eligible]
        else:
            result.outcomes += [ClaimOutcome(c.pk, BATCHED, "", c) for c in eligible]
    result.outcomes.sort(key=lambda o: o.claim_id)
    _record(result, by)
    return result


def _record(result: BulkResult, by: User) -> None:
    if not result.outcomes:
        return
    record(
        actor=by,
        action="budgets.claims.bulk",
        data={
            "action": result.action,
            "batch": result.batch.pk if result.batch else None,
            "outcomes": {str(o.claim_id): o.outcome for o in result.outcomes},
        },
    )
