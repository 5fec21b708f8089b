"""Conflicts of interest: declarations, automatic detection, chair-pinned conflicts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import COMMISSION as COMMISSION_GROUP
from accounts.roles import is_admin, is_commission
from audit.services import record
from platforms.models import Membership
from recognition.models import (
    Application,
    ConflictDeclaration,
    Round,
)
from recognition.services.common import AS, COMMISSION, RS

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


def remember_conflicts(applications: list[Application]) -> None:
    """Work out conflicted_member_ids for many applications in two queries and keep it on
    each instance, for a page that checks every application of a round (the comparison)."""
    declared: dict[int, set[int]] = {}
    for app_id, member_id in ConflictDeclaration.objects.filter(
        application_id__in=[a.pk for a in applications], has_conflict=True
    ).values_list("application_id", "member_id"):
        declared.setdefault(app_id, set()).add(member_id)
    members: dict[int, set[int]] = {}
    for platform_id, user_id in Membership.objects.filter(
        platform_id__in={a.platform_id for a in applications}
    ).values_list("platform_id", "user_id"):
        members.setdefault(platform_id, set()).add(user_id)
    for app in applications:
        app._conflicted_member_ids = declared.get(app.pk, set()) | members.get(
            app.platform_id, set()
        )


def conflicted_member_ids(application: Application) -> set[int]:
    remembered = getattr(application, "_conflicted_member_ids", None)
    if remembered is not None:
        return set(remembered)
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
