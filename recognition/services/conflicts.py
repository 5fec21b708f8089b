"""Conflicts of interest: declarations and chair-pinned conflicts. Conflicts that follow from
membership are derived when read (recognition.selectors), never stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_commission
from audit.services import record
from recognition import permissions, selectors
from recognition.models import Application, ConflictDeclaration
from recognition.services.common import COMMISSION

# --- conflicts of interest --------------------------------------------------------------------


@transaction.atomic
def declare_conflict(
    *, application: Application, by: User, has_conflict: bool, kind: str = "", reason: str = ""
) -> ConflictDeclaration:
    """A commission member declares (no) conflict of interest before seeing the evidence."""
    if not is_commission(by):
        raise ValidationError(_("Alleen commissieleden verklaren belangen."))
    if not selectors.declarations_open(application.round):
        raise ValidationError(_("Belangen verklaren kan alleen tijdens de ronde, tot de deadline."))
    decl = (
        ConflictDeclaration.objects.select_for_update()
        .filter(application=application, member=by)
        .first()
    )
    if not has_conflict:
        if selectors.has_membership_conflict(by, application):
            raise ValidationError(
                _(
                    "Je bent lid van een platform dat meedingt voor dit gebied; "
                    "je belang blijft vastgelegd."
                )
            )
        if decl and decl.has_conflict and decl.pinned_by_id:
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
def pin_conflict(
    *, application: Application, member: User, by: User, reason: str = ""
) -> ConflictDeclaration:
    """The chair records a conflict the member cannot clear."""
    if not permissions.can_chair(by, application.round):
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
