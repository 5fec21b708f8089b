"""Budgets and an append-only double-entry ledger.

Money moves only as balanced transactions of entries. Entries and transactions are never
updated or deleted (model layer here; a PostgreSQL trigger in the migrations); a mistake
is corrected by a reversal transaction that points at the original.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
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
    """A granted application becomes a budget for the platform (one per granting decision).

    A year close that carries the unspent money over creates a budget for the next year with
    ``carried_from`` set: it keeps the round and the granting decision its money comes from
    (so publication, buurten and open data follow that decision), but is not a grant itself
    (``budget_one_per_decision`` counts only budgets without ``carried_from``)."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="budgets")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="budgets")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="budgets")
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_budgets"
    )
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
            # One budget per granting decision (book_grant is idempotent on it); budgets
            # carried over into a next year share their origin's decision.
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(carried_from__isnull=True),
                name="budget_one_per_decision",
            ),
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
    """Approved claims paid together. Open until released: releasing makes its SEPA file
    (pain.001) once, stores it with its SHA-256 and locks the batch; an open batch can be
    cancelled (its claims return to "approved"), a released one cannot."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RELEASED = "released", _("Vrijgegeven")
        PAID = "paid", _("Betaald")
        CANCELLED = "cancelled", _("Geannuleerd")

    reference = models.CharField(max_length=35, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    # The requested execution date in the file: the next TARGET2 business day after release.
    execution_date = models.DateField(null=True, blank=True)
    sepa_file = models.FileField(upload_to="private/sepa/", blank=True)
    sepa_sha256 = models.CharField(max_length=64, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="released")
                | (Q(released_at__isnull=False) & Q(released_by__isnull=False)),
                name="batch_released_has_releaser",
            ),
        ]

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
    private_notes = models.TextField(_("notities (niet openbaar)"), max_length=2000, blank=True)
    activities = models.ManyToManyField(Activity, blank=True, related_name="claims")
    no_receipt_statement = models.TextField(_("verklaring zonder bon"), max_length=2000, blank=True)
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
    # Four eyes (budgets.permissions.needs_second_approval): the first approval; a claim that
    # needs a second one stays "submitted" ("wacht op tweede akkoord") until a different
    # support person gives it. Cleared when the submitter changes the claim.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    # Proposed by the first approver; an overspend is approved only when the second confirms it.
    override_reason = models.TextField(blank=True)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    # Set when the batch is released: the EndToEndId in the SEPA file and on the bank statement.
    end_to_end_id = models.CharField(max_length=35, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_pos"),
            # The second approval is another person's, and only follows a first one.
            models.CheckConstraint(
                condition=Q(second_approved_by__isnull=True)
                | (Q(approved_by__isnull=False) & ~Q(second_approved_by=F("approved_by"))),
                name="claim_second_approval_by_another",
            ),
            models.UniqueConstraint(
                fields=["end_to_end_id"],
                condition=~Q(end_to_end_id=""),
                name="claim_end_to_end_id_unique",
            ),
        ]
        # A budget's newest payments (the public platform page) in index order, no sort.
        indexes = [
            models.Index(
                fields=["budget", "-expense_date", "-id"],
                condition=Q(status="paid"),
                name="claim_paid_newest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} (€ {self.amount})"

    @property
    def awaits_second_approval(self) -> bool:
        """First approval given, the claim waits for a different support person's."""
        return self.status == self.Status.SUBMITTED and self.approved_by_id is not None

    def approver_ids(self) -> set[int]:
        return {pk for pk in (self.approved_by_id, self.second_approved_by_id) if pk}

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
        # The money a year close carried over, booked into the next year's budget.
        CARRY_IN = "carry_in", _("Overgeheveld uit vorig jaar")

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
            # A claim is paid at most once per batch, so a retried or concurrent "mark paid" or
            # statement import cannot pay twice. (A payment the bank returned is reversed and
            # the claim reopened; it can then be paid again, in a new batch.)
            models.UniqueConstraint(
                fields=["claim", "batch"],
                condition=Q(kind="payment"),
                name="transaction_payment_once_per_batch",
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
        # Balances are sums per account: read from the index alone (PostgreSQL index-only scan).
        indexes = [models.Index(fields=["account", "side", "amount"], name="entry_account_sums")]


class AccountBalance(models.Model):
    """An account's balance (debit minus credit of all its entries), kept by the database.

    A trigger on the entry table adds every inserted entry to its account's row in the same
    transaction (budgets/migrations/0009_account_balances.py); entries are never changed or
    deleted, so inserts are all there is to add. Pages read one row instead of summing the
    thousands of entries of a busy budget; no Python code writes these rows, and
    ``check_ledger`` compares every balance with the sum of its entries.
    """

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.CASCADE, related_name="balance_row"
    )
    balance = models.DecimalField(**MONEY, default=0)

    objects = ImmutableQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.account_id}: {self.balance}"

    def save(self, *args, **kwargs):
        raise LedgerImmutableError("Account balances are kept by the database")

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("Account balances are kept by the database")


class YearClose(models.Model):
    """Closing a budget's year, with four eyes (budgets.services.yearclose).

    One support person proposes (``proposed``), a different one confirms (``closed``): the
    remainder is booked as returned or carried over into a next-year budget, and the budget
    is locked. Before the year's accounts are exported (``accounts_exported_at``, set by the
    accountant export) a close can be reversed, again by two people: mirror bookings, and the
    row becomes ``reversed``; a proposal can be withdrawn (``cancelled``)."""

    class Outcome(models.TextChoices):
        RETURNED = "returned", _("Teruggestort")
        CARRIED_OVER = "carried_over", _("Overgeheveld")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Voorgesteld")
        CLOSED = "closed", _("Afgesloten")
        CANCELLED = "cancelled", _("Ingetrokken")
        REVERSED = "reversed", _("Teruggedraaid")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="year_closes")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField()
    # The remainder booked (returned or carried over) when the close was confirmed.
    amount = models.DecimalField(default=0, **MONEY)
    # Empty only on closes from before four eyes (one person closed them).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The return or carry-over booked on this budget, and the budget it carried over into.
    booking = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_budget = models.OneToOneField(
        Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set by the accountant export (budgets.services.mark_year_accounts_exported): from then
    # on the close can no longer be reversed.
    accounts_exported_at = models.DateTimeField(null=True, blank=True)
    reversal_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_proposed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.TextField(blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # At most one close per budget is pending or in force.
            models.UniqueConstraint(
                fields=["budget"],
                condition=Q(status__in=["proposed", "closed"]),
                name="yearclose_one_active",
            ),
            # Four eyes: the confirmation and the reversal are another person's.
            models.CheckConstraint(
                condition=Q(closed_by__isnull=True)
                | Q(proposed_by__isnull=True)
                | ~Q(closed_by=F("proposed_by")),
                name="yearclose_confirmed_by_another",
            ),
            models.CheckConstraint(
                condition=Q(reversed_by__isnull=True) | ~Q(reversed_by=F("reversal_proposed_by")),
                name="yearclose_reversed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} ({self.get_status_display()})"


class ReversalRequest(models.Model):
    """Four eyes on corrections: one support person asks for a reversal with a reason, a
    different one confirms it (which books the reversal), or the requester withdraws it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op tweede akkoord")
        CONFIRMED = "confirmed", _("Bevestigd en tegengeboekt")
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="reversal_requests"
    )
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(status="pending"),
                name="reversalrequest_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | ~Q(decided_by=F("requested_by")),
                name="reversalrequest_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"Tegenboeking van #{self.transaction_id} ({self.status})"


class BankStatement(models.Model):
    """An imported bank statement (camt.053 or CSV), once per statement id and account."""

    class Format(models.TextChoices):
        CAMT053 = "camt053", _("camt.053 (XML)")
        CSV = "csv", _("CSV")

    statement_id = models.CharField(max_length=70)
    account_iban = models.CharField(max_length=34)
    format = models.CharField(max_length=8, choices=Format.choices)
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to="private/statements/")
    sha256 = models.CharField(max_length=64)
    # Entries already imported from an earlier (overlapping) statement, skipped here.
    skipped_entries = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement_id", "account_iban"], name="bankstatement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} ({self.account_iban})"


class BankStatementEntry(models.Model):
    """One booking on a statement and what the import did with it."""

    class Outcome(models.TextChoices):
        PAID = "paid", _("Betaling bevestigd en geboekt")
        ALREADY_PAID = "already_paid", _("Al als betaald geboekt")
        RETURNED = "returned", _("Teruggeboekt door de bank")
        UNMATCHED = "unmatched", _("Niet gekoppeld")

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="entries")
    account_iban = models.CharField(max_length=34)
    reference = models.CharField(max_length=70)
    booking_date = models.DateField()
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    is_credit = models.BooleanField()
    end_to_end_id = models.CharField(max_length=35, blank=True)
    name = models.CharField(max_length=140, blank=True)
    description = models.CharField(max_length=300, blank=True)
    return_reason = models.CharField(max_length=35, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)
    claim = models.ForeignKey(
        ExpenseClaim, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_entries"
    )
    booked = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_entries"
    )

    class Meta:
        ordering = ["booking_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "reference"], name="bankstatemententry_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} {self.reference}"


class PlanVersion(models.Model):
    """A proposed version of a budget's plan lines (re-budgeting after a grant lower than asked,
    or after a decision changed it). The platform's coordinator proposes it, a support person
    other than the proposer approves or rejects it; on approval budgets.services.plans sets
    the BudgetLine amounts from ``lines``. Whether a budget's lines add up to its grant is
    budgets.selectors.plan_matches_grant."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        SUBMITTED = "submitted", _("Ter goedkeuring")
        APPROVED = "approved", _("Goedgekeurd")
        REJECTED = "rejected", _("Afgewezen")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # [{"line": BudgetLine pk, or None for a new line, "category": str, "description": str,
    #   "amount": "123.45"}]. An existing line left out is removed (set to 0 if it has claims).
    lines = models.JSONField(default=list)
    # The grant the lines were proposed for (a decision may change it before approval).
    granted_amount = models.DecimalField(**MONEY)
    note = models.TextField(_("toelichting"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_message = models.TextField(blank=True)

    class Meta:
        ordering = ["budget", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "number"], name="planversion_number_once"),
            # One open proposal (draft or submitted) per budget at a time.
            models.UniqueConstraint(
                fields=["budget"],
                condition=Q(status__in=["draft", "submitted"]),
                name="planversion_one_open",
            ),
            # Four eyes: never approved or rejected by the person who proposed it.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("created_by")),
                name="planversion_reviewed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} v{self.number} ({self.get_status_display()})"
