"""Members: invitations, roles, leaving; a platform always keeps a coordinator."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from platforms.models import (
    Invitation,
    Membership,
    Platform,
)
from platforms.selectors import has_verified_address
from platforms.services.common import (
    INVITATION_DAYS,
    _audit,
    _check_mail_budget,
    hash_token,
    new_token,
)

# --- members -------------------------------------------------------------------------------


@transaction.atomic
def invite_member(*, platform: Platform, email: str, role: str, by: User) -> Invitation:
    """Send a single-use, expiring invitation link by e-mail."""
    email = email.strip().lower()
    _check_mail_budget(platform, by)
    if Membership.objects.filter(platform=platform, user__email__iexact=email).exists():
        raise ValidationError(_("Deze persoon is al lid van het platform."))
    Invitation.objects.filter(
        platform=platform, email__iexact=email, status=Invitation.Status.PENDING
    ).update(status=Invitation.Status.REVOKED)
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        platform=platform,
        email=email,
        role=role,
        token=token_hash,
        invited_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    _audit(actor=by, action="platforms.invitation.sent", obj=platform, data={"role": role})
    from platforms.tasks import send_invitation_email

    send_invitation_email(invitation, token)  # rendered now, delivered after commit
    return invitation


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("platform").filter(token=hash_token(token or "")).first()
    )


def _check_open_invitation(invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Deze uitnodiging is al gebruikt of ingetrokken."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("Deze uitnodiging is verlopen. Vraag om een nieuwe."))


def _require_invited_address(invitation: Invitation, user: User) -> None:
    """An invitation link works only for the account that holds the invited address, verified:
    a forwarded or leaked link gives nobody else a role (least of all coordinator)."""
    if not has_verified_address(user, invitation.email):
        raise ValidationError(
            _(
                "Deze uitnodiging is verstuurd naar een ander e-mailadres. Log in met dat adres, "
                "of voeg het toe aan je account en bevestig het."
            ),
            code="wrong_address",
        )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """Use the invitation once: the user becomes a member (or coordinator)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open_invitation(invitation)
    _require_invited_address(invitation, user)
    membership, created = Membership.objects.get_or_create(
        platform=invitation.platform, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(actor=user, action="platforms.invitation.accepted", obj=invitation.platform)
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, user: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open_invitation(invitation)
    _require_invited_address(invitation, user)
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(actor=user, action="platforms.invitation.declined", obj=invitation.platform)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])
        _audit(actor=by, action="platforms.invitation.revoked", obj=invitation.platform)
    return invitation


def _lock_memberships(platform: Platform) -> list[Membership]:
    return list(Membership.objects.select_for_update().filter(platform=platform).order_by("pk"))


def _keeps_a_coordinator(memberships: list[Membership], *, without: Membership) -> bool:
    return any(m.role == Membership.Role.COORDINATOR and m.pk != without.pk for m in memberships)


@transaction.atomic
def change_member_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Make a member coordinator or back; the platform always keeps a coordinator."""
    if role not in Membership.Role.values:
        raise ValidationError(_("Onbekende rol."))
    memberships = _lock_memberships(membership.platform)
    membership = next(m for m in memberships if m.pk == membership.pk)
    if role != Membership.Role.COORDINATOR and not _keeps_a_coordinator(
        memberships, without=membership
    ):
        raise ValidationError(_("Een platform heeft altijd minstens één coördinator."))
    membership.role = role
    membership.save(update_fields=["role"])
    _audit(
        actor=by,
        action="platforms.member.role_changed",
        obj=membership.platform,
        data={"role": role},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by: User) -> None:
    """A coordinator removes someone (not the last coordinator)."""
    memberships = _lock_memberships(membership.platform)
    membership = next(m for m in memberships if m.pk == membership.pk)
    if not _keeps_a_coordinator(memberships, without=membership):
        raise ValidationError(_("Een platform heeft altijd minstens één coördinator."))
    platform = membership.platform
    membership.delete()
    _audit(actor=by, action="platforms.member.removed", obj=platform)


@transaction.atomic
def leave_platform(*, membership: Membership) -> None:
    """A member leaves; the last coordinator must first hand over the role."""
    memberships = _lock_memberships(membership.platform)
    membership = next(m for m in memberships if m.pk == membership.pk)
    if not _keeps_a_coordinator(memberships, without=membership):
        raise ValidationError(
            _("Je bent de laatste coördinator. Maak eerst iemand anders coördinator.")
        )
    platform, user = membership.platform, membership.user
    membership.delete()
    _audit(actor=user, action="platforms.member.left", obj=platform)


@transaction.atomic
def set_name_visibility(*, membership: Membership, show: bool) -> Membership:
    membership.show_name_publicly = show
    membership.save(update_fields=["show_name_publicly"])
    return membership
