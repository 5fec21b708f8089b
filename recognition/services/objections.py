"""Objections (bezwaar): lodged once per decision within the period stated on it, heard, then
decided by the chair: upheld with a new decision that supersedes the contested one, or rejected
with a motivation (the contested decision stays in force). A decision on an objection cannot be
objected to again: appeal goes to the court. Every step is audited; objector, commission and
support organisation are told by e-mail.

Booking the money of an upheld objection is not recognition's business:
workflows.decisions.answer_objection answers and books in one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import COMMISSION as COMMISSION_ROLE
from accounts.roles import support_addresses
from audit.services import record
from buurtplatform.emails import absolute_url, send_templated_email
from platforms.selectors import coordinator_emails
from recognition import permissions
from recognition.models import Application, Decision, Objection, ObjectionHearing
from recognition.selectors import remember_conflicts
from recognition.services.common import COMMISSION, PUBLIC, _now
from recognition.services.decisions import _new_superseding_decision

# --- who is told --------------------------------------------------------------------------------


def _commission_addresses(application: Application) -> list[str]:
    """Commission members and the round's chair, except those with a conflict on the
    application (recognition.permissions.is_conflicted)."""
    app = Application.objects.select_related("round", "platform").get(pk=application.pk)
    remember_conflicts([app])  # one set of queries for every member checked below
    users = (
        User.objects.filter(
            Q(groups__name=COMMISSION_ROLE) | Q(pk=app.round.chair_id), is_active=True
        )
        .exclude(email="")
        .distinct()
    )
    return sorted({u.email for u in users if not permissions.is_conflicted(u, app)})


def _applicant_addresses(objection: Objection) -> list[str]:
    """The objector and the platform's coordinators (and its contact address)."""
    emails = set(coordinator_emails(objection.decision.application.platform))
    if objection.submitted_by is not None and objection.submitted_by.email:
        emails.add(objection.submitted_by.email)
    return sorted(emails)


def _links(objection: Objection) -> dict[str, str]:
    decision = objection.decision
    with translation.override("nl"):
        return {
            "decision_link": absolute_url(
                reverse("recognition:round_decision", args=[decision.round.slug])
            ),
            "application_link": absolute_url(
                reverse("recognition:application_detail", args=[decision.application_id])
            ),
            "answer_link": absolute_url(reverse("workflows:objection_answer", args=[objection.pk])),
        }


def _context(objection: Objection) -> dict:
    decision = objection.decision
    return {
        "objection": objection,
        "decision": decision,
        "application": decision.application,
        "platform": decision.application.platform,
        "round": decision.round,
        **_links(objection),
    }


def _mail_lodged(objection: Objection) -> None:
    context = _context(objection)
    if objection.submitted_by is not None and objection.submitted_by.email:
        send_templated_email(
            to=[objection.submitted_by.email],
            template="recognition/email/objection_received",
            context=context,
        )
    commission = _commission_addresses(objection.decision.application)
    send_templated_email(
        to=commission,
        template="recognition/email/objection_lodged",
        context={**context, "link": context["answer_link"], "for_commission": True},
    )
    send_templated_email(
        to=[a for a in support_addresses() if a not in commission],
        template="recognition/email/objection_lodged",
        context={**context, "link": context["decision_link"], "for_commission": False},
    )


def _mail_decided(objection: Objection) -> None:
    send_templated_email(
        to=_applicant_addresses(objection),
        template="recognition/email/objection_decided",
        context={**_context(objection), "new_decision": objection.answer},
    )


# --- lodging ------------------------------------------------------------------------------------


@transaction.atomic
def lodge_objection(*, decision: Decision, by: User, text: str) -> Objection:
    """A coordinator of the applying platform objects (bezwaar) within the period, once per
    decision: the decision row is locked first, so a double click lodges one objection (and the
    objection_once_per_decision constraint holds where row locks are not available)."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("round", "application__platform")
        .get(pk=decision.pk)
    )
    refusal = permissions.objection_refusal(by, decision)
    if refusal is not None:
        raise ValidationError(refusal, code="objection_refused")
    if not text.strip():
        raise ValidationError(_("Schrijf waarom je bezwaar maakt."))
    try:
        with transaction.atomic():  # savepoint: a lost race raises IntegrityError cleanly
            objection = Objection.objects.create(
                decision=decision, submitted_by=by, text=text.strip()
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Er is al een bezwaar in behandeling."), code="objection_refused"
        ) from exc
    record(
        actor=by,
        action="recognition.objection.lodged",
        obj=objection,
        data={"decision": decision.pk},
        visibility=PUBLIC,
    )
    _mail_lodged(objection)
    return objection


# --- hearing and decision -------------------------------------------------------------------------


def _locked(objection: Objection) -> Objection:
    return (
        Objection.objects.select_for_update(of=("self",))
        .select_related("decision__round", "decision__application__platform", "submitted_by")
        .get(pk=objection.pk)
    )


def _require_open(objection: Objection, by: User) -> None:
    if not permissions.may_handle_objection(by, objection):
        raise ValidationError(_("Alleen de voorzitter zonder belang behandelt dit bezwaar."))
    if objection.status != Objection.Status.OPEN:
        raise ValidationError(_("Over dit bezwaar is al beslist."))


def _require_decidable(objection: Objection, by: User) -> None:
    _require_open(objection, by)
    if not permissions.can_decide_objection(by, objection):
        raise ValidationError(
            _("Leg eerst de hoorzitting vast: zonder hoorzitting beslis je niet op een bezwaar."),
            code="no_hearing",
        )


@transaction.atomic
def record_hearing(
    *, objection: Objection, by: User, held_on: datetime.date, heard: str, notes: str
) -> ObjectionHearing:
    """The chair records the hearing (who was heard, when, the report) before deciding."""
    obj = _locked(objection)
    _require_open(obj, by)
    if held_on > timezone.localdate():
        raise ValidationError(_("Leg een hoorzitting vast nadat die is gehouden."))
    if held_on < timezone.localdate(obj.submitted_at):
        raise ValidationError(_("De hoorzitting kan niet vóór het bezwaar zijn gehouden."))
    if not heard.strip():
        raise ValidationError(_("Schrijf wie er zijn gehoord."))
    if not notes.strip():
        raise ValidationError(_("Schrijf een verslag van de hoorzitting."))
    hearing = ObjectionHearing.objects.create(
        objection=obj, held_on=held_on, heard=heard.strip(), notes=notes.strip(), recorded_by=by
    )
    record(
        actor=by,
        action="recognition.objection.hearing_recorded",
        obj=obj,
        data={"hearing": hearing.pk, "held_on": held_on.isoformat()},
        visibility=COMMISSION,
    )
    return hearing


@transaction.atomic
def answer_objection(
    *, objection: Objection, by: User, outcome: str, granted_amount: Decimal, motivation: str
) -> Decision:
    """The chair upholds an objection (after the hearing) with a new decision that supersedes
    the contested one; that decision is final here (permissions.NO_FURTHER_OBJECTION)."""
    obj = _locked(objection)
    _require_decidable(obj, by)
    if outcome not in (Decision.Outcome.GRANTED, Decision.Outcome.NOT_GRANTED):
        raise ValidationError(_("Kies toekennen of niet toekennen."))
    amount = Decimal(granted_amount or 0) if outcome == Decision.Outcome.GRANTED else Decimal(0)
    if outcome == Decision.Outcome.GRANTED and amount <= 0:
        raise ValidationError(_("Een toekenning heeft een bedrag groter dan nul."))
    decision = _new_superseding_decision(
        old=obj.decision,
        by=by,
        kind=Decision.Kind.OBJECTION,
        outcome=outcome,
        granted_amount=amount,
        motivation=motivation,
    )
    obj.status = Objection.Status.ANSWERED
    obj.answer = decision
    obj.answer_motivation = motivation.strip()
    obj.answered_by = by
    obj.answered_at = decision.published_at
    obj.save(update_fields=["status", "answer", "answer_motivation", "answered_by", "answered_at"])
    record(
        actor=by,
        action="recognition.objection.answered",
        obj=obj,
        data={"decision": decision.pk, "result": "upheld"},
        visibility=PUBLIC,
    )
    _mail_decided(obj)
    return decision


@transaction.atomic
def reject_objection(*, objection: Objection, by: User, motivation: str) -> Objection:
    """The chair rejects an objection (after the hearing) with a motivation: no new decision,
    the contested one stays in force, and no further objection is possible against it."""
    obj = _locked(objection)
    _require_decidable(obj, by)
    if not motivation.strip():
        raise ValidationError(_("Een motivering is verplicht."))
    obj.status = Objection.Status.REJECTED
    obj.answer_motivation = motivation.strip()
    obj.answered_by = by
    obj.answered_at = _now()
    obj.save(update_fields=["status", "answer_motivation", "answered_by", "answered_at"])
    record(
        actor=by,
        action="recognition.objection.rejected",
        obj=obj,
        data={"decision": obj.decision_id, "result": "rejected"},
        visibility=PUBLIC,
    )
    _mail_decided(obj)
    return obj
