"""Role checks for views, and the one way every view in the project guards itself.

Objects come through each app's permission getters (``get_<noun>_for_user``: 404 out of scope,
403 not allowed). Everything else is a predicate (``can_<verb>_<noun>``) applied with
``role_required`` on the view or ``require`` inside it; nothing else raises PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.roles import is_admin


def require(allowed: bool) -> None:
    """403 unless allowed: for a predicate on an object the view already holds."""
    if not allowed:
        raise PermissionDenied


def role_required(predicate: Callable[[Any], bool]):
    """The one decorator for role checks. Put it under @login_required and above
    @reauthentication_required, so outsiders get a plain 403 before any re-authentication."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require(predicate(request.user))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def can_manage_roles(user) -> bool:
    return is_admin(user)


def require_role_manager(user) -> None:
    require(can_manage_roles(user))
