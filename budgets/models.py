"""Budgets and an append-only double-entry ledger.

Money moves only as balanced transactions of entries. Entries and transactions are never
updated or deleted (model layer here; a PostgreSQL trigger in the migrations); a mistake
is corrected by a reversal transaction that points at the original.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from platforms.models import Activity, Platform
from recognition.models import Decision, PlanLine, Round

MONEY = {"max_digits": 12, "decimal_places": 2}


class LedgerImmutableError(Exception):
    """A booked ledger row may not be changed or deleted."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutableError("Ledger rows are append-only")

    def delete(self):
        raise LedgerImmutableError("Ledger rows are append-only")


class ImmutableModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerImmutableError("Ledger rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("Ledger rows are append-only")


class Budget(models.Model):
    """A granted application becomes a budget for the platform (one per granting decision)."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="budgets")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="budgets")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="budget")
    year = models.PositiveSmallIntegerField()
    granted_amount = models.DecimalField(**MONEY)
    # Running total of approved and paid claims, changed only under a row lock on the budget
    # (budgets.services); the CheckConstraint is the last line of defence against overspending.
    committed = models.DecimalField(default=0, **MONEY)
    # Extra room support staff allowed by an override with a recorded reason.
    overspend_allowance = models.DecimalField(default=0, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "platform__name"]
        constraints = [
            models.CheckConstraint(condition=Q(granted_amount__gte=0), name="budget_nonneg"),
            models.CheckConstraint(
                condition=Q(committed__gte=0)
                & Q(committed__lte=F("granted_amount") + F("overspend_allowance")),
                name="budget_committed_within_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.year}"


class BudgetLine(models.Model):
    """A line of the budget, copied from the plan when the grant is booked."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="lines")
    plan_line = models.ForeignKey(
        PlanLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("categorie"), max_length=100)
    description = models.CharField(_("omschrijving"), max_length=300)
    planned_amount = models.DecimalField(_("begroot"), **MONEY)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.category}: {self.description}"


class Account(models.Model):
    class Kind(models.TextChoices):
        GRANT_SOURCE = "grant_source", _("Subsidiebron stadsdeel")
        BANK = "bank", _("Bank ondersteuningsorganisatie")
        RETURNED = "returned", _("Teruggestort")
        BUDGET = "budget", _("Budget van platform")
        EXPENSE = "expense", _("Uitgaven per begrotingspost")
        PAYABLE = "payable", _("Te betalen declaraties")
        CARRIED_OVER = "carried_over", _("Overgeheveld naar volgend jaar")

    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    platform = models.ForeignKey(
        Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    budget = models.ForeignKey(
        Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    budget_line = models.OneToOneField(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        EXPORTED = "exported", _("Betaalbestand gemaakt")
        PAID = "paid", _("Betaald")

    reference = models.CharField(max_length=35, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.reference


class ExpenseClaim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        SUBMITTED = "submitted", _("Ingediend")
        CHANGES_REQUESTED = "changes_requested", _("Aanpassing gevraagd")
        APPROVED = "approved", _("Goedgekeurd")
        REJECTED = "rejected", _("Afgewezen")
        PAID = "paid", _("Betaald")
        REVERSED = "reversed", _("Betaling gecorrigeerd")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="claims")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="claims")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    amount = models.DecimalField(_("bedrag"), **MONEY)
    expense_date = models.DateField(_("datum uitgave"))
    payee_name = models.CharField(_("naam ontvanger"), max_length=140)
    payee_is_organisation = models.BooleanField(_("ontvanger is een organisatie"), default=False)
    iban = models.CharField(_("IBAN"), max_length=34)
    description = models.CharField(_("omschrijving (openbaar)"), max_length=300)
    private_notes = models.TextField(_("notities (niet openbaar)"), blank=True)
    activities = models.ManyToManyField(Activity, blank=True, related_name="claims")
    no_receipt_statement = models.TextField(_("verklaring zonder bon"), blank=True)
    statement_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_message = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_pos")]

    def __str__(self) -> str:
        return f"{self.description} (€ {self.amount})"

    @property
    def public_payee(self) -> str:
        return self.payee_name if self.payee_is_organisation else str(_("particulier"))


class Receipt(models.Model):
    claim = models.ForeignKey(ExpenseClaim, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(upload_to="private/receipts/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)


class Transaction(ImmutableModel):
    class Kind(models.TextChoices):
        GRANT = "grant", _("Toekenning")
        PAYMENT = "payment", _("Betaling")
        REVERSAL = "reversal", _("Correctie (tegenboeking)")
        RETURN = "return", _("Teruggave")
        CARRY_OVER = "carry_over", _("Overgeheveld")
        ADJUSTMENT = "adjustment", _("Aanpassing toekenning")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="transactions")
    value_date = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    description = models.CharField(_("omschrijving (openbaar)"), max_length=300)
    private_description = models.TextField(blank=True)
    reference = models.CharField(max_length=60, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim = models.ForeignKey(
        ExpenseClaim, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.TextField(blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["value_date", "id"]
        constraints = [
            # A grant is booked once per decision (idempotent publication).
            models.UniqueConstraint(
                fields=["decision"], condition=Q(kind="grant"), name="transaction_grant_once"
            ),
            # A decision that changes a granted amount (upheld objection) is booked once.
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(kind="adjustment"),
                name="transaction_adjustment_once",
            ),
            # A claim is paid at most once (a reversed payment ends the claim; a new claim
            # is needed to pay again), so a retried or concurrent "mark paid" cannot pay twice.
            models.UniqueConstraint(
                fields=["claim"], condition=Q(kind="payment"), name="transaction_payment_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="transaction_reversal_links_original",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.value_date} {self.description}"


class Entry(ImmutableModel):
    class Side(models.TextChoices):
        DEBIT = "debit", _("Debet")
        CREDIT = "credit", _("Credit")

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    side = models.CharField(max_length=6, choices=Side.choices)
    amount = models.DecimalField(**MONEY)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_pos")]


class YearClose(models.Model):
    class Outcome(models.TextChoices):
        RETURNED = "returned", _("Teruggestort")
        CARRIED_OVER = "carried_over", _("Overgeheveld")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="year_closes")
    year = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField()
    amount = models.DecimalField(**MONEY)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["budget", "year"], name="yearclose_once")]
