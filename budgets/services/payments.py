"""Payment batches: made, cancelled until released, released once (the SEPA file), paid.

Four eyes: a batch is released and marked paid only by support staff who approved or submitted
none of its claims (``budgets.permissions.can_release_batch`` / ``can_pay_batch``, checked under
the batch lock). Releasing builds the pain.001 file once, stores it privately with its SHA-256
and locks the batch; every download returns those bytes. A payment is booked once per claim and
batch: by "mark paid", or by a bank statement (``budgets.services.statements``) with the
statement's booking date.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_support
from audit.services import record
from budgets import permissions
from budgets.models import (
    Budget,
    BudgetLine,
    Entry,
    ExpenseClaim,
    PaymentBatch,
    Transaction,
)
from budgets.services.claims import _notify, _transition, is_debtor_iban
from budgets.services.ledger import (
    Line,
    budget_account,
    is_budget_closed,
    is_grant_reversed,
    line_account,
    lock_timeout,
    post_transaction,
)
from budgets.services.sepa import Transfer, build_pain001, next_target_business_day

# --- payment batches --------------------------------------------------------------------


def _new_reference(today: datetime.date) -> str:
    count = PaymentBatch.objects.filter(created_at__date=today).count() + 1
    reference = f"BP-{today:%Y%m%d}-{count:03d}"
    while PaymentBatch.objects.filter(reference=reference).exists():
        count += 1
        reference = f"BP-{today:%Y%m%d}-{count:03d}"
    return reference


@transaction.atomic
def create_batch(
    *, claims: Iterable[ExpenseClaim], by: User, reference: str | None = None
) -> PaymentBatch:
    """Put approved claims that are not yet in a batch into a new, open payment batch.

    ``reference`` (the demo's fixed one) must be free; normally it is BP-<date>-<n>."""
    if not is_support(by):
        raise PermissionDenied
    ids = sorted({c.pk for c in claims})
    if not ids:
        raise ValidationError(_("Kies minstens één goedgekeurde declaratie."))
    lock_timeout()
    locked = list(ExpenseClaim.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for claim in locked:
        if claim.status != ExpenseClaim.Status.APPROVED or claim.batch_id is not None:
            raise ValidationError(
                _("Declaratie %(pk)s is niet (meer) goedgekeurd of zit al in een batch.")
                % {"pk": claim.pk}
            )
    if reference is None:
        reference = _new_reference(timezone.localdate())
    elif PaymentBatch.objects.filter(reference=reference).exists():
        raise ValidationError(_("Er is al een batch met kenmerk %(ref)s.") % {"ref": reference})
    batch = PaymentBatch.objects.create(reference=reference, created_by=by)
    ExpenseClaim.objects.filter(pk__in=ids).update(batch=batch)
    record(actor=by, action="budgets.batch.created", obj=batch, data={"claims": ids})
    return batch


def _locked_batch(batch: PaymentBatch) -> PaymentBatch:
    lock_timeout()
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def cancel_batch(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """Cancel an open batch: its claims leave it and are "approved" again, ready for another."""
    if not is_support(by):
        raise PermissionDenied
    batch = _locked_batch(batch)
    if not permissions.can_cancel_batch(by, batch):
        raise ValidationError(
            _("Deze batch is al vrijgegeven of afgehandeld en kan niet meer geannuleerd worden."),
            code="not_open",
        )
    ids = list(batch.claims.order_by("pk").values_list("pk", flat=True))
    ExpenseClaim.objects.filter(pk__in=ids).update(batch=None)
    batch.status = PaymentBatch.Status.CANCELLED
    batch.cancelled_by = by
    batch.cancelled_at = timezone.now()
    batch.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    record(actor=by, action="budgets.batch.cancelled", obj=batch, data={"claims": ids})
    return batch


def _four_eyes_refusal(verb: str) -> ValidationError:
    return ValidationError(
        _(
            "Vier ogen: wie een declaratie in deze batch goedkeurde of indiende, kan de batch "
            "niet %(verb)s. Vraag een collega."
        )
        % {"verb": verb},
        code="four_eyes",
    )


@transaction.atomic
def release_batch(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """Release an open batch: build its SEPA file once, store it with its SHA-256, lock it."""
    if not is_support(by):
        raise PermissionDenied
    batch = _locked_batch(batch)
    if batch.status != PaymentBatch.Status.OPEN:
        raise ValidationError(
            _("Deze batch is al vrijgegeven of afgehandeld; het betaalbestand bestaat al."),
            code="already_released",
        )
    if not permissions.can_release_batch(by, batch):  # four eyes, under the batch lock
        raise _four_eyes_refusal(_("vrijgeven"))
    claims = list(
        ExpenseClaim.objects.select_for_update()
        .filter(batch=batch)
        .select_related("budget")
        .order_by("pk")
    )
    if not claims:
        raise ValidationError(_("Deze batch is leeg."))
    for claim in claims:
        # A corrected, reversed or no longer approved claim never goes into a file.
        if claim.status != ExpenseClaim.Status.APPROVED:
            raise ValidationError(
                _(
                    "Declaratie %(pk)s is niet meer goedgekeurd (%(status)s); annuleer de batch "
                    "en maak een nieuwe."
                )
                % {"pk": claim.pk, "status": claim.get_status_display()},
                code="not_approved",
            )
        if is_grant_reversed(claim.budget) or is_budget_closed(claim.budget):
            raise ValidationError(
                _(
                    "Op het budget van declaratie %(pk)s kan niet meer betaald worden; annuleer "
                    "de batch en maak een nieuwe."
                )
                % {"pk": claim.pk},
                code="budget_closed",
            )
        if is_debtor_iban(claim.iban):
            raise ValidationError(
                _(
                    "Declaratie %(pk)s wil betalen aan de rekening van de ondersteuningsorganisatie "
                    "zelf; dat kan niet."
                )
                % {"pk": claim.pk},
                code="creditor_is_debtor",
            )
    now = timezone.now()
    execution = next_target_business_day(timezone.localdate(now))
    for number, claim in enumerate(claims, 1):
        claim.end_to_end_id = f"{batch.reference}-{number:03d}"
        claim.save(update_fields=["end_to_end_id"])
    data = build_pain001(
        reference=batch.reference,
        transfers=[
            Transfer(
                end_to_end_id=c.end_to_end_id,
                name=c.payee_name,
                iban=c.iban,
                amount=c.amount,
                remittance=f"Declaratie {c.pk} {c.description}",
            )
            for c in claims
        ],
        execution_date=execution,
        created_at=timezone.localtime(now),
    )
    digest = hashlib.sha256(data).hexdigest()
    batch.sepa_file.save(f"{batch.reference}-{digest[:12]}.xml", ContentFile(data), save=False)
    batch.sepa_sha256 = digest
    batch.status = PaymentBatch.Status.RELEASED
    batch.released_by = by
    batch.released_at = now
    batch.execution_date = execution
    batch.save(
        update_fields=[
            "sepa_file", "sepa_sha256", "status", "released_by", "released_at", "execution_date",
        ]
    )  # fmt: skip
    record(
        actor=by,
        action="budgets.batch.released",
        obj=batch,
        data={
            "sha256": digest,
            "execution_date": execution.isoformat(),
            "claims": [c.pk for c in claims],
            "total": str(sum(c.amount for c in claims)),
        },
    )
    return batch


def sepa_file_bytes(batch: PaymentBatch) -> bytes:
    """The released batch's stored pain.001 file, checked against its SHA-256."""
    if not batch.sepa_file:
        raise ValidationError(
            _("Deze batch heeft (nog) geen betaalbestand: geef de batch eerst vrij."),
            code="no_file",
        )
    with batch.sepa_file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != batch.sepa_sha256:
        raise ValidationError(
            _("Het opgeslagen betaalbestand klopt niet meer met zijn SHA-256; niet gebruiken."),
            code="sha256_mismatch",
        )
    return data


def _book_payment(
    *, batch: PaymentBatch, claim: ExpenseClaim, budget: Budget, by: User, value_date
) -> Transaction:
    """Book one claim's payment (once per claim and batch; callers hold the locks)."""
    _transition(claim, ExpenseClaim.Status.PAID)
    line = BudgetLine.objects.get(pk=claim.budget_line_id)
    payment = post_transaction(
        budget=budget,
        kind=Transaction.Kind.PAYMENT,
        lines=[
            Line(line_account(line), Entry.Side.DEBIT, claim.amount),
            Line(budget_account(budget), Entry.Side.CREDIT, claim.amount),
        ],
        value_date=value_date,
        description=f"{claim.description} – {claim.public_payee}",
        private_description=f"{claim.payee_name} {claim.iban}",
        reference=claim.end_to_end_id or f"{batch.reference}-{claim.pk}",
        by=by,
        claim=claim,
        batch=batch,
    )
    claim.save(update_fields=["status"])
    _notify(claim)
    return payment


def _finish_if_paid(batch: PaymentBatch, by: User) -> None:
    """A released batch whose claims are all paid (or returned since) is paid."""
    if batch.status != PaymentBatch.Status.RELEASED:
        return
    if batch.claims.exclude(status=ExpenseClaim.Status.PAID).exists():
        return
    batch.status = PaymentBatch.Status.PAID
    batch.paid_by = by
    batch.paid_at = timezone.now()
    batch.save(update_fields=["status", "paid_by", "paid_at"])


def lock_for_payment(
    batches: Iterable[PaymentBatch], claim_ids: Iterable[int]
) -> tuple[dict[int, PaymentBatch], dict[int, Budget], dict[int, ExpenseClaim]]:
    """Lock batches, then their claims' budgets, then the claims, each in id order."""
    lock_timeout()
    batch_ids = sorted({b.pk for b in batches})
    locked_batches = {
        b.pk: b for b in PaymentBatch.objects.select_for_update().filter(pk__in=batch_ids)
    }
    ids = sorted(set(claim_ids))
    budget_ids = sorted(
        set(ExpenseClaim.objects.filter(pk__in=ids).values_list("budget_id", flat=True))
    )
    budgets = {
        b.pk: b for b in Budget.objects.select_for_update().filter(pk__in=budget_ids).order_by("pk")
    }
    claims = {
        c.pk: c for c in ExpenseClaim.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    return locked_batches, budgets, claims


@transaction.atomic
def pay_batch(
    *, batch: PaymentBatch, by: User, value_date: datetime.date | None = None
) -> PaymentBatch:
    """Mark a released batch paid without a bank statement: books each unpaid claim once."""
    if not is_support(by):
        raise PermissionDenied
    batch = _locked_batch(batch)
    if batch.status == PaymentBatch.Status.PAID:
        raise ValidationError(_("Deze batch is al betaald."), code="already_paid")
    if batch.status != PaymentBatch.Status.RELEASED:
        raise ValidationError(
            _("Geef de batch eerst vrij (het betaalbestand); daarna kan hij betaald worden."),
            code="not_released",
        )
    if not permissions.can_pay_batch(by, batch):  # four eyes, checked under the batch lock
        raise _four_eyes_refusal(_("als betaald markeren"))
    value_date = value_date or timezone.localdate()
    ids = list(batch.claims.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("Deze batch is leeg."))
    _batches, budgets, claims = lock_for_payment([batch], ids)
    booked = []
    for claim in claims.values():
        if claim.status == ExpenseClaim.Status.PAID:
            continue  # already confirmed by a bank statement
        _book_payment(
            batch=batch,
            claim=claim,
            budget=budgets[claim.budget_id],
            by=by,
            value_date=value_date,
        )
        booked.append(claim)
    _finish_if_paid(batch, by)
    record(
        actor=by,
        action="budgets.batch.paid",
        obj=batch,
        data={"claims": [c.pk for c in booked], "total": str(sum(c.amount for c in booked))},
    )
    return batch


def book_statement_payment(
    *, claim: ExpenseClaim, batch: PaymentBatch, budget: Budget, by: User, booking_date
) -> Transaction:
    """The bank statement shows the transfer: book it with the statement's booking date.
    (The caller, budgets.services.statements, holds the locks in lock_for_payment order.)"""
    payment = _book_payment(batch=batch, claim=claim, budget=budget, by=by, value_date=booking_date)
    _finish_if_paid(batch, by)
    return payment


def book_returned_payment(
    *, payment: Transaction, claim: ExpenseClaim, budget: Budget, by: User, booking_date, reason
) -> Transaction:
    """The bank returned a payment: reverse it (the money is back on the budget) and reopen the
    claim for the submitter to check ("aanpassing gevraagd", e.g. a closed account)."""
    lines = [
        Line(
            e.account,
            Entry.Side.CREDIT if e.side == Entry.Side.DEBIT else Entry.Side.DEBIT,
            e.amount,
        )
        for e in payment.entries.select_related("account")
    ]
    reversal = post_transaction(
        budget=budget,
        kind=Transaction.Kind.REVERSAL,
        lines=lines,
        value_date=booking_date,
        description=_("Teruggestort door de bank: boeking %(pk)s") % {"pk": payment.pk},
        reference=f"retour-{payment.reference}"[:60],
        by=by,
        claim=claim,
        batch=payment.batch,
        reverses=payment,
        reason=reason,
    )
    _transition(claim, ExpenseClaim.Status.CHANGES_REQUESTED)
    claim.review_message = reason
    claim.batch = None
    claim.save(update_fields=["status", "review_message", "batch"])
    Budget.objects.filter(pk=budget.pk).update(committed=F("committed") - claim.amount)
    _notify(claim)
    return reversal
