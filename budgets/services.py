"""Use cases of the budgets app. Only this module books money.

Accounting scheme (every transaction balances; balances are debit minus credit):
- grant:      debit the platform's budget account, credit the district's grant source.
- payment:    debit the budget line's expense account, credit the budget account.
- return:     debit the system "returned funds" account, credit the budget account.
- carry over: debit the platform's carried-over account, credit the budget account.
- reversal:   the original entries with debit and credit swapped.
So the budget account's balance is the money the platform still has, an expense account's
balance is what was spent on that line.

Lock order (to avoid deadlocks): budget row first, then claims in id order, then batches.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaTransfer

from accounts.roles import is_support
from audit.models import AuditEntry
from audit.services import record
from budgets.models import (
    Account,
    Budget,
    BudgetLine,
    Entry,
    ExpenseClaim,
    PaymentBatch,
    Receipt,
    Transaction,
    YearClose,
)
from budgets.money import format_money
from budgets.permissions import can_pay_batch
from platforms.models import Membership
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


def money(value) -> Decimal:
    """Decimal with exactly two places; refuses floats (they cannot hold cents exactly)."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal, str or int, never float")
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Een bedrag heeft hoogstens twee decimalen."))
    return amount.quantize(CENT)


# --- accounts ---------------------------------------------------------------------------


def get_system_account(kind: str) -> Account:
    code, name = {
        Account.Kind.GRANT_SOURCE: (SYSTEM_GRANT_SOURCE, "Subsidiebron stadsdeel"),
        Account.Kind.BANK: (SYSTEM_BANK, "Bank ondersteuningsorganisatie"),
        Account.Kind.RETURNED: (SYSTEM_RETURNED, "Teruggestort aan stadsdeel"),
    }[kind]
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

SIGNED = Case(
    When(side=Entry.Side.DEBIT, then=F("amount")),
    default=-F("amount"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def signed_sum(entries) -> Decimal:
    """Debit minus credit of an Entry queryset, summed by the database."""
    value = entries.aggregate(total=Coalesce(Sum(SIGNED), Value(ZERO)))["total"]
    return money(value or 0)


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
    """A closed year locks the whole budget: nothing can be booked on it any more."""
    return YearClose.objects.filter(budget=budget).exists()


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
    by=None,
    private_description: str = "",
    reference: str = "",
    decision: Decision | None = None,
    claim=None,
    batch=None,
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


def book_grant(*, decision: Decision, by) -> Budget:
    """Book a granting decision exactly once: budget, lines, accounts, grant transaction.

    Idempotent: a retry or a concurrent call returns the existing budget (row lock on the
    decision; Budget.decision is one-to-one and transaction_grant_once is a unique constraint).
    """
    try:
        return _book_grant(decision=decision, by=by)
    except IntegrityError:
        # A concurrent call won the race between our check and insert (only possible where
        # row locks are not available); the constraint kept it single, so return its budget.
        existing = Budget.objects.filter(decision_id=decision.pk).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _book_grant(*, decision: Decision, by) -> Budget:
    decision = (
        Decision.objects.select_for_update()
        .select_related("round", "application__platform")
        .get(pk=decision.pk)
    )
    existing = Budget.objects.filter(decision=decision).first()
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
    ExpenseClaim.Status.PAID: {ExpenseClaim.Status.REVERSED},
    ExpenseClaim.Status.DRAFT: {ExpenseClaim.Status.SUBMITTED},
    ExpenseClaim.Status.REJECTED: set(),
    ExpenseClaim.Status.REVERSED: set(),
}

ALREADY = {
    ExpenseClaim.Status.APPROVED: gettext_lazy("Deze declaratie is al goedgekeurd."),
    ExpenseClaim.Status.PAID: gettext_lazy("Deze declaratie is al betaald."),
    ExpenseClaim.Status.REJECTED: gettext_lazy("Deze declaratie is al afgewezen."),
    ExpenseClaim.Status.REVERSED: gettext_lazy(
        "De betaling van deze declaratie is al gecorrigeerd."
    ),
    ExpenseClaim.Status.CHANGES_REQUESTED: gettext_lazy("Er is al om een aanpassing gevraagd."),
}


def _transition(claim: ExpenseClaim, new: str) -> None:
    if new not in TRANSITIONS.get(claim.status, set()):
        message = ALREADY.get(claim.status) or _("Deze stap is niet mogelijk in deze status.")
        raise ValidationError(str(message), code="invalid_transition")
    claim.status = new


def validate_iban(value: str) -> str:
    """Normalise and validate an IBAN with schwifty (checksum, country format, bank code)."""
    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError) as exc:
        raise ValidationError(_("Dit is geen geldig IBAN-nummer."), code="iban") from exc


def _is_member(user, platform) -> bool:
    return Membership.objects.filter(platform=platform, user=user).exists()


def _save_receipts(claim: ExpenseClaim, receipts) -> None:
    for upload in receipts or []:
        receipt = Receipt(
            claim=claim,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
        )
        receipt.file.save(upload.content.name, upload.content, save=False)
        receipt.save()


@transaction.atomic
def submit_claim(
    *,
    budget: Budget,
    budget_line: BudgetLine,
    by,
    amount: Decimal,
    expense_date: datetime.date,
    payee_name: str,
    iban: str,
    description: str,
    payee_is_organisation: bool = False,
    private_notes: str = "",
    no_receipt_statement: str = "",
    activities=(),
    receipts=(),
) -> ExpenseClaim:
    """A platform member submits an expense claim with receipts (or a signed statement)."""
    if not _is_member(by, budget.platform):
        raise ValidationError(_("Alleen leden van het platform kunnen declareren."))
    if budget_line.budget_id != budget.pk:
        raise ValidationError(_("Deze begrotingspost hoort niet bij dit budget."))
    if is_budget_closed(budget):
        raise PeriodClosedError(_("Dit budgetjaar is afgesloten."))
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
        iban=validate_iban(iban),
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
    *, claim: ExpenseClaim, by, fields: dict, activities=None, receipts=()
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
    claim.iban = validate_iban(claim.iban)
    if claim.budget_line.budget_id != claim.budget_id:
        raise ValidationError(_("Deze begrotingspost hoort niet bij dit budget."))
    _save_receipts(claim, receipts)
    if not claim.receipts.exists() and not claim.no_receipt_statement.strip():
        raise ValidationError(
            _("Voeg een bon toe, of verklaar waarom er geen bon is (ondertekende verklaring).")
        )
    claim.statement_accepted_by = None
    claim.submitted_at = timezone.now()
    claim.save()
    if activities is not None:
        claim.activities.set([a for a in activities if a.platform_id == claim.budget.platform_id])
    record(actor=by, action="budgets.claim.resubmitted", obj=claim)
    return claim


def _require_reviewer(claim: ExpenseClaim, by) -> None:
    if not is_support(by):
        raise PermissionDenied
    if claim.submitted_by_id == by.pk:
        raise ValidationError(
            _("Vier ogen: u kunt uw eigen declaratie niet beoordelen."), code="four_eyes"
        )


def _locked_claim(claim: ExpenseClaim) -> tuple[Budget, ExpenseClaim]:
    """Lock the budget first, then the claim (one lock order everywhere)."""
    budget = Budget.objects.select_for_update().get(pk=claim.budget_id)
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    return budget, claim


def _notify(claim: ExpenseClaim, subject: str, body: str) -> None:
    email = claim.submitted_by.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
    )


def _claim_url(claim: ExpenseClaim) -> str:
    base = getattr(settings, "SITE_URL", "") or ""
    return base.rstrip("/") + reverse("budgets:claim_detail", args=[claim.pk])


@transaction.atomic
def approve_claim(
    *, claim: ExpenseClaim, by, override_reason: str = "", accept_statement: bool = False
) -> ExpenseClaim:
    """Support staff approve a claim; refuses overspending unless overridden with a reason."""
    _require_reviewer(claim, by)
    budget, claim = _locked_claim(claim)
    if is_budget_closed(budget):
        raise PeriodClosedError(_("Dit budgetjaar is afgesloten."))
    _transition(claim, ExpenseClaim.Status.APPROVED)
    if not claim.receipts.exists():
        if not accept_statement:
            raise ValidationError(
                _("Deze declaratie heeft geen bon: accepteer de verklaring uitdrukkelijk."),
                code="statement",
            )
        claim.statement_accepted_by = by
    room = budget.granted_amount + budget.overspend_allowance - budget.committed
    override_reason = override_reason.strip()
    if claim.amount > room:
        if not override_reason:
            raise ValidationError(
                _("Onvoldoende budget: er is nog %(room)s beschikbaar.")
                % {"room": format_money(max(room, ZERO))},
                code="insufficient_budget",
            )
        extra = claim.amount - max(room, ZERO)
        Budget.objects.filter(pk=budget.pk).update(
            overspend_allowance=F("overspend_allowance") + extra
        )
        claim.override_reason = override_reason
    Budget.objects.filter(pk=budget.pk).update(committed=F("committed") + claim.amount)
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.review_message = ""
    claim.save()
    record(
        actor=by,
        action="budgets.claim.approved",
        obj=claim,
        data={"amount": str(claim.amount), "override_reason": claim.override_reason},
    )
    _notify(
        claim,
        _("Uw declaratie is goedgekeurd"),
        _("Uw declaratie ‘%(d)s’ van %(a)s is goedgekeurd en wordt binnenkort betaald.\n%(url)s")
        % {"d": claim.description, "a": format_money(claim.amount), "url": _claim_url(claim)},
    )
    return claim


@transaction.atomic
def reject_claim(*, claim: ExpenseClaim, by, reason: str) -> ExpenseClaim:
    """Support staff reject a claim with a reason; the member is told by e-mail."""
    _require_reviewer(claim, by)
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor de afwijzing."))
    _budget, claim = _locked_claim(claim)
    _transition(claim, ExpenseClaim.Status.REJECTED)
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.review_message = reason.strip()
    claim.save()
    record(actor=by, action="budgets.claim.rejected", obj=claim, data={"reason": reason})
    _notify(
        claim,
        _("Uw declaratie is afgewezen"),
        _("Uw declaratie ‘%(d)s’ is afgewezen. Reden: %(r)s\n%(url)s")
        % {"d": claim.description, "r": claim.review_message, "url": _claim_url(claim)},
    )
    return claim


@transaction.atomic
def request_claim_changes(*, claim: ExpenseClaim, by, message: str) -> ExpenseClaim:
    """Support staff ask the member to change the claim (e.g. a clearer receipt)."""
    _require_reviewer(claim, by)
    if not message.strip():
        raise ValidationError(_("Schrijf wat er aangepast moet worden."))
    _budget, claim = _locked_claim(claim)
    _transition(claim, ExpenseClaim.Status.CHANGES_REQUESTED)
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    claim.review_message = message.strip()
    claim.save()
    record(actor=by, action="budgets.claim.changes_requested", obj=claim, data={"message": message})
    _notify(
        claim,
        _("Uw declaratie moet worden aangepast"),
        _("Bij uw declaratie ‘%(d)s’ vraagt de ondersteuning om een aanpassing: %(m)s\n%(url)s")
        % {"d": claim.description, "m": claim.review_message, "url": _claim_url(claim)},
    )
    return claim


# --- payment batches --------------------------------------------------------------------


@transaction.atomic
def create_batch(*, claims: Iterable[ExpenseClaim], by) -> PaymentBatch:
    """Put approved claims that are not yet in a batch into a new payment batch."""
    if not is_support(by):
        raise PermissionDenied
    ids = sorted({c.pk for c in claims})
    if not ids:
        raise ValidationError(_("Kies minstens één goedgekeurde declaratie."))
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


def debtor_config() -> dict:
    return {
        "name": getattr(settings, "SEPA_DEBTOR_NAME", "Ondersteuningsorganisatie Zuidoost"),
        "IBAN": getattr(settings, "SEPA_DEBTOR_IBAN", "NL91ABNA0417164300"),
        "BIC": getattr(settings, "SEPA_DEBTOR_BIC", "ABNANL2A"),
        "batch": True,
        "currency": "EUR",
    }


@transaction.atomic
def export_batch_sepa(*, batch: PaymentBatch, by) -> bytes:
    """The batch as a SEPA credit transfer file (pain.001.001.03), validated by its schema."""
    if not is_support(by):
        raise PermissionDenied
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
def pay_batch(*, batch: PaymentBatch, by, value_date: datetime.date | None = None) -> PaymentBatch:
    """Mark a batch paid: books one payment transaction per claim, exactly once."""
    if not is_support(by):
        raise PermissionDenied
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
        _notify(
            claim,
            _("Uw declaratie is betaald"),
            _("Uw declaratie ‘%(d)s’ van %(a)s is betaald.")
            % {"d": claim.description, "a": format_money(claim.amount)},
        )
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


# --- corrections and year close -----------------------------------------------------------


@transaction.atomic
def reverse_transaction(*, original: Transaction, by, reason: str) -> Transaction:
    """Correct a booking by a reversal that points at it (once; the original stays)."""
    if not is_support(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor de correctie."))
    budget = Budget.objects.select_for_update().get(pk=original.budget_id)
    original = Transaction.objects.select_related("claim").get(pk=original.pk)
    if original.kind == Transaction.Kind.REVERSAL:
        raise ValidationError(_("Een correctie kan niet zelf gecorrigeerd worden."))
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError(_("Deze boeking is al gecorrigeerd."), code="already_reversed")
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
def close_year(*, budget: Budget, outcome: str, reason: str, by) -> YearClose:
    """Close a budget's year: book the unspent money as returned or carried over, then lock."""
    if not is_support(by):
        raise PermissionDenied
    if outcome not in YearClose.Outcome.values:
        raise ValidationError(_("Kies teruggestort of overgeheveld."))
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor deze keuze."))
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


def public_transactions():
    """Rows for /open-data/transactions.csv (see budgets.reporting.public_transactions)."""
    from budgets.reporting import public_transactions as rows

    return rows()
