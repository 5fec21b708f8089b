"""Blind scoring and the comparison of competing applications per area."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import is_commission
from audit.services import record
from platforms.models import Membership
from recognition.models import (
    Application,
    ConflictDeclaration,
    Criterion,
    Round,
    Score,
    Scoresheet,
)
from recognition.services.common import AS, COMMISSION, _now
from recognition.services.conflicts import conflicted_member_ids, declaration_for
from recognition.services.rounds import scoring_open

# --- blind scoring ----------------------------------------------------------------------------


def _require_may_score(application: Application, member) -> None:
    if not is_commission(member):
        raise ValidationError(_("Alleen commissieleden beoordelen."))
    if not scoring_open(application.round):
        raise ValidationError(_("Beoordelen kan pas na de deadline, tijdens de beoordeling."))
    if application.status != AS.SUBMITTED:
        raise ValidationError(_("Deze aanvraag wordt niet beoordeeld."))
    decl = declaration_for(member, application)
    if decl is None:
        raise ValidationError(_("Verklaar eerst of u een belang heeft."))
    if decl.has_conflict or member.pk in conflicted_member_ids(application):
        raise ValidationError(_("U heeft een belang bij deze aanvraag en beoordeelt haar niet."))


@transaction.atomic
def save_scores(*, application: Application, member, scores: dict[int, tuple[int | None, str]]):
    """Save (draft) scores: {criterion_id: (value 0-4 or None, comment)}."""
    _require_may_score(application, member)
    revision = application.current_revision
    sheet, _c = Scoresheet.objects.select_for_update().get_or_create(
        application=application, member=member, defaults={"revision": revision}
    )
    if sheet.status == Scoresheet.Status.SUBMITTED:
        raise ValidationError(_("Uw beoordeling is ingediend en kan niet meer worden gewijzigd."))
    sheet.revision = revision
    sheet.save(update_fields=["revision"])
    criteria = {c.pk: c for c in application.round.criteria_version.criteria.all()}
    changes = {}
    for criterion_id, (value, comment) in scores.items():
        if criterion_id not in criteria:
            raise ValidationError(_("Onbekend criterium."))
        if value is not None and not 0 <= int(value) <= 4:
            raise ValidationError(_("Een score ligt tussen 0 en 4."))
        score, _c2 = Score.objects.get_or_create(scoresheet=sheet, criterion_id=criterion_id)
        if score.value != value or score.comment != comment:
            changes[criteria[criterion_id].key] = {"from": score.value, "to": value}
            score.value = value
            score.comment = comment
            score.save()
    record(
        actor=member,
        action="recognition.score.saved",
        obj=sheet,
        data={"application": application.pk, "changes": changes},
    )
    return sheet


@transaction.atomic
def submit_scoresheet(*, application: Application, member) -> Scoresheet:
    """Lock the member's scores; from now on they see the others' scores."""
    _require_may_score(application, member)
    sheet = (
        Scoresheet.objects.select_for_update()
        .filter(application=application, member=member)
        .first()
    )
    if sheet is None:
        raise ValidationError(_("Vul eerst uw scores in."))
    if sheet.status == Scoresheet.Status.SUBMITTED:
        raise ValidationError(_("Uw beoordeling is al ingediend."))
    filled = {s.criterion_id for s in sheet.scores.all() if s.value is not None}
    missing = [c for c in application.round.criteria_version.criteria.all() if c.pk not in filled]
    if missing:
        raise ValidationError(
            [
                _("Score ontbreekt voor criterium %(n)s (%(t)s).") % {"n": c.number, "t": c.title}
                for c in missing
            ]
        )
    sheet.status = Scoresheet.Status.SUBMITTED
    sheet.submitted_at = _now()
    sheet.save(update_fields=["status", "submitted_at"])
    record(
        actor=member,
        action="recognition.score.submitted",
        obj=sheet,
        data={"application": application.pk, "revision": sheet.revision.number},
        visibility=COMMISSION,
    )
    return sheet


def has_submitted(member, application: Application) -> bool:
    return Scoresheet.objects.filter(
        application=application, member=member, status=Scoresheet.Status.SUBMITTED
    ).exists()


def counting_sheets(application: Application):
    """Submitted scoresheets of non-conflicted members: these count for quorum and comparison."""
    excluded = conflicted_member_ids(application)
    return [
        s
        for s in application.scoresheets.filter(status=Scoresheet.Status.SUBMITTED)
        .select_related("member", "revision")
        .prefetch_related("scores")
        if s.member_id not in excluded
    ]


# --- comparison -------------------------------------------------------------------------------


def area_groups(rnd: Round, *, statuses=None) -> list[list[Application]]:
    """Applications whose buurten overlap form one competing group (connected components)."""
    statuses = statuses or [AS.SUBMITTED, AS.GRANTED, AS.NOT_GRANTED]
    apps = list(
        rnd.applications.filter(status__in=statuses)
        .select_related("platform")
        .prefetch_related("buurten")
        .order_by("platform__name")
    )
    parent = {a.pk: a.pk for a in apps}

    def find(x):
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
    for group in area_groups(application.round):
        if any(a.pk == application.pk for a in group):
            return group
    return [application]


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    return float(s[n // 2]) if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def score_table(application: Application) -> dict:
    """Per criterion: each counting member's score, median, mean, spread and a discuss flag."""
    return score_tables([application])[application.pk]


def score_tables(applications: list[Application]) -> dict[int, dict]:
    """score_table for several applications of one round in a constant number of queries."""
    if not applications:
        return {}
    app_ids = [a.pk for a in applications]
    criteria = list(Criterion.objects.filter(version_id=applications[0].round.criteria_version_id))
    conflicts: dict[int, list[ConflictDeclaration]] = {}
    for decl in ConflictDeclaration.objects.filter(
        application_id__in=app_ids, has_conflict=True
    ).select_related("member"):
        conflicts.setdefault(decl.application_id, []).append(decl)
    members: dict[int, set[int]] = {}
    for platform_id, user_id in Membership.objects.filter(
        platform_id__in=[a.platform_id for a in applications]
    ).values_list("platform_id", "user_id"):
        members.setdefault(platform_id, set()).add(user_id)
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
        excluded = {d.member_id for d in conflicts.get(app.pk, [])} | members.get(
            app.platform_id, set()
        )
        counting = [s for s in sheets.get(app.pk, []) if s.member_id not in excluded]
        tables[app.pk] = _table(app, criteria, counting, conflicts.get(app.pk, []))
    return tables


def _table(app: Application, criteria, sheets, recusals) -> dict:
    rows = []
    total_median = 0.0
    total_mean = 0.0
    by_sheet = [{sc.criterion_id: sc for sc in sheet.scores.all()} for sheet in sheets]
    for criterion in criteria:
        member_scores = []
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
        median = _median(values)
        mean = round(sum(values) / len(values), 2) if values else None
        spread = (max(values) - min(values)) if values else None
        total_median += median or 0
        total_mean += mean or 0
        rows.append(
            {
                "criterion": criterion,
                "scores": member_scores,
                "median": median,
                "mean": mean,
                "spread": spread,
                "discuss": spread is not None and spread >= 2,
            }
        )
    return {
        "application": app,
        "members": [s.member for s in sheets],
        "rows": rows,
        "total_median": total_median,
        "total_mean": round(total_mean, 2),
        "count": len(sheets),
        "recusals": recusals,
    }
