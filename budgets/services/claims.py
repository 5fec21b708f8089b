"""Expense claims: submission by members, review by support staff (four eyes)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from accounts.models import User
from accounts.roles import is_support
from audit.services import record
from budgets import permissions
from budgets.models import (
    Budget,
    BudgetLine,
    ExpenseClaim,
    Receipt,
)
from budgets.services.ledger import (
    ZERO,
    PeriodClosedError,
    is_budget_closed,
    is_grant_reversed,
    lock_timeout,
    money,
)
from buurtplatform.emails import absolute_url, send_templated_email
from buurtplatform.formatting import format_money
from buurtplatform.uploads import CleanUpload
from platforms.models import Activity
from platforms.selectors import takes_new_work

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# --- expense claims ---------------------------------------------------------------------

# Allowed status transitions (table-driven; every other transition raises).
TRANSITIONS: dict[str, set[str]] = {
    ExpenseClaim.Status.SUBMITTED: {
        ExpenseClaim.Status.APPROVED,
        ExpenseClaim.Status.REJECTED,
        ExpenseClaim.Status.CHANGES_REQUESTED,
    },
    ExpenseClaim.Status.CHANGES_REQUESTED: {ExpenseClaim.Status.SUBMITTED},
    ExpenseClaim.Status.APPROVED: {ExpenseClaim.Status.PAID},
    # Reversed by a correction (ends the claim), or returned by the bank (reopened for the
    # submitter: budgets.services.payments.book_returned_payment).
    ExpenseClaim.Status.PAID: {ExpenseClaim.Status.REVERSED, ExpenseClaim.Status.CHANGES_REQUESTED},
    ExpenseClaim.Status.DRAFT: {ExpenseClaim.Status.SUBMITTED},
    ExpenseClaim.Status.REJECTED: set(),
    ExpenseClaim.Status.REVERSED: set(),
}

ALREADY: dict[str, StrPromise] = {
    ExpenseClaim.Status.APPROVED: gettext_lazy("Deze declaratie is al goedgekeurd."),
    ExpenseClaim.Status.PAID: gettext_lazy("Deze declaratie is al betaald."),
    ExpenseClaim.Status.REJECTED: gettext_lazy("Deze declaratie is al afgewezen."),
    ExpenseClaim.Status.REVERSED: gettext_lazy(
        "De betaling van deze declaratie is al gecorrigeerd."
    ),
    ExpenseClaim.Status.CHANGES_REQUESTED: gettext_lazy("Er is al om een aanpassing gevraagd."),
}


def _check_transition(claim: ExpenseClaim, new: str) -> None:
    if new not in TRANSITIONS.get(claim.status, set()):
        message = ALREADY.get(claim.status) or _("Deze stap is niet mogelijk in deze status.")
        raise ValidationError(str(message), code="invalid_transition")


def _transition(claim: ExpenseClaim, new: str) -> None:
    _check_transition(claim, new)
    claim.status = new


def validate_iban(value: str) -> str:
    """Normalise and validate an IBAN with schwifty (checksum, country format, bank code)."""
    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError) as exc:
        raise ValidationError(_("Dit is geen geldig IBAN-nummer."), code="iban") from exc


def is_debtor_iban(iban: str) -> bool:
    """Is this the support organisation's own account (that the batches are paid from)?"""
    return bool(settings.SEPA_DEBTOR_IBAN) and iban.replace(" ", "").upper() == str(
        settings.SEPA_DEBTOR_IBAN
    )


def validate_payee_iban(value: str) -> str:
    """A valid IBAN that is not the account the payments come from."""
    iban = validate_iban(value)
    if is_debtor_iban(iban):
        raise ValidationError(
            _(
                "Dit is de rekening van de ondersteuningsorganisatie zelf; vul het IBAN van de "
                "ontvanger in."
            ),
            code="creditor_is_debtor",
        )
    return iban


def _save_receipts(claim: ExpenseClaim, receipts: Iterable[CleanUpload] | None) -> None:
    for upload in receipts or []:
        receipt = Receipt(
            claim=claim,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
        )
        assert upload.content.name is not None  # clean_upload names every file
        receipt.file.save(upload.content.name, upload.content, save=False)
        receipt.save()


@transaction.atomic
def submit_claim(
    *,
    budget: Budget,
    budget_line: BudgetLine,
    by: User,
    amount: Decimal,
    expense_date: datetime.date,
    payee_name: str,
    iban: str,
    description: str,
    payee_is_organisation: bool = False,
    private_notes: str = "",
    no_receipt_statement: str = "",
    activities: Iterable[Activity] = (),
    receipts: Iterable[CleanUpload] = (),
) -> ExpenseClaim:
    """A platform member submits an expense claim with receipts (or a signed statement)."""
    if not permissions.can_submit_claim(by, budget):
        if not takes_new_work(budget.platform):
            raise ValidationError(
                _("Dit platform is gearchiveerd; er kunnen geen declaraties meer worden ingediend.")
            )
        raise ValidationError(_("Alleen leden van het platform kunnen declareren."))
    if budget_line.budget_id != budget.pk:
        raise ValidationError(_("Deze begrotingspost hoort niet bij dit budget."))
    if is_budget_closed(budget) or is_grant_reversed(budget):
        raise PeriodClosedError(_("Op dit budget kan niet (meer) gedeclareerd worden."))
    amount = money(amount)
    if amount <= 0:
        raise ValidationError(_("Het bedrag moet positief zijn."))
    if not receipts and not no_receipt_statement.strip():
        raise ValidationError(
            _("Voeg een bon toe, of verklaar waarom er geen bon is (ondertekende verklaring).")
        )
    claim = ExpenseClaim.objects.create(
        budget=budget,
        budget_line=budget_line,
        submitted_by=by,
        amount=amount,
        expense_date=expense_date,
        payee_name=payee_name.strip(),
        payee_is_organisation=payee_is_organisation,
        iban=validate_payee_iban(iban),
        description=description.strip(),
        private_notes=private_notes,
        no_receipt_statement=no_receipt_statement.strip(),
        status=ExpenseClaim.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    claim.activities.set([a for a in activities if a.platform_id == budget.platform_id])
    _save_receipts(claim, receipts)
    record(actor=by, action="budgets.claim.submitted", obj=claim, data={"amount": str(amount)})
    return claim


@transaction.atomic
def resubmit_claim(
    *,
    claim: ExpenseClaim,
    by: User,
    fields: dict[str, Any],
    activities: Iterable[Activity] | None = None,
    receipts: Iterable[CleanUpload] = (),
) -> ExpenseClaim:
    """The submitter changes a claim after support staff asked for changes, and resubmits."""
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.submitted_by_id != by.pk:
        raise ValidationError(_("Alleen de indiener kan deze declaratie aanpassen."))
    _transition(claim, ExpenseClaim.Status.SUBMITTED)
    allowed = {
        "amount", "expense_date", "payee_name", "payee_is_organisation", "iban",
        "description", "private_notes", "no_receipt_statement", "budget_line",
    }  # fmt: skip
    for name, value in fields.items():
        if name in allowed:
            setattr(claim, name, value)
    claim.amount = money(claim.amount)
    claim.iban = validate_payee_iban(claim.iban)
    if claim.budget_line.budget_id != claim.budget_id:
        raise ValidationError(_("Deze begrotingspost hoort niet bij dit budget."))
    _save_receipts(claim, receipts)
    if not claim.receipts.exists() and not claim.no_receipt_statement.strip():
        raise ValidationError(
            _("Voeg een bon toe, of verklaar waarom er geen bon is (ondertekende verklaring).")
        )
    claim.statement_accepted_by = None
    # A changed claim is reviewed afresh: earlier approvals (and a proposed override) lapse.
    claim.approved_by = claim.second_approved_by = None
    claim.approved_at = claim.second_approved_at = None
    claim.override_reason = ""
    claim.submitted_at = timezone.now()
    claim.save()
    if activities is not None:
        claim.activities.set([a for a in activities if a.platform_id == claim.budget.platform_id])
    record(actor=by, action="budgets.claim.resubmitted", obj=claim)
    return claim


def _require_reviewer(claim: ExpenseClaim, by: User) -> None:
    if not is_support(by):
        raise PermissionDenied
    if not permissions.can_review_claim(by, claim):
        if claim.submitted_by_id != by.pk:  # the other half of the rule: their own platform
            raise ValidationError(
                _("Je bent lid van dit platform en kunt zijn declaraties niet beoordelen."),
                code="own_platform",
            )
        raise ValidationError(
            _("Vier ogen: je kunt je eigen declaratie niet beoordelen."), code="four_eyes"
        )


def _locked_claim(claim: ExpenseClaim) -> tuple[Budget, ExpenseClaim]:
    """Lock the budget first, then the claim (one lock order everywhere)."""
    lock_timeout()
    budget = Budget.objects.select_for_update().get(pk=claim.budget_id)
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    return budget, claim


def _notify(claim: ExpenseClaim) -> None:
    """Tell the submitter about the claim's new status, after commit. The text comes from
    budgets/email/claim_status_subject.txt/_body.txt for ``claim.status``."""
    with translation.override("nl"):
        link = absolute_url(reverse("budgets:claim_detail", args=[claim.pk]))
        amount = format_money(claim.amount)
    send_templated_email(
        to=[claim.submitted_by.email],
        template="budgets/email/claim_status",
        context={"claim": claim, "status": claim.status, "amount": amount, "link": link},
    )


@transaction.atomic
def approve_claim(
    *,
    claim: ExpenseClaim,
    by: User,
    override_reason: str = "",
    accept_statement: bool = False,
    confirm_override: bool = False,
) -> ExpenseClaim:
    """Support staff approve a claim, with four eyes where the rule asks for it.

    ``permissions.needs_second_approval``: a claim above ``FOUR_EYES_THRESHOLD`` or over budget
    becomes "approved" only on the approval of a second, different support person; until then
    it stays "submitted" with its first approval ("wacht op tweede akkoord"). Overspending is
    refused unless the first approver gives a reason and the second confirms that reason
    (``confirm_override``). The budget is committed on the approval that makes it approved.
    """
    _require_reviewer(claim, by)
    budget, claim = _locked_claim(claim)
    if is_budget_closed(budget):
        raise PeriodClosedError(_("Dit budgetjaar is afgesloten."))
    _check_transition(claim, ExpenseClaim.Status.APPROVED)
    if is_grant_reversed(budget):
        raise ValidationError(
            _("De toekenning van dit budget is teruggedraaid; er valt niets goed te keuren."),
            code="grant_reversed",
        )
    first = claim.approved_by_id
    if first is not None and not permissions.can_approve_claim(by, claim):
        raise ValidationError(
            _(
                "Vier ogen: je gaf deze declaratie het eerste akkoord; een collega geeft het tweede."
            ),
            code="four_eyes",
        )
    if not claim.receipts.exists() and claim.statement_accepted_by_id is None:
        if not accept_statement:
            raise ValidationError(
                _("Deze declaratie heeft geen bon: accepteer de verklaring uitdrukkelijk."),
                code="statement",
            )
        claim.statement_accepted_by = by
    room = budget.granted_amount + budget.overspend_allowance - budget.committed
    overspend = claim.amount > room
    override_reason = override_reason.strip()
    now = timezone.now()
    if first is None or (overspend and not claim.override_reason):
        # A first approval (or, on a claim that has come to overspend since, a new proposal
        # with a reason, which the first approver or another colleague must then confirm).
        if overspend and not override_reason:
            raise ValidationError(
                _("Onvoldoende budget: er is nog %(room)s beschikbaar.")
                % {"room": format_money(max(room, ZERO))},
                code="insufficient_budget",
            )
        claim.approved_by, claim.approved_at = by, now
        claim.override_reason = override_reason if overspend else ""
        if not permissions.needs_second_approval("claim", amount=claim.amount, overspend=overspend):
            return _approve(budget, claim, by, room=room, overspend=False)
        claim.reviewed_by, claim.reviewed_at = by, now
        claim.review_message = ""
        claim.save()
        record(
            actor=by,
            action="budgets.claim.first_approved",
            obj=claim,
            data={"amount": str(claim.amount), "override_reason": claim.override_reason},
        )
        return claim
    if overspend and not confirm_override:
        raise ValidationError(
            _("Bevestig de reden om boven het budget goed te keuren: “%(reason)s”.")
            % {"reason": claim.override_reason},
            code="confirm_override",
        )
    claim.second_approved_by, claim.second_approved_at = by, now
    return _approve(budget, claim, by, room=room, overspend=overspend)


def _approve(
    budget: Budget, claim: ExpenseClaim, by: User, *, room: Decimal, overspend: bool
) -> ExpenseClaim:
    """The approval that makes the claim "approved": commit the budget (and the confirmed
    overspend allowance), record and tell the submitter. The caller holds the locks."""
    if overspend:
        extra = claim.amount - max(room, ZERO)
        Budget.objects.filter(pk=budget.pk).update(
            overspend_allowance=F("overspend_allowance") + extra
        )
    else:
        claim.override_reason = ""
    Budget.objects.filter(pk=budget.pk).update(committed=F("committed") + claim.amount)
    _transition(claim, ExpenseClaim.Status.APPROVED)
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.review_message = ""
    claim.save()
    record(
        actor=by,
        action="budgets.claim.approved",
        obj=claim,
        data={
            "amount": str(claim.amount),
            "override_reason": claim.override_reason,
            "first_approved_by": claim.approved_by_id,
            "second_approved_by": claim.second_approved_by_id,
        },
    )
    _notify(claim)
    return claim


def _review_with_message(claim: ExpenseClaim, by: User, status: str, message: str) -> ExpenseClaim:
    """Lock, move the claim to ``status`` and record who reviewed it and why (four eyes first)."""
    _require_reviewer(claim, by)
    _budget, claim = _locked_claim(claim)
    if claim.status != ExpenseClaim.Status.SUBMITTED:  # a review is of a submitted claim only
        _check_transition(claim, ExpenseClaim.Status.APPROVED)  # says "al goedgekeurd" etc.
        raise ValidationError(_("Deze stap is niet mogelijk in deze status."))
    _transition(claim, status)
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.review_message = message.strip()
    claim.save()
    return claim


@transaction.atomic
def reject_claim(*, claim: ExpenseClaim, by: User, reason: str) -> ExpenseClaim:
    """Support staff reject a claim with a reason; the member is told by e-mail."""
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor de afwijzing."))
    claim = _review_with_message(claim, by, ExpenseClaim.Status.REJECTED, reason)
    record(actor=by, action="budgets.claim.rejected", obj=claim, data={"reason": reason})
    _notify(claim)
    return claim


@transaction.atomic
def request_claim_changes(*, claim: ExpenseClaim, by: User, message: str) -> ExpenseClaim:
    """Support staff ask the member to change the claim (e.g. a clearer receipt)."""
    if not message.strip():
        raise ValidationError(_("Schrijf wat er aangepast moet worden."))
    claim = _review_with_message(claim, by, ExpenseClaim.Status.CHANGES_REQUESTED, message)
    record(actor=by, action="budgets.claim.changes_requested", obj=claim, data={"message": message})
    _notify(claim)
    return claim
