"""Applications: drafts, statements and evidence, plan lines, submission with revisions, withdrawal."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from areas.models import Buurt
from audit.services import record
from buurtplatform.uploads import CleanUpload
from platforms.models import Activity, Platform
from platforms.selectors import is_coordinator, takes_new_work
from recognition.models import (
    Application,
    ApplicationRevision,
    Criterion,
    CriterionStatement,
    EvidenceFile,
    PlanLine,
    Round,
)
from recognition.selectors import is_before_deadline
from recognition.services.common import (
    APPLICATION_TRANSITIONS,
    AS,
    PUBLIC,
    RS,
    _check_transition,
    _now,
)

# --- applications -----------------------------------------------------------------------------


def _require_coordinator(platform: Platform, user: User) -> None:
    if not is_coordinator(user, platform):
        raise ValidationError(_("Alleen coördinatoren van het platform kunnen dit doen."))


def _require_active(platform: Platform) -> None:
    if not takes_new_work(platform):
        raise ValidationError(
            _("Dit platform is gearchiveerd; er kan geen aanvraag meer voor worden ingediend."),
            code="archived",
        )


def _require_editable(app: Application) -> None:
    if app.round.status != RS.OPEN or not is_before_deadline(app.round):
        raise ValidationError(
            _("De deadline is voorbij; de aanvraag kan niet meer worden gewijzigd.")
        )
    if app.status not in (AS.DRAFT, AS.SUBMITTED):
        raise ValidationError(_("Deze aanvraag kan niet meer worden gewijzigd."))


@transaction.atomic
def start_application(*, round: Round, platform: Platform, by: User) -> Application:
    """Start a draft application of a platform in an open round."""
    _require_coordinator(platform, by)
    _require_active(platform)
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
    by: User,
    area_name: str,
    buurten: Iterable[Buurt],
    plan_summary: str,
) -> Application:
    """Save the general part of a draft: area and plan summary. The requested amount is not
    typed: it is the sum of the plan lines (_sync_requested_amount)."""
    _require_coordinator(application.platform, by)
    _require_editable(application)
    application.area_name = area_name
    application.plan_summary = plan_summary
    application.save()
    application.buurten.set(buurten)
    record(
        actor=by,
        action="recognition.application.saved",
        obj=application,
        data={
            "requested_amount": str(application.requested_amount),
            "buurten": [b.code for b in buurten],
        },
    )
    return application


@transaction.atomic
def save_statement(
    *,
    application: Application,
    criterion: Criterion,
    by: User,
    statement: str,
    links: str,
    activities: Iterable[Activity],
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
def add_evidence_file(
    *,
    application: Application,
    criterion: Criterion | None,
    upload: CleanUpload,
    by: User,
    publishable: bool = False,
) -> EvidenceFile:
    """Attach a validated (clean_upload) file as evidence; stored privately. ``publishable`` is
    the applicant's consent to publish it with the decision (selectors.is_public_evidence)."""
    _require_coordinator(application.platform, by)
    _require_editable(application)
    ev = EvidenceFile(
        application=application,
        criterion=criterion,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=by,
        publishable=publishable,
    )
    assert upload.content.name is not None  # clean_upload names every file
    ev.file.save(upload.content.name, upload.content, save=False)
    ev.save()
    record(
        actor=by,
        action="recognition.application.file_added",
        obj=application,
        data={"file": ev.pk, "name": ev.original_name, "publishable": publishable},
    )
    return ev


def _file_in_revision(ev: EvidenceFile) -> bool:
    for rev in ev.application.revisions.all():
        if ev.pk in {f["id"] for f in rev.snapshot.get("files", [])}:
            return True
    return False


@transaction.atomic
def remove_evidence_file(*, evidence: EvidenceFile, by: User) -> None:
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
    *, application: Application, by: User, category: str, description: str, amount: Decimal
) -> PlanLine:
    _require_coordinator(application.platform, by)
    _require_editable(application)
    if amount <= 0:
        raise ValidationError(_("Het bedrag van een begrotingsregel moet positief zijn."))
    if application.round.total_budget and amount > application.round.total_budget:
        raise ValidationError(
            _("Een begrotingsregel kan niet hoger zijn dan het totale budget van de ronde.")
        )
    line = PlanLine.objects.create(
        application=application, category=category, description=description, amount=amount
    )
    _sync_requested_amount(application)
    record(
        actor=by,
        action="recognition.application.planline_added",
        obj=application,
        data={"category": category, "amount": str(amount)},
    )
    return line


@transaction.atomic
def remove_plan_line(*, line: PlanLine, by: User) -> None:
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
    _sync_requested_amount(app)


def _sync_requested_amount(application: Application) -> None:
    """The requested amount is the sum of the plan lines; set whenever the lines change."""
    total = application.plan_lines.aggregate(t=Sum("amount"))["t"] or Decimal("0.00")
    application.requested_amount = total
    application.save(update_fields=["requested_amount"])


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
    if lines_total is not None and lines_total <= 0:
        missing.append(_("Het gevraagde bedrag (de som van de begroting) moet positief zijn."))
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
                "criterion": f.criterion.key if f.criterion is not None else None,
                "name": f.original_name,
                "size": f.size,
            }
            for f in app.files.select_related("criterion")
        ],
    }


@transaction.atomic
def submit_application(*, application: Application, by: User) -> ApplicationRevision:
    """Check completeness and store an immutable revision; re-submitting makes a new one."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    _require_coordinator(app.platform, by)
    _require_active(app.platform)
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
def withdraw_application(*, application: Application, by: User) -> Application:
    app = Application.objects.select_for_update().get(pk=application.pk)
    _require_coordinator(app.platform, by)
    if not is_before_deadline(app.round) or app.round.status != RS.OPEN:
        raise ValidationError(_("Intrekken kan alleen tot de deadline."))
    _check_transition(APPLICATION_TRANSITIONS, app.status, AS.WITHDRAWN)
    app.status = AS.WITHDRAWN
    app.save(update_fields=["status", "updated_at"])
    record(actor=by, action="recognition.application.withdrawn", obj=app, visibility=PUBLIC)
    return app


@transaction.atomic
def restart_application(*, application: Application, by: User) -> Application:
    """Withdrawn → draft again: only a coordinator, only before the deadline of an open round."""
    app = (
        Application.objects.select_for_update()
        .select_related("round", "platform")
        .get(pk=application.pk)
    )
    _require_coordinator(app.platform, by)
    _require_active(app.platform)
    if app.round.status != RS.OPEN or not is_before_deadline(app.round):
        raise ValidationError(
            _("De deadline is voorbij; een ingetrokken aanvraag kan niet meer worden hervat.")
        )
    if app.status != AS.WITHDRAWN:
        raise ValidationError(_("Alleen een ingetrokken aanvraag kan opnieuw worden gestart."))
    app.status = AS.DRAFT
    app.save(update_fields=["status", "updated_at"])
    record(actor=by, action="recognition.application.restarted", obj=app, visibility=PUBLIC)
    return app
