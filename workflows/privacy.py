"""A person's data across every app (AVG): export it, or delete the account without breaking
what others rely on. Above the apps it touches, so it can name their models directly."""

from __future__ import annotations

import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record
from platforms.models import (
    Activity,
    EndorsementCode,
    Invitation,
    Membership,
    PartnerConfirmation,
    Platform,
)
from recognition.models import Application, ApplicationRevision, EvidenceFile, Objection

DELETED_NAME = "verwijderde gebruiker"

# Authored content others rely on stays, without the author: (model, field).
_AUTHORED_FIELDS: list[tuple[type[models.Model], str]] = [
    (Platform, "created_by"),
    (Activity, "created_by"),
    (Invitation, "invited_by"),
    (PartnerConfirmation, "requested_by"),
    (EndorsementCode, "created_by"),
    (Application, "created_by"),
    (ApplicationRevision, "submitted_by"),
    (EvidenceFile, "uploaded_by"),
    (Objection, "submitted_by"),
]


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_personal_data(*, user: User) -> dict[str, Any]:
    """Everything we hold about ``user`` themself (AVG art. 15/20), ready for JSON."""
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_factor": sorted(
                Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
        },
        "memberships": [
            {
                "platform": m.platform.slug,
                "platform_name": m.platform.name,
                "role": m.role,
                "show_name_publicly": m.show_name_publicly,
                "joined_at": _iso(m.joined_at),
            }
            for m in user.memberships.select_related("platform").order_by("pk")
        ],
        "endorsements": [
            {
                "platform": e.platform.slug,
                "buurt": e.buurt.code,
                "postcode4": e.postcode4,
                "verified": e.verified,
                "show_name": e.show_name,
                "created_at": _iso(e.created_at),
            }
            for e in user.endorsements.select_related("platform", "buurt").order_by("pk")
        ],
        "activities_authored": [
            {
                "id": a.pk,
                "platform": a.platform.slug,
                "title": a.title,
                "start_date": _iso(a.start_date),
                "end_date": _iso(a.end_date),
                "description": a.description,
                "visibility": a.visibility,
                "created_at": _iso(a.created_at),
            }
            for a in Activity.objects.filter(created_by=user).select_related("platform")
        ],
        "applications_authored": [
            {
                "id": a.pk,
                "round": a.round.slug,
                "platform": a.platform.slug,
                "status": a.status,
                "requested_amount": str(a.requested_amount),
                "plan_summary": a.plan_summary,
                "created_at": _iso(a.created_at),
            }
            for a in Application.objects.filter(created_by=user)
            .select_related("round", "platform")
            .order_by("pk")
        ],
        "claims_submitted": [
            {
                "id": c.pk,
                "platform": c.budget.platform.slug,
                "amount": str(c.amount),
                "expense_date": _iso(c.expense_date),
                "payee_name": c.payee_name,
                "iban": c.iban,
                "description": c.description,
                "private_notes": c.private_notes,
                "status": c.status,
                "created_at": _iso(c.created_at),
            }
            for c in user.claims.select_related("budget__platform").order_by("pk")
        ],
    }


def platforms_blocking_deletion(*, user: User) -> list[Platform]:
    """Platforms where ``user`` is the only coordinator (they must hand over first)."""
    coordinator = Membership.Role.COORDINATOR
    mine = Membership.objects.filter(user=user, role=coordinator).select_related("platform")
    return [
        m.platform
        for m in mine
        if not Membership.objects.filter(platform=m.platform_id, role=coordinator)
        .exclude(user=user)
        .exists()
    ]


@transaction.atomic
def delete_account(*, user: User, by: User) -> User:
    """Delete a person's account (AVG art. 17) without breaking what others rely on.

    Endorsements and memberships go; authored activities and applications stay without
    their author; ledger and claims keep pointing at this row, which is de-identified rather
    than deleted (bookkeeping must be kept for seven years).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    blocking = platforms_blocking_deletion(user=user)
    if blocking:
        raise ValidationError(
            _(
                "Je bent de enige coördinator van %(platforms)s. Maak eerst iemand anders "
                "coördinator, of vraag de ondersteuning om hulp."
            )
            % {"platforms": ", ".join(p.name for p in blocking)}
        )
    counts = {
        "endorsements": user.endorsements.all().delete()[0],
        "memberships": user.memberships.all().delete()[0],
    }
    for model, field in _AUTHORED_FIELDS:
        counts[f"{model.__name__.lower()}.{field}"] = model._default_manager.filter(
            **{field: user}
        ).update(**{field: None})
    anonymous_email = f"deleted-{user.pk}@invalid"
    invitations = Invitation.objects.filter(email__iexact=user.email)
    invitations.filter(status=Invitation.Status.PENDING).update(status=Invitation.Status.REVOKED)
    invitations.update(email=anonymous_email)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = anonymous_email
    user.name = DELETED_NAME
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every other session (auth hash changes)
    user.save()
    record(
        actor=by,
        action="accounts.account.deleted",
        obj=user,
        data={"self_service": by.pk == user.pk, **counts},
    )
    return user
