"""Register and edit a platform."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from areas.models import Buurt
from buurtplatform.uploads import CleanUpload
from platforms.models import (
    Membership,
    Platform,
)
from platforms.selectors import platform_with_same_name, similar_platforms
from platforms.services.common import (
    MAX_PLATFORMS_PER_USER_PER_DAY,
    PLATFORM_FIELDS,
    RESUBMIT_WINDOW,
    _audit,
    unique_slug,
)


@transaction.atomic
def register_platform(
    *,
    by: User,
    fields: dict[str, Any],
    buurten: Iterable[Buurt],
    logo: CleanUpload | None = None,
    confirm_similar: bool = False,
) -> Platform:
    """Create a platform (public at once, not yet recognised); the registrant coordinates it.

    The same name as an existing platform is refused (code "same_name"); a similar name in the
    same buurten needs ``confirm_similar`` (code "similar")."""
    # A double click or "back and submit again" returns the first registration (one at a time
    # per person: the lock serialises two simultaneous submits).
    list(get_user_model().objects.select_for_update().filter(pk=by.pk).values_list("pk"))
    again = Platform.objects.filter(
        created_by=by,
        name__iexact=str(fields["name"]).strip(),
        created_at__gte=timezone.now() - RESUBMIT_WINDOW,
    ).first()
    if again is not None:
        return again
    buurten = list(buurten)
    existing = platform_with_same_name(fields["name"])
    if existing is not None:
        raise ValidationError(
            _("Er bestaat al een platform met de naam ‘%(name)s’: %(url)s")
            % {"name": existing.name, "url": existing.get_absolute_url()},
            code="same_name",
        )
    if not confirm_similar and similar_platforms(fields["name"], buurten):
        raise ValidationError(
            _(
                "Er bestaat al een platform met een vergelijkbare naam in deze buurt. "
                "Vink ‘toch aanmelden’ aan om door te gaan."
            ),
            code="similar",
        )
    made_today = Platform.objects.filter(
        created_by=by, created_at__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if made_today >= MAX_PLATFORMS_PER_USER_PER_DAY:
        raise ValidationError(
            _("Je hebt vandaag al %(n)s platforms aangemeld. Probeer het morgen weer.")
            % {"n": made_today}
        )
    platform = Platform(created_by=by, slug=unique_slug(fields["name"]))
    for name in PLATFORM_FIELDS:
        if name in fields:
            setattr(platform, name, fields[name])
    if logo is not None:
        assert logo.content.name is not None  # clean_upload names every file
        platform.logo.save(logo.content.name, logo.content, save=False)
    platform.full_clean(exclude=["buurten", "logo", "created_by"])
    try:
        with transaction.atomic():
            platform.save()
    except IntegrityError:  # two registrations raced for the same slug
        platform.slug = unique_slug(f"{fields['name']}-{secrets.token_hex(2)}")
        platform.save()
    platform.buurten.set(buurten)
    Membership.objects.create(platform=platform, user=by, role=Membership.Role.COORDINATOR)
    _audit(actor=by, action="platforms.platform.registered", obj=platform)
    return platform


@transaction.atomic
def update_platform(
    *,
    platform: Platform,
    by: User,
    fields: dict[str, Any],
    buurten: Iterable[Buurt],
    logo: CleanUpload | None,
) -> Platform:
    """Change a platform's public details (the slug never changes)."""
    for name in PLATFORM_FIELDS:
        if name in fields:
            setattr(platform, name, fields[name])
    if logo is not None:
        assert logo.content.name is not None  # clean_upload names every file
        platform.logo.save(logo.content.name, logo.content, save=False)
    platform.full_clean(exclude=["buurten", "logo", "created_by"])
    platform.save()
    platform.buurten.set(buurten)
    _audit(actor=by, action="platforms.platform.updated", obj=platform)
    return platform


@transaction.atomic
def archive_platform(*, platform: Platform, by: User) -> Platform:
    """A coordinator archives the platform: it leaves the public list; its page stays, marked
    "gearchiveerd", with its history, money and decisions."""
    from platforms.permissions import can_archive_platform

    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    if not can_archive_platform(by, platform):
        if platform.archived_at is not None:
            raise ValidationError(_("Dit platform is al gearchiveerd."), code="archived")
        raise PermissionDenied
    platform.archived_at = timezone.now()
    platform.save(update_fields=["archived_at", "updated_at"])
    _audit(actor=by, action="platforms.platform.archived", obj=platform)
    return platform
