from accounts.roles import is_admin, is_commission, is_support


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "is_commission": is_commission(user),
        "is_support": is_support(user),
        "is_admin": is_admin(user),
    }
