"""The track record: activities, photos and partner confirmations."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from buurtplatform.uploads import CleanUpload, make_thumbnail
from platforms.models import (
    Activity,
    ActivityPhoto,
    PartnerConfirmation,
    Platform,
)
from platforms.selectors import activity_is_referenced, address_of_member, is_member
from platforms.services.common import (
    ACTIVITY_FIELDS,
    CONFIRMATION_DAYS,
    MAX_PHOTOS_PER_ACTIVITY,
    MAX_PHOTOS_PER_PLATFORM,
    RESUBMIT_WINDOW,
    _audit,
    _check_mail_budget,
    hash_token,
    new_token,
)

# --- activities ----------------------------------------------------------------------------


def _check_criteria(criteria: list[str]) -> list[str]:
    from platforms.models import CRITERION_KEYS

    allowed = {key for key, _label in CRITERION_KEYS}
    unknown = [c for c in criteria if c not in allowed]
    if unknown:
        raise ValidationError(_("Onbekend criterium: %(c)s") % {"c": ", ".join(unknown)})
    return list(dict.fromkeys(criteria))


@transaction.atomic
def add_activity(
    *,
    platform: Platform,
    by: User,
    fields: dict[str, Any],
    photos: Iterable[tuple[CleanUpload, str]] = (),
) -> Activity:
    """Add an activity to the track record, with optional photos (image, alt text)."""
    # The same activity sent twice by the same person (double click, resubmit after "back")
    # is stored once; the platform row lock serialises simultaneous submits.
    list(Platform.objects.select_for_update().filter(pk=platform.pk).values_list("pk"))
    start_date = fields.get("start_date")
    again = (
        platform.activities.filter(
            created_by=by,
            title=fields.get("title"),
            start_date=start_date,
            created_at__gte=timezone.now() - RESUBMIT_WINDOW,
        ).first()
        if start_date is not None  # no start date matches no activity (full_clean refuses it)
        else None
    )
    if again is not None:
        return again
    activity = Activity(platform=platform, created_by=by)
    for name in ACTIVITY_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    activity.criteria = _check_criteria(activity.criteria or [])
    activity.full_clean(exclude=["created_by"])
    activity.save()
    for image, alt_text in photos:
        add_activity_photo(activity=activity, image=image, alt_text=alt_text, by=by)
    _audit(actor=by, action="platforms.activity.added", obj=activity)
    return activity


@transaction.atomic
def update_activity(*, activity: Activity, by: User, fields: dict[str, Any]) -> Activity:
    was = Activity.objects.filter(pk=activity.pk).values_list("visibility", flat=True).first()
    for name in ACTIVITY_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    activity.criteria = _check_criteria(activity.criteria or [])
    activity.full_clean(exclude=["created_by"])
    activity.save()
    if was is not None and was != activity.visibility:
        _move_photos(activity)
    _audit(actor=by, action="platforms.activity.updated", obj=activity)
    return activity


def _move_photos(activity: Activity) -> None:
    """Visibility changed: move the photos to the public or the private folder, so a photo of a
    members-only activity is never reachable by its old public address."""
    from django.core.files.base import ContentFile

    for photo in activity.photos.all():
        photo.activity = activity
        for field in (photo.image, photo.thumbnail):
            old_name = field.name
            if not old_name:
                continue
            with field.open("rb") as handle:
                content = handle.read()
            field.save(old_name.rsplit("/", 1)[-1], ContentFile(content), save=False)
            field.storage.delete(old_name)
        photo.save(update_fields=["image", "thumbnail"])


@transaction.atomic
def add_activity_photo(
    *, activity: Activity, image: CleanUpload, alt_text: str, by: User
) -> ActivityPhoto:
    """Store a re-encoded photo and its thumbnail; alt text is required."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ValidationError(_("Beschrijf wat er op de foto staat."))
    if activity.photos.count() >= MAX_PHOTOS_PER_ACTIVITY:
        raise ValidationError(_("Een activiteit heeft hoogstens 12 foto's."))
    if ActivityPhoto.objects.filter(activity__platform=activity.platform_id).count() >= (
        MAX_PHOTOS_PER_PLATFORM
    ):
        raise ValidationError(_("Jullie platform heeft het maximum aantal foto's bereikt."))
    thumb = make_thumbnail(image)
    assert image.content.name is not None and thumb.name is not None  # both named by uploads.py
    photo = ActivityPhoto(activity=activity, alt_text=alt_text)
    photo.image.save(image.content.name, image.content, save=False)
    photo.thumbnail.save(thumb.name, thumb, save=False)
    photo.save()
    return photo


@transaction.atomic
def delete_activity_photo(*, photo: ActivityPhoto, by: User) -> None:
    activity = photo.activity
    photo.image.delete(save=False)
    photo.thumbnail.delete(save=False)
    photo.delete()
    _audit(actor=by, action="platforms.activity.photo_deleted", obj=activity)


@transaction.atomic
def delete_activity(*, activity: Activity, by: User) -> None:
    """A coordinator deletes an activity with its photos and partner confirmations. One that a
    claim (money) or an application's statement (a decision) refers to is kept."""
    from platforms.permissions import can_delete_activity

    activity = Activity.objects.select_for_update().select_related("platform").get(pk=activity.pk)
    if not can_delete_activity(by, activity):
        raise PermissionDenied
    if activity_is_referenced(activity):
        raise ValidationError(
            _(
                "Deze activiteit blijft staan: een declaratie of een aanvraag verwijst ernaar. "
                "Maak haar zo nodig zichtbaar voor alleen leden."
            ),
            code="referenced",
        )
    platform, title, pk = activity.platform, activity.title, activity.pk
    for photo in activity.photos.all():
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
    activity.delete()
    _audit(
        actor=by,
        action="platforms.activity.deleted",
        obj=platform,
        data={"activity": pk, "title": title},
    )


# --- partner confirmation ------------------------------------------------------------------


@transaction.atomic
def request_partner_confirmation(
    *, activity: Activity, partner_name: str, partner_email: str, by: User
) -> PartnerConfirmation:
    """E-mail a partner a single-use link to confirm (or not) that the activity took place."""
    _check_mail_budget(activity.platform, by)
    if address_of_member(activity.platform, partner_email.strip()):
        # A confirmation is evidence from outside: the platform cannot confirm itself.
        raise ValidationError(
            {
                "partner_email": _(
                    "Dit adres hoort bij een lid van het platform. Een bevestiging moet komen "
                    "van een partner buiten het platform."
                )
            }
        )
    token, token_hash = new_token()
    confirmation = PartnerConfirmation.objects.create(
        activity=activity,
        partner_name=partner_name.strip(),
        partner_email=partner_email.strip().lower(),
        token=token_hash,
        requested_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=CONFIRMATION_DAYS),
    )
    _audit(actor=by, action="platforms.confirmation.requested", obj=activity)
    from platforms.tasks import send_confirmation_request_email

    send_confirmation_request_email(confirmation, token)  # rendered now, delivered after commit
    return confirmation


def find_confirmation(token: str) -> PartnerConfirmation | None:
    return (
        PartnerConfirmation.objects.select_related("activity__platform")
        .filter(token=hash_token(token or ""))
        .first()
    )


@transaction.atomic
def respond_partner_confirmation(
    *,
    confirmation: PartnerConfirmation,
    confirm: bool,
    note: str = "",
    by: User | None = None,
) -> PartnerConfirmation:
    """The partner answers once, without an account. A member of the platform who got hold of
    the link (logged in as ``by``) cannot answer it."""
    confirmation = PartnerConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if by is not None and is_member(by, confirmation.activity.platform):
        raise ValidationError(
            _("Je bent lid van dit platform; alleen de partner zelf kan dit bevestigen.")
        )
    if confirmation.status != PartnerConfirmation.Status.REQUESTED:
        raise ValidationError(_("Op dit verzoek is al geantwoord."))
    if confirmation.expires_at <= timezone.now():
        raise ValidationError(_("Deze link is verlopen."))
    confirmation.status = (
        PartnerConfirmation.Status.CONFIRMED if confirm else PartnerConfirmation.Status.DECLINED
    )
    confirmation.note = (note or "")[:500]
    confirmation.responded_at = timezone.now()
    confirmation.save(update_fields=["status", "note", "responded_at"])
    _audit(
        actor=None,
        action=f"platforms.confirmation.{confirmation.status}",
        obj=confirmation.activity,
        data={"partner": confirmation.partner_name},
    )
    return confirmation
