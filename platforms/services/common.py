"""Shared pieces of the platform use cases: limits, tokens, slugs, audit."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import record
from platforms.models import (
    Invitation,
    PartnerConfirmation,
    Platform,
)

INVITATION_DAYS = 14
CONFIRMATION_DAYS = 30
PLATFORM_FIELDS = [
    "name",
    "area_name",
    "description",
    "contact_email",
    "contact_phone",
    "contact_text",
    "website",
    "social_links",
    "legal_form",
    "kvk_number",
]
ACTIVITY_FIELDS = [
    "title",
    "start_date",
    "end_date",
    "description",
    "category",
    "participants",
    "partners",
    "links",
    "criteria",
    "visibility",
]
# Words used by fixed URLs under /platforms/ can never be a platform's address.
RESERVED_SLUGS = {"aanmelden", "nieuw", "zoeken", "budget", "verslag"}
MAX_PHOTOS_PER_ACTIVITY = 12
MAX_PHOTOS_PER_PLATFORM = 600
MAX_MAILS_PER_PLATFORM_PER_DAY = 50  # invitations and partner requests: no mail cannon
MAX_MAILS_PER_USER_PER_DAY = 60  # more than one platform may send, so several cannot be stacked
MAX_MAILS_PER_SITE_PER_HOUR = 300  # the whole site, to addresses typed by users
MAX_PLATFORMS_PER_USER_PER_DAY = 3
# Codes are read from paper: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token() -> tuple[str, str]:
    """A random token for a link and the hash we store (a leaked table reveals no links)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unique_slug(name: str) -> str:
    """A slug from the name; never changes afterwards, so public addresses stay stable."""
    base = slugify(name)[:140] or "platform"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Platform.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# Within this window the same submission by the same person is a duplicate, not a new record.
RESUBMIT_WINDOW = datetime.timedelta(minutes=10)


def _audit(**kwargs: Any) -> None:
    record(**kwargs)


def _check_mail_budget(platform: Platform, by: Any = None) -> None:
    """Per platform, per person and for the whole site: the site is no mail cannon."""
    now = timezone.now()
    day = now - datetime.timedelta(days=1)
    if (
        Invitation.objects.filter(platform=platform, created_at__gte=day).count()
        + PartnerConfirmation.objects.filter(
            activity__platform=platform, requested_at__gte=day
        ).count()
    ) >= MAX_MAILS_PER_PLATFORM_PER_DAY:
        raise ValidationError(
            _("Jullie hebben vandaag al veel e-mails verstuurd. Probeer het morgen weer.")
        )
    if (
        by is not None
        and (
            Invitation.objects.filter(invited_by=by, created_at__gte=day).count()
            + PartnerConfirmation.objects.filter(requested_by=by, requested_at__gte=day).count()
        )
        >= MAX_MAILS_PER_USER_PER_DAY
    ):
        raise ValidationError(
            _("Je hebt vandaag al veel e-mails laten versturen. Probeer het morgen weer.")
        )
    hour = now - datetime.timedelta(hours=1)
    if (
        Invitation.objects.filter(created_at__gte=hour).count()
        + PartnerConfirmation.objects.filter(requested_at__gte=hour).count()
    ) >= MAX_MAILS_PER_SITE_PER_HOUR:
        raise ValidationError(
            _("De site verstuurt nu erg veel e-mails. Probeer het over een uur opnieuw.")
        )
