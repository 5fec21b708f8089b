"""Helpers shared by the platforms views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest

from platforms import permissions as perms
from platforms.models import (
    Activity,
    PartnerConfirmation,
    Platform,
)

PAGE_SIZE = 20


def show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def timeline_for(user, platform: Platform):
    confirmed = PartnerConfirmation.objects.filter(
        status=PartnerConfirmation.Status.CONFIRMED
    ).order_by("partner_name")
    qs = Activity.objects.filter(platform=platform)
    if not perms.is_member(user, platform):
        qs = qs.public()
    return qs.select_related("platform").prefetch_related(
        "photos", Prefetch("partner_confirmations", queryset=confirmed, to_attr="confirmed")
    )


def platform_history(platform: Platform):
    """The audit trail of a platform (shown to its coordinators)."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry

    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Platform), object_id=str(platform.pk)
    ).select_related("actor")[:50]
