"""Read-only queries the reports, the overview and the open data share (constant query counts).

"Spent" is what the books say: debits minus credits on a budget's expense accounts, so a
reversal lowers it again. Granted is the budget booked from a published decision.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from budgets.models import Account, Budget, BudgetLine, Entry, Transaction
from platforms.models import Activity, Platform
from recognition.models import Decision, Recognition, Round, Score

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)

SIGNED_AMOUNT = Case(
    When(side=Entry.Side.DEBIT, then=F("amount")),
    default=-F("amount"),
    output_field=MONEY_FIELD,
)


def _spent_subquery(**filters) -> Coalesce:
    """Σ(debit − credit) on expense accounts matching filters (with OuterRef values)."""
    qs = (
        Entry.objects.filter(account__kind=Account.Kind.EXPENSE, **filters)
        .order_by()
        .values(*filters.keys())
        .annotate(total=Sum(SIGNED_AMOUNT))
        .values("total")
    )
    return Coalesce(Subquery(qs, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def budgets_for_year(year: int):
    """Budgets of a year with platform, decision, area buurten and spent (3 queries)."""
    return (
        Budget.objects.filter(year=year)
        .select_related("platform", "round", "decision__application")
        .prefetch_related("decision__application__buurten")
        .annotate(spent=_spent_subquery(account__budget=OuterRef("pk")))
        .order_by("platform__name", "id")
    )


def years_available() -> list[int]:
    years = set(Budget.objects.values_list("year", flat=True).distinct())
    years |= set(
        Round.objects.filter(status=Round.Status.PUBLISHED)
        .values_list("budget_year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


@dataclass
class Row:
    label: str
    code: str = ""
    granted: Decimal = ZERO
    spent: Decimal = ZERO
    url: str = ""
    platforms: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.granted - self.spent


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """Split an amount over parts in cents; the first parts take the leftover cents."""
    cents = int((amount * 100).to_integral_value())
    base, extra = divmod(cents, parts)
    return [Decimal(base + (1 if i < extra else 0)) / 100 for i in range(parts)]


def district_overview(year: int) -> dict:
    """Budget, granted, spent and remaining for a year, per platform and per buurt."""
    district_budget = Round.objects.filter(
        budget_year=year, status=Round.Status.PUBLISHED
    ).aggregate(total=Coalesce(Sum("total_budget"), Value(ZERO), output_field=MONEY_FIELD))["total"]
    per_platform: dict[int, Row] = {}
    per_buurt: dict[str, Row] = {}
    for budget in budgets_for_year(year):
        p = budget.platform
        row = per_platform.setdefault(p.pk, Row(label=p.name, code=p.slug))
        row.granted += budget.granted_amount
        row.spent += budget.spent
        buurten = sorted(budget.decision.application.buurten.all(), key=lambda b: b.code)
        if not buurten:
            continue
        # A grant covers the platform's whole area; spread it evenly over its buurten.
        for b, g, s in zip(
            buurten,
            _split(budget.granted_amount, len(buurten)),
            _split(budget.spent, len(buurten)),
            strict=True,
        ):
            brow = per_buurt.setdefault(b.code, Row(label=b.name, code=b.code))
            brow.granted += g
            brow.spent += s
            if p.name not in brow.platforms:
                brow.platforms.append(p.name)
    platforms = sorted(per_platform.values(), key=lambda r: r.label)
    buurten = sorted(per_buurt.values(), key=lambda r: r.code)
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
        "buurten": buurten,
    }


def platform_year(platform: Platform, year: int) -> dict:
    """Everything the platform year report shows (a fixed number of queries)."""
    activities = list(
        Activity.objects.public()
        .filter(platform=platform, start_date__year=year)
        .order_by("start_date", "id")
    )
    budgets = list(
        Budget.objects.filter(platform=platform, year=year)
        .select_related("round", "decision")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BudgetLine.objects.annotate(
                    spent=_spent_subquery(account__budget_line=OuterRef("pk"))
                ).order_by("id"),
            ),
            "decision__criterion_motivations__criterion",
        )
        .order_by("id")
    )
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    planned = spent = granted = ZERO
    for budget in budgets:
        granted += budget.granted_amount
        for line in budget.lines.all():
            line.difference = line.planned_amount - line.spent
            by_category[line.category] += line.spent
            planned += line.planned_amount
            spent += line.spent
    recognitions = list(
        platform.recognitions.select_related("decision__round").order_by("-valid_from")
    )
    decisions = list(
        Decision.objects.filter(
            application__platform=platform,
            status=Decision.Status.PUBLISHED,
            published_at__year__lte=year,
        )
        .select_related("round")
        .prefetch_related("criterion_motivations__criterion")
        .order_by("-published_at")
    )
    return {
        "platform": platform,
        "year": year,
        "buurten": list(platform.buurten.order_by("code")),
        "activities": activities,
        "participants": sum(a.participants or 0 for a in activities),
        "budgets": budgets,
        "categories": sorted(by_category.items()),
        "planned": planned,
        "spent": spent,
        "granted": granted,
        "remaining": granted - spent,
        "difference": planned - spent,
        "recognitions": recognitions,
        "decisions": decisions,
    }


def criterion_means(decision_ids=None, round_obj=None) -> dict[tuple[int, int], Decimal]:
    """Mean submitted score per (application id, criterion id)."""
    qs = Score.objects.filter(scoresheet__status="submitted", value__isnull=False)
    if round_obj is not None:
        qs = qs.filter(scoresheet__application__round=round_obj)
    rows = qs.values("scoresheet__application_id", "criterion_id").annotate(
        total=Sum("value", output_field=IntegerField()), n=Count("id")
    )
    return {
        (r["scoresheet__application_id"], r["criterion_id"]): (
            Decimal(r["total"]) / r["n"]
        ).quantize(Decimal("0.1"))
        for r in rows
    }


def round_decision(round_obj: Round) -> dict:
    """Per area: applicants, per-criterion mean scores, decisions, motivations, amounts."""
    criteria = list(round_obj.criteria_version.criteria.order_by("number"))
    decisions = list(
        Decision.objects.filter(round=round_obj, status=Decision.Status.PUBLISHED)
        .select_related("application__platform")
        .prefetch_related("criterion_motivations__criterion", "application__buurten")
        .order_by("area_key", "application__platform__name", "published_at")
    )
    means = criterion_means(round_obj=round_obj)
    areas: dict[str, list] = defaultdict(list)
    for d in decisions:
        d.score_rows = [
            (c, means.get((d.application_id, c.pk)), _motivation_for(d, c)) for c in criteria
        ]
        areas[d.area_key or d.application.area_name].append(d)
    granted = sum((d.granted_amount for d in decisions), ZERO)
    # area_key is the competition group; show the applicants' own name(s) for the area.
    labelled = [
        (" / ".join(sorted({d.application.area_name for d in group})), group)
        for _key, group in sorted(areas.items())
    ]
    return {
        "round": round_obj,
        "criteria": criteria,
        "areas": labelled,
        "granted": granted,
        "decision_count": len(decisions),
    }


def _motivation_for(decision, criterion) -> str:
    for m in decision.criterion_motivations.all():
        if m.criterion_id == criterion.pk:
            return m.text
    return ""


def public_transactions():
    """Ledger entries for transactions.csv, with private payees never named."""
    entries = (
        Entry.objects.select_related(
            "transaction__budget__platform", "transaction__claim", "account"
        )
        .order_by("transaction_id", "id")
        .iterator(chunk_size=2000)
    )
    for e in entries:
        t = e.transaction
        description = t.description
        account = e.account.name
        claim = t.claim
        if claim is not None and not claim.payee_is_organisation and claim.payee_name:
            description = _scrub(description, claim.payee_name)
            account = _scrub(account, claim.payee_name)
        yield {
            "transaction_id": t.pk,
            "date": t.value_date.isoformat(),
            "platform": t.budget.platform.name,
            "account": account,
            "debit": f"{e.amount:.2f}" if e.side == Entry.Side.DEBIT else "",
            "credit": f"{e.amount:.2f}" if e.side == Entry.Side.CREDIT else "",
            "description": description,
        }


def private_payees() -> dict[int, list[str]]:
    """Transaction id -> names of private (non-organisation) payees on its claim (one query)."""
    result: dict[int, list[str]] = defaultdict(list)
    rows = Transaction.objects.filter(
        claim__isnull=False, claim__payee_is_organisation=False
    ).values_list("id", "claim__payee_name")
    for tx_id, name in rows:
        if name and name.strip():
            result[tx_id].append(name)
    return result


def scrub_row(row: dict, private: dict[int, list[str]]) -> dict:
    for name in private.get(row["transaction_id"], ()):
        row["description"] = _scrub(row["description"], name)
        row["account"] = _scrub(row["account"], name)
    return row


def _scrub(text: str, name: str) -> str:
    import re

    return re.sub(re.escape(name.strip()), "particulier", text, flags=re.IGNORECASE)


# --- data fingerprints: a report is outdated when its fingerprint changes ----------------


def fingerprint_platform_year(slug: str, year: int) -> str:
    budgets = Budget.objects.filter(platform=OuterRef("pk"), year=year)
    row = (
        Platform.objects.filter(slug=slug)
        .annotate(
            act=Subquery(
                Activity.objects.filter(platform=OuterRef("pk"), start_date__year=year)
                .order_by()
                .values("platform")
                .annotate(m=Max("updated_at"), n=Count("id"))
                .values("m")[:1]
            ),
            act_n=Subquery(
                Activity.objects.filter(platform=OuterRef("pk"), start_date__year=year)
                .order_by()
                .values("platform")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            tx=Subquery(
                Transaction.objects.filter(budget__in=budgets)
                .order_by()
                .values("budget__platform")
                .annotate(m=Max("id"))
                .values("m")[:1]
            ),
            bud=Subquery(
                budgets.order_by().values("platform").annotate(m=Max("id")).values("m")[:1]
            ),
            dec=Subquery(
                Decision.objects.filter(
                    application__platform=OuterRef("pk"), status=Decision.Status.PUBLISHED
                )
                .order_by()
                .values("application__platform")
                .annotate(m=Max("id"))
                .values("m")[:1]
            ),
            rec=Subquery(
                Recognition.objects.filter(platform=OuterRef("pk"))
                .order_by()
                .values("platform")
                .annotate(m=Max("id"), n=Count("id", filter=Q(status="active")))
                .values("m")[:1]
            ),
        )
        .values("pk", "updated_at", "recognition_status", "act", "act_n", "tx", "bud", "dec", "rec")
        .first()
    )
    return _hash(("platform_year", slug, year, row))


def fingerprint_round_decision(slug: str) -> str:
    row = (
        Round.objects.filter(slug=slug)
        .annotate(
            dec=Max("decisions__id", filter=Q(decisions__status=Decision.Status.PUBLISHED)),
            dec_pub=Max("decisions__published_at"),
            dec_n=Count(
                "decisions", filter=Q(decisions__status=Decision.Status.PUBLISHED), distinct=True
            ),
        )
        .values("pk", "status", "published_at", "title", "dec", "dec_pub", "dec_n")
        .first()
    )
    return _hash(("round_decision", slug, row))


def fingerprint_district_year(year: int) -> str:
    budgets = Budget.objects.filter(year=year).aggregate(
        n=Count("id"), m=Max("id"), tx=Max("transactions__id")
    )
    rounds = Round.objects.filter(budget_year=year, status=Round.Status.PUBLISHED).aggregate(
        n=Count("id"),
        total=Sum("total_budget"),
        pub=Max("published_at"),
        m=Max("id"),
    )
    names = Platform.objects.aggregate(m=Max("updated_at"))
    return _hash(("district_year", year, budgets, rounds, names))


def _hash(value) -> str:
    import hashlib

    return hashlib.sha256(repr(value).encode()).hexdigest()
