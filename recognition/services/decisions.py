"""Decisions, publication, corrections, suspension and withdrawal of recognition."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_admin
from audit.services import record
from buurtplatform.emails import absolute_url, send_templated_email
from buurtplatform.formatting import format_money
from platforms.models import Platform
from platforms.selectors import coordinator_emails
from recognition import permissions
from recognition.models import (
    Application,
    CriterionMotivation,
    Decision,
    Recognition,
    Round,
)
from recognition.selectors import (
    area_key,
    counting_sheets,
    group_of,
    latest_in_chain,
    recognised_until_of,
    recognition_status_of,
    undecided_applications,
)
from recognition.services.common import (
    APPLICATION_TRANSITIONS,
    AS,
    COMMISSION,
    PUBLIC,
    RS,
    _check_transition,
    _now,
)
from recognition.services.rounds import _move_round

# --- decisions --------------------------------------------------------------------------------


def _pending_granted_total(
    rnd: Round,
    *,
    exclude_application: Application | None = None,
    applications: Iterable[Application] | None = None,
) -> Decimal:
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
    by: User,
    outcome: str,
    granted_amount: Decimal,
    motivation: str,
    criterion_motivations: dict[int, str] | None = None,
) -> Decision:
    """The chair records (or replaces) the pending decision on one application."""
    rnd = Round.objects.select_for_update().get(pk=application.round_id)
    if not permissions.can_chair(by, rnd):
        raise ValidationError(_("Alleen de voorzitter legt besluiten vast."))
    if permissions.is_conflicted(by, application):
        raise ValidationError(_("Je hebt een belang bij deze aanvraag en besluit niet mee."))
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


def sync_platform_recognition(platform: Platform, *, on: datetime.date | None = None) -> bool:
    """Write the platform's stored recognition status and end date from its recognitions
    (recognition.selectors): the only writer of that copy. Returns whether it changed."""
    status = recognition_status_of(platform, on=on)
    until = recognised_until_of(platform)
    if (platform.recognition_status, platform.recognised_until) == (status, until):
        return False
    platform.recognition_status = status
    platform.recognised_until = until
    platform.save(update_fields=["recognition_status", "recognised_until", "updated_at"])
    return True


def _apply_outcome(decision: Decision, by: User) -> None:
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
    elif decision.supersedes_id:
        # An outcome that no longer grants ends the recognition of the superseded decision.
        old = Recognition.objects.filter(decision=decision.supersedes).first()
        ended: dict[str, str] = {
            Decision.Outcome.SUSPENDED: Recognition.Status.SUSPENDED,
            Decision.Outcome.WITHDRAWN: Recognition.Status.WITHDRAWN,
            Decision.Outcome.NOT_GRANTED: Recognition.Status.WITHDRAWN,
        }
        rec_status = ended[decision.outcome]
        if old is not None:
            old.status = rec_status
            old.save(update_fields=["status"])
    sync_platform_recognition(platform)
    record(
        actor=by,
        action="recognition.platform.status_changed",
        obj=platform,
        data={"decision": decision.pk, "status": platform.recognition_status},
        visibility=PUBLIC,
    )


def _mail_outcome(decision: Decision) -> None:
    app = decision.application
    recipients = coordinator_emails(app.platform)
    if not recipients:
        return
    with translation.override("nl"):
        amount = format_money(decision.granted_amount)
        link = absolute_url(reverse("recognition:round_decision", args=[app.round.slug]))
    send_templated_email(
        to=recipients,
        template="recognition/email/decision_outcome",
        context={
            "decision": decision,
            "application": app,
            "round": app.round,
            "platform": app.platform,
            "amount": f"€ {amount}",
            "link": link,
            "weeks": app.round.objection_weeks,
        },
    )


@transaction.atomic
def publish_round(*, round: Round, by: User) -> Round:
    """Publish every pending decision of the round at once and mail the applicants.

    Booking the grants is not recognition's business: workflows.decisions.publish_round
    publishes and books in one transaction (the use case that spans both apps)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if not permissions.can_chair(by, rnd):
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
        transaction.on_commit(partial(_mail_outcome, decision))
    return rnd


# --- after publication: corrections, suspension, withdrawal (objections: objections.py) -------


def _new_superseding_decision(
    *, old: Decision, by: User, kind: str, outcome: str, granted_amount: Decimal, motivation: str
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
def change_recognition(
    *, recognition: Recognition, by: User, outcome: str, motivation: str
) -> Decision:
    """Suspend or withdraw a recognition by a motivated, published decision."""
    if not is_admin(by):
        raise ValidationError(_("Alleen beheerders schorsen of trekken een erkenning in."))
    kinds: dict[str, str] = {
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
    """Platforms whose recognition period has ended become expired (run daily): the stored
    status follows the recognitions, through the same function every decision uses."""
    today = today or timezone.localdate()
    expired = 0
    for platform in Platform.objects.select_for_update().filter(
        recognition_status=Platform.RecognitionStatus.RECOGNISED, recognised_until__lt=today
    ):
        if not sync_platform_recognition(platform, on=today):
            continue
        expired += 1
        assert platform.recognised_until is not None  # it was recognised: a recognition exists
        record(
            actor=None,
            action="recognition.platform.expired",
            obj=platform,
            data={"recognised_until": platform.recognised_until.isoformat()},
            visibility=PUBLIC,
        )
    return expired
