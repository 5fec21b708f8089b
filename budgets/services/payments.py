"""Payment batches: SEPA export and marking paid, which books the payments once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import IBAN
from sepaxml import SepaTransfer

from accounts.models import User
from accounts.roles import is_support
from audit.services import record
from budgets.models import (
    Budget,
    BudgetLine,
    Entry,
    ExpenseClaim,
    PaymentBatch,
    Transaction,
)
from budgets.permissions import can_pay_batch
from budgets.services.claims import _notify, _transition
from budgets.services.ledger import (
    Line,
    budget_account,
    line_account,
    lock_timeout,
    post_transaction,
)

# --- payment batches --------------------------------------------------------------------


@transaction.atomic
def create_batch(*, claims: Iterable[ExpenseClaim], by: User) -> PaymentBatch:
    """Put approved claims that are not yet in a batch into a new payment batch."""
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
    today = timezone.localdate()
    count = PaymentBatch.objects.filter(created_at__date=today).count() + 1
    reference = f"BP-{today:%Y%m%d}-{count:03d}"
    while PaymentBatch.objects.filter(reference=reference).exists():
        count += 1
        reference = f"BP-{today:%Y%m%d}-{count:03d}"
    batch = PaymentBatch.objects.create(reference=reference, created_by=by)
    ExpenseClaim.objects.filter(pk__in=ids).update(batch=batch)
    record(actor=by, action="budgets.batch.created", obj=batch, data={"claims": ids})
    return batch


def debtor_config() -> dict[str, Any]:
    return {
        "name": settings.SEPA_DEBTOR_NAME,
        "IBAN": settings.SEPA_DEBTOR_IBAN,
        "BIC": settings.SEPA_DEBTOR_BIC,
        "batch": True,
        "currency": "EUR",
    }


@transaction.atomic
def export_batch_sepa(*, batch: PaymentBatch, by: User) -> bytes:
    """The batch as a SEPA credit transfer file (pain.001.001.03), validated by its schema."""
    if not is_support(by):
        raise PermissionDenied
    lock_timeout()
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    sepa = SepaTransfer(debtor_config(), clean=True)
    execution = timezone.localdate() + datetime.timedelta(days=1)
    for claim in batch.claims.order_by("pk"):
        iban = IBAN(claim.iban)
        payment = {
            "name": claim.payee_name[:70],
            "IBAN": iban.compact,
            "amount": int((claim.amount * 100).to_integral_value()),
            "execution_date": execution,
            "description": f"Declaratie {claim.pk} {claim.description}"[:140],
            "endtoend_id": f"{batch.reference}-{claim.pk}"[:35],
        }
        if iban.bic:
            payment["BIC"] = str(iban.bic)
        sepa.add_payment(payment)
    data = sepa.export(validate=True)
    if batch.status == PaymentBatch.Status.OPEN:
        batch.status = PaymentBatch.Status.EXPORTED
        batch.exported_at = timezone.now()
        batch.save(update_fields=["status", "exported_at"])
    record(actor=by, action="budgets.batch.exported", obj=batch)
    return data


@transaction.atomic
def pay_batch(
    *, batch: PaymentBatch, by: User, value_date: datetime.date | None = None
) -> PaymentBatch:
    """Mark a batch paid: books one payment transaction per claim, exactly once."""
    if not is_support(by):
        raise PermissionDenied
    lock_timeout()
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == PaymentBatch.Status.PAID:
        raise ValidationError(_("Deze batch is al betaald."), code="already_paid")
    if not can_pay_batch(by, batch):  # four eyes, checked under the batch lock
        raise ValidationError(
            _("Vier ogen: wie een declaratie in deze batch goedkeurde, kan de batch niet betalen."),
            code="four_eyes",
        )
    value_date = value_date or timezone.localdate()
    budget_ids = sorted(set(batch.claims.values_list("budget_id", flat=True)))
    budgets = {
        b.pk: b for b in Budget.objects.select_for_update().filter(pk__in=budget_ids).order_by("pk")
    }
    claims = list(ExpenseClaim.objects.select_for_update().filter(batch=batch).order_by("pk"))
    if not claims:
        raise ValidationError(_("Deze batch is leeg."))
    for claim in claims:
        _transition(claim, ExpenseClaim.Status.PAID)
        budget = budgets[claim.budget_id]
        line = BudgetLine.objects.get(pk=claim.budget_line_id)
        post_transaction(
            budget=budget,
            kind=Transaction.Kind.PAYMENT,
            lines=[
                Line(line_account(line), Entry.Side.DEBIT, claim.amount),
                Line(budget_account(budget), Entry.Side.CREDIT, claim.amount),
            ],
            value_date=value_date,
            description=f"{claim.description} – {claim.public_payee}",
            private_description=f"{claim.payee_name} {claim.iban}",
            reference=f"{batch.reference}-{claim.pk}",
            by=by,
            claim=claim,
            batch=batch,
        )
        claim.save(update_fields=["status"])
        _notify(claim)
    batch.status = PaymentBatch.Status.PAID
    batch.paid_by = by
    batch.paid_at = timezone.now()
    batch.save(update_fields=["status", "paid_by", "paid_at"])
    record(
        actor=by,
        action="budgets.batch.paid",
        obj=batch,
        data={"claims": [c.pk for c in claims], "total": str(sum(c.amount for c in claims))},
    )
    return batch
