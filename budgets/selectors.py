"""The read side of budgets: plan versus actual, budget summaries (per platform, round, year
and district), public transactions with payee scrubbing, the ledger export and its check.

Pages, PDF reports, open data and e-mails all use these functions; "spent" is what the books
say (debits minus credits on a budget's expense accounts), so a reversal lowers it again.

Every amount is summed by the database (aggregate/annotate), never by loading entries.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
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
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from budgets.models import (
    Account,
    AccountBalance,
    BankStatementEntry,
    Budget,
    BudgetLine,
    Entry,
    ExpenseClaim,
    PaymentBatch,
    PlanVersion,
    Receipt,
    Transaction,
    YearClose,
)
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
        closed: bool
        planned: Decimal

    LineWithTotals = WithAnnotations[BudgetLine, _LineTotals]

    class _BudgetPlan(TypedDict):
        spent: Decimal
        remaining: Decimal
        closed: bool
        planned: Decimal
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


def _balances_subquery(**filters: Any) -> Coalesce:
    """The summed balances of the accounts matching filters (with OuterRef), as a subquery:
    debit minus credit of their entries, read from the balances the database keeps
    (AccountBalance) instead of summing every entry."""
    sub = (
        AccountBalance.objects.filter(**filters)
        .order_by()
        .values("account__kind")
        .annotate(total=Sum("balance"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sub, output_field=DEC), Value(ZERO), output_field=DEC)


def _line_spent() -> Coalesce:
    """A budget line's spending: its expense account's balance (OuterRef the line)."""
    sub = AccountBalance.objects.filter(account__budget_line=OuterRef("pk")).values("balance")[:1]
    return Coalesce(Subquery(sub, output_field=DEC), Value(ZERO), output_field=DEC)


def _balance_total(**filters: Any) -> Decimal:
    """The summed balances of the accounts matching filters."""
    return AccountBalance.objects.filter(**filters).aggregate(
        total=Coalesce(Sum("balance"), Value(ZERO), output_field=DEC)
    )["total"]


def _planned_subquery() -> Coalesce:
    """The sum of a budget's plan lines (OuterRef budget), as a subquery."""
    sub = (
        BudgetLine.objects.filter(budget=OuterRef("pk"))
        .order_by()
        .values("budget")
        .annotate(total=Sum("planned_amount"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sub, output_field=DEC), Value(ZERO), output_field=DEC)


def budgets_with_totals(qs: QuerySet[Budget] | None = None) -> QuerySet[BudgetWithTotals]:
    """Budgets annotated with spent and remaining (from the ledger; remaining is negative when
    the budget is overspent), the sum of the plan lines and whether the year is closed, in one
    query."""
    qs = qs if qs is not None else Budget.objects.all()
    return qs.select_related("platform", "round", "round__district").annotate(
        spent=_balances_subquery(
            account__budget=OuterRef("pk"), account__kind=Account.Kind.EXPENSE
        ),
        remaining=_balances_subquery(
            account__budget=OuterRef("pk"), account__kind=Account.Kind.BUDGET
        ),
        # Exists, not Count: no GROUP BY over the budget and its joined rows.
        closed=Exists(
            YearClose.objects.filter(budget=OuterRef("pk"), status=YearClose.Status.CLOSED)
        ),
        planned=_planned_subquery(),
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


def _attach_line_activities(budgets: Sequence[BudgetWithPlan]) -> None:
    """Set line.activity_list on the budgets' plan_lines: the public activities the line's
    paid claims served.

    Two queries for any number of lines, never loading the claims themselves (a platform
    year can hold thousands of payments). A claim serves only its own platform's activities
    (budgets.services.claims), so the links are found from those few activities rather than
    from every paid claim of the lines."""
    lines = [line for budget in budgets for line in budget.plan_lines]
    link = ExpenseClaim.activities.through
    pairs = list(
        link.objects.filter(
            activity__platform__in={budget.platform_id for budget in budgets},
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
        .select_related("carried_from")
        .prefetch_related(Prefetch("lines", queryset=_plan_lines(), to_attr="plan_lines"))
        .order_by("-year", "id")
    )
    _attach_line_activities(budgets)
    for budget in budgets:
        budget.plan_matches = plan_matches_grant(budget)  # type: ignore[attr-defined]  # templates
    return budgets


def round_summary(round_obj: Round) -> dict[str, Any]:
    """Per round (and its district): granted, spent and remaining, computed by the database."""
    budgets = list(
        budgets_with_totals(Budget.objects.filter(round=round_obj)).order_by(
            "platform__name", "year"
        )
    )
    for budget in budgets:
        budget.plan_matches = plan_matches_grant(budget)  # type: ignore[attr-defined]  # templates
    # Budgets carried over into a next year hold the round's own money: not granted again.
    totals = Budget.objects.filter(round=round_obj, carried_from=None).aggregate(
        granted=Coalesce(Sum("granted_amount"), Value(ZERO), output_field=DEC)
    )
    spent = _balance_total(account__budget__round=round_obj, account__kind=Account.Kind.EXPENSE)
    remaining = _balance_total(account__budget__round=round_obj, account__kind=Account.Kind.BUDGET)
    return {
        "round": round_obj,
        "district": round_obj.district,
        "budgets": budgets,
        "granted": totals["granted"],
        "spent": spent,
        "remaining": remaining,
    }


def public_budget_summary(platform: Platform) -> list[dict[str, Any]]:
    """For the public platform page: per budget granted, spent per line and remaining (negative
    when overspent). Until the lines add up to the grant (plan_matches_grant) the page shows
    the granted total and "nog niet herbegroot" instead of the lines.

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
            "rebudgeted": plan_matches_grant(budget),
            "planned": planned_total(budget),
            "carried_from_year": budget.carried_from.year if budget.carried_from else None,
            "lines": budget.plan_lines,
            "payments": payments.get(budget.pk, []),
            "payments_total": counts.get(budget.pk, 0),
        }
        for budget in budgets
    ]


def budgets_for_year(year: int) -> QuerySet[BudgetWithSpent]:
    """The grants of a year (not the budgets carried over into it: their money was granted,
    and is counted, in the year before) with platform, decision, area buurten and spent
    (3 queries)."""
    return (
        Budget.objects.filter(year=year, carried_from=None)
        .select_related("platform", "round", "decision__application")
        .prefetch_related("decision__application__buurten")
        .annotate(
            spent=_balances_subquery(
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
        budget = Budget.objects.filter(decision=current, carried_from=None).first()
        if budget is not None:
            return budget
        current = current.supersedes
    return None


def grants_with_spent() -> QuerySet[BudgetWithSpent]:
    """Every budget (one per grant) with what the books say was spent, for the open data."""
    return (
        Budget.objects.filter(carried_from=None)
        .select_related("platform", "round", "decision__application")
        .prefetch_related("decision__application__buurten")
        .annotate(
            spent=_balances_subquery(
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


@dataclass
class UnbudgetedRow:
    """One plan-versus-actual row for a budget whose lines do not add up to its grant (not yet
    re-budgeted): the granted total instead of lines that would not add up."""

    budget: Budget
    planned_amount: Decimal
    spent: Decimal
    category: str = ""
    description: str = ""
    not_rebudgeted: bool = True

    @property
    def difference(self) -> Decimal:
        return self.planned_amount - self.spent


def platform_year_budgets(platform: Platform, year: int) -> dict[str, Any]:
    """A platform's budgets of one year with plan versus actual per line and the totals
    (the platform year PDF): granted, planned, spent, remaining, spent per category.

    ``plan_rows`` are the lines of each budget whose lines add up to its grant
    (plan_matches_grant) and, for a budget not yet re-budgeted, one row with its granted total;
    so planned always adds up to the grants."""
    budgets = list(
        Budget.objects.filter(platform=platform, year=year)
        .select_related("round", "decision", "carried_from")
        .annotate(planned=_planned_subquery())
        .prefetch_related(Prefetch("lines", queryset=_plan_lines()))
        .order_by("id")
    )
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    plan_rows: list[Any] = []
    planned = spent = granted = ZERO
    for budget in budgets:
        granted += budget.granted_amount
        budget_spent = ZERO
        # Prefetched with _plan_lines(), which annotates spent and remaining.
        lines = list(cast("QuerySet[LineWithTotals]", budget.lines.all()))
        for line in lines:
            line.difference = line.remaining  # type: ignore[attr-defined]  # for the year PDF
            by_category[line.category] += line.spent
            budget_spent += line.spent
        budget.plan_matches = plan_matches_grant(budget)  # type: ignore[attr-defined]
        if budget.plan_matches:  # type: ignore[attr-defined]
            plan_rows.extend(lines)
            planned += sum((line.planned_amount for line in lines), ZERO)
        else:
            plan_rows.append(
                UnbudgetedRow(
                    budget=budget,
                    planned_amount=budget.granted_amount,
                    spent=budget_spent,
                    category=_("Totaal toegekend"),
                    description=_("nog niet herbegroot"),
                )
            )
            planned += budget.granted_amount
        spent += budget_spent
    return {
        "budgets": budgets,
        "plan_rows": plan_rows,
        "rebudgeted": all(b.plan_matches for b in budgets),  # type: ignore[attr-defined]
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


def _newest_paid_claims(budgets: Sequence[Budget]) -> list[ExpenseClaim]:
    """Each budget's newest PUBLIC_PAYMENTS_SHOWN paid claims, in one query. On PostgreSQL a
    UNION ALL of one ``ORDER BY … LIMIT`` per budget, each read from the ``claim_paid_newest``
    index (a budget with 10,000 payments reads 50 rows); where a compound query cannot hold
    a LIMIT (SQLite), a window function over the budgets' paid claims."""
    paid = ExpenseClaim.objects.filter(status=ExpenseClaim.Status.PAID).only(
        # Only what the page shows.
        "budget_id",
        "budget_line_id",
        "expense_date",
        "description",
        "payee_name",
        "payee_is_organisation",
        "amount",
    )
    if not budgets:
        return []
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [
            paid.filter(budget=budget).order_by("-expense_date", "-pk")[:PUBLIC_PAYMENTS_SHOWN]
            for budget in budgets
        ]
        return list(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    return list(
        paid.filter(budget__in=budgets)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("budget_id")],
                order_by=[F("expense_date").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=PUBLIC_PAYMENTS_SHOWN)
    )


def _newest_public_payments(
    budgets: Sequence[Budget],
) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """Per budget its newest PUBLIC_PAYMENTS_SHOWN paid claims (oldest first) and the number
    of paid claims: two queries for any number of budgets (the lines come from the budgets'
    ``plan_lines`` where ``platform_budgets`` loaded them)."""
    counts = dict(
        ExpenseClaim.objects.filter(budget__in=budgets, status=ExpenseClaim.Status.PAID)
        .order_by()
        .values("budget_id")
        .annotate(n=Count("id"))
        .values_list("budget_id", "n")
    )
    newest = sorted(_newest_paid_claims(budgets), key=lambda c: (c.expense_date, c.pk))
    lines = {line.pk: line for budget in budgets for line in getattr(budget, "plan_lines", [])}
    missing = {
        c.budget_line_id for c in newest if c.budget_line_id and c.budget_line_id not in lines
    }
    if missing:
        lines.update(BudgetLine.objects.in_bulk(missing))
    payments: dict[int, list[dict]] = {}
    for claim in newest:
        if claim.budget_line_id:
            claim.budget_line = lines[claim.budget_line_id]
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


def _public_grant_id(decision: str = "decision") -> Subquery:
    """The grant (the budget without ``carried_from``) a budget's money comes from: budgets
    carried over keep their origin's decision, and there is one grant per decision.
    ``decision`` is the path to the decision from the row being annotated."""
    return Subquery(
        Budget.objects.filter(decision=OuterRef(decision), carried_from=None).values("pk")[:1]
    )


def public_budgets() -> Iterator[dict[str, Any]]:
    """The budgets of published decisions (grants and carried-over budgets), keyed by id, with
    the id of the grant each one comes from (``grant_pk``), for the open data. One query."""
    rows = (
        Budget.objects.filter(decision__status=Decision.Status.PUBLISHED)
        .annotate(grant_pk=_public_grant_id())
        .order_by("id")
        .values(
            "id", "grant_pk", "carried_from_id", "platform_id", "round_id", "year", "granted_amount"
        )
    )
    for row in rows.iterator(chunk_size=2000):
        yield dict(row)


def public_transaction_keys() -> Iterator[dict[str, Any]]:
    """One row per public transaction with its numeric keys (budget, grant, platform), the
    amount (the sum of its debits) and the scrubbed public description. One query."""
    grant = _public_grant_id("budget__decision")
    debits = Subquery(
        Entry.objects.filter(transaction=OuterRef("pk"), side=Entry.Side.DEBIT)
        .order_by()
        .values("transaction")
        .annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=DEC,
    )
    rows = (
        Transaction.objects.filter(budget__decision__status=Decision.Status.PUBLISHED)
        .annotate(grant_pk=grant, total=debits)
        .order_by("value_date", "id")
        .values_list(
            "id",
            "value_date",
            "kind",
            "budget_id",
            "grant_pk",
            "budget__platform_id",
            "reverses_id",
            "total",
            "description",
            "claim__payee_is_organisation",
            "claim__payee_name",
        )
    )
    for (
        tx_id,
        date,
        kind,
        budget,
        grant_pk,
        platform,
        reverses,
        total,
        description,
        org,
        payee,
    ) in rows.iterator(chunk_size=2000):
        private = None if org or org is None else payee
        yield {
            "id": tx_id,
            "date": date,
            "kind": kind,
            "budget_id": budget,
            "grant_id": grant_pk,
            "platform_id": platform,
            "reverses_id": reverses,
            "amount": total if total is not None else ZERO,
            "description": scrub_private_payee(description, private),
        }


def public_entry_keys() -> Iterator[dict[str, Any]]:
    """Every public ledger entry with the numeric keys of its transaction, budget, grant and
    platform (so it joins without parsing text); amounts as Decimal, the date as a date.
    The same entries and scrubbing as ``public_transactions``. One query (iterator)."""
    grant = _public_grant_id("transaction__budget__decision")
    rows = (
        Entry.objects.filter(transaction__budget__decision__status=Decision.Status.PUBLISHED)
        .annotate(grant_pk=grant)
        .order_by("transaction__value_date", "transaction_id", "id")
        .values_list(
            "id",
            "transaction_id",
            "transaction__budget_id",
            "grant_pk",
            "transaction__budget__platform_id",
            "transaction__value_date",
            "account__code",
            "account__name",
            "account__kind",
            "side",
            "amount",
            "transaction__description",
            "transaction__claim__payee_is_organisation",
            "transaction__claim__payee_name",
        )
    )
    for (
        entry_id,
        tx_id,
        budget,
        grant_pk,
        platform,
        date,
        code,
        name,
        kind,
        side,
        amount,
        description,
        org,
        payee,
    ) in rows.iterator(chunk_size=2000):
        private = None if org or org is None else payee
        yield {
            "id": entry_id,
            "transaction_id": tx_id,
            "budget_id": budget,
            "grant_id": grant_pk,
            "platform_id": platform,
            "date": date,
            "account_code": code,
            "account_name": scrub_private_payee(name, private),
            "account_kind": kind,
            "debit": amount if side == Entry.Side.DEBIT else None,
            "credit": amount if side == Entry.Side.CREDIT else None,
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


def platform_ledger_rows(platform: Platform, *, private: bool = True) -> Iterator[list[Any]]:
    """A platform's full ledger. With ``private`` (support staff) it includes the private
    descriptions; without (the platform's coordinators) those stay empty and a private payee's
    name is scrubbed like everywhere public (docs/privacy.md)."""
    rows = (
        Entry.objects.filter(transaction__budget__platform=platform)
        .select_related("transaction", "transaction__booked_by", "transaction__claim", "account")
        .order_by("transaction__value_date", "transaction_id", "id")
    )
    for e in rows.iterator():
        tx = e.transaction
        claim = tx.claim
        payee = claim.payee_name if claim and not claim.payee_is_organisation else None
        description, account = tx.description, e.account.name
        if not private:
            description = scrub_private_payee(description, payee)
            account = scrub_private_payee(account, payee)
        yield [
            tx.pk,
            tx.value_date.isoformat(),
            tx.recorded_at.isoformat(timespec="seconds"),
            tx.kind,
            tx.reference,
            e.account.code,
            account,
            f"{e.amount:.2f}" if e.side == Entry.Side.DEBIT else "",
            f"{e.amount:.2f}" if e.side == Entry.Side.CREDIT else "",
            description,
            tx.private_description if private else "",
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
    for pk, kept, actual in balances_mismatch():
        breaches.append(
            _("Rekening %(pk)s: bijgehouden saldo %(k)s wijkt af van de boekingen (%(a)s).")
            % {"pk": pk, "k": kept, "a": actual}
        )
    committed = budgets_committed_mismatch()
    for pk, cached, actual in committed:
        breaches.append(
            _("Budget %(pk)s: lopend totaal %(c)s wijkt af van de declaraties (%(a)s).")
            % {"pk": pk, "c": cached, "a": actual}
        )
    return breaches


def balances_mismatch() -> list[tuple[int, Decimal, Decimal]]:
    """Accounts whose kept balance (AccountBalance) differs from the sum of their entries:
    (account pk, kept balance, sum of the entries)."""
    actual = {
        row["account"]: row["total"]
        for row in Entry.objects.order_by().values("account").annotate(total=Sum(SIGNED))
    }
    kept = dict(AccountBalance.objects.values_list("account_id", "balance"))
    mismatched = []
    for pk in sorted(actual.keys() | kept.keys()):
        k, a = Decimal(kept.get(pk) or 0), Decimal(actual.get(pk) or 0)
        if abs(k - a) >= HALF_CENT:
            mismatched.append((pk, k, a))
    return mismatched


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


# --- the bookkeeper's workbench -------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


def claim_queue() -> QuerySet[ExpenseClaim]:
    """The support queue's rows with everything a row shows (one query per page, whatever
    the number of claims): platform, budget line, submitter, batch and number of receipts."""
    return ExpenseClaim.objects.select_related(
        "budget__platform", "budget_line", "submitted_by", "batch"
    ).annotate(n_receipts=Count("receipts"))


@dataclass
class HistoryEvent:
    """One step in a claim's history; the template formats amounts and dates."""

    at: datetime.datetime
    text: str
    actor: str = ""
    detail: str = ""
    amount: Decimal | None = None
    date: datetime.date | None = None
    reference: str = ""


def _claim_texts() -> dict[str, str]:
    return {
        "budgets.claim.submitted": _("Ingediend"),
        "budgets.claim.resubmitted": _("Aangepast en opnieuw ingediend"),
        "budgets.claim.approved": _("Goedgekeurd"),
        "budgets.claim.first_approved": _("Eerste akkoord gegeven"),
        "budgets.claim.second_approved": _("Tweede akkoord gegeven"),
        "budgets.claim.rejected": _("Afgewezen"),
        "budgets.claim.changes_requested": _("Om een aanpassing gevraagd"),
    }


def _batch_texts() -> dict[str, str]:
    return {
        "budgets.batch.created": _("In betaalbatch %(ref)s gezet"),
        "budgets.batch.released": _("Batch %(ref)s vrijgegeven, betaalbestand gemaakt"),
        "budgets.batch.exported": _("Betaalbestand van batch %(ref)s gemaakt"),
        "budgets.batch.paid": _("Batch %(ref)s als betaald geboekt"),
        "budgets.batch.cancelled": _("Batch %(ref)s geannuleerd"),
    }


def _detail(data: dict[str, Any]) -> str:
    for key in ("reason", "message", "override_reason"):
        if data.get(key):
            return str(data[key])
    return ""


def claim_history(claim: ExpenseClaim) -> list[HistoryEvent]:
    """Everything that happened to a claim, oldest first: its audit trail (submitted, each
    approval, rejected, sent back), the batches it was in (made, released, paid), the ledger
    bookings of its payment and their corrections, and the bank statement lines matched to it.
    A fixed number of queries."""
    events: list[HistoryEvent] = []
    texts = _claim_texts()
    for entry in AuditEntry.objects.for_object(claim).select_related("actor"):
        events.append(
            HistoryEvent(
                at=entry.created_at,
                text=texts.get(entry.action, entry.action),
                actor=str(entry.actor or ""),
                detail=_detail(entry.data),
            )
        )
    transactions = list(
        Transaction.objects.filter(claim=claim)
        .select_related("booked_by", "batch")
        .order_by("recorded_at", "pk")
    )
    batch_ids = {claim.batch_id} | {tx.batch_id for tx in transactions}
    batches = PaymentBatch.objects.in_bulk([pk for pk in batch_ids if pk])
    if batches:
        batch_texts = _batch_texts()
        batch_type = ContentType.objects.get_for_model(PaymentBatch)
        for entry in AuditEntry.objects.filter(
            content_type=batch_type, object_id__in=[str(pk) for pk in batches]
        ).select_related("actor"):
            ref = batches[int(entry.object_id)].reference
            text = batch_texts.get(entry.action, f"{ref}: {entry.action}")
            events.append(
                HistoryEvent(
                    at=entry.created_at,
                    text=text % {"ref": ref} if "%(ref)s" in text else text,
                    actor=str(entry.actor or ""),
                    detail=_detail(entry.data),
                )
            )
    for tx in transactions:
        events.append(
            HistoryEvent(
                at=tx.recorded_at,
                text=_("Geboekt: %(kind)s") % {"kind": tx.get_kind_display()},
                actor=str(tx.booked_by or ""),
                detail=tx.reason,
                amount=claim.amount,
                date=tx.value_date,
                reference=tx.reference,
            )
        )
    events.extend(_bank_events(claim))
    events.sort(key=lambda e: e.at)
    return events


def _bank_events(claim: ExpenseClaim) -> list[HistoryEvent]:
    """Bank statement lines matched to the claim (the statement import)."""
    return [
        HistoryEvent(
            at=line.statement.imported_at,
            text=_("Bankafschrift: %(outcome)s") % {"outcome": line.get_outcome_display()},
            actor=str(line.statement.imported_by or ""),
            detail=line.return_reason or line.note,
            amount=line.amount,
            date=line.booking_date,
            reference=line.end_to_end_id or line.reference,
        )
        for line in BankStatementEntry.objects.filter(claim=claim).select_related(
            "statement__imported_by"
        )
    ]


# --- the accountant's export ----------------------------------------------------------------
#
# Per budget year: every booking on that year's budgets (so a year's general ledger, trial
# balance and auditfile add up to the same totals), with the private descriptions the
# accountant needs. Support staff only (reports.permissions).


def _in_cents(value: Decimal | float | int | None) -> Decimal:
    """Whole cents: exact on PostgreSQL; removes SQLite's float artefacts (see signed_sum)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def year_entries(year: int) -> QuerySet[Entry]:
    """The ledger entries of one budget year."""
    return Entry.objects.filter(transaction__budget__year=year)


def export_years() -> list[int]:
    """Budget years that have bookings, newest first."""
    return sorted(
        set(Budget.objects.filter(transactions__isnull=False).values_list("year", flat=True)),
        reverse=True,
    )


GENERAL_LEDGER_COLUMNS = [
    "account_code",
    "account_name",
    "account_kind",
    "platform",
    "value_date",
    "transaction_id",
    "kind",
    "reference",
    "description",
    "private_description",
    "debit",
    "credit",
    "balance",
]


def general_ledger(year: int) -> Iterator[dict[str, Any]]:
    """The general ledger of a budget year: per account (by code) its entries by date, with
    debit, credit and the running balance (debit minus credit), summed by the database."""
    rows = (
        year_entries(year)
        .annotate(
            running=Window(
                Sum(SIGNED),
                partition_by=[F("account_id")],
                order_by=[F("transaction__value_date").asc(), F("transaction_id").asc(), F("id")],
            )
        )
        .order_by("account__code", "transaction__value_date", "transaction_id", "id")
        .values_list(
            "account__code",
            "account__name",
            "account__kind",
            "account__platform__name",
            "transaction__value_date",
            "transaction_id",
            "transaction__kind",
            "transaction__reference",
            "transaction__description",
            "transaction__private_description",
            "side",
            "amount",
            "running",
        )
    )
    for (
        code, name, kind, platform, date, tx_id, tx_kind, reference, description, private,
        side, amount, running,
    ) in rows.iterator(chunk_size=2000):  # fmt: skip
        yield {
            "account_code": code,
            "account_name": name,
            "account_kind": kind,
            "platform": platform or "",
            "value_date": date,
            "transaction_id": tx_id,
            "kind": tx_kind,
            "reference": reference,
            "description": description,
            "private_description": private,
            "debit": _in_cents(amount) if side == Entry.Side.DEBIT else None,
            "credit": _in_cents(amount) if side == Entry.Side.CREDIT else None,
            "balance": _in_cents(running),
        }


TRIAL_BALANCE_COLUMNS = [
    "account_code",
    "account_name",
    "account_kind",
    "platform",
    "debit",
    "credit",
    "balance",
]


def trial_balance(year: int) -> dict[str, Any]:
    """Per account its debit and credit totals and balance for a budget year, and the totals
    (debit equals credit when the books balance). One query."""
    rows = (
        year_entries(year)
        .order_by()
        .values("account__code", "account__name", "account__kind", "account__platform__name")
        .annotate(
            debit=Coalesce(
                Sum("amount", filter=Q(side=Entry.Side.DEBIT)), Value(ZERO), output_field=DEC
            ),
            credit=Coalesce(
                Sum("amount", filter=Q(side=Entry.Side.CREDIT)), Value(ZERO), output_field=DEC
            ),
        )
        .order_by("account__code")
    )
    accounts = []
    total_debit = total_credit = ZERO
    for r in rows:
        debit, credit = _in_cents(r["debit"]), _in_cents(r["credit"])
        total_debit += debit
        total_credit += credit
        accounts.append(
            {
                "account_code": r["account__code"],
                "account_name": r["account__name"],
                "account_kind": r["account__kind"],
                "platform": r["account__platform__name"] or "",
                "debit": debit,
                "credit": credit,
                "balance": debit - credit,
            }
        )
    return {"year": year, "accounts": accounts, "debit": total_debit, "credit": total_credit}


def ledger_accounts(year: int) -> QuerySet[Account]:
    """The accounts that have entries in a budget year, by code."""
    return (
        Account.objects.filter(pk__in=year_entries(year).values("account_id"))
        .select_related("platform")
        .order_by("code")
    )


@dataclass
class LedgerLine:
    id: int
    account_code: str
    side: str
    amount: Decimal
    platform_id: int | None


@dataclass
class LedgerTransaction:
    id: int
    kind: str
    value_date: datetime.date
    description: str
    reference: str
    booked_by_id: int | None
    lines: list[LedgerLine]


def ledger_transactions(year: int) -> Iterator[LedgerTransaction]:
    """The bookings of a budget year with their entries, by date (one query, streamed)."""
    rows = (
        year_entries(year)
        .order_by("transaction__value_date", "transaction_id", "id")
        .values_list(
            "transaction_id",
            "transaction__kind",
            "transaction__value_date",
            "transaction__description",
            "transaction__reference",
            "transaction__booked_by_id",
            "transaction__budget__platform_id",
            "id",
            "account__code",
            "side",
            "amount",
        )
    )
    for tx_id, group in itertools.groupby(rows.iterator(chunk_size=2000), key=lambda r: r[0]):
        entries = list(group)
        first = entries[0]
        yield LedgerTransaction(
            id=tx_id,
            kind=first[1],
            value_date=first[2],
            description=first[3],
            reference=first[4],
            booked_by_id=first[5],
            lines=[LedgerLine(r[7], r[8], r[9], _in_cents(r[10]), r[6]) for r in entries],
        )


def year_platforms(year: int) -> QuerySet[Platform]:
    """The platforms with a budget in a year, by name."""
    return Platform.objects.filter(budgets__year=year).distinct().order_by("name")


# Claims whose payment is in the ledger: their receipts back the year's bookings.
BOOKED_CLAIM_STATUSES = (ExpenseClaim.Status.PAID, ExpenseClaim.Status.REVERSED)


def booked_claims(year: int, month: int | None = None) -> QuerySet[ExpenseClaim]:
    """The paid (or paid and corrected) claims of a budget year with their receipts; with a
    month, only those with an expense date in that month of the year."""
    claims = ExpenseClaim.objects.filter(budget__year=year, status__in=BOOKED_CLAIM_STATUSES)
    if month is not None:
        claims = claims.filter(expense_date__year=year, expense_date__month=month)
    return (
        claims.select_related("budget__platform")
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by("pk")))
        .order_by("expense_date", "pk")
    )


# --- re-budgeting: do the plan lines add up to the grant? ------------------------------------

CENT = Decimal("0.01")


def _cents(value: Any) -> Decimal:
    # SQLite sums decimals as floats; every real amount is whole cents.
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def planned_total(budget: Budget) -> Decimal:
    """The sum of the budget's plan lines (the ``planned`` annotation of the selectors above
    when present, else one query)."""
    value = getattr(budget, "planned", None)
    if value is None:
        value = BudgetLine.objects.filter(budget=budget).aggregate(
            total=Coalesce(Sum("planned_amount"), Value(ZERO), output_field=DEC)
        )["total"]
    return _cents(value)


def plan_matches_grant(budget: Budget) -> bool:
    """The one rule for "re-budgeted": the plan lines add up to the granted amount exactly.

    Not so after a grant lower than asked (book_grant copies the application's lines as they
    were) or after a decision changed the grant (adjust_grant), until support approves a plan
    version whose lines add up to it (budgets.services.plans). The public platform page, the
    year PDF, the platform's budget page and the support pages all ask this function."""
    return planned_total(budget) == _cents(budget.granted_amount)


@dataclass
class LineFacts:
    """What limits a plan line in a new plan version."""

    spent: Decimal = ZERO  # paid, from the ledger
    approved: Decimal = ZERO  # approved, not yet paid
    open_claims: int = 0  # submitted or sent back for changes
    claims: int = 0  # any claim at all (the line then stays, at least at 0)

    @property
    def floor(self) -> Decimal:
        """The lowest amount the line may get: what is spent or approved on it."""
        return self.spent + self.approved


def plan_line_facts(budget: Budget) -> dict[int, LineFacts]:
    """Per line of the budget (id): spent, approved-but-unpaid, open and all claims (2 queries)."""
    facts = {
        line.pk: LineFacts(spent=_cents(line.spent)) for line in _plan_lines().filter(budget=budget)
    }
    rows = (
        ExpenseClaim.objects.filter(budget=budget)
        .order_by()
        .values("budget_line_id")
        .annotate(
            approved=Coalesce(
                Sum("amount", filter=Q(status=ExpenseClaim.Status.APPROVED)),
                Value(ZERO),
                output_field=DEC,
            ),
            open=Count(
                "id",
                filter=Q(
                    status__in=[
                        ExpenseClaim.Status.SUBMITTED,
                        ExpenseClaim.Status.CHANGES_REQUESTED,
                    ]
                ),
            ),
            n=Count("id"),
        )
    )
    for row in rows:
        fact = facts.setdefault(row["budget_line_id"], LineFacts())
        fact.approved = _cents(row["approved"])
        fact.open_claims = row["open"]
        fact.claims = row["n"]
    return facts


def open_plan_version(budget: Budget) -> PlanVersion | None:
    """The budget's plan version in preparation or waiting for approval, if any."""
    return (
        PlanVersion.objects.filter(
            budget=budget, status__in=[PlanVersion.Status.DRAFT, PlanVersion.Status.SUBMITTED]
        )
        .select_related("created_by")
        .first()
    )


def open_plan_versions(budgets: Sequence[Budget]) -> dict[int, PlanVersion]:
    """Per budget id its open plan version (one query for any number of budgets)."""
    return {
        v.budget_id: v
        for v in PlanVersion.objects.filter(
            budget__in=budgets,
            status__in=[PlanVersion.Status.DRAFT, PlanVersion.Status.SUBMITTED],
        ).select_related("created_by")
    }


def plan_version_rows(version: PlanVersion) -> list[dict[str, Any]]:
    """A plan version next to the budget's current lines: per line the current and the proposed
    amount (None: the line is removed), plus the new lines."""
    current = {line.pk: line for line in _plan_lines().filter(budget_id=version.budget_id)}
    rows: list[dict[str, Any]] = []
    proposed_ids = set()
    for item in version.lines:
        line = current.get(item.get("line")) if item.get("line") else None
        if line is not None:
            proposed_ids.add(line.pk)
        rows.append(
            {
                "line": line,
                "category": line.category if line else item.get("category", ""),
                "description": line.description if line else item.get("description", ""),
                "current": line.planned_amount if line else None,
                "spent": line.spent if line else ZERO,
                "proposed": Decimal(str(item.get("amount", "0"))),
            }
        )
    for pk, line in current.items():
        if pk not in proposed_ids:
            rows.append(
                {
                    "line": line,
                    "category": line.category,
                    "description": line.description,
                    "current": line.planned_amount,
                    "spent": line.spent,
                    "proposed": None,
                }
            )
    return rows


def plan_version_total(version: PlanVersion) -> Decimal:
    return sum((Decimal(str(item.get("amount", "0"))) for item in version.lines), ZERO)


def pending_plan_versions() -> QuerySet[PlanVersion]:
    """Plan versions waiting for a support person's approval, oldest first."""
    return (
        PlanVersion.objects.filter(status=PlanVersion.Status.SUBMITTED)
        .select_related("budget__platform", "created_by")
        .order_by("submitted_at", "pk")
    )


# --- the year close ---------------------------------------------------------------------------

OPEN_CLAIM_STATUSES = (
    ExpenseClaim.Status.SUBMITTED,
    ExpenseClaim.Status.CHANGES_REQUESTED,
    ExpenseClaim.Status.APPROVED,
)


def year_has_ended(budget: Budget, today: datetime.date | None = None) -> bool:
    """The budget's year is over (its last day has passed)."""
    today = today or timezone.localdate()
    return today > datetime.date(budget.year, 12, 31)


def remaining_of(budget: Budget) -> Decimal:
    """The money the budget still has: its budget account's balance (negative if overspent)."""
    return _cents(_balance_total(account__budget=budget, account__kind=Account.Kind.BUDGET))


@dataclass
class YearClosePreview:
    """What closing a budget's year would do, shown before anyone proposes or confirms it."""

    budget: Budget
    granted: Decimal
    spent: Decimal
    remaining: Decimal
    open_claims: list[ExpenseClaim]
    unpaid_batches: list[PaymentBatch]
    year_ended: bool

    @property
    def overspent(self) -> bool:
        return self.remaining < 0

    @property
    def to_book(self) -> Decimal:
        """What the close books as returned or carried over (nothing when overspent)."""
        return max(self.remaining, ZERO)

    @property
    def blocked(self) -> bool:
        return bool(self.open_claims or self.unpaid_batches)


def year_close_preview(budget: Budget) -> YearClosePreview:
    """Open claims, unpaid batches, the remaining amount and what happens to it (4 queries)."""
    totals = budgets_with_totals(Budget.objects.filter(pk=budget.pk)).get()
    open_claims = list(
        ExpenseClaim.objects.filter(budget=budget, status__in=OPEN_CLAIM_STATUSES)
        .select_related("submitted_by", "budget_line")
        .order_by("submitted_at", "pk")
    )
    batches = list(
        PaymentBatch.objects.filter(claims__budget=budget)
        .exclude(status__in=[PaymentBatch.Status.PAID, PaymentBatch.Status.CANCELLED])
        .distinct()
        .order_by("pk")
    )
    return YearClosePreview(
        budget=budget,
        granted=totals.granted_amount,
        spent=_cents(totals.spent),
        remaining=_cents(totals.remaining),
        open_claims=open_claims,
        unpaid_batches=batches,
        year_ended=year_has_ended(budget),
    )


def year_closes_of(budget: Budget) -> QuerySet[YearClose]:
    """The budget's closes, newest first, with the people and the next-year budget."""
    return YearClose.objects.filter(budget=budget).select_related(
        "proposed_by", "closed_by", "reversal_proposed_by", "reversed_by", "next_budget"
    )


def active_year_close(budget: Budget) -> YearClose | None:
    """The budget's close that is proposed or in force, if any."""
    return (
        year_closes_of(budget)
        .filter(status__in=[YearClose.Status.PROPOSED, YearClose.Status.CLOSED])
        .first()
    )


def pending_year_closes() -> QuerySet[YearClose]:
    """Closes and reversals waiting for a second support person, oldest first."""
    return (
        YearClose.objects.filter(
            Q(status=YearClose.Status.PROPOSED)
            | Q(status=YearClose.Status.CLOSED, reversal_proposed_by__isnull=False)
        )
        .select_related("budget__platform", "proposed_by", "reversal_proposed_by")
        .order_by("proposed_at", "pk")
    )


def available_to_approve(budget: Budget) -> Decimal:
    """Granted minus approved and paid claims: what can still be approved on the budget;
    negative when more was approved than granted (an overspend allowed with a reason)."""
    return _cents(budget.granted_amount - budget.committed)


def booked_claim_months(year: int) -> list[int]:
    """The months of a budget year in which its paid claims were spent (the receipt ZIPs)."""
    months = ExpenseClaim.objects.filter(
        budget__year=year, status__in=BOOKED_CLAIM_STATUSES, expense_date__year=year
    ).dates("expense_date", "month")
    return [d.month for d in months]
