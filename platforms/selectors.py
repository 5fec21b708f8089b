"""The read side of platforms: membership, the one source of "is a member / coordinator".

Every app asks these functions (permissions, services, conflicts of interest, the books);
nobody queries Membership for a yes/no question on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django.db.models import QuerySet

from platforms.models import Activity, Membership, Platform


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


def memberships_of_user(user: Any) -> QuerySet[Membership]:
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


def public_members(platform: Platform) -> QuerySet[Membership]:
    """Members who chose to be named on the public page."""
    return platform.memberships.filter(show_name_publicly=True).select_related("user")


def public_activities_of_year(platform: Platform, year: int) -> QuerySet[Activity]:
    """A platform's public activities that started in a year, oldest first (year report)."""
    return (
        Activity.objects.public()
        .filter(platform=platform, start_date__year=year)
        .order_by("start_date", "id")
    )


class EndorsementCount(TypedDict):
    buurt__code: str
    buurt__name: str
    verified_count: int
    declared_count: int


def endorsement_counts(platform: Platform) -> list[EndorsementCount]:
    """Per buurt: verified and self-declared endorsements (no names)."""
    return endorsement_counts_by_platform([platform.pk]).get(platform.pk, [])


def endorsement_counts_by_platform(
    platform_ids: Iterable[int],
) -> dict[int, list[EndorsementCount]]:
    """Platform id -> per buurt its verified and self-declared endorsements, in one query."""
    from django.db.models import Count, Q

    from platforms.models import Endorsement

    result: dict[int, list[EndorsementCount]] = {}
    for row in (
        Endorsement.objects.filter(platform_id__in=list(platform_ids))
        .values("platform_id", "buurt__code", "buurt__name")
        .annotate(
            verified_count=Count("id", filter=Q(verified=True)),
            declared_count=Count("id", filter=Q(verified=False)),
        )
        .order_by("platform_id", "buurt__code")
    ):
        result.setdefault(row["platform_id"], []).append(
            {
                "buurt__code": row["buurt__code"],
                "buurt__name": row["buurt__name"],
                "verified_count": row["verified_count"],
                "declared_count": row["declared_count"],
            }
        )
    return result


def activities_with_confirmations(activity_ids: Iterable[int]) -> dict[int, Activity]:
    """Activity id -> the activity with ``confirmed`` (a partner confirmed it) and
    ``confirmations_pending``, for evidence summaries; two queries for any number."""
    from platforms.models import PartnerConfirmation

    activities = Activity.objects.in_bulk(list(activity_ids))
    counts: dict[int, dict[str, int]] = {}
    for activity_id, status in PartnerConfirmation.objects.filter(
        activity_id__in=list(activities)
    ).values_list("activity_id", "status"):
        counts.setdefault(activity_id, {}).setdefault(status, 0)
        counts[activity_id][status] += 1
    for pk, activity in activities.items():
        c = counts.get(pk, {})
        activity.confirmed = c.get(PartnerConfirmation.Status.CONFIRMED, 0)  # type: ignore[attr-defined]
        activity.confirmations_pending = c.get(PartnerConfirmation.Status.REQUESTED, 0)  # type: ignore[attr-defined]
    return activities
