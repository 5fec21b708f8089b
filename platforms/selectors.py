"""The read side of platforms: membership, the one source of "is a member / coordinator".

Every app asks these functions (permissions, services, conflicts of interest, the books);
nobody queries Membership for a yes/no question on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from platforms.models import Membership, Platform


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def membership_of(user: Any, platform: Platform) -> Membership | None:
    """The user's membership of the platform (cached on the platform object per user)."""
    if not _authenticated(user):
        return None
    cache = platform.__dict__.setdefault("_membership_cache", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(platform=platform, user=user).first()
    return cache[user.pk]


def is_member(user: Any, platform: Platform) -> bool:
    return membership_of(user, platform) is not None


def is_coordinator(user: Any, platform: Platform) -> bool:
    m = membership_of(user, platform)
    return m is not None and m.role == Membership.Role.COORDINATOR


def member_ids_by_platform(platform_ids: Iterable[int]) -> dict[int, set[int]]:
    """Platform id -> ids of its members, for many platforms in one query."""
    result: dict[int, set[int]] = {}
    for platform_id, user_id in Membership.objects.filter(
        platform_id__in=list(platform_ids)
    ).values_list("platform_id", "user_id"):
        result.setdefault(platform_id, set()).add(user_id)
    return result


def memberships_of_user(user: Any):
    """The user's memberships with their platforms, by platform name."""
    if not _authenticated(user):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user).select_related("platform").order_by("platform__name")
    )


def coordinator_emails(platform: Platform) -> list[str]:
    """Where mail about a platform goes: its coordinators and its public contact address."""
    emails = set(
        Membership.objects.filter(platform=platform, role=Membership.Role.COORDINATOR)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if platform.contact_email:
        emails.add(platform.contact_email)
    return sorted(emails)


def public_members(platform: Platform):
    """Members who chose to be named on the public page."""
    return platform.memberships.filter(show_name_publicly=True).select_related("user")


def public_activities_of_year(platform: Platform, year: int):
    """A platform's public activities that started in a year, oldest first (year report)."""
    from platforms.models import Activity

    return (
        Activity.objects.public()
        .filter(platform=platform, start_date__year=year)
        .order_by("start_date", "id")
    )
