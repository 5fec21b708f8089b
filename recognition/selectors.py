"""The read side of recognition: every figure and fact that pages, PDFs, exports and e-mails show.

Deadlines, competition groups, conflicts, which score sheets count, the per-criterion statistics
and their rounding, the published record of a round and a platform's recognition status are
computed here once; views, services, reports and open data call these functions and only
format what they return. Nothing here writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from django.utils import timezone

from accounts.models import User
from accounts.roles import COMMISSION as COMMISSION_GROUP
from platforms.models import Platform
from platforms.selectors import member_ids_by_platform
from recognition.models import (
    Application,
    ConflictDeclaration,
    Criterion,
    Decision,
    Recognition,
    Round,
    Scoresheet,
)

RS = Round.Status
AS = Application.Status
ASSESSED = (AS.SUBMITTED, AS.GRANTED, AS.NOT_GRANTED)
ONE_DECIMAL = Decimal("0.1")


def now() -> datetime.datetime:
    return timezone.now()


# --- deadlines ----------------------------------------------------------------------------------


def is_before_deadline(rnd: Round) -> bool:
    return now() < rnd.application_deadline


def scoring_open(rnd: Round) -> bool:
    return rnd.status == RS.ASSESSMENT and now() >= rnd.application_deadline


def undecided_applications(rnd: Round) -> list[Application]:
    apps = rnd.applications.filter(status=AS.SUBMITTED).select_related("platform")
    decided = set(
        Decision.objects.filter(round=rnd, kind=Decision.Kind.ROUND).values_list(
            "application_id", flat=True
        )
    )
    return [a for a in apps if a.pk not in decided]


def objection_deadline(decision: Decision) -> datetime.datetime | None:
    if decision.published_at is None:
        return None
    return decision.published_at + datetime.timedelta(weeks=decision.round.objection_weeks)


def latest_in_chain(decision: Decision) -> Decision:
    while True:
        nxt = Decision.objects.filter(supersedes=decision).first()
        if nxt is None:
            return decision
        decision = nxt


# --- competition groups -------------------------------------------------------------------------


def competition_groups(
    rnd: Round, *, statuses: Collection[str] = ASSESSED
) -> list[list[Application]]:
    """Applications whose buurten overlap form one competition group (connected components)."""
    apps = list(
        rnd.applications.filter(status__in=statuses)
        .select_related("platform")
        .prefetch_related("buurten")
        .order_by("platform__name")
    )
    parent = {a.pk: a.pk for a in apps}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_buurt: dict[int, int] = {}
    for a in apps:
        for b in a.buurten.all():
            if b.pk in by_buurt:
                parent[find(a.pk)] = find(by_buurt[b.pk])
            else:
                by_buurt[b.pk] = a.pk
    groups: dict[int, list[Application]] = {}
    for a in apps:
        groups.setdefault(find(a.pk), []).append(a)
    return sorted(groups.values(), key=lambda g: g[0].platform.name)


def area_key(group: list[Application]) -> str:
    return "-".join(str(pk) for pk in sorted(a.pk for a in group))


def group_of(application: Application) -> list[Application]:
    for group in competition_groups(application.round):
        if any(a.pk == application.pk for a in group):
            return group
    return [application]


# --- conflicts of interest (derived when read; never synced into rows) -------------------------


def _conflicts_for(applications: list[Application]) -> dict[int, set[int]]:
    """Per application: members who declared or were pinned a conflict, and every member of
    the applying platform. Two queries for any number of applications."""
    declared: dict[int, set[int]] = {}
    for app_id, member_id in ConflictDeclaration.objects.filter(
        application_id__in=[a.pk for a in applications], has_conflict=True
    ).values_list("application_id", "member_id"):
        declared.setdefault(app_id, set()).add(member_id)
    members = member_ids_by_platform({a.platform_id for a in applications})
    return {
        app.pk: declared.get(app.pk, set()) | members.get(app.platform_id, set())
        for app in applications
    }


def remember_conflicts(applications: list[Application]) -> None:
    """Work out conflicted_member_ids for many applications at once and keep it on each
    instance, for a page that checks every application of a round (the comparison)."""
    found = _conflicts_for(applications)
    for app in applications:
        app._conflicted_member_ids = found[app.pk]  # type: ignore[attr-defined]


def conflicted_member_ids(application: Application) -> set[int]:
    remembered = getattr(application, "_conflicted_member_ids", None)
    if remembered is not None:
        return set(remembered)
    return _conflicts_for([application])[application.pk]


def is_conflicted(user: User | Any, application: Application) -> bool:
    """The one conflict predicate: views, services and exports all ask this."""
    return getattr(user, "pk", None) in conflicted_member_ids(application)


def has_membership_conflict(user: User | Any, application: Application) -> bool:
    """A conflict that follows from membership of the applying platform (cannot be cleared)."""
    return getattr(user, "pk", None) in member_ids_by_platform({application.platform_id}).get(
        application.platform_id, set()
    )


def declaration_for(user: User | Any, application: Application) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(application=application, member=user).first()


# --- score sheets and statistics ----------------------------------------------------------------


@dataclass(frozen=True)
class Recusal:
    member: User


def mean_of(values: list[int]) -> Decimal | None:
    """The one rounding rule for means: half up to one decimal (3,66 → 3,7; 2,25 → 2,3)."""
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def median_of(values: list[int]) -> Decimal | None:
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    middle = Decimal(s[n // 2]) if n % 2 else Decimal(s[n // 2 - 1] + s[n // 2]) / 2
    return middle.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def has_submitted(member: User | Any, application: Application) -> bool:
    return Scoresheet.objects.filter(
        application=application, member=member, status=Scoresheet.Status.SUBMITTED
    ).exists()


def counting_sheets(application: Application) -> list[Scoresheet]:
    """Submitted score sheets of non-conflicted members: these count for quorum, comparison,
    the decision page, its PDF and the open data."""
    excluded = conflicted_member_ids(application)
    return [
        s
        for s in application.scoresheets.filter(status=Scoresheet.Status.SUBMITTED)
        .select_related("member", "revision")
        .prefetch_related("scores")
        if s.member_id not in excluded
    ]


def score_table(application: Application) -> dict:
    """Per criterion: each counting member's score, median, mean, spread and a discuss flag."""
    return score_tables([application])[application.pk]


def score_tables(applications: list[Application]) -> dict[int, dict]:
    """score_table for several applications of one round in a constant number of queries."""
    if not applications:
        return {}
    app_ids = [a.pk for a in applications]
    criteria = list(
        Criterion.objects.filter(version_id=applications[0].round.criteria_version_id).order_by(
            "number"
        )
    )
    excluded = _conflicts_for(applications)
    # Recusals shown with the scores: commission members with a conflict (declared, pinned or
    # following from membership), whether or not they had scored.
    commission = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=set().union(*excluded.values()), groups__name=COMMISSION_GROUP
        ).order_by("name")
    }
    recusals = {
        app.pk: [Recusal(member=u) for pk, u in commission.items() if pk in excluded[app.pk]]
        for app in applications
    }
    sheets: dict[int, list[Scoresheet]] = {}
    for sheet in (
        Scoresheet.objects.filter(application_id__in=app_ids, status=Scoresheet.Status.SUBMITTED)
        .select_related("member")
        .prefetch_related("scores")
        .order_by("member__name", "pk")
    ):
        sheets.setdefault(sheet.application_id, []).append(sheet)
    tables = {}
    for app in applications:
        counting = [s for s in sheets.get(app.pk, []) if s.member_id not in excluded[app.pk]]
        tables[app.pk] = _table(app, criteria, counting, recusals.get(app.pk, []))
    return tables


class MemberScore(TypedDict):
    member: User
    value: int | None
    comment: str


class CriterionRow(TypedDict):
    criterion: Criterion
    scores: list[MemberScore]
    median: Decimal | None
    mean: Decimal | None
    spread: int | None
    discuss: bool


def _table(
    app: Application,
    criteria: list[Criterion],
    sheets: list[Scoresheet],
    recusals: list[Recusal],
) -> dict:
    rows: list[CriterionRow] = []
    by_sheet = [{sc.criterion_id: sc for sc in sheet.scores.all()} for sheet in sheets]
    for criterion in criteria:
        member_scores: list[MemberScore] = []
        for sheet, scores in zip(sheets, by_sheet, strict=True):
            sc = scores.get(criterion.pk)
            member_scores.append(
                {
                    "member": sheet.member,
                    "value": sc.value if sc else None,
                    "comment": sc.comment if sc else "",
                }
            )
        values = [m["value"] for m in member_scores if m["value"] is not None]
        spread = (max(values) - min(values)) if values else None
        rows.append(
            {
                "criterion": criterion,
                "scores": member_scores,
                "median": median_of(values),
                "mean": mean_of(values),
                "spread": spread,
                "discuss": spread is not None and spread >= 2,
            }
        )
    # Totals add up what is shown: the sum of the rounded per-criterion figures.
    return {
        "application": app,
        "members": [s.member for s in sheets],
        "rows": rows,
        "total_median": sum((r["median"] or Decimal(0) for r in rows), Decimal(0)),
        "total_mean": sum((r["mean"] or Decimal(0) for r in rows), Decimal(0)),
        "count": len(sheets),
        "recusals": recusals,
    }


# --- the published record of a round -----------------------------------------------------------


@dataclass
class PublishedEntry:
    application: Application
    decisions: list[Decision]
    table: dict

    @property
    def recusals(self) -> list[Recusal]:
        return self.table["recusals"]


@dataclass
class PublishedGroup:
    name: str
    key: str
    entries: list[PublishedEntry]


def published_record(rnd: Round) -> list[PublishedGroup]:
    """The round's published decisions per competition group, with the score statistics of
    the sheets that count: the decision page, the decision PDF and decisions.csv use this."""
    decisions: dict[int, list[Decision]] = {}
    for d in (
        Decision.objects.filter(round=rnd, status=Decision.Status.PUBLISHED)
        .select_related(
            "supersedes", "superseded_by", "application__platform", "round", "recognition"
        )
        .prefetch_related("criterion_motivations__criterion", "objections")
        .order_by("decided_at", "pk")
    ):
        decisions.setdefault(d.application_id, []).append(d)
    groups = competition_groups(rnd)
    tables = score_tables([a for group in groups for a in group])
    record = []
    for group in groups:
        entries = [PublishedEntry(app, decisions.get(app.pk, []), tables[app.pk]) for app in group]
        record.append(
            PublishedGroup(
                name=" / ".join(sorted({a.area_name for a in group})),
                key=area_key(group),
                entries=entries,
            )
        )
    return record


def granted_total(rnd: Round) -> Decimal:
    """What the round's current (not superseded) published decisions grant."""
    total = Decimal("0.00")
    for d in Decision.objects.filter(
        round=rnd, status=Decision.Status.PUBLISHED, superseded_by__isnull=True
    ):
        total += d.granted_amount
    return total


def motivation_for(decision: Decision, criterion: Criterion) -> str:
    for m in decision.criterion_motivations.all():
        if m.criterion_id == criterion.pk:
            return m.text
    return ""


# --- recognition of a platform ------------------------------------------------------------------


def recognition_status_of(platform: Platform, *, on: datetime.date | None = None) -> str:
    """A platform's recognition status, derived from its recognitions and decisions.

    Platform.recognition_status/recognised_until hold a copy for filtering; only
    recognition.services.decisions.sync_platform_recognition writes it, from this."""
    on = on or timezone.localdate()
    rec = (
        Recognition.objects.filter(platform=platform)
        .select_related("decision")
        .order_by("-created_at", "-pk")
        .first()
    )
    status = Platform.RecognitionStatus
    if rec is None:
        return status.NOT_RECOGNISED
    if rec.status == Recognition.Status.ACTIVE:
        return status.RECOGNISED if rec.valid_until >= on else status.EXPIRED
    if rec.status == Recognition.Status.SUSPENDED:
        return status.SUSPENDED
    ended_by = (
        Decision.objects.filter(supersedes=rec.decision).values_list("outcome", flat=True).first()
    )
    if ended_by == Decision.Outcome.NOT_GRANTED:
        return status.NOT_RECOGNISED
    return status.WITHDRAWN


def recognised_until_of(platform: Platform) -> datetime.date | None:
    rec = Recognition.objects.filter(platform=platform).order_by("-created_at", "-pk").first()
    return rec.valid_until if rec is not None else None


def recognition_history(platform: Platform) -> list[Decision]:
    """Published decisions about a platform, newest first, for its recognition history."""
    return list(
        Decision.objects.filter(application__platform=platform, status=Decision.Status.PUBLISHED)
        .select_related("round", "supersedes", "recognition")
        .order_by("-published_at", "-pk")
    )
