"""The read side of platforms: membership, the one source of "is a member / coordinator".

Every app asks these functions (permissions, services, conflicts of interest, the books);
nobody queries Membership for a yes/no question on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django.db.models import QuerySet

from platforms.models import Activity, ActivityPhoto, Membership, PartnerConfirmation, Platform


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


def has_verified_address(user: Any, email: str) -> bool:
    """The user holds ``email`` as a verified address of their account (allauth)."""
    from allauth.account.models import EmailAddress

    if not _authenticated(user):
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def address_of_member(platform: Platform, email: str) -> bool:
    """Whether ``email`` belongs to one of the platform's members (account or added address)."""
    from allauth.account.models import EmailAddress

    members = Membership.objects.filter(platform=platform)
    return (
        members.filter(user__email__iexact=email).exists()
        or EmailAddress.objects.filter(
            email__iexact=email, user__memberships__platform=platform
        ).exists()
    )


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


class EndorsementSummary(TypedDict):
    per_buurt: list[EndorsementCount]
    verified: int
    declared: int
    by_members: int
    outside_area: int


def endorsement_counts(platform: Platform) -> list[EndorsementCount]:
    """Per buurt: the endorsements that count (no names)."""
    return endorsement_summaries([platform.pk])[platform.pk]["per_buurt"]


def endorsement_summary(platform: Platform) -> EndorsementSummary:
    return endorsement_summaries([platform.pk])[platform.pk]


def endorsement_summaries(platform_ids: Iterable[int]) -> dict[int, EndorsementSummary]:
    """The one rule for what support counts, for many platforms in one query: endorsements by
    the platform's own members are counted apart and never as support; a self-declared
    endorsement from outside the platform's buurten does not count (a printed code proves the
    buurt, so a verified one counts wherever the platform works)."""
    from django.db.models import Count, Exists, OuterRef, Q

    from platforms.models import Endorsement

    ids = list(platform_ids)
    own_member = Exists(
        Membership.objects.filter(platform_id=OuterRef("platform_id"), user_id=OuterRef("user_id"))
    )
    in_area = Exists(
        Platform.buurten.through.objects.filter(
            platform_id=OuterRef("platform_id"), buurt_id=OuterRef("buurt_id")
        )
    )
    rows = (
        Endorsement.objects.filter(platform_id__in=ids)
        .annotate(own=own_member, local=in_area)
        .values("platform_id", "buurt__code", "buurt__name")
        .annotate(
            verified_count=Count("id", filter=Q(verified=True, own=False)),
            declared_count=Count("id", filter=Q(verified=False, own=False, local=True)),
            by_members=Count("id", filter=Q(own=True)),
            outside_area=Count("id", filter=Q(verified=False, own=False, local=False)),
        )
        .order_by("platform_id", "buurt__code")
    )
    result: dict[int, EndorsementSummary] = {
        pk: {"per_buurt": [], "verified": 0, "declared": 0, "by_members": 0, "outside_area": 0}
        for pk in ids
    }
    for row in rows:
        summary = result[row["platform_id"]]
        summary["by_members"] += row["by_members"]
        summary["outside_area"] += row["outside_area"]
        if row["verified_count"] or row["declared_count"]:
            summary["verified"] += row["verified_count"]
            summary["declared"] += row["declared_count"]
            summary["per_buurt"].append(
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


# --- the platform's history as its coordinators see it ------------------------------------------

# Actions whose actor is a resident outside the platform: never named to its members (the audit
# trail keeps the actor for staff, see docs/privacy.md).
ANONYMOUS_ACTIONS = {"platforms.endorsement.added", "platforms.endorsement.withdrawn"}


def _history_texts() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "platforms.platform.registered": _("Platform aangemeld"),
        "platforms.platform.updated": _("Gegevens van het platform gewijzigd"),
        "platforms.invitation.sent": _("Uitnodiging verstuurd"),
        "platforms.invitation.accepted": _("Uitnodiging aangenomen"),
        "platforms.invitation.declined": _("Uitnodiging afgeslagen"),
        "platforms.invitation.revoked": _("Uitnodiging ingetrokken"),
        "platforms.member.role_changed": _("Rol van een lid gewijzigd"),
        "platforms.member.removed": _("Lid verwijderd"),
        "platforms.member.left": _("Lid vertrokken"),
        "platforms.endorsement.added": _("Steunbetuiging ontvangen"),
        "platforms.endorsement.withdrawn": _("Steunbetuiging ingetrokken"),
        "recognition.platform.status_changed": _("Erkenning gewijzigd door een besluit"),
        "recognition.platform.expired": _("Erkenning verlopen"),
    }


def platform_history(platform: Platform, *, limit: int = 50) -> list[dict[str, Any]]:
    """The platform's audit trail in words, for its coordinators: who did it is named only
    when it was one of the platform's own members; endorsers and other residents never are."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils.translation import gettext as _

    from audit.models import AuditEntry

    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Platform), object_id=str(platform.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    members = member_ids_by_platform([platform.pk]).get(platform.pk, set())
    texts = _history_texts()
    result = []
    for entry in entries:
        actor = entry.actor
        named = (
            actor is not None
            and entry.action not in ANONYMOUS_ACTIONS
            and actor.pk in members
            and bool(actor.name)
        )
        result.append(
            {
                "created_at": entry.created_at,
                "text": texts.get(entry.action, _("Wijziging")),
                "actor": actor.name if named and actor is not None else "",
            }
        )
    return result


# --- similar names, references to an activity -------------------------------------------------

SIMILAR_NAME_RATIO = 0.8  # difflib on SQLite
SIMILAR_NAME_TRIGRAM = 0.4  # pg_trgm similarity on PostgreSQL


def platform_with_same_name(name: str) -> Platform | None:
    """The platform that already carries this name (case and outer spaces ignored)."""
    return Platform.objects.filter(name__iexact=str(name).strip()).order_by("pk").first()


def similar_platforms(name: str, buurten: Iterable[Any]) -> list[Platform]:
    """Platforms sharing a buurt whose name looks like this one (not the exact same name):
    trigram similarity on PostgreSQL, a casefolded difflib ratio elsewhere."""
    import difflib

    from django.db import connection

    name = str(name).strip()
    buurt_ids = [getattr(b, "pk", b) for b in buurten]
    if not name or not buurt_ids:
        return []
    nearby = (
        Platform.objects.filter(buurten__in=buurt_ids)
        .exclude(name__iexact=name)
        .distinct()
        .order_by("name", "pk")
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            nearby.annotate(similarity=TrigramSimilarity("name", name)).filter(
                similarity__gte=SIMILAR_NAME_TRIGRAM
            )
        )
    wanted = name.casefold()
    return [
        p
        for p in nearby
        if difflib.SequenceMatcher(None, wanted, p.name.casefold()).ratio() >= SIMILAR_NAME_RATIO
    ]


def activity_is_referenced(activity: Activity) -> bool:
    """Does anything outside the platform's own track record point at this activity (a claim,
    an application's statement)? Such an activity is kept. Found through the model relations,
    so this app needs to know nothing of the apps above it."""
    own = {ActivityPhoto, PartnerConfirmation}
    return any(
        rel.related_model._default_manager.filter(**{rel.field.name: activity.pk}).exists()
        for rel in Activity._meta.related_objects
        if rel.related_model not in own
    )


def takes_new_work(platform) -> bool:
    """An archived platform keeps its page, history, money and decisions, but takes no new
    applications or expense claims (the one rule; recognition and budgets ask it)."""
    return platform.archived_at is None
