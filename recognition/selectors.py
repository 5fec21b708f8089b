"""The read side of recognition: every figure and fact that pages, PDFs, exports and e-mails show.

Deadlines, competition groups, conflicts, which score sheets count, the per-criterion statistics
and their rounding, which evidence is public, the published record of a round and a platform's
recognition status are
computed here once; views, services, reports and open data call these functions and only
format what they return. Nothing here writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import COMMISSION as COMMISSION_GROUP
from areas.models import Buurt
from platforms.models import Platform
from platforms.selectors import member_ids_by_platform
from recognition.models import (
    Application,
    ApplicationRevision,
    ConflictDeclaration,
    Criterion,
    Decision,
    EvidenceFile,
    Objection,
    Recognition,
    Round,
    Score,
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
    """Scores are accepted from the application deadline until the assessment deadline (to the
    second), while the round is in assessment: on every path (form, forged POST, task)."""
    moment = now()
    return (
        rnd.status == RS.ASSESSMENT and rnd.application_deadline <= moment < rnd.assessment_deadline
    )


def declarations_open(rnd: Round) -> bool:
    """Conflicts are declared while the round is open or in assessment, until its deadline."""
    return rnd.status in (RS.OPEN, RS.ASSESSMENT) and now() < rnd.assessment_deadline


def assessment_deadline_passed(rnd: Round) -> bool:
    return now() >= rnd.assessment_deadline


def outstanding_scores(rnd: Round) -> dict[int, list[Application]]:
    """Commission member id -> the applications of the round they may score but have not yet
    submitted (conflicted members are left out of a group): for the board and the reminders."""
    from accounts.models import User

    apps = list(
        rnd.applications.filter(status=AS.SUBMITTED).select_related("platform").order_by("pk")
    )
    for app in apps:
        app.round = rnd
    remember_conflicts(apps)
    submitted = set(
        Scoresheet.objects.filter(
            application__in=apps, status=Scoresheet.Status.SUBMITTED
        ).values_list("application_id", "member_id")
    )
    result: dict[int, list[Application]] = {}
    for member in User.objects.filter(groups__name=COMMISSION_GROUP, is_active=True):
        todo = [
            a
            for a in apps
            if member.pk not in conflicted_member_ids(a) and (a.pk, member.pk) not in submitted
        ]
        if todo:
            result[member.pk] = todo
    return result


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


def buurten_without_outline() -> Prefetch:
    """An application's buurten without their outline (a polygon as JSON: parsing hundreds of
    them cost more than the rest of a round's page, and no round page draws a map)."""
    return Prefetch("buurten", queryset=Buurt.objects.defer("geometry"))


def _connected(order: list[int], buurten_of: dict[int, list[int]]) -> list[list[int]]:
    """Application pks in groups that share a buurt (connected components), each group in
    ``order`` and the groups by their first member's place in it."""
    parent = {pk: pk for pk in order}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_buurt: dict[int, int] = {}
    for pk in order:
        for buurt_id in buurten_of.get(pk, []):
            if buurt_id in by_buurt:
                parent[find(pk)] = find(by_buurt[buurt_id])
            else:
                by_buurt[buurt_id] = pk
    groups: dict[int, list[int]] = {}
    for pk in order:
        groups.setdefault(find(pk), []).append(pk)
    return list(groups.values())


def competition_groups(
    rnd: Round, *, statuses: Collection[str] = ASSESSED
) -> list[list[Application]]:
    """Applications whose buurten overlap form one competition group (connected components),
    ordered by the first platform's name."""
    apps = list(
        rnd.applications.filter(status__in=statuses)
        .select_related("platform")
        .prefetch_related(buurten_without_outline())
        .order_by("platform__name", "pk")
    )
    by_pk = {a.pk: a for a in apps}
    grouped = _connected(
        [a.pk for a in apps], {a.pk: [b.pk for b in a.buurten.all()] for a in apps}
    )
    return [[by_pk[pk] for pk in group] for group in grouped]


@dataclass(frozen=True)
class GroupMember:
    """What the index of a paged decision page needs of an application (no model loaded)."""

    pk: int
    area_name: str
    platform_name: str
    platform_id: int


def competition_outline(
    rnd: Round, *, statuses: Collection[str] = ASSESSED
) -> list[list[GroupMember]]:
    """``competition_groups`` as plain values, two light queries: for paging and the index of
    every group; a page then loads its own applications (``applications_in_groups``)."""
    rows = list(
        rnd.applications.filter(status__in=statuses)
        .order_by("platform__name", "pk")
        .values_list("pk", "area_name", "platform__name", "platform_id")
    )
    buurten_of: dict[int, list[int]] = {}
    link = Application.buurten.through
    for app_id, buurt_id in link.objects.filter(
        application__round=rnd, application__status__in=statuses
    ).values_list("application_id", "buurt_id"):
        buurten_of.setdefault(app_id, []).append(buurt_id)
    members = {row[0]: GroupMember(*row) for row in rows}
    return [[members[pk] for pk in group] for group in _connected(list(members), buurten_of)]


def applications_in_groups(rnd: Round, outline: list[list[GroupMember]]) -> list[list[Application]]:
    """The applications of these groups (of ``competition_outline``), with their platforms
    (not their buurten), in the same groups and order: one query."""
    by_pk = rnd.applications.select_related("platform").in_bulk(
        [m.pk for group in outline for m in group]
    )
    return [[by_pk[m.pk] for m in group if m.pk in by_pk] for group in outline]


def applicant_list(rnd: Round) -> list[dict[str, Any]]:
    """Who applied in a round (every application but drafts), by platform name, as plain
    values for the public round page: platform name and address, area, buurt codes, status.
    Two queries and no model instances (a round of 141 applications built 600 of them)."""
    applications = rnd.applications.exclude(status=Application.Status.DRAFT)
    codes: dict[int, list[str]] = {}
    for app_id, code in (
        Application.buurten.through.objects.filter(application__in=applications)
        .order_by("buurt__code")
        .values_list("application_id", "buurt__code")
    ):
        codes.setdefault(app_id, []).append(code)
    return [
        {
            "platform_name": name,
            "platform_url": reverse("platforms:platform_detail", args=[slug]),
            "area_name": area,
            "buurt_codes": codes.get(pk, []),
            "status": Application.Status(status).label,
        }
        for pk, name, slug, area, status in applications.order_by(
            "platform__name", "pk"
        ).values_list("pk", "platform__name", "platform__slug", "area_name", "status")
    ]


def area_key(group: Sequence[Application | GroupMember]) -> str:
    return "-".join(str(pk) for pk in sorted(a.pk for a in group))


def group_name(group: Sequence[Application | GroupMember]) -> str:
    return " / ".join(sorted({a.area_name for a in group}))


def group_of(application: Application) -> list[Application]:
    for group in competition_groups(application.round):
        if any(a.pk == application.pk for a in group):
            return group
    return [application]


# --- conflicts of interest (derived when read; never synced into rows) -------------------------


Groups = list[list[Application]]


def _competitors(
    applications: list[Application], groups: Groups | None = None
) -> dict[int, set[int]]:
    """Per application: the platforms competing in its group (its own included). Two light
    queries per round involved (the round's outline, as values), none when the caller already
    has the round's ``groups``."""
    result: dict[int, set[int]] = {}
    by_round: dict[int, list[Application]] = {}
    for app in applications:
        by_round.setdefault(app.round_id, []).append(app)
    for apps in by_round.values():
        rnd = apps[0].round
        group_of_app: dict[int, set[int]] = {}
        outline: Sequence[Sequence[Application | GroupMember]] = (
            groups if groups is not None else competition_outline(rnd)
        )
        for group in outline:
            platforms = {a.platform_id for a in group}
            for a in group:
                group_of_app[a.pk] = platforms
        for app in apps:
            result[app.pk] = group_of_app.get(app.pk, set()) | {app.platform_id}
    return result


def _conflicts_for(
    applications: list[Application], groups: Groups | None = None
) -> dict[int, set[int]]:
    """Per application: members who declared or were pinned a conflict, and every member of
    any platform applying in the same competition group (a rival's loss is their platform's
    gain). A constant number of queries for any number of applications of one round."""
    declared: dict[int, set[int]] = {}
    for app_id, member_id in ConflictDeclaration.objects.filter(
        application_id__in=[a.pk for a in applications], has_conflict=True
    ).values_list("application_id", "member_id"):
        declared.setdefault(app_id, set()).add(member_id)
    competitors = _competitors(applications, groups)
    members = member_ids_by_platform(set().union(*competitors.values()) if competitors else ())
    return {
        app.pk: declared.get(app.pk, set()).union(
            *(members.get(p, set()) for p in competitors[app.pk])
        )
        for app in applications
    }


def remember_conflicts(applications: list[Application], groups: Groups | None = None) -> None:
    """Work out conflicted_member_ids for many applications at once and keep it on each
    instance, for a page that checks every application of a round (the comparison); pass the
    round's competition ``groups`` when you have them."""
    found = _conflicts_for(applications, groups)
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
    """A conflict that follows from membership of a platform in the application's competition
    group (its own or a rival's): it cannot be cleared by declaring otherwise."""
    platforms = _competitors([application])[application.pk]
    members = member_ids_by_platform(platforms)
    return any(getattr(user, "pk", None) in members.get(p, set()) for p in platforms)


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


def score_tables(
    applications: list[Application], *, groups: Groups | None = None
) -> dict[int, dict]:
    """score_table for several applications of one round in a constant number of queries."""
    if not applications:
        return {}
    app_ids = [a.pk for a in applications]
    criteria = list(
        Criterion.objects.filter(version_id=applications[0].round.criteria_version_id).order_by(
            "number"
        )
    )
    excluded = _conflicts_for(applications, groups)
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
    members: dict[int, User] = {}  # one instance per member, not one per sheet
    for sheet in (
        Scoresheet.objects.filter(application_id__in=app_ids, status=Scoresheet.Status.SUBMITTED)
        .select_related("member")
        .order_by("member__name", "pk")
    ):
        sheet.member = members.setdefault(sheet.member_id, sheet.member)
        sheets.setdefault(sheet.application_id, []).append(sheet)
    # The scores as plain values (thousands of rows on the decision page of a large round:
    # model instances would cost more than the page); still one query.
    scores: dict[int, dict[int, tuple[int | None, str]]] = {}
    for sheet_id, criterion_id, value, comment in Score.objects.filter(
        scoresheet__application_id__in=app_ids,
        scoresheet__status=Scoresheet.Status.SUBMITTED,
    ).values_list("scoresheet_id", "criterion_id", "value", "comment"):
        scores.setdefault(sheet_id, {})[criterion_id] = (value, comment)
    tables = {}
    for app in applications:
        counting = [s for s in sheets.get(app.pk, []) if s.member_id not in excluded[app.pk]]
        tables[app.pk] = _table(app, criteria, counting, recusals.get(app.pk, []), scores)
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
    scores: dict[int, dict[int, tuple[int | None, str]]],
) -> dict:
    rows: list[CriterionRow] = []
    by_sheet = [scores.get(sheet.pk, {}) for sheet in sheets]
    missing: tuple[int | None, str] = (None, "")
    for criterion in criteria:
        member_scores: list[MemberScore] = []
        for sheet, sheet_scores in zip(sheets, by_sheet, strict=True):
            value, comment = sheet_scores.get(criterion.pk, missing)
            member_scores.append({"member": sheet.member, "value": value, "comment": comment})
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


# --- evidence: private unless consented and judged ---------------------------------------------

DECIDED = (AS.GRANTED, AS.NOT_GRANTED)


def judged_file_ids(application_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per application: the evidence files of its judged revision, the last one submitted
    (scoring starts after the deadline, when no new revision can be made). A file uploaded
    after that submission is in no judged revision. One query for any number of applications."""
    latest: dict[int, ApplicationRevision] = {}
    for rev in ApplicationRevision.objects.filter(application_id__in=list(application_ids)).only(
        "application_id", "number", "snapshot"
    ):
        if rev.application_id not in latest or rev.number > latest[rev.application_id].number:
            latest[rev.application_id] = rev
    return {
        app_id: {f["id"] for f in rev.snapshot.get("files", [])} for app_id, rev in latest.items()
    }


def _public_files(files: Iterable[EvidenceFile]) -> list[EvidenceFile]:
    """THE rule for public evidence: the round is published, the application decided, the file
    marked publishable by the applicant and part of the judged revision. Nothing else is ever
    public. Each file needs its application and round loaded."""
    candidates = [
        f
        for f in files
        if f.publishable
        and f.application.round.status == RS.PUBLISHED
        and f.application.status in DECIDED
    ]
    if not candidates:
        return []
    judged = judged_file_ids({f.application_id for f in candidates})
    return [f for f in candidates if f.pk in judged.get(f.application_id, set())]


def is_public_evidence(file: EvidenceFile) -> bool:
    """May anyone download this file (through its public_id address)?"""
    return bool(_public_files([file]))


def public_evidence(application: Application) -> list[EvidenceFile]:
    """The application's public evidence files, by name."""
    return public_evidence_of_round(application.round, [application.pk]).get(application.pk, [])


def public_evidence_of_round(
    rnd: Round, application_ids: Collection[int] | None = None
) -> dict[int, list[EvidenceFile]]:
    """Per application of the round: its public evidence files, by name (two queries)."""
    files = EvidenceFile.objects.filter(application__round=rnd, publishable=True).select_related(
        "application__round"
    )
    if application_ids is not None:
        files = files.filter(application_id__in=list(application_ids))
    found: dict[int, list[EvidenceFile]] = {}
    for f in _public_files(files.order_by("original_name", "pk")):
        found.setdefault(f.application_id, []).append(f)
    return found


def evidence_publicity(
    application: Application, files: Iterable[EvidenceFile]
) -> list[tuple[EvidenceFile, bool]]:
    """For the applicant's page: each file with whether it is, or will be once the application
    is decided as it stands, public with the decision. A draft's files all go into its first
    revision; a file added after submission is not public unless the application is submitted
    again. Once the round is published this is exactly is_public_evidence."""
    files = list(files)
    if application.round.status == RS.PUBLISHED:
        public = {f.pk for f in public_evidence(application)}
        return [(f, f.pk in public) for f in files]
    if application.status == AS.WITHDRAWN:
        return [(f, False) for f in files]
    if application.status == AS.DRAFT:
        judged = {f.pk for f in files}
    else:
        judged = judged_file_ids([application.pk]).get(application.pk, set())
    return [(f, f.publishable and f.pk in judged) for f in files]


# --- the published record of a round -----------------------------------------------------------


@dataclass
class PublishedEntry:
    application: Application
    decisions: list[Decision]
    table: dict
    public_files: list[EvidenceFile] = field(default_factory=list)

    @property
    def recusals(self) -> list[Recusal]:
        return self.table["recusals"]


@dataclass
class PublishedGroup:
    name: str
    key: str
    entries: list[PublishedEntry]


_Member = TypeVar("_Member", Application, GroupMember)


def group_pages(groups: list[list[_Member]], per_page: int) -> list[list[list[_Member]]]:
    """Competition groups in order on pages of at most ``per_page`` applications each (the
    decision page and the comparison of a large round); a group is never split, one larger
    than that is a page of its own."""
    pages: list[list[list[_Member]]] = []
    size = per_page  # start a new page at the first group
    for group in groups:
        if size + len(group) > per_page:
            pages.append([])
            size = 0
        pages[-1].append(group)
        size += len(group)
    return pages


def published_record(
    rnd: Round, groups: list[list[Application]] | None = None
) -> list[PublishedGroup]:
    """The round's published decisions per competition group, with the score statistics of
    the sheets that count and the public evidence files: the decision page, the decision PDF
    and decisions.csv use this. ``groups`` (some of ``competition_groups(rnd)``, for a page
    of the decision page) limits the record to those groups; by default: all of them."""
    if groups is None:
        groups = competition_groups(rnd)
    app_ids = [a.pk for group in groups for a in group]
    decisions: dict[int, list[Decision]] = {}
    for d in (
        Decision.objects.filter(
            round=rnd, status=Decision.Status.PUBLISHED, application_id__in=app_ids
        )
        .select_related(
            "supersedes", "superseded_by", "application__platform", "round", "recognition"
        )
        .prefetch_related("criterion_motivations__criterion", "objections")
        .order_by("decided_at", "pk")
    ):
        # Until when the applicant can still object: the right stated with each decision.
        d.objection_open_until = objection_open_until(d)  # type: ignore[attr-defined]
        decisions.setdefault(d.application_id, []).append(d)
    tables = score_tables([a for group in groups for a in group], groups=groups)
    files = public_evidence_of_round(rnd, app_ids)
    record = []
    for group in groups:
        entries = [
            PublishedEntry(app, decisions.get(app.pk, []), tables[app.pk], files.get(app.pk, []))
            for app in group
        ]
        record.append(
            PublishedGroup(
                name=group_name(group),
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


@dataclass(frozen=True)
class RecordVersion:
    decisions: int
    updated_at: datetime.datetime | None


def record_version(record: list[PublishedGroup]) -> RecordVersion:
    """Which version of a round's published record this is: the number of published decisions
    and its last change (a decision published or an objection decided). No queries."""
    count = 0
    moments: list[datetime.datetime] = []
    for group in record:
        for entry in group.entries:
            for d in entry.decisions:
                count += 1
                moments.extend(m for m in [d.published_at] if m is not None)
                moments.extend(o.answered_at for o in d.objections.all() if o.answered_at)
    return RecordVersion(decisions=count, updated_at=max(moments, default=None))


# --- objections ---------------------------------------------------------------------------------


def is_superseded(decision: Decision) -> bool:
    """Replaced by a later decision (no query when superseded_by was select_related)."""
    try:
        return decision.superseded_by is not None
    except ObjectDoesNotExist:
        return False


def objection_block(decision: Decision) -> str | None:
    """Why nobody can object to this decision now, as a code; None: the applicant still can,
    until objection_deadline. The one rule behind the button, the form, lodge_objection and the
    right to object stated on the decision page and in its PDF. Codes: "unpublished", "final"
    (a decision on an objection: appeal goes to the court), "superseded", "pending" (an
    objection is being handled), "decided" (one objection per decision), "expired"."""
    if decision.status != Decision.Status.PUBLISHED:
        return "unpublished"
    if decision.kind == Decision.Kind.OBJECTION:
        return "final"
    if is_superseded(decision):
        return "superseded"
    objections = list(decision.objections.all())
    if any(o.status == Objection.Status.OPEN for o in objections):
        return "pending"
    if objections:
        return "decided"
    deadline = objection_deadline(decision)
    if deadline is None or now() > deadline:
        return "expired"
    return None


def objection_open_until(decision: Decision) -> datetime.datetime | None:
    """The objection deadline of a decision that can still be objected to, else None."""
    return objection_deadline(decision) if objection_block(decision) is None else None


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


# --- preparing the meeting: a competition group's dossier ---------------------------------------


def group_dossier(group: list[Application], tables: dict[int, dict]) -> dict:
    """What the commission compares for one competition group, per criterion and applicant:
    the score statistics (from ``tables``, the sheets that count), the statement, the linked
    activities (with partner confirmations), files and links of the judged revision, and per
    applicant its endorsements (verified against self-declared). Disagreements (spread of 2 or
    more) are the agenda points. The comparison page and the meeting pack both use this."""
    return group_dossiers([group], tables)[0]


def group_dossiers(groups: list[list[Application]], tables: dict[int, dict]) -> list[dict]:
    """group_dossier for several groups of one round in a constant number of queries (the
    comparison page of a large round shows every group at once)."""
    from platforms.selectors import activities_with_confirmations, endorsement_summaries

    apps = [a for group in groups for a in group]
    latest: dict[int, ApplicationRevision] = {}
    for rev in ApplicationRevision.objects.filter(application_id__in=[a.pk for a in apps]).only(
        "application_id", "number", "snapshot"
    ):
        if rev.application_id not in latest or rev.number > latest[rev.application_id].number:
            latest[rev.application_id] = rev
    snapshots = {a.pk: latest[a.pk].snapshot if a.pk in latest else {} for a in apps}
    activity_ids = {
        a["id"]
        for snap in snapshots.values()
        for st in snap.get("statements", [])
        for a in st.get("activities", [])
    }
    activities = activities_with_confirmations(activity_ids)
    endorsements = endorsement_summaries({a.platform_id for a in apps})
    return [_dossier(g, tables, snapshots, activities, endorsements) for g in groups]


def _dossier(
    group: list[Application],
    tables: dict[int, dict],
    snapshots: dict[int, dict],
    activities: dict,
    endorsements: dict,
) -> dict:
    criteria = [row["criterion"] for row in tables[group[0].pk]["rows"]] if group else []
    rows = []
    agenda = []
    for i, criterion in enumerate(criteria):
        cells = []
        for app in group:
            stats = tables[app.pk]["rows"][i]
            statement: dict[str, Any] = next(
                (
                    st
                    for st in snapshots[app.pk].get("statements", [])
                    if st.get("criterion") == criterion.key
                ),
                {},
            )
            cells.append(
                {
                    "application": app,
                    "stats": stats,
                    "statement": statement.get("statement", ""),
                    "links": statement.get("links", []),
                    "activities": [
                        activities[a["id"]]
                        for a in statement.get("activities", [])
                        if a["id"] in activities
                    ],
                    "files": [
                        f
                        for f in snapshots[app.pk].get("files", [])
                        if f.get("criterion") == criterion.key
                    ],
                }
            )
            if stats["discuss"]:
                agenda.append(
                    {"application": app, "criterion": criterion, "spread": stats["spread"]}
                )
        rows.append({"criterion": criterion, "cells": cells})
    support = []
    for app in group:
        summary = endorsements[app.platform_id]
        support.append({"application": app, **summary})
    return {
        "applications": group,
        "tables": [tables[a.pk] for a in group],
        "rows": rows,
        "agenda": agenda,
        "support": support,
        "name": " / ".join(sorted({a.area_name for a in group})),
    }
