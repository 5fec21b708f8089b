"""The two role groups and the checks on them. Superusers are administrators."""

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

COMMISSION = "commissie"
SUPPORT = "ondersteuning"
ROLES = {COMMISSION: _("Stadsdeelcommissie"), SUPPORT: _("Ondersteuningsorganisatie")}


def _group_names(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_cache = cache
    return cache


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def is_commission(user) -> bool:
    return COMMISSION in _group_names(user)


def is_support(user) -> bool:
    return SUPPORT in _group_names(user)


def ensure_groups() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def support_addresses() -> list[str]:
    """Where mail for the support organisation goes: its active staff, or SUPPORT_EMAIL when
    it has none yet (the ledger check, objections)."""
    from django.conf import settings

    from accounts.models import User

    emails = list(
        User.objects.filter(groups__name=SUPPORT, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    return emails or [str(settings.SUPPORT_EMAIL)]
