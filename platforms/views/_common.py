"""Helpers shared by the platforms views."""

from __future__ import annotations

from django.db.models import Prefetch

from buurtplatform.feedback import show_errors  # noqa: F401 - used by the views
from platforms import permissions as perms
from platforms.models import (
    Activity,
    PartnerConfirmation,
    Platform,
)

PAGE_SIZE = 20


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
