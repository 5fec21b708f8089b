"""Endorsements (draagvlak) and printed endorsement codes."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from areas.models import Buurt
from audit.services import record
from platforms.models import (
    Endorsement,
    EndorsementCode,
    Platform,
)
from platforms.services.common import (
    CODE_ALPHABET,
    _audit,
)

# --- endorsements --------------------------------------------------------------------------


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def endorse_platform(
    *,
    platform: Platform,
    user: User,
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
def create_endorsement_codes(
    *, buurt: Buurt, count: int, by: User
) -> tuple[str, list[EndorsementCode]]:
    """Print run of single-use codes for one buurt; returns the batch name and the codes."""
    if not 1 <= count <= 500:
        raise ValidationError(_("Maak tussen 1 en 500 codes tegelijk."))
    batch = f"{buurt.code}-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    codes: list[EndorsementCode] = []
    existing: set[str] = set()
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
