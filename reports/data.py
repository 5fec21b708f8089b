"""What the reports, the overview pages and the open data show, composed from the read side of
each app (platforms, recognition and budgets selectors). No figure is computed here: this
module only gathers, and keeps the data fingerprints that tell when a report is outdated.
"""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum

from budgets import selectors as books
from budgets.models import Budget, PlanVersion, Transaction
from platforms import selectors as platforms
from platforms.models import Activity, Platform
from recognition import selectors as recognition
from recognition.models import Decision, Recognition, Round

district_overview = books.district_overview
years_available = books.budget_years
accounts_export_years = books.export_years
receipt_months = books.booked_claim_months


def platform_year(platform: Platform, year: int) -> dict:
    """Everything the platform year report shows (a fixed number of queries)."""
    activities = list(platforms.public_activities_of_year(platform, year))
    context = {
        "platform": platform,
        "year": year,
        "buurten": list(platform.buurten.order_by("code")),
        "activities": activities,
        "participants": sum(a.participants or 0 for a in activities),
        "recognitions": list(
            platform.recognitions.select_related("decision__round").order_by("-valid_from")
        ),
        "decisions": [
            d
            for d in recognition.recognition_history(platform)
            if d.published_at and d.published_at.year <= year
        ],
    }
    context.update(books.platform_year_budgets(platform, year))
    return context


def round_decision(round_obj: Round) -> dict:
    """The decision report: the same published record as the decision page and decisions.csv
    (recognition.selectors.published_record), laid out per competition group."""
    criteria = list(round_obj.criteria_version.criteria.order_by("number"))
    areas = []
    decisions = []
    record = recognition.published_record(round_obj)
    for group in record:
        shown = []
        for entry in group.entries:
            means = {row["criterion"].pk: row["mean"] for row in entry.table["rows"]}
            for d in entry.decisions:
                d.score_rows = [
                    (c, means.get(c.pk), recognition.motivation_for(d, c)) for c in criteria
                ]
                shown.append(d)
        if shown:
            areas.append((group.name, shown))
            decisions.extend(shown)
    return {
        "round": round_obj,
        "criteria": criteria,
        "areas": areas,
        "granted": recognition.granted_total(round_obj),
        "decision_count": len(decisions),
        "version": recognition.record_version(record),
    }


def meeting_pack(round_obj: Round, member) -> dict:
    """The commission's meeting pack for one member: the agenda and, per competition group
    the member takes part in, the statements, evidence summaries, score tables and
    disagreements (recognition.selectors.group_dossier, as on the comparison page). Groups in
    which the member has a conflict are left out entirely; score tables appear only where the
    member may see them (after submitting their own)."""
    from recognition import permissions as recognition_perms

    groups = recognition.competition_groups(round_obj)
    applications = [a for group in groups for a in group]
    for app in applications:
        app.round = round_obj
    recognition.remember_conflicts(applications, groups)
    shown, left_out = [], 0
    for group in groups:
        if any(recognition_perms.is_conflicted(member, a) for a in group):
            left_out += 1
            continue
        scores_visible = all(recognition_perms.can_see_scores(member, a) for a in group)
        shown.append((group, scores_visible))
    tables = recognition.score_tables([a for group, _v in shown for a in group], groups=groups)
    dossiers = []
    for group, scores_visible in shown:
        dossier = recognition.group_dossier(group, tables)
        dossier["scores_visible"] = scores_visible
        if not scores_visible:
            dossier["agenda"] = []
        dossiers.append(dossier)
    return {
        "round": round_obj,
        "member": member,
        "groups": dossiers,
        "agenda": [p for d in dossiers for p in d["agenda"]],
        "left_out": left_out,
    }


def fingerprint_meeting_pack(key: str) -> str:
    from recognition.models import Application, ConflictDeclaration, Scoresheet

    slug, _sep, member_id = key.rpartition("/")
    rnd = (
        Round.objects.filter(slug=slug)
        .values("pk", "status", "published_at", "assessment_deadline")
        .first()
    )
    if rnd is None:
        return _hash(("meeting_pack", key, None))
    apps = Application.objects.filter(round_id=rnd["pk"])
    return _hash(
        (
            "meeting_pack",
            key,
            rnd,
            apps.aggregate(n=Count("id"), m=Max("updated_at"), r=Max("revisions__id")),
            Scoresheet.objects.filter(application__in=apps).aggregate(
                n=Count("id", filter=Q(status="submitted")), m=Max("submitted_at")
            ),
            ConflictDeclaration.objects.filter(application__in=apps).aggregate(
                n=Count("id"), m=Max("declared_at")
            ),
            Platform.objects.filter(applications__in=apps).aggregate(m=Max("updated_at")),
        )
    )


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
            # An approved re-budgeting changes the plan lines without a booking.
            plan=Subquery(
                PlanVersion.objects.filter(budget__in=budgets, status=PlanVersion.Status.APPROVED)
                .order_by()
                .values("budget__platform")
                .annotate(m=Max("id"))
                .values("m")[:1]
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
        .values(
            "pk",
            "updated_at",
            "recognition_status",
            "act",
            "act_n",
            "tx",
            "bud",
            "plan",
            "dec",
            "rec",
        )
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
            # An objection lodged or decided changes the record without a new decision.
            obj=Max("decisions__objections__id"),
            obj_at=Max("decisions__objections__answered_at"),
        )
        .values("pk", "status", "published_at", "title", "dec", "dec_pub", "dec_n", "obj", "obj_at")
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


def fingerprint_ledger_export(key: str) -> str:
    """An accountant's export of a budget year changes with a booking or an account of that
    year, a platform's name, the organisation's name and, for the receipts, the claims and
    receipts booked."""
    from django.conf import settings

    from budgets.models import Account, ExpenseClaim, Receipt

    year_text, _sep, name = key.partition("/")
    year = int(year_text) if year_text.isdigit() else 0
    tx = Transaction.objects.filter(budget__year=year).aggregate(
        n=Count("id"), m=Max("id"), e=Max("entries__id")
    )
    parts: tuple = (
        "ledger_export",
        key,
        tx,
        Account.objects.filter(entries__transaction__budget__year=year).aggregate(
            n=Count("id", distinct=True), m=Max("id")
        ),
        Platform.objects.filter(budgets__year=year).aggregate(m=Max("updated_at")),
        settings.SEPA_DEBTOR_NAME,
        settings.SITE_NAME,
    )
    if name.startswith("bonnen"):
        claims = ExpenseClaim.objects.filter(budget__year=year)
        parts += (
            claims.aggregate(n=Count("id"), s=Count("id", filter=Q(status="paid"))),
            Receipt.objects.filter(claim__in=claims).aggregate(n=Count("id"), m=Max("id")),
        )
    return _hash(parts)


def _hash(value) -> str:
    import hashlib

    return hashlib.sha256(repr(value).encode()).hexdigest()
