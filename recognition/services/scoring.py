"""Blind scoring: draft scores and the submitted, locked score sheet."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_commission
from audit.services import record
from buurtplatform.emails import absolute_url, send_templated_email
from buurtplatform.formatting import format_date
from recognition import permissions
from recognition.models import Application, Round, Score, Scoresheet
from recognition.selectors import (
    assessment_deadline_passed,
    declaration_for,
    outstanding_scores,
    scoring_open,
)
from recognition.services.common import AS, COMMISSION, RS, _now


def _require_may_score(application: Application, member: User) -> None:
    if not is_commission(member):
        raise ValidationError(_("Alleen commissieleden beoordelen."))
    # Lock the round row: a chair concluding or publishing waits for this score, or this
    # score sees the round has moved on (one lock order: round, then sheet).
    rnd = Round.objects.select_for_update().get(pk=application.round_id)
    application.round = rnd
    if rnd.status == RS.ASSESSMENT and assessment_deadline_passed(rnd):
        raise ValidationError(
            _("De deadline voor beoordelen is verstreken (%(d)s); je score is niet opgeslagen.")
            % {"d": format_date(rnd.assessment_deadline, with_time=True)}
        )
    if not scoring_open(rnd):
        raise ValidationError(_("Beoordelen kan pas na de deadline, tijdens de beoordeling."))
    if application.status != AS.SUBMITTED:
        raise ValidationError(_("Deze aanvraag wordt niet beoordeeld."))
    decl = declaration_for(member, application)
    if decl is None:
        raise ValidationError(_("Verklaar eerst of je een belang hebt."))
    if decl.has_conflict or permissions.is_conflicted(member, application):
        raise ValidationError(_("Je hebt een belang bij deze aanvraag en beoordeelt haar niet."))


@transaction.atomic
def save_scores(
    *, application: Application, member: User, scores: dict[int, tuple[int | None, str]]
) -> Scoresheet:
    """Save (draft) scores: {criterion_id: (value 0-4 or None, comment)}."""
    _require_may_score(application, member)
    revision = application.current_revision
    sheet, _c = Scoresheet.objects.select_for_update().get_or_create(
        application=application, member=member, defaults={"revision": revision}
    )
    if sheet.status == Scoresheet.Status.SUBMITTED:
        raise ValidationError(_("Je beoordeling is ingediend en kan niet meer worden gewijzigd."))
    sheet.revision = revision
    sheet.save(update_fields=["revision"])
    criteria = {c.pk: c for c in application.round.criteria_version.criteria.all()}
    for criterion_id, (value, _comment) in scores.items():  # all checked before any write
        if criterion_id not in criteria:
            raise ValidationError(_("Onbekend criterium."))
        if value is not None and not 0 <= int(value) <= 4:
            raise ValidationError(_("Een score ligt tussen 0 en 4."))
    # Three queries for the whole sheet (read, insert the new, update the changed) instead of
    # two or three per criterion; the sheet's save above invalidates the public pages.
    existing = {score.criterion_id: score for score in sheet.scores.all()}
    new, changed, changes = [], [], {}
    for criterion_id, (value, comment) in scores.items():
        score = existing.get(criterion_id)
        if score is None:
            score = Score(scoresheet=sheet, criterion_id=criterion_id, value=None, comment="")
            new.append(score)
        if score.value != value or score.comment != comment:
            changes[criteria[criterion_id].key] = {"from": score.value, "to": value}
            score.value = value
            score.comment = comment
            if score.pk is not None:
                changed.append(score)
    Score.objects.bulk_create(new)
    Score.objects.bulk_update(changed, ["value", "comment"])
    record(
        actor=member,
        action="recognition.score.saved",
        obj=sheet,
        data={"application": application.pk, "changes": changes},
    )
    return sheet


@transaction.atomic
def submit_scoresheet(*, application: Application, member: User) -> Scoresheet:
    """Lock the member's scores; from now on they see the others' scores."""
    _require_may_score(application, member)
    sheet = (
        Scoresheet.objects.select_for_update()
        .filter(application=application, member=member)
        .first()
    )
    if sheet is None:
        raise ValidationError(_("Vul eerst je scores in."))
    if sheet.status == Scoresheet.Status.SUBMITTED:
        raise ValidationError(_("Je beoordeling is al ingediend."))
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


REMINDER_AUTO = "recognition.round.reminder_auto"
REMINDER_HOURS = 48


def send_scoring_reminders(*, round: Round, by: User | None) -> int:
    """E-mail every commission member who still has applications of the round to score;
    returns how many were reminded. ``by`` None is the automatic reminder (Celery beat)."""
    if by is not None and not permissions.can_chair(by, round):
        raise ValidationError(_("Alleen de voorzitter stuurt herinneringen."))
    if not scoring_open(round):
        raise ValidationError(_("Er valt nu niets te beoordelen."))
    outstanding = outstanding_scores(round)
    members = User.objects.in_bulk(list(outstanding))
    link = absolute_url(reverse("recognition:commission_round", args=[round.slug]))
    for member_id, apps in outstanding.items():
        send_templated_email(
            to=[members[member_id].email],
            template="recognition/email/scoring_reminder",
            context={
                "round": round,
                "member": members[member_id],
                "applications": apps,
                "deadline": format_date(round.assessment_deadline, with_time=True),
                "link": link,
            },
        )
    record(
        actor=by,
        action=REMINDER_AUTO if by is None else "recognition.round.reminder_sent",
        obj=round,
        data={"members": sorted(outstanding)},
        visibility=COMMISSION,
    )
    return len(outstanding)


def send_due_reminders() -> int:
    """Hourly: one automatic reminder per round, 48 hours before its assessment deadline."""
    from datetime import timedelta

    from audit.models import AuditEntry

    moment = _now()
    sent = 0
    for rnd in Round.objects.filter(
        status=RS.ASSESSMENT,
        assessment_deadline__gt=moment,
        assessment_deadline__lte=moment + timedelta(hours=REMINDER_HOURS),
    ):
        if AuditEntry.objects.for_object(rnd).filter(action=REMINDER_AUTO).exists():
            continue
        with transaction.atomic():
            sent += send_scoring_reminders(round=rnd, by=None)
    return sent
