"""Use cases for platforms: register, members, activities, partner confirmations, endorsements."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from areas.models import Buurt
from audit.services import record
from buurtplatform.uploads import CleanUpload, make_thumbnail
from platforms.models import (
    Activity,
    ActivityPhoto,
    Endorsement,
    EndorsementCode,
    Invitation,
    Membership,
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


def _audit(**kwargs) -> None:
    record(**kwargs)


@transaction.atomic
def register_platform(
    *, by, fields: dict, buurten: Iterable[Buurt], logo: CleanUpload | None = None
) -> Platform:
    """Create a platform (public at once, not yet recognised); the registrant coordinates it."""
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
    platform = Platform(created_by=by, slug=unique_slug(fields["name"]))
    for name in PLATFORM_FIELDS:
        if name in fields:
            setattr(platform, name, fields[name])
    if logo is not None:
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
    *, platform: Platform, by, fields: dict, buurten: Iterable[Buurt], logo: CleanUpload | None
) -> Platform:
    """Change a platform's public details (the slug never changes)."""
    for name in PLATFORM_FIELDS:
        if name in fields:
            setattr(platform, name, fields[name])
    if logo is not None:
        platform.logo.save(logo.content.name, logo.content, save=False)
    platform.full_clean(exclude=["buurten", "logo", "created_by"])
    platform.save()
    platform.buurten.set(buurten)
    _audit(actor=by, action="platforms.platform.updated", obj=platform)
    return platform


# --- members -------------------------------------------------------------------------------


@transaction.atomic
def invite_member(*, platform: Platform, email: str, role: str, by) -> Invitation:
    """Send a single-use, expiring invitation link by e-mail."""
    email = email.strip().lower()
    _check_mail_budget(platform)
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

    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
    return invitation


def _check_mail_budget(platform: Platform) -> None:
    since = timezone.now() - datetime.timedelta(days=1)
    sent = (
        Invitation.objects.filter(platform=platform, created_at__gte=since).count()
        + PartnerConfirmation.objects.filter(
            activity__platform=platform, requested_at__gte=since
        ).count()
    )
    if sent >= MAX_MAILS_PER_PLATFORM_PER_DAY:
        raise ValidationError(
            _("Jullie hebben vandaag al veel e-mails verstuurd. Probeer het morgen weer.")
        )


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("platform").filter(token=hash_token(token or "")).first()
    )


def _check_open_invitation(invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Deze uitnodiging is al gebruikt of ingetrokken."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("Deze uitnodiging is verlopen. Vraag om een nieuwe."))


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Use the invitation once: the user becomes a member (or coordinator)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open_invitation(invitation)
    membership, created = Membership.objects.get_or_create(
        platform=invitation.platform, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(actor=user, action="platforms.invitation.accepted", obj=invitation.platform)
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, user) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_open_invitation(invitation)
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(actor=user, action="platforms.invitation.declined", obj=invitation.platform)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by) -> Invitation:
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
def change_member_role(*, membership: Membership, role: str, by) -> Membership:
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
def remove_member(*, membership: Membership, by) -> None:
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
    by,
    fields: dict,
    photos: Iterable[tuple[CleanUpload, str]] = (),
) -> Activity:
    """Add an activity to the track record, with optional photos (image, alt text)."""
    # The same activity sent twice by the same person (double click, resubmit after "back")
    # is stored once; the platform row lock serialises simultaneous submits.
    list(Platform.objects.select_for_update().filter(pk=platform.pk).values_list("pk"))
    again = platform.activities.filter(
        created_by=by,
        title=fields.get("title"),
        start_date=fields.get("start_date"),
        created_at__gte=timezone.now() - RESUBMIT_WINDOW,
    ).first()
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
def update_activity(*, activity: Activity, by, fields: dict) -> Activity:
    for name in ACTIVITY_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    activity.criteria = _check_criteria(activity.criteria or [])
    activity.full_clean(exclude=["created_by"])
    activity.save()
    _audit(actor=by, action="platforms.activity.updated", obj=activity)
    return activity


@transaction.atomic
def add_activity_photo(
    *, activity: Activity, image: CleanUpload, alt_text: str, by
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
    photo = ActivityPhoto(activity=activity, alt_text=alt_text)
    photo.image.save(image.content.name, image.content, save=False)
    photo.thumbnail.save(thumb.name, thumb, save=False)
    photo.save()
    return photo


@transaction.atomic
def delete_activity_photo(*, photo: ActivityPhoto, by) -> None:
    activity = photo.activity
    photo.image.delete(save=False)
    photo.thumbnail.delete(save=False)
    photo.delete()
    _audit(actor=by, action="platforms.activity.photo_deleted", obj=activity)


# --- partner confirmation ------------------------------------------------------------------


@transaction.atomic
def request_partner_confirmation(
    *, activity: Activity, partner_name: str, partner_email: str, by
) -> PartnerConfirmation:
    """E-mail a partner a single-use link to confirm (or not) that the activity took place."""
    _check_mail_budget(activity.platform)
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

    transaction.on_commit(lambda: send_confirmation_request_email.delay(confirmation.pk, token))
    return confirmation


def find_confirmation(token: str) -> PartnerConfirmation | None:
    return (
        PartnerConfirmation.objects.select_related("activity__platform")
        .filter(token=hash_token(token or ""))
        .first()
    )


@transaction.atomic
def respond_partner_confirmation(
    *, confirmation: PartnerConfirmation, confirm: bool, note: str = ""
) -> PartnerConfirmation:
    """The partner answers once, without an account."""
    confirmation = PartnerConfirmation.objects.select_for_update().get(pk=confirmation.pk)
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


# --- endorsements --------------------------------------------------------------------------


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def endorse_platform(
    *,
    platform: Platform,
    user,
    buurt: Buurt | None,
    postcode4: str = "",
    show_name: bool = False,
    code: str = "",
) -> Endorsement:
    """Support a platform once. With a printed code the buurt is known and the support verified."""
    from platforms.permissions import has_verified_email

    if not has_verified_email(user):
        raise ValidationError(_("Bevestig eerst je e-mailadres."))
    if Endorsement.objects.filter(platform=platform, user=user).exists():
        raise ValidationError(_("Je steunt dit platform al."))
    code_obj = None
    if code:
        code_obj = (
            EndorsementCode.objects.select_for_update()
            .filter(code=_normalise_code(code))
            .select_related("buurt")
            .first()
        )
        if code_obj is None or code_obj.used_at is not None:
            raise ValidationError(_("Deze steuncode bestaat niet of is al gebruikt."))
        buurt = code_obj.buurt
        code_obj.used_at = timezone.now()
        code_obj.save(update_fields=["used_at"])
    if buurt is None:
        raise ValidationError(_("Kies de buurt waar je woont of werkt."))
    endorsement = Endorsement(
        platform=platform,
        user=user,
        buurt=buurt,
        postcode4=postcode4 or "",
        show_name=show_name,
        verified=code_obj is not None,
        code=code_obj,
    )
    endorsement.full_clean(exclude=["user", "platform", "code", "buurt"])
    try:
        with transaction.atomic():
            endorsement.save()
    except IntegrityError as exc:  # a double click raced past the check above
        raise ValidationError(_("Je steunt dit platform al.")) from exc
    _audit(actor=user, action="platforms.endorsement.added", obj=platform)
    return endorsement


@transaction.atomic
def withdraw_endorsement(*, endorsement: Endorsement) -> None:
    """Withdraw support; nothing about it is kept (a used code stays used)."""
    platform, user = endorsement.platform, endorsement.user
    endorsement.delete()
    _audit(actor=user, action="platforms.endorsement.withdrawn", obj=platform)


@transaction.atomic
def create_endorsement_codes(*, buurt: Buurt, count: int, by) -> tuple[str, list[EndorsementCode]]:
    """Print run of single-use codes for one buurt; returns the batch name and the codes."""
    if not 1 <= count <= 500:
        raise ValidationError(_("Maak tussen 1 en 500 codes tegelijk."))
    batch = f"{buurt.code}-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    codes = []
    existing = set()
    while len(codes) < count:
        value = "".join(secrets.choice(CODE_ALPHABET) for _i in range(10))
        if value in existing or EndorsementCode.objects.filter(code=value).exists():
            continue
        existing.add(value)
        codes.append(EndorsementCode(code=value, buurt=buurt, batch=batch, created_by=by))
    EndorsementCode.objects.bulk_create(codes)
    record(
        actor=by,
        action="platforms.endorsement_codes.created",
        obj=buurt,
        data={"batch": batch, "count": count},
    )
    return batch, codes


def endorsement_counts(platform: Platform) -> list[dict]:
    """Per buurt: verified and self-declared endorsements (no names)."""
    from django.db.models import Count

    return list(
        Endorsement.objects.filter(platform=platform)
        .values("buurt__code", "buurt__name")
        .annotate(
            verified_count=Count("id", filter=Q(verified=True)),
            declared_count=Count("id", filter=Q(verified=False)),
        )
        .order_by("buurt__code")
    )
