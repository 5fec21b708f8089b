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
