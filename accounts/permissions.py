from django.core.exceptions import PermissionDenied

from accounts.roles import is_admin


def can_manage_roles(user) -> bool:
    return is_admin(user)


def require_role_manager(user) -> None:
    if not can_manage_roles(user):
        raise PermissionDenied
