from accounts.permissions import require
from accounts.roles import is_admin


def can_view_audit_log(user) -> bool:
    return is_admin(user)


def require_audit_reader(user) -> None:
    require(can_view_audit_log(user))
