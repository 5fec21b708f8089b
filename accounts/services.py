"""Use cases on accounts: granting and revoking roles."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import ROLES
from audit.services import record


@transaction.atomic
def grant_role(*, user: User, role: str, by: User | None) -> bool:
    """Add ``user`` to a role group; returns False when they already had it."""
    if role not in ROLES:
        raise ValidationError(_("Onbekende rol: %(role)s") % {"role": role})
    group, _created = Group.objects.get_or_create(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    record(actor=by, action="accounts.role.granted", obj=user, data={"role": role})
    return True


@transaction.atomic
def revoke_role(*, user: User, role: str, by: User | None) -> bool:
    """Remove ``user`` from a role group; returns False when they did not have it."""
    if role not in ROLES:
        raise ValidationError(_("Onbekende rol: %(role)s") % {"role": role})
    group = Group.objects.filter(name=role).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.remove(group)
    record(actor=by, action="accounts.role.revoked", obj=user, data={"role": role})
    return True


# Privacy (AVG): a person's own data as JSON, and deleting the account.

DELETED_NAME = "verwijderde gebruiker"

# Authored content others rely on stays, without the author: (app label, model, field).
_AUTHORED_FIELDS = [
    ("platforms", "Platform", "created_by"),
    ("platforms", "Activity", "created_by"),
    ("platforms", "Invitation", "invited_by"),
    ("platforms", "PartnerConfirmation", "requested_by"),
    ("platforms", "EndorsementCode", "created_by"),
    ("recognition", "Application", "created_by"),
    ("recognition", "ApplicationRevision", "submitted_by"),
    ("recognition", "EvidenceFile", "uploaded_by"),
    ("recognition", "Objection", "submitted_by"),
]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_personal_data(*, user: User) -> dict:
    """Everything we hold about ``user`` themself (AVG art. 15/20), ready for JSON."""
    from allauth.mfa.models import Authenticator
    from django.apps import apps

    Activity = apps.get_model("platforms", "Activity")
    Application = apps.get_model("recognition", "Application")
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in user.emailaddress_set.order_by("pk")
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


def platforms_blocking_deletion(*, user: User) -> list:
    """Platforms where ``user`` is the only coordinator (they must hand over first)."""
    from django.apps import apps

    Membership = apps.get_model("platforms", "Membership")
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
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.apps import apps

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
    for app_label, model_name, field in _AUTHORED_FIELDS:
        model = apps.get_model(app_label, model_name)
        counts[f"{model_name.lower()}.{field}"] = model.objects.filter(**{field: user}).update(
            **{field: None}
        )
    Invitation = apps.get_model("platforms", "Invitation")
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
