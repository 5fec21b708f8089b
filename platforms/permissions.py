"""Who may do what with platforms, members, activities and endorsements."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.roles import is_admin
from platforms.models import Activity, Membership, Platform
from platforms.selectors import is_coordinator, is_member, membership_of  # noqa: F401


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def has_verified_email(user) -> bool:
    if not _authenticated(user):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def can_register_platform(user) -> bool:
    return has_verified_email(user)


def can_edit_platform(user, platform: Platform) -> bool:
    return is_coordinator(user, platform)


def can_manage_members(user, platform: Platform) -> bool:
    return is_coordinator(user, platform)


def can_view_members(user, platform: Platform) -> bool:
    return is_member(user, platform)


def can_add_activity(user, platform: Platform) -> bool:
    return is_member(user, platform)


def can_view_activity(user, activity: Activity) -> bool:
    if activity.visibility == Activity.Visibility.PUBLIC:
        return True
    return is_member(user, activity.platform)


def can_edit_activity(user, activity: Activity) -> bool:
    """Coordinators edit any activity; members edit the ones they added themselves."""
    if is_coordinator(user, activity.platform):
        return True
    return is_member(user, activity.platform) and activity.created_by_id == user.pk


def can_delete_activity(user, activity: Activity) -> bool:
    """Only coordinators delete an activity (the service keeps one that money or a decision
    refers to)."""
    return is_coordinator(user, activity.platform)


def can_archive_platform(user, platform: Platform) -> bool:
    return is_coordinator(user, platform) and platform.archived_at is None


def can_request_confirmation(user, activity: Activity) -> bool:
    return is_coordinator(user, activity.platform)


def can_endorse_platform(user, platform: Platform) -> bool:
    return has_verified_email(user)


def can_manage_endorsement_codes(user) -> bool:
    return is_admin(user)


def get_platform_for_user(user, slug: str, *, write: bool = False) -> Platform:
    """Every platform is public; writing needs the coordinator role."""
    platform = get_object_or_404(Platform, slug=slug)
    if write and not can_edit_platform(user, platform):
        raise PermissionDenied
    return platform


def get_platform_for_member(user, slug: str) -> Platform:
    """Member-only pages (member list, adding activities)."""
    platform = get_object_or_404(Platform, slug=slug)
    if not is_member(user, platform):
        raise PermissionDenied
    return platform


def get_activity_for_user(user, slug: str, pk: int, *, write: bool = False) -> Activity:
    """Members-only activities do not exist for outsiders (404); editing needs the right role."""
    activity = get_object_or_404(
        Activity.objects.select_related("platform"), platform__slug=slug, pk=pk
    )
    if not can_view_activity(user, activity):
        raise Http404
    if write and not can_edit_activity(user, activity):
        raise PermissionDenied
    return activity


def get_membership_for_user(user, slug: str, pk: int) -> Membership:
    """A membership that a coordinator of the same platform manages."""
    platform = get_platform_for_user(user, slug, write=True)
    return get_object_or_404(
        Membership.objects.select_related("user", "platform"), platform=platform, pk=pk
    )


def require_endorsement_code_manager(user) -> None:
    if not can_manage_endorsement_codes(user):
        raise PermissionDenied
