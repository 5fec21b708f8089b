"""Use cases of recognition: rounds, applications, conflicts, blind scores, decisions, objections.

Every state change is guarded by a table of allowed transitions and writes the audit trail in
the same transaction.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import COMMISSION as COMMISSION_GROUP
from accounts.roles import is_admin, is_commission
from audit.models import AuditEntry
from audit.services import record
from platforms.models import Membership, Platform
from recognition.models import (
    Application,
    ApplicationRevision,
    ConflictDeclaration,
    CriteriaVersion,
    Criterion,
    CriterionMotivation,
    CriterionStatement,
    Decision,
    EvidenceFile,
    Objection,
    PlanLine,
    Recognition,
    Round,
    Score,
    Scoresheet,
)

PUBLIC = AuditEntry.Visibility.PUBLIC
COMMISSION = AuditEntry.Visibility.COMMISSION
ADMIN = AuditEntry.Visibility.ADMIN

RS = Round.Status
AS = Application.Status

# Allowed transitions; anything not listed raises.
ROUND_TRANSITIONS: dict[str, set[str]] = {
    RS.DRAFT: {RS.OPEN},
    RS.OPEN: {RS.ASSESSMENT},
    RS.ASSESSMENT: {RS.DECIDED},
    RS.DECIDED: {RS.ASSESSMENT, RS.PUBLISHED},
    RS.PUBLISHED: set(),
}
APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    AS.DRAFT: {AS.SUBMITTED, AS.WITHDRAWN},
    AS.SUBMITTED: {AS.SUBMITTED, AS.WITHDRAWN, AS.GRANTED, AS.NOT_GRANTED},
    AS.WITHDRAWN: set(),
    AS.ASSESSED: {AS.GRANTED, AS.NOT_GRANTED},
    AS.GRANTED: {AS.NOT_GRANTED},
    AS.NOT_GRANTED: {AS.GRANTED},
}


def _check_transition(table: dict[str, set[str]], current: str, target: str) -> None:
    if target not in table.get(current, set()):
        raise ValidationError(
            _("Deze stap is niet toegestaan (van %(a)s naar %(b)s).") % {"a": current, "b": target},
            code="transition",
        )


def _now() -> datetime.datetime:
    return timezone.now()


# --- criteria and rounds ----------------------------------------------------------------------


def current_criteria_version() -> CriteriaVersion:
    """The editable (unfrozen) criteria set that new rounds copy."""
    version = CriteriaVersion.objects.filter(frozen=False).order_by("-created_at", "-id").first()
    if version is None:
        version = CriteriaVersion.objects.order_by("-created_at", "-id").first()
    if version is None:
        raise ValidationError(_("Er zijn geen criteria om te gebruiken."))
    return version


def _freeze_copy(source: CriteriaVersion, name: str) -> CriteriaVersion:
    copy = CriteriaVersion.objects.create(name=name[:100], frozen=True)
    Criterion.objects.bulk_create(
        Criterion(
            version=copy,
            number=c.number,
            key=c.key,
            title_nl=c.title_nl,
            title_en=c.title_en,
            question_nl=c.question_nl,
            question_en=c.question_en,
            guidance_nl=c.guidance_nl,
            guidance_en=c.guidance_en,
            rubric=c.rubric,
        )
        for c in source.criteria.all()
    )
    return copy


@transaction.atomic
def create_round(*, by, **fields) -> Round:
    """Create a draft round with its own frozen copy of the current criteria."""
    if not is_admin(by):
        raise ValidationError(_("Alleen beheerders maken rondes aan."))
    version = _freeze_copy(current_criteria_version(), f"{fields['title']} (criteria)")
    rnd = Round(criteria_version=version, status=RS.DRAFT, **fields)
    rnd.full_clean()
    rnd.save()
    record(actor=by, action="recognition.round.created", obj=rnd, data={"slug": rnd.slug})
    return rnd


EDITABLE_ROUND_FIELDS = (
    "title",
    "description",
    "total_budget",
    "max_per_area",
    "application_deadline",
    "assessment_deadline",
    "recognition_months",
    "quorum",
    "objection_weeks",
    "publish_member_names",
    "chair",
)


@transaction.atomic
def update_round(*, round: Round, by, **fields) -> Round:
    """Change a round's settings; only while it is a draft or open (deadline may move)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.status not in (RS.DRAFT, RS.OPEN):
        raise ValidationError(
            _("Een ronde in beoordeling of later kan niet meer worden gewijzigd.")
        )
    changed = {}
    for key, value in fields.items():
        if key in EDITABLE_ROUND_FIELDS and getattr(rnd, key) != value:
            changed[key] = str(value)
            setattr(rnd, key, value)
    rnd.full_clean()
    rnd.save()
    record(actor=by, action="recognition.round.updated", obj=rnd, data=changed)
    return rnd


def _move_round(rnd: Round, target: str, by, **data) -> Round:
    _check_transition(ROUND_TRANSITIONS, rnd.status, target)
    old = rnd.status
    rnd.status = target
    rnd.save(update_fields=["status"])
    record(
        actor=by,
        action=f"recognition.round.{target}",
        obj=rnd,
        data={"from": old, "to": target, **data},
        visibility=PUBLIC,
    )
    return rnd


@transaction.atomic
def open_round(*, round: Round, by) -> Round:
    """Open a draft round for applications (deadline must lie ahead)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.application_deadline <= _now():
        raise ValidationError(_("De deadline voor aanvragen is al voorbij."))
    return _move_round(rnd, RS.OPEN, by)


@transaction.atomic
def start_assessment(*, round: Round, by) -> Round:
    """Close applications and start the commission's assessment (only after the deadline)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.status == RS.OPEN and _now() < rnd.application_deadline:
        raise ValidationError(_("De beoordeling kan pas beginnen na de deadline voor aanvragen."))
    _move_round(rnd, RS.ASSESSMENT, by)
    sync_automatic_conflicts(round=rnd)
    return rnd


@transaction.atomic
def conclude_round(*, round: Round, by) -> Round:
    """Mark the round decided once every submitted application has a pending decision."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    missing = undecided_applications(rnd)
    if missing:
        raise ValidationError(
            _("Nog geen besluit voor: %(names)s.")
            % {"names": ", ".join(a.platform.name for a in missing)}
        )
    return _move_round(rnd, RS.DECIDED, by)


@transaction.atomic
def reopen_assessment(*, round: Round, by) -> Round:
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    return _move_round(rnd, RS.ASSESSMENT, by)


def undecided_applications(rnd: Round) -> list[Application]:
    apps = rnd.applications.filter(status=AS.SUBMITTED).select_related("platform")
    decided = set(
        Decision.objects.filter(round=rnd, kind=Decision.Kind.ROUND).values_list(
            "application_id", flat=True
        )
    )
    return [a for a in apps if a.pk not in decided]


def is_before_deadline(rnd: Round) -> bool:
    return _now() < rnd.application_deadline


def scoring_open(rnd: Round) -> bool:
    return rnd.status == RS.ASSESSMENT and _now() >= rnd.application_deadline


# --- applications -----------------------------------------------------------------------------


def _require_coordinator(platform: Platform, user) -> None:
    if not Membership.objects.filter(
        platform=platform, user=user, role=Membership.Role.COORDINATOR
    ).exists():
        raise ValidationError(_("Alleen coördinatoren van het platform kunnen dit doen."))


def _require_editable(app: Application) -> None:
    if app.round.status != RS.OPEN or not is_before_deadline(app.round):
        raise ValidationError(
            _("De deadline is voorbij; de aanvraag kan niet meer worden gewijzigd.")
        )
    if app.status not in (AS.DRAFT, AS.SUBMITTED):
        raise ValidationError(_("Deze aanvraag kan niet meer worden gewijzigd."))


@transaction.atomic
def start_application(*, round: Round, platform: Platform, by) -> Application:
    """Start a draft application of a platform in an open round."""
    _require_coordinator(platform, by)
    if round.status != RS.OPEN or not is_before_deadline(round):
        raise ValidationError(_("Deze ronde is niet open voor aanvragen."))
    existing = Application.objects.filter(round=round, platform=platform).first()
    if existing:
        return existing
    app = Application.objects.create(
        round=round, platform=platform, area_name=platform.area_name, created_by=by
    )
    app.buurten.set(platform.buurten.all())
    CriterionStatement.objects.bulk_create(
        CriterionStatement(application=app, criterion=c)
        for c in round.criteria_version.criteria.all()
    )
    record(actor=by, action="recognition.application.started", obj=app)
    return app


@transaction.atomic
def update_application(
    *,
    application: Application,
    by,
    area_name: str,
    buurten,
    plan_summary: str,
    requested_amount: Decimal,
) -> Application:
    """Save the general part of a draft: area, plan summary, requested amount."""
    _require_coordinator(application.platform, by)
    _require_editable(application)
    application.area_name = area_name
    application.plan_summary = plan_summary
    application.requested_amount = requested_amount
    application.save()
    application.buurten.set(buurten)
    record(
        actor=by,
        action="recognition.application.saved",
        obj=application,
        data={"requested_amount": str(requested_amount), "buurten": [b.code for b in buurten]},
    )
    return application


@transaction.atomic
def save_statement(
    *, application: Application, criterion: Criterion, by, statement: str, links: str, activities
) -> CriterionStatement:
    """Save the platform's statement and evidence for one criterion."""
    _require_coordinator(application.platform, by)
    _require_editable(application)
    if criterion.version_id != application.round.criteria_version_id:
        raise ValidationError(_("Dit criterium hoort niet bij deze ronde."))
    if any(a.platform_id != application.platform_id for a in activities):
        raise ValidationError(_("Kies alleen activiteiten van het eigen platform."))
    stmt, _created = CriterionStatement.objects.get_or_create(
        application=application, criterion=criterion
    )
    stmt.statement = statement
    stmt.links = links
    stmt.save()
    stmt.activities.set(activities)
    record(
        actor=by,
        action="recognition.application.statement_saved",
        obj=application,
        data={"criterion": criterion.key},
    )
    return stmt


@transaction.atomic
def add_evidence_file(*, application: Application, criterion: Criterion | None, upload, by):
    """Attach a validated (clean_upload) file as evidence; stored privately."""
    _require_coordinator(application.platform, by)
    _require_editable(application)
    ev = EvidenceFile(
        application=application,
        criterion=criterion,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=by,
    )
    ev.file.save(upload.content.name, upload.content, save=False)
    ev.save()
    record(
        actor=by,
        action="recognition.application.file_added",
        obj=application,
        data={"file": ev.pk, "name": ev.original_name},
    )
    return ev


def _file_in_revision(ev: EvidenceFile) -> bool:
    for rev in ev.application.revisions.all():
        if ev.pk in {f["id"] for f in rev.snapshot.get("files", [])}:
            return True
    return False


@transaction.atomic
def remove_evidence_file(*, evidence: EvidenceFile, by) -> None:
    app = evidence.application
    _require_coordinator(app.platform, by)
    _require_editable(app)
    if _file_in_revision(evidence):
        raise ValidationError(_("Dit bestand hoort bij een ingediende versie en blijft bewaard."))
    record(
        actor=by,
        action="recognition.application.file_removed",
        obj=app,
        data={"file": evidence.pk, "name": evidence.original_name},
    )
    evidence.file.delete(save=False)
    evidence.delete()


@transaction.atomic
def add_plan_line(
    *, application: Application, by, category: str, description: str, amount: Decimal
) -> PlanLine:
    _require_coordinator(application.platform, by)
    _require_editable(application)
    line = PlanLine.objects.create(
        application=application, category=category, description=description, amount=amount
    )
    record(
        actor=by,
        action="recognition.application.planline_added",
        obj=application,
        data={"category": category, "amount": str(amount)},
    )
    return line


@transaction.atomic
def remove_plan_line(*, line: PlanLine, by) -> None:
    app = line.application
    _require_coordinator(app.platform, by)
    _require_editable(app)
    record(
        actor=by,
        action="recognition.application.planline_removed",
        obj=app,
        data={"category": line.category, "amount": str(line.amount)},
    )
    line.delete()


def missing_for_submission(application: Application) -> list[str]:
    """Exactly what is still missing before the application can be submitted."""
    missing: list[str] = []
    if not application.area_name.strip():
        missing.append(_("De naam van het gebied ontbreekt."))
    if not application.buurten.exists():
        missing.append(_("Kies minstens één buurt waarvoor jullie aanvragen."))
    statements = {s.criterion_id: s for s in application.statements.all()}
    for criterion in application.round.criteria_version.criteria.all():
        stmt = statements.get(criterion.pk)
        if stmt is None or not stmt.statement.strip():
            missing.append(
                _("Criterium %(n)s (%(t)s): de toelichting ontbreekt.")
                % {"n": criterion.number, "t": criterion.title}
            )
    if not application.plan_summary.strip():
        missing.append(_("Het plan in het kort ontbreekt."))
    lines_total = application.plan_lines.aggregate(t=Sum("amount"))["t"]
    if lines_total is None:
        missing.append(_("Voeg minstens één begrotingsregel toe."))
    if application.requested_amount <= 0:
        missing.append(_("Vul het gevraagde bedrag in."))
    elif lines_total is not None and lines_total != application.requested_amount:
        missing.append(
            _(
                "Het gevraagde bedrag (€ %(a)s) is niet gelijk aan de som van de begroting (€ %(b)s)."
            )
            % {"a": application.requested_amount, "b": lines_total}
        )
    return missing


def _snapshot(app: Application) -> dict:
    return {
        "platform": {"id": app.platform_id, "name": app.platform.name, "slug": app.platform.slug},
        "area_name": app.area_name,
        "buurten": sorted(app.buurten.values_list("code", flat=True)),
        "plan_summary": app.plan_summary,
        "requested_amount": str(app.requested_amount),
        "plan_lines": [
            {"category": p.category, "description": p.description, "amount": str(p.amount)}
            for p in app.plan_lines.all()
        ],
        "statements": [
            {
                "criterion": s.criterion.key,
                "number": s.criterion.number,
                "statement": s.statement,
                "links": [x.strip() for x in s.links.splitlines() if x.strip()],
                "activities": [
                    {"id": a.pk, "title": a.title, "date": a.start_date.isoformat()}
                    for a in s.activities.all()
                ],
            }
            for s in app.statements.select_related("criterion").prefetch_related("activities")
        ],
        "files": [
            {
                "id": f.pk,
                "criterion": f.criterion.key if f.criterion_id else None,
                "name": f.original_name,
                "size": f.size,
            }
            for f in app.files.select_related("criterion")
        ],
    }


@transaction.atomic
def submit_application(*, application: Application, by) -> ApplicationRevision:
    """Check completeness and store an immutable revision; re-submitting makes a new one."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    _require_coordinator(app.platform, by)
    _require_editable(app)
    missing = missing_for_submission(app)
    if missing:
        raise ValidationError(missing, code="incomplete")
    _check_transition(APPLICATION_TRANSITIONS, app.status, AS.SUBMITTED)
    number = (app.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = ApplicationRevision.objects.create(
        application=app, number=number, snapshot=_snapshot(app), submitted_by=by
    )
    app.status = AS.SUBMITTED
    app.submitted_at = _now()
    app.save(update_fields=["status", "submitted_at", "updated_at"])
    record(
        actor=by,
        action="recognition.application.submitted",
        obj=app,
        data={"revision": number},
        visibility=PUBLIC,
    )
    return revision


@transaction.atomic
def withdraw_application(*, application: Application, by) -> Application:
    app = Application.objects.select_for_update().get(pk=application.pk)
    _require_coordinator(app.platform, by)
    if not is_before_deadline(app.round) or app.round.status != RS.OPEN:
        raise ValidationError(_("Intrekken kan alleen tot de deadline."))
    _check_transition(APPLICATION_TRANSITIONS, app.status, AS.WITHDRAWN)
    app.status = AS.WITHDRAWN
    app.save(update_fields=["status", "updated_at"])
    record(actor=by, action="recognition.application.withdrawn", obj=app, visibility=PUBLIC)
    return app


# --- conflicts of interest --------------------------------------------------------------------


def is_member_of_applicant(user, application: Application) -> bool:
    return Membership.objects.filter(platform_id=application.platform_id, user=user).exists()


@transaction.atomic
def sync_automatic_conflicts(*, round: Round) -> int:
    """Declare a conflict for every commission member who belongs to an applying platform."""
    created = 0
    rows = Membership.objects.filter(
        platform__applications__round=round,
        platform__applications__status__in=[AS.SUBMITTED, AS.GRANTED, AS.NOT_GRANTED],
        user__groups__name=COMMISSION_GROUP,
    ).values_list("user_id", "platform_id")
    apps = {a.platform_id: a for a in round.applications.all()}
    for user_id, platform_id in rows:
        app = apps[platform_id]
        decl = ConflictDeclaration.objects.filter(application=app, member_id=user_id).first()
        if decl and decl.has_conflict and decl.auto_detected:
            continue
        if decl is None:
            decl = ConflictDeclaration(application=app, member_id=user_id)
        decl.has_conflict = True
        decl.kind = ConflictDeclaration.Kind.MEMBER
        decl.auto_detected = True
        decl.save()
        created += 1
        record(
            actor=None,
            action="recognition.conflict.detected",
            obj=app,
            data={"member": user_id},
            visibility=COMMISSION,
        )
    return created


def declaration_for(user, application: Application) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(application=application, member=user).first()


@transaction.atomic
def declare_conflict(
    *, application: Application, by, has_conflict: bool, kind: str = "", reason: str = ""
) -> ConflictDeclaration:
    """A commission member declares (no) conflict of interest before seeing the evidence."""
    if not is_commission(by):
        raise ValidationError(_("Alleen commissieleden verklaren belangen."))
    if application.round.status not in (RS.OPEN, RS.ASSESSMENT):
        raise ValidationError(_("Belangen verklaren kan alleen tijdens de ronde."))
    decl = (
        ConflictDeclaration.objects.select_for_update()
        .filter(application=application, member=by)
        .first()
    )
    if not has_conflict:
        if is_member_of_applicant(by, application):
            raise ValidationError(_("U bent lid van dit platform; het belang blijft vastgelegd."))
        if decl and decl.has_conflict and (decl.pinned_by_id or decl.auto_detected):
            raise ValidationError(_("Dit belang is vastgezet en kan niet worden opgeheven."))
        if decl and decl.has_conflict:
            raise ValidationError(_("Een verklaard belang kan niet worden ingetrokken."))
    if has_conflict and not kind:
        raise ValidationError(_("Kies het soort belang."))
    if decl is None:
        decl = ConflictDeclaration(application=application, member=by)
    decl.has_conflict = has_conflict
    decl.kind = kind if has_conflict else ""
    decl.reason = reason if has_conflict else ""
    decl.save()
    record(
        actor=by,
        action="recognition.conflict.declared",
        obj=application,
        data={"member": by.pk, "has_conflict": has_conflict, "kind": decl.kind},
        visibility=COMMISSION,
    )
    return decl


@transaction.atomic
def pin_conflict(*, application: Application, member, by, reason: str = "") -> ConflictDeclaration:
    """The chair records a conflict the member cannot clear."""
    if not can_chair(by, application.round):
        raise ValidationError(_("Alleen de voorzitter kan een belang vastzetten."))
    decl, _c = ConflictDeclaration.objects.get_or_create(
        application=application, member=member, defaults={"has_conflict": True}
    )
    decl.has_conflict = True
    decl.kind = decl.kind or ConflictDeclaration.Kind.OTHER
    decl.reason = reason or decl.reason
    decl.pinned_by = by
    decl.save()
    record(
        actor=by,
        action="recognition.conflict.pinned",
        obj=application,
        data={"member": member.pk},
        visibility=COMMISSION,
    )
    return decl


def conflicted_member_ids(application: Application) -> set[int]:
    declared = set(
        application.conflicts.filter(has_conflict=True).values_list("member_id", flat=True)
    )
    members = set(
        Membership.objects.filter(platform_id=application.platform_id).values_list(
            "user_id", flat=True
        )
    )
    return declared | members


def can_chair(user, rnd: Round) -> bool:
    return is_admin(user) or (
        rnd.chair_id is not None
        and rnd.chair_id == getattr(user, "pk", None)
        and is_commission(user)
    )


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


# --- decisions --------------------------------------------------------------------------------


def _pending_granted_total(rnd: Round, *, exclude_application=None, applications=None) -> Decimal:
    qs = Decision.objects.filter(
        round=rnd, kind=Decision.Kind.ROUND, outcome=Decision.Outcome.GRANTED
    )
    if exclude_application is not None:
        qs = qs.exclude(application=exclude_application)
    if applications is not None:
        qs = qs.filter(application__in=applications)
    return qs.aggregate(t=Sum("granted_amount"))["t"] or Decimal("0")


@transaction.atomic
def record_decision(
    *,
    application: Application,
    by,
    outcome: str,
    granted_amount: Decimal,
    motivation: str,
    criterion_motivations: dict[int, str] | None = None,
) -> Decision:
    """The chair records (or replaces) the pending decision on one application."""
    rnd = Round.objects.select_for_update().get(pk=application.round_id)
    if not can_chair(by, rnd):
        raise ValidationError(_("Alleen de voorzitter legt besluiten vast."))
    if by.pk in conflicted_member_ids(application):
        raise ValidationError(_("U heeft een belang bij deze aanvraag en besluit niet mee."))
    if rnd.status != RS.ASSESSMENT:
        raise ValidationError(_("Besluiten kan alleen tijdens de beoordeling."))
    if application.status != AS.SUBMITTED:
        raise ValidationError(_("Over deze aanvraag wordt niet besloten."))
    if len(counting_sheets(application)) < rnd.quorum:
        raise ValidationError(
            _(
                "Het quorum is niet bereikt: %(q)s commissieleden zonder belang moeten beoordeeld hebben."
            )
            % {"q": rnd.quorum}
        )
    if not motivation.strip():
        raise ValidationError(_("Een motivering is verplicht."))
    granted_amount = Decimal(granted_amount or 0)
    if outcome == Decision.Outcome.GRANTED:
        if granted_amount <= 0:
            raise ValidationError(_("Een toekenning heeft een bedrag groter dan nul."))
        if granted_amount > application.requested_amount:
            raise ValidationError(_("Het toegekende bedrag is hoger dan het gevraagde bedrag."))
        others = _pending_granted_total(rnd, exclude_application=application)
        if others + granted_amount > rnd.total_budget:
            raise ValidationError(
                _("Dit gaat boven het totale budget van de ronde (nog beschikbaar: € %(a)s).")
                % {"a": rnd.total_budget - others}
            )
        if rnd.max_per_area is not None:
            group = [a for a in group_of(application) if a.pk != application.pk]
            in_area = _pending_granted_total(rnd, applications=group)
            if in_area + granted_amount > rnd.max_per_area:
                raise ValidationError(
                    _("Dit gaat boven het maximum per gebied (nog beschikbaar: € %(a)s).")
                    % {"a": rnd.max_per_area - in_area}
                )
    elif outcome == Decision.Outcome.NOT_GRANTED:
        granted_amount = Decimal("0")
    else:
        raise ValidationError(_("Kies toekennen of niet toekennen."))
    decision = Decision.objects.filter(
        application=application, kind=Decision.Kind.ROUND, status=Decision.Status.PENDING
    ).first()
    if decision is None:
        decision = Decision(round=rnd, application=application, kind=Decision.Kind.ROUND)
    decision.area_key = area_key(group_of(application))
    decision.outcome = outcome
    decision.granted_amount = granted_amount
    decision.motivation = motivation
    decision.decided_by = by
    decision.save()
    decision.criterion_motivations.all().delete()
    valid = set(rnd.criteria_version.criteria.values_list("pk", flat=True))
    CriterionMotivation.objects.bulk_create(
        CriterionMotivation(decision=decision, criterion_id=cid, text=text)
        for cid, text in (criterion_motivations or {}).items()
        if text.strip() and cid in valid
    )
    record(
        actor=by,
        action="recognition.decision.recorded",
        obj=decision,
        data={
            "application": application.pk,
            "outcome": outcome,
            "granted_amount": str(granted_amount),
        },
        visibility=COMMISSION,
    )
    return decision


def _recognition_period(rnd: Round) -> tuple[datetime.date, datetime.date]:
    start = timezone.localdate()
    return start, add_months(start, rnd.recognition_months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _apply_outcome(decision: Decision, by) -> None:
    """Set application, platform status and recognition for a decision being published."""
    app = decision.application
    platform = app.platform
    if decision.outcome in (Decision.Outcome.GRANTED, Decision.Outcome.NOT_GRANTED):
        target = AS.GRANTED if decision.outcome == Decision.Outcome.GRANTED else AS.NOT_GRANTED
        if app.status != target:
            _check_transition(APPLICATION_TRANSITIONS, app.status, target)
            app.status = target
            app.save(update_fields=["status", "updated_at"])
    if decision.outcome == Decision.Outcome.GRANTED:
        start, until = _recognition_period(decision.round)
        Recognition.objects.create(
            platform=platform, decision=decision, valid_from=start, valid_until=until
        )
        platform.recognition_status = Platform.RecognitionStatus.RECOGNISED
        platform.recognised_until = until
        platform.save(update_fields=["recognition_status", "recognised_until"])
    elif decision.supersedes_id:
        # An outcome that no longer grants ends the recognition of the superseded decision.
        old = Recognition.objects.filter(decision=decision.supersedes).first()
        status_map = {
            Decision.Outcome.SUSPENDED: (
                Recognition.Status.SUSPENDED,
                Platform.RecognitionStatus.SUSPENDED,
            ),
            Decision.Outcome.WITHDRAWN: (
                Recognition.Status.WITHDRAWN,
                Platform.RecognitionStatus.WITHDRAWN,
            ),
            Decision.Outcome.NOT_GRANTED: (
                Recognition.Status.WITHDRAWN,
                Platform.RecognitionStatus.NOT_RECOGNISED,
            ),
        }
        rec_status, plat_status = status_map[decision.outcome]
        if old is not None:
            old.status = rec_status
            old.save(update_fields=["status"])
        platform.recognition_status = plat_status
        platform.save(update_fields=["recognition_status"])
    record(
        actor=by,
        action="recognition.platform.status_changed",
        obj=platform,
        data={"decision": decision.pk, "status": platform.recognition_status},
        visibility=PUBLIC,
    )


def _mail_outcome(decision: Decision) -> None:
    app = decision.application
    recipients = list(
        Membership.objects.filter(
            platform=app.platform, role=Membership.Role.COORDINATOR
        ).values_list("user__email", flat=True)
    )
    if app.platform.contact_email:
        recipients.append(app.platform.contact_email)
    recipients = sorted(set(recipients))
    if not recipients:
        return
    subject = _("Besluit over uw aanvraag in %(round)s") % {"round": app.round.title}
    body = _(
        "Besluit: %(outcome)s\nToegekend bedrag: € %(amount)s\n\nMotivering:\n%(motivation)s\n\n"
        "Het volledige besluit: %(url)s\nBinnen %(weeks)s weken kunt u bezwaar maken via de site."
    ) % {
        "outcome": decision.get_outcome_display(),
        "amount": decision.granted_amount,
        "motivation": decision.motivation,
        "url": app.round.get_absolute_url() + "besluit/",
        "weeks": app.round.objection_weeks,
    }
    send_mail(subject, body, None, recipients)


@transaction.atomic
def publish_round(*, round: Round, by) -> Round:
    """Publish every pending decision of the round at once; book grants; mail applicants."""
    from budgets.services import book_grant

    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if not can_chair(by, rnd):
        raise ValidationError(_("Alleen de voorzitter publiceert de ronde."))
    if rnd.status != RS.DECIDED:
        raise ValidationError(_("Alleen een besloten ronde kan worden gepubliceerd."))
    missing = undecided_applications(rnd)
    if missing:
        raise ValidationError(
            _("Nog geen besluit voor: %(names)s.")
            % {"names": ", ".join(a.platform.name for a in missing)}
        )
    now = _now()
    pending = list(
        Decision.objects.filter(round=rnd, status=Decision.Status.PENDING)
        .select_related("application__platform", "round")
        .order_by("pk")
    )
    for decision in pending:
        decision.status = Decision.Status.PUBLISHED
        decision.published_at = now
        decision.save(update_fields=["status", "published_at"])
        _apply_outcome(decision, by)
        if decision.outcome == Decision.Outcome.GRANTED:
            book_grant(decision=decision, by=by)
        record(
            actor=by,
            action="recognition.decision.published",
            obj=decision,
            data={"outcome": decision.outcome, "granted_amount": str(decision.granted_amount)},
            visibility=PUBLIC,
        )
    rnd.published_at = now
    rnd.save(update_fields=["published_at"])
    _move_round(rnd, RS.PUBLISHED, by, decisions=len(pending))
    for decision in pending:
        transaction.on_commit(lambda d=decision: _mail_outcome(d))
    return rnd


# --- after publication: objections, corrections, suspension, withdrawal ----------------------


def latest_in_chain(decision: Decision) -> Decision:
    while True:
        nxt = Decision.objects.filter(supersedes=decision).first()
        if nxt is None:
            return decision
        decision = nxt


def objection_deadline(decision: Decision) -> datetime.datetime | None:
    if decision.published_at is None:
        return None
    return decision.published_at + datetime.timedelta(weeks=decision.round.objection_weeks)


@transaction.atomic
def lodge_objection(*, decision: Decision, by, text: str) -> Objection:
    """A coordinator of the applying platform objects (bezwaar) within the period."""
    _require_coordinator(decision.application.platform, by)
    if decision.status != Decision.Status.PUBLISHED:
        raise ValidationError(_("Bezwaar kan alleen tegen een gepubliceerd besluit."))
    deadline = objection_deadline(decision)
    if deadline is None or _now() > deadline:
        raise ValidationError(_("De bezwaartermijn is verstreken."))
    if decision.objections.filter(status=Objection.Status.OPEN).exists():
        raise ValidationError(_("Er is al een bezwaar in behandeling."))
    if not text.strip():
        raise ValidationError(_("Schrijf waarom u bezwaar maakt."))
    objection = Objection.objects.create(decision=decision, submitted_by=by, text=text)
    record(
        actor=by,
        action="recognition.objection.lodged",
        obj=objection,
        data={"decision": decision.pk},
        visibility=PUBLIC,
    )
    return objection


def _new_superseding_decision(
    *, old: Decision, by, kind: str, outcome: str, granted_amount: Decimal, motivation: str
) -> Decision:
    if old.status != Decision.Status.PUBLISHED:
        raise ValidationError(_("Alleen een gepubliceerd besluit kan worden vervangen."))
    if Decision.objects.filter(supersedes=old).exists():
        raise ValidationError(_("Dit besluit is al vervangen; ga uit van het nieuwste besluit."))
    if not motivation.strip():
        raise ValidationError(_("Een motivering is verplicht."))
    if granted_amount > old.application.requested_amount:
        raise ValidationError(_("Het toegekende bedrag is hoger dan het gevraagde bedrag."))
    decision = Decision.objects.create(
        round=old.round,
        application=old.application,
        area_key=old.area_key,
        kind=kind,
        outcome=outcome,
        granted_amount=granted_amount,
        motivation=motivation,
        supersedes=old,
        decided_by=by,
        status=Decision.Status.PUBLISHED,
        published_at=_now(),
    )
    _apply_outcome(decision, by)
    record(
        actor=by,
        action=f"recognition.decision.{kind}",
        obj=decision,
        data={"supersedes": old.pk, "outcome": outcome, "granted_amount": str(granted_amount)},
        visibility=PUBLIC,
    )
    return decision


@transaction.atomic
def answer_objection(
    *, objection: Objection, by, outcome: str, granted_amount: Decimal, motivation: str
) -> Decision:
    """The commission answers an objection with a new decision that supersedes the old one."""
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    if not can_chair(by, obj.decision.round):
        raise ValidationError(_("Alleen de voorzitter beantwoordt bezwaren."))
    if obj.status != Objection.Status.OPEN:
        raise ValidationError(_("Dit bezwaar is al beantwoord."))
    if outcome not in (Decision.Outcome.GRANTED, Decision.Outcome.NOT_GRANTED):
        raise ValidationError(_("Kies toekennen of niet toekennen."))
    amount = Decimal(granted_amount or 0) if outcome == Decision.Outcome.GRANTED else Decimal(0)
    old = obj.decision
    decision = _new_superseding_decision(
        old=old,
        by=by,
        kind=Decision.Kind.OBJECTION,
        outcome=outcome,
        granted_amount=amount,
        motivation=motivation,
    )
    if outcome == Decision.Outcome.GRANTED and old.outcome != Decision.Outcome.GRANTED:
        from budgets.services import book_grant

        book_grant(decision=decision, by=by)
    obj.status = Objection.Status.ANSWERED
    obj.answer = decision
    obj.save(update_fields=["status", "answer"])
    record(
        actor=by,
        action="recognition.objection.answered",
        obj=obj,
        data={"decision": decision.pk},
        visibility=PUBLIC,
    )
    return decision


@transaction.atomic
def change_recognition(*, recognition: Recognition, by, outcome: str, motivation: str) -> Decision:
    """Suspend or withdraw a recognition by a motivated, published decision."""
    if not is_admin(by):
        raise ValidationError(_("Alleen beheerders schorsen of trekken een erkenning in."))
    kinds = {
        Decision.Outcome.SUSPENDED: Decision.Kind.SUSPENSION,
        Decision.Outcome.WITHDRAWN: Decision.Kind.WITHDRAWAL,
    }
    if outcome not in kinds:
        raise ValidationError(_("Kies schorsen of intrekken."))
    if recognition.status != Recognition.Status.ACTIVE:
        raise ValidationError(_("Deze erkenning is niet actief."))
    old = latest_in_chain(recognition.decision)
    decision = _new_superseding_decision(
        old=old,
        by=by,
        kind=kinds[outcome],
        outcome=outcome,
        granted_amount=Decimal("0"),
        motivation=motivation,
    )
    if old.pk != recognition.decision_id:
        rec_status = (
            Recognition.Status.SUSPENDED
            if outcome == Decision.Outcome.SUSPENDED
            else Recognition.Status.WITHDRAWN
        )
        recognition.status = rec_status
        recognition.save(update_fields=["status"])
    return decision


@transaction.atomic
def expire_recognitions(*, today: datetime.date | None = None) -> int:
    """Mark platforms whose recognition period has ended as expired (run daily)."""
    today = today or timezone.localdate()
    expired = list(
        Platform.objects.select_for_update().filter(
            recognition_status=Platform.RecognitionStatus.RECOGNISED, recognised_until__lt=today
        )
    )
    for platform in expired:
        platform.recognition_status = Platform.RecognitionStatus.EXPIRED
        platform.save(update_fields=["recognition_status"])
        record(
            actor=None,
            action="recognition.platform.expired",
            obj=platform,
            data={"recognised_until": platform.recognised_until.isoformat()},
            visibility=PUBLIC,
        )
    return len(expired)
