"""One permission vocabulary for recognition: predicates can_* and getters get_*_for_user.

Getters scope first (404 when out of scope), then check the action (403). A conflicted commission
member gets 404 on the application's evidence, scores and deliberation; every blocked attempt is
written to the audit trail.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_admin, is_commission
from audit.services import record
from platforms.models import Platform
from platforms.selectors import is_coordinator, is_member, takes_new_work
from recognition import selectors
from recognition.models import Application, Decision, EvidenceFile, Objection, Recognition, Round

RS = Round.Status


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _blocked(user, action: str, obj, reason: str) -> None:
    record(
        actor=user,
        action=f"recognition.blocked.{action}",
        obj=obj,
        data={"reason": reason},
    )


# --- predicates -------------------------------------------------------------------------------


def can_manage_rounds(user) -> bool:
    return is_admin(user)


def can_view_round(user, rnd: Round) -> bool:
    return rnd.status != RS.DRAFT or is_admin(user)


def can_view_decisions(user, rnd: Round) -> bool:
    return rnd.status == RS.PUBLISHED


def is_platform_member(user, platform: Platform) -> bool:
    return is_member(user, platform)


def can_edit_application(user, app: Application) -> bool:
    return (
        is_coordinator(user, app.platform)
        and app.round.status == RS.OPEN
        and selectors.is_before_deadline(app.round)
        and app.status in (Application.Status.DRAFT, Application.Status.SUBMITTED)
    )


def can_withdraw_application(user, app: Application) -> bool:
    return can_edit_application(user, app)


def can_restart_application(user, app: Application) -> bool:
    """A withdrawn application may become a draft again: a coordinator, before the deadline,
    while the round is open."""
    return (
        is_coordinator(user, app.platform)
        and takes_new_work(app.platform)
        and app.round.status == RS.OPEN
        and selectors.is_before_deadline(app.round)
        and app.status == Application.Status.WITHDRAWN
    )


def can_start_application(user, platform: Platform, rnd: Round) -> bool:
    return (
        is_coordinator(user, platform)
        and takes_new_work(platform)
        and rnd.status == RS.OPEN
        and selectors.is_before_deadline(rnd)
    )


def can_use_commission(user) -> bool:
    return is_commission(user) or is_admin(user)


def is_conflicted(user, app: Application) -> bool:
    """The one conflict predicate (derived from declarations and membership)."""
    return _auth(user) and selectors.is_conflicted(user, app)


def has_declared_no_conflict(user, app: Application) -> bool:
    decl = selectors.declaration_for(user, app)
    return decl is not None and not decl.has_conflict and not is_conflicted(user, app)


def needs_declaration(user, app: Application) -> bool:
    """A commission member must declare before seeing evidence (conflicted ones are blocked)."""
    return (
        is_commission(user)
        and not is_conflicted(user, app)
        and selectors.declaration_for(user, app) is None
    )


def can_view_evidence(user, app: Application) -> bool:
    """All evidence of an application, before and after publication: platform members,
    non-conflicted administrators, and commission members who declared no conflict. Nobody else,
    ever: the public gets only the files selectors.is_public_evidence allows, by their public_id
    (get_public_evidence_file), never through this."""
    if not _auth(user):
        return False
    if is_platform_member(user, app.platform):
        return True
    if app.status == Application.Status.DRAFT or is_conflicted(user, app):
        return False
    if is_commission(user):
        return has_declared_no_conflict(user, app)
    return is_admin(user)


def can_score(user, app: Application) -> bool:
    return (
        is_commission(user)
        and selectors.scoring_open(app.round)
        and app.status == Application.Status.SUBMITTED
        and has_declared_no_conflict(user, app)
    )


def can_see_scores(user, app: Application) -> bool:
    """Blind until submitted: a commission member sees others' scores only after their own.
    A non-commission administrator (the chair) sees them unless conflicted."""
    if not _auth(user) or is_conflicted(user, app):
        return False
    if app.round.status == RS.PUBLISHED:
        return True
    if is_commission(user):
        return selectors.has_submitted(user, app)
    return is_admin(user)


def can_chair(user, rnd: Round) -> bool:
    return is_admin(user) or (
        rnd.chair_id is not None
        and rnd.chair_id == getattr(user, "pk", None)
        and is_commission(user)
    )


def may_decide_on(user, app: Application) -> bool:
    """Whoever chairs the round and has no conflict on the application (status aside)."""
    return can_chair(user, app.round) and not is_conflicted(user, app)


def can_decide(user, app: Application) -> bool:
    return may_decide_on(user, app) and app.round.status == RS.ASSESSMENT


def can_publish_round(user, rnd: Round) -> bool:
    return can_chair(user, rnd) and rnd.status == RS.DECIDED


# The text every decision on an objection carries (page, PDF, e-mail, refusal).
NO_FURTHER_OBJECTION = gettext_lazy(
    "Tegen dit besluit op bezwaar is geen nieuw bezwaar mogelijk; "
    "je kunt in beroep gaan bij de rechtbank."
)


def objection_refusal(user, decision: Decision) -> str | None:
    """Why ``user`` cannot object to ``decision`` now (None: they can). The one rule for the
    button, the form and lodge_objection (selectors.objection_block, plus: a coordinator)."""
    if not is_coordinator(user, decision.application.platform):
        return _("Alleen coördinatoren van het platform kunnen dit doen.")
    reasons = {
        "unpublished": _("Bezwaar kan alleen tegen een gepubliceerd besluit."),
        "final": str(NO_FURTHER_OBJECTION),
        "superseded": _("Dit besluit is vervangen; bezwaar kan alleen tegen het geldende besluit."),
        "pending": _("Er is al een bezwaar in behandeling."),
        "decided": _("Over het bezwaar tegen dit besluit is al beslist."),
        "expired": _("De bezwaartermijn is verstreken."),
    }
    block = selectors.objection_block(decision)
    return reasons[block] if block is not None else None


def can_object(user, decision: Decision) -> bool:
    return objection_refusal(user, decision) is None


def may_handle_objection(user, objection: Objection) -> bool:
    """The chair of the round, without a conflict on the application."""
    decision = objection.decision
    return can_chair(user, decision.round) and not is_conflicted(user, decision.application)


def can_record_hearing(user, objection: Objection) -> bool:
    return may_handle_objection(user, objection) and objection.status == Objection.Status.OPEN


def can_decide_objection(user, objection: Objection) -> bool:
    """Deciding on an objection needs a recorded hearing first."""
    return can_record_hearing(user, objection) and objection.hearings.exists()


def can_view_audit(user) -> bool:
    return is_admin(user)


# --- getters ----------------------------------------------------------------------------------


def get_round_for_user(user, slug: str, *, manage: bool = False) -> Round:
    rnd = get_object_or_404(Round.objects.select_related("district", "chair"), slug=slug)
    if not can_view_round(user, rnd):
        raise Http404
    if manage and not can_manage_rounds(user):
        raise PermissionDenied
    return rnd


def get_commission_round_for_user(user, slug: str) -> Round:
    if not can_use_commission(user):
        raise PermissionDenied
    rnd = get_object_or_404(Round, slug=slug)
    if rnd.status == RS.DRAFT:
        raise Http404
    return rnd


def get_round_for_chair(user, slug: str) -> Round:
    """A round the user chairs (403 for other commission members and everyone else)."""
    rnd = get_commission_round_for_user(user, slug)
    if not can_chair(user, rnd):
        raise PermissionDenied
    return rnd


def get_application_for_user(user, pk: int, *, write: bool = False) -> Application:
    """Applications as their own platform sees them (coordinators and members)."""
    app = get_object_or_404(Application.objects.select_related("round", "platform"), pk=pk)
    if not (is_platform_member(user, app.platform) or is_admin(user)):
        raise Http404
    if write and not can_edit_application(user, app):
        raise PermissionDenied
    return app


def get_application_for_commission(user, pk: int, *, need: str = "declare") -> Application:
    """need: "declare" (conflict form), "evidence", "score" or "scores" (see others' scores)."""
    if not can_use_commission(user):
        raise PermissionDenied
    app = get_object_or_404(
        Application.objects.select_related("round", "platform"),
        pk=pk,
        status__in=[
            Application.Status.SUBMITTED,
            Application.Status.GRANTED,
            Application.Status.NOT_GRANTED,
        ],
    )
    if need not in ("declare", "declare_any") and is_conflicted(user, app):
        _blocked(user, need, app, "conflict")
        raise Http404
    checks = {
        "declare": lambda: is_commission(user),
        "declare_any": lambda: True,
        "evidence": lambda: can_view_evidence(user, app),
        "score": lambda: can_score(user, app),
        "scores": lambda: can_see_scores(user, app),
    }
    if not checks[need]():
        _blocked(user, need, app, "not_allowed")
        raise PermissionDenied
    return app


def get_evidence_file_for_user(user, app_pk: int, file_pk: int) -> EvidenceFile:
    """A file by its sequential pk: for those who may see all the application's evidence."""
    ev = get_object_or_404(
        EvidenceFile.objects.select_related("application__round", "application__platform"),
        pk=file_pk,
        application_id=app_pk,
    )
    if not can_view_evidence(user, ev.application):
        if _auth(user):
            _blocked(user, "evidence_file", ev.application, "not_allowed")
        raise Http404
    return ev


def get_public_evidence_file(slug: str, public_id: uuid.UUID) -> EvidenceFile:
    """A file published with the round's decision, by its unguessable public_id (404 otherwise,
    for everyone: insiders download through get_evidence_file_for_user)."""
    ev = get_object_or_404(
        EvidenceFile.objects.select_related("application__round", "application__platform"),
        public_id=public_id,
        application__round__slug=slug,
    )
    if not selectors.is_public_evidence(ev):
        raise Http404
    return ev


def get_decision_for_objection(user, pk: int) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related("application__platform", "round"), pk=pk
    )
    if not is_coordinator(user, decision.application.platform):
        raise Http404
    if not can_object(user, decision):
        raise PermissionDenied
    return decision


def get_objection_for_chair(user, pk: int) -> Objection:
    objection = get_object_or_404(
        Objection.objects.select_related("decision__round", "decision__application__platform"),
        pk=pk,
    )
    if not can_use_commission(user):
        raise PermissionDenied
    if not may_handle_objection(user, objection):
        _blocked(user, "objection", objection, "not_chair")
        raise PermissionDenied
    return objection


def get_recognition_for_admin(user, pk: int) -> Recognition:
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(Recognition.objects.select_related("platform", "decision"), pk=pk)
