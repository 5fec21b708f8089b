"""Criteria versions and rounds: create, update and move a round through its states."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_admin
from audit.services import record
from recognition.models import (
    CriteriaVersion,
    Criterion,
    Round,
)
from recognition.selectors import undecided_applications
from recognition.services.common import PUBLIC, ROUND_TRANSITIONS, RS, _check_transition, _now

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
def create_round(*, by: User, **fields: Any) -> Round:
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
def update_round(*, round: Round, by: User, **fields: Any) -> Round:
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


def _move_round(rnd: Round, target: str, by: User, **data: Any) -> Round:
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
def open_round(*, round: Round, by: User) -> Round:
    """Open a draft round for applications (deadline must lie ahead)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.application_deadline <= _now():
        raise ValidationError(_("De deadline voor aanvragen is al voorbij."))
    return _move_round(rnd, RS.OPEN, by)


@transaction.atomic
def start_assessment(*, round: Round, by: User) -> Round:
    """Close applications and start the commission's assessment (only after the deadline)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.status == RS.OPEN and _now() < rnd.application_deadline:
        raise ValidationError(_("De beoordeling kan pas beginnen na de deadline voor aanvragen."))
    _move_round(rnd, RS.ASSESSMENT, by)
    return rnd


@transaction.atomic
def conclude_round(*, round: Round, by: User) -> Round:
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
def reopen_assessment(*, round: Round, by: User) -> Round:
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    return _move_round(rnd, RS.ASSESSMENT, by)
