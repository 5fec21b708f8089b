"""Blind scoring: draft scores and the submitted, locked score sheet."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import is_commission
from audit.services import record
from recognition import permissions
from recognition.models import Application, Score, Scoresheet
from recognition.selectors import declaration_for, scoring_open
from recognition.services.common import AS, COMMISSION, _now


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
    if decl.has_conflict or permissions.is_conflicted(member, application):
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
