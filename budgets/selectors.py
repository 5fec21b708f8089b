"""The read side of budgets: plan versus actual, budget summaries (per platform, round, year
and district), public transactions with payee scrubbing, the ledger export and its check.

Pages, PDF reports, open data and e-mails all use these functions; "spent" is what the books
say (debits minus credits on a budget's expense accounts), so a reversal lowers it again.

Every amount is summed by the database (aggregate/annotate), never by loading entries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _

from budgets.models import Account, Budget, BudgetLine, Entry, ExpenseClaim, Transaction
from platforms.models import Activity, Platform
from recognition.models import Decision, Round

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # What annotate() and Prefetch(to_attr=...) below add to the instances.
    class _Spent(TypedDict):
        spent: Decimal

    class _LineTotals(TypedDict):
        spent: Decimal
        remaining: Decimal

    class _BudgetTotals(TypedDict):
        spent: Decimal
        remaining: Decimal
        closed: int

    LineWithTotals = WithAnnotations[BudgetLine, _LineTotals]

    class _BudgetPlan(TypedDict):
        spent: Decimal
        remaining: Decimal
        closed: int
        plan_lines: list[LineWithTotals]

    BudgetWithSpent = WithAnnotations[Budget, _Spent]
    BudgetWithTotals = WithAnnotations[Budget, _BudgetTotals]
    BudgetWithPlan = WithAnnotations[Budget, _BudgetPlan]

ZERO = Decimal("0.00")
# SQLite sums decimals as floats; any real difference in cents is at least half a cent.
HALF_CENT = Decimal("0.005")
DEC = DecimalField(max_digits=14, decimal_places=2)

SIGNED = Case(
    When(side=Entry.Side.DEBIT, then=F("amount")),
    default=-F("amount"),
    output_field=DEC,
)


def _signed_subquery(**filters: Any) -> Coalesce:
    """Debit minus credit of the entries matching filters (with OuterRef), as a subquery."""
    sub = (
        Entry.objects.filter(**filters)
        .order_by()
        .values("account__kind")
        .annotate(total=Sum(SIGNED))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sub, output_field=DEC), Value(ZERO), output_field=DEC)


def _line_spent() -> Coalesce:
    sub = (
        Entry.objects.filter(account__budget_line=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum(SIGNED))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sub, output_field=DEC), Value(ZERO), output_field=DEC)


def budgets_with_totals(qs: QuerySet[Budget] | None = None) -> QuerySet[BudgetWithTotals]:
    """Budgets annotated with spent and remaining (from the ledger) in one query."""
    qs = qs if qs is not None else Budget.objects.all()
    return qs.select_related("platform", "round", "round__district").annotate(
        spent=_signed_subquery(account__budget=OuterRef("pk"), account__kind=Account.Kind.EXPENSE),
        remaining=_signed_subquery(
            account__budget=OuterRef("pk"), account__kind=Account.Kind.BUDGET
        ),
        closed=Count("year_closes"),
    )


def plan_vs_actual(budget: Budget) -> QuerySet[LineWithTotals]:
    """The budget's lines with planned, spent, remaining and the activities the money served."""
    return (
        BudgetLine.objects.filter(budget=budget)
        .annotate(spent=_line_spent())
        .annotate(remaining=F("planned_amount") - F("spent"))
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=ExpenseClaim.objects.filter(status=ExpenseClaim.Status.PAID)
                .prefetch_related(
                    Prefetch(
                        "activities", queryset=Activity.objects.public().select_related("platform")
                    )
                )
                .order_by("expense_date"),
                to_attr="paid_claims",
            )
        )
        .order_by("id")
    )


def line_activities(line: BudgetLine) -> list[Activity]:
    seen: dict[int, Activity] = {}
    for claim in getattr(line, "paid_claims", []):
        for activity in claim.activities.all():
            seen.setdefault(activity.pk, activity)
    return sorted(seen.values(), key=lambda a: a.start_date)


def _plan_lines() -> QuerySet[LineWithTotals]:
    return (
        BudgetLine.objects.annotate(spent=_line_spent())
        .annotate(remaining=F("planned_amount") - F("spent"))
        .order_by("id")
    )


def _attach_line_activities(lines: list[BudgetLine]) -> None:
    """Set line.activity_list: the public activities the line's paid claims served.

    Two queries for any number of lines, never loading the claims themselves (a platform
    year can hold thousands of payments)."""
    link = ExpenseClaim.activities.through
    pairs = list(
        link.objects.filter(
            expenseclaim__budget_line__in=[line.pk for line in lines],
            expenseclaim__status=ExpenseClaim.Status.PAID,
            activity__visibility=Activity.Visibility.PUBLIC,
        )
        .values_list("expenseclaim__budget_line_id", "activity_id")
        .distinct()
    )
    activities = Activity.objects.select_related("platform").in_bulk({a for _l, a in pairs})
    per_line: dict[int, list[Activity]] = {}
    for line_id, activity_id in pairs:
        per_line.setdefault(line_id, []).append(activities[activity_id])
    for line in lines:
        line.activity_list = sorted(  # type: ignore[attr-defined]  # read by the templates
            per_line.get(line.pk, []), key=lambda a: (a.start_date, a.pk)
        )


def platform_budgets(platform: Platform, *, public_only: bool = False) -> list[BudgetWithPlan]:
    """A platform's budgets with totals and lines (plan versus actual), newest year first.

    A constant number of queries, however many budgets, lines and claims."""
    qs = Budget.objects.filter(platform=platform)
    if public_only:
        qs = qs.filter(decision__status=Decision.Status.PUBLISHED)
    budgets = list(
        budgets_with_totals(qs)
        .prefetch_related(Prefetch("lines", queryset=_plan_lines(), to_attr="plan_lines"))
        .order_by("-year")
    )
    _attach_line_activities([line for budget in budgets for line in budget.plan_lines])
    return budgets


def round_summary(round_obj: Round) -> dict[str, Any]:
    """Per round (and its district): granted, spent and remaining, computed by the database."""
    budgets = list(
        budgets_with_totals(Budget.objects.filter(round=round_obj)).order_by("platform__name")
    )
    totals = Budget.objects.filter(round=round_obj).aggregate(
        granted=Coalesce(Sum("granted_amount"), Value(ZERO), output_field=DEC)
    )
    spent = Entry.objects.filter(
        account__budget__round=round_obj, account__kind=Account.Kind.EXPENSE
    ).aggregate(total=Coalesce(Sum(SIGNED), Value(ZERO), output_field=DEC))["total"]
    remaining = Entry.objects.filter(
        account__budget__round=round_obj, account__kind=Account.Kind.BUDGET
    ).aggregate(total=Coalesce(Sum(SIGNED), Value(ZERO), output_field=DEC))["total"]
    return {
        "round": round_obj,
        "district": round_obj.district,
        "budgets": budgets,
        "granted": totals["granted"],
        "spent": spent,
        "remaining": remaining,
    }


def public_budget_summary(platform: Platform) -> list[dict[str, Any]]:
    """For the public platform page: per budget granted, spent per line and remaining.

    Contains no payee names at all; organisations may be named on the spending list below.
    """
    budgets = platform_budgets(platform, public_only=True)
    payments, counts = _newest_public_payments(budgets)
    return [
        {
            "budget": budget,
            "year": budget.year,
            "granted": budget.granted_amount,
            "spent": budget.spent,
            "remaining": budget.remaining,
            "lines": budget.plan_lines,
            "payments": payments.get(budget.pk, []),
            "payments_total": counts.get(budget.pk, 0),
        }
        for budget in budgets
    ]


def budgets_for_year(year: int) -> QuerySet[BudgetWithSpent]:
    """Budgets of a year with platform, decision, area buurten and spent (3 queries)."""
    return (
        Budget.objects.filter(year=year)
        .select_related("platform", "round", "decision__application")
        .prefetch_related("decision__application__buurten")
        .annotate(
            spent=_signed_subquery(
                account__budget=OuterRef("pk"), account__kind=Account.Kind.EXPENSE
            )
        )
        .order_by("platform__name", "id")
    )


def budget_of_decision(decision: Decision) -> Budget | None:
    """The budget booked for this decision or, up its chain of superseded decisions, for the
    one it replaced (a budget belongs to the granting decision it was booked for)."""
    current: Decision | None = decision
    while current is not None:
        budget = Budget.objects.filter(decision=current).first()
        if budget is not None:
            return budget
        current = current.supersedes
    return None


def grants_with_spent() -> QuerySet[BudgetWithSpent]:
    """Every budget (one per grant) with what the books say was spent, for the open data."""
    return (
        Budget.objects.select_related("platform", "round", "decision__application")
        .prefetch_related("decision__application__buurten")
        .annotate(
            spent=_signed_subquery(
                account__budget=OuterRef("pk"), account__kind=Account.Kind.EXPENSE
            )
        )
        .order_by("id")
    )


def budget_years() -> list[int]:
    """Years with a budget or a published round, newest first."""
    from recognition.models import Round

    years = set(Budget.objects.values_list("year", flat=True).distinct())
    years |= set(
        Round.objects.filter(status=Round.Status.PUBLISHED)
        .values_list("budget_year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


@dataclass
class SummaryRow:
    label: str
    code: str = ""
    granted: Decimal = ZERO
    spent: Decimal = ZERO
    url: str = ""
    platforms: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.granted - self.spent


def split_cents(amount: Decimal, parts: int) -> list[Decimal]:
    """Split an amount over parts in cents; the first parts take the leftover cents."""
    cents = int((amount * 100).to_integral_value())
    base, extra = divmod(cents, parts)
    return [Decimal(base + (1 if i < extra else 0)) / 100 for i in range(parts)]


def district_overview(year: int) -> dict[str, Any]:
    """Budget, granted, spent and remaining for a year, per platform and per buurt
    (/transparantie/ and the district year PDF)."""
    from recognition.models import Round

    district_budget = Round.objects.filter(
        budget_year=year, status=Round.Status.PUBLISHED
    ).aggregate(total=Coalesce(Sum("total_budget"), Value(ZERO), output_field=DEC))["total"]
    per_platform: dict[int, SummaryRow] = {}
    per_buurt: dict[str, SummaryRow] = {}
    for budget in budgets_for_year(year):
        p = budget.platform
        row = per_platform.setdefault(p.pk, SummaryRow(label=p.name, code=p.slug))
        row.granted += budget.granted_amount
        row.spent += budget.spent
        buurten = sorted(budget.decision.application.buurten.all(), key=lambda b: b.code)
        if not buurten:
            continue
        # A grant covers the platform's whole area; spread it evenly over its buurten.
        for b, g, sp in zip(
            buurten,
            split_cents(budget.granted_amount, len(buurten)),
            split_cents(budget.spent, len(buurten)),
            strict=True,
        ):
            brow = per_buurt.setdefault(b.code, SummaryRow(label=b.name, code=b.code))
            brow.granted += g
            brow.spent += sp
            if p.name not in brow.platforms:
                brow.platforms.append(p.name)
    platforms = sorted(per_platform.values(), key=lambda r: r.label)
    buurt_rows = sorted(per_buurt.values(), key=lambda r: r.code)
    granted = sum((r.granted for r in platforms), ZERO)
    spent = sum((r.spent for r in platforms), ZERO)
    return {
        "year": year,
        "district_budget": district_budget,
        "granted": granted,
        "spent": spent,
        "remaining": granted - spent,
        "unallocated": district_budget - granted,
        "platforms": platforms,
        "buurten": buurt_rows,
    }


def platform_year_budgets(platform: Platform, year: int) -> dict[str, Any]:
    """A platform's budgets of one year with plan versus actual per line and the totals
    (the platform year PDF): granted, planned, spent, remaining, spent per category."""
    budgets = list(
        Budget.objects.filter(platform=platform, year=year)
        .select_related("round", "decision")
        .prefetch_related(Prefetch("lines", queryset=_plan_lines()))
        .order_by("id")
    )
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    planned = spent = granted = ZERO
    for budget in budgets:
        granted += budget.granted_amount
        # Prefetched with _plan_lines(), which annotates spent and remaining.
        for line in cast("QuerySet[LineWithTotals]", budget.lines.all()):
            line.difference = line.remaining  # type: ignore[attr-defined]  # for the year PDF
            by_category[line.category] += line.spent
            planned += line.planned_amount
            spent += line.spent
    return {
        "budgets": budgets,
        "categories": sorted(by_category.items()),
        "planned": planned,
        "spent": spent,
        "granted": granted,
        "remaining": granted - spent,
        "difference": planned - spent,
    }


# The public platform page lists the newest payments of each budget; all of them are in the
# open data (transactions.csv). A platform year can hold thousands of payments.
PUBLIC_PAYMENTS_SHOWN = 50


def _newest_public_payments(
    budgets: Sequence[Budget],
) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """Per budget its newest PUBLIC_PAYMENTS_SHOWN paid claims (oldest first) and the number
    of paid claims: two queries for any number of budgets."""
    paid = ExpenseClaim.objects.filter(budget__in=budgets, status=ExpenseClaim.Status.PAID)
    counts = dict(
        paid.order_by().values("budget_id").annotate(n=Count("id")).values_list("budget_id", "n")
    )
    newest = (
        paid.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("budget_id")],
                order_by=[F("expense_date").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=PUBLIC_PAYMENTS_SHOWN)
        .select_related("budget_line")
        .order_by("expense_date", "pk")
    )
    payments: dict[int, list[dict]] = {}
    for claim in newest:
        payments.setdefault(claim.budget_id, []).append(_public_payment(claim))
    return payments, counts


def _public_payment(claim: ExpenseClaim) -> dict:
    private = None if claim.payee_is_organisation else claim.payee_name
    return {
        "date": claim.expense_date,
        "line": claim.budget_line,
        "description": scrub_private_payee(claim.description, private),
        "payee": claim.public_payee,
        "amount": claim.amount,
    }


def public_payments(budget: Budget) -> Iterator[dict]:
    for claim in (
        ExpenseClaim.objects.filter(budget=budget, status=ExpenseClaim.Status.PAID)
        .select_related("budget_line")
        .order_by("expense_date", "pk")
    ):
        yield _public_payment(claim)


# --- exports ------------------------------------------------------------------------------

PUBLIC_COLUMNS = ["transaction_id", "date", "platform", "account", "debit", "credit", "description"]
PRIVATE_PAYEE = "particulier"


def scrub_private_payee(text: str, payee_name: str | None) -> str:
    """The one privacy rule for public text about a payment: a private payee's name becomes
    "particulier" (pages, PDFs and open data all call this)."""
    name = (payee_name or "").strip()
    if not name or not text:
        return text
    return re.sub(re.escape(name), PRIVATE_PAYEE, text, flags=re.IGNORECASE)


def public_transactions() -> Iterator[dict]:
    """Every ledger entry of the public budgets, one row per entry, for /open-data/ and the
    transparency pages.

    Columns: transaction_id,date,platform,account,debit,credit,description. The description is
    the transaction's public description with a private payee's name scrubbed; private
    descriptions, IBANs and notes never appear. One query (iterator), constant in size.
    """
    rows = (
        Entry.objects.filter(transaction__budget__decision__status=Decision.Status.PUBLISHED)
        .order_by("transaction__value_date", "transaction_id", "id")
        .values_list(
            "transaction_id",
            "transaction__value_date",
            "transaction__budget__platform__name",
            "account__code",
            "account__name",
            "side",
            "amount",
            "transaction__description",
            "transaction__claim__payee_is_organisation",
            "transaction__claim__payee_name",
        )
    )
    for tx_id, date, platform, code, name, side, amount, description, org, payee in rows.iterator(
        chunk_size=2000
    ):
        private = None if org or org is None else payee
        yield {
            "transaction_id": tx_id,
            "date": date.isoformat(),
            "platform": platform,
            "account": scrub_private_payee(f"{code} {name}", private),
            "debit": f"{amount:.2f}" if side == Entry.Side.DEBIT else "",
            "credit": f"{amount:.2f}" if side == Entry.Side.CREDIT else "",
            "description": scrub_private_payee(description, private),
        }


LEDGER_COLUMNS = [
    "transaction_id",
    "value_date",
    "recorded_at",
    "kind",
    "reference",
    "account_code",
    "account_name",
    "debit",
    "credit",
    "description",
    "private_description",
    "reverses",
    "reason",
    "booked_by",
]


def platform_ledger_rows(platform: Platform) -> Iterator[list[Any]]:
    """A platform's full ledger for its accountant (includes private descriptions)."""
    rows = (
        Entry.objects.filter(transaction__budget__platform=platform)
        .select_related("transaction", "transaction__booked_by", "account")
        .order_by("transaction__value_date", "transaction_id", "id")
    )
    for e in rows.iterator():
        tx = e.transaction
        yield [
            tx.pk,
            tx.value_date.isoformat(),
            tx.recorded_at.isoformat(timespec="seconds"),
            tx.kind,
            tx.reference,
            e.account.code,
            e.account.name,
            f"{e.amount:.2f}" if e.side == Entry.Side.DEBIT else "",
            f"{e.amount:.2f}" if e.side == Entry.Side.CREDIT else "",
            tx.description,
            tx.private_description,
            tx.reverses_id or "",
            tx.reason,
            tx.booked_by.get_full_name() if tx.booked_by else "",
        ]


# --- invariants -----------------------------------------------------------------------------


def ledger_breaches() -> list[str]:
    """Check the ledger's invariants in the database; return a description of each breach."""
    breaches: list[str] = []
    unbalanced = (
        Transaction.objects.annotate(
            balance=Coalesce(
                Sum(
                    Case(
                        When(entries__side=Entry.Side.DEBIT, then=F("entries__amount")),
                        default=-F("entries__amount"),
                        output_field=DEC,
                    )
                ),
                Value(ZERO),
                output_field=DEC,
            ),
            n=Count("entries"),
        )
        .filter(Q(balance__gte=HALF_CENT) | Q(balance__lte=-HALF_CENT) | Q(n__lt=2))
        .values_list("pk", "balance", "n")
    )
    for pk, balance, n in unbalanced:
        breaches.append(
            _("Boeking %(pk)s is niet in evenwicht (saldo %(b)s, %(n)s regels).")
            % {"pk": pk, "b": balance, "n": n}
        )
    for pk in Transaction.objects.filter(kind=Transaction.Kind.REVERSAL, reverses=None).values_list(
        "pk", flat=True
    ):
        breaches.append(_("Correctie %(pk)s verwijst niet naar een boeking.") % {"pk": pk})
    double = (
        Transaction.objects.exclude(reverses=None)
        .values("reverses")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for row in double:
        breaches.append(
            _("Boeking %(pk)s is meer dan eens gecorrigeerd.") % {"pk": row["reverses"]}
        )
    for rev_pk in (
        Transaction.objects.filter(reverses__isnull=False)
        .filter(reverses__reverses__isnull=False)
        .values_list("pk", "reverses")
    ):
        breaches.append(_("Correctie %(pk)s corrigeert een correctie.") % {"pk": rev_pk})
    # A reversal mirrors its original: per account, the two together sum to zero.
    mismatched = (
        Entry.objects.filter(transaction__reverses__isnull=False)
        .values("transaction_id", "transaction__reverses_id", "account_id")
        .annotate(total=Sum(SIGNED))
    )
    originals: dict[tuple[int | None, int], Decimal] = {
        (row["transaction_id"], row["account_id"]): row["total"]
        for row in Entry.objects.filter(transaction__reversed_by__isnull=False)
        .values("transaction_id", "account_id")
        .annotate(total=Sum(SIGNED))
    }
    for rev in mismatched:
        if (
            abs(
                originals.get((rev["transaction__reverses_id"], rev["account_id"]), ZERO)
                + rev["total"]
            )
            >= HALF_CENT
        ):
            breaches.append(
                _("Correctie %(pk)s is niet het spiegelbeeld van boeking %(o)s.")
                % {"pk": rev["transaction_id"], "o": rev["transaction__reverses_id"]}
            )
    live_payments = (
        ExpenseClaim.objects.filter(status=ExpenseClaim.Status.PAID)
        .annotate(
            live=Count(
                "transactions",
                filter=Q(
                    transactions__kind=Transaction.Kind.PAYMENT,
                    transactions__reversed_by__isnull=True,
                ),
            )
        )
        .exclude(live=1)
        .values_list("pk", "live")
    )
    for pk, live in live_payments:
        breaches.append(
            _("Betaalde declaratie %(pk)s heeft %(n)s geldige betalingen in plaats van één.")
            % {"pk": pk, "n": live}
        )
    unpaid_with_payment = (
        ExpenseClaim.objects.exclude(status=ExpenseClaim.Status.PAID)
        .filter(transactions__kind=Transaction.Kind.PAYMENT, transactions__reversed_by__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in unpaid_with_payment:
        breaches.append(
            _("Declaratie %(pk)s is niet betaald maar heeft een geldige betaling.") % {"pk": pk}
        )
    committed = budgets_committed_mismatch()
    for pk, cached, actual in committed:
        breaches.append(
            _("Budget %(pk)s: lopend totaal %(c)s wijkt af van de declaraties (%(a)s).")
            % {"pk": pk, "c": cached, "a": actual}
        )
    return breaches


def budgets_committed_mismatch() -> list[tuple]:
    """Budgets whose locked running total differs from their approved and paid claims."""
    actual = (
        ExpenseClaim.objects.filter(
            budget=OuterRef("pk"),
            status__in=[ExpenseClaim.Status.APPROVED, ExpenseClaim.Status.PAID],
        )
        .order_by()
        .values("budget")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    return list(
        Budget.objects.annotate(
            actual=Coalesce(Subquery(actual, output_field=DEC), Value(ZERO), output_field=DEC)
        )
        .annotate(diff=F("committed") - F("actual"))
        .filter(Q(diff__gte=HALF_CENT) | Q(diff__lte=-HALF_CENT))
        .values_list("pk", "committed", "actual")
    )
