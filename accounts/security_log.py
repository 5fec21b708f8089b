"""Security events for the log: failed and successful logins (user id and IP, never the login)."""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("buurtplatform.security")


def client_ip(request) -> str:
    if request is None:
        return "-"
    try:
        from allauth.core.internal.httpkit import get_client_ip

        return get_client_ip(request) or "-"
    except Exception:  # a malformed proxy header must not break logging in
        return request.META.get("REMOTE_ADDR", "-")


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from accounts.models import User

    login = credentials.get("email") or credentials.get("username") or ""
    user_id = User.objects.filter(email__iexact=login).values_list("pk", flat=True).first()
    log.warning(
        "login failed user=%s ip=%s",
        user_id if user_id is not None else "unknown",
        client_ip(request),
    )


@receiver(user_logged_in, dispatch_uid="security_logged_in")
def log_logged_in(sender, request, user, **kwargs) -> None:
    log.info("login ok user=%s ip=%s", user.pk, client_ip(request))
