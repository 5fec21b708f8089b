"""An endorsement started while logged out (a letter code at /steun/, or "Steun dit platform")
survives sign-up, e-mail confirmation and login: the code and the chosen platform wait in the
session and are completed by the login signal (with a message), or the user lands back on the
page where they left off (accounts.adapter.AFTER_LOGIN_URL)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.adapter import AFTER_LOGIN_URL

SESSION_KEY = "pending_endorsement"


def remember(request: HttpRequest, *, code: str = "", slug: str = "", then: str = "") -> None:
    """Keep what the visitor started; `then` is where to continue after login."""
    pending = dict(request.session.get(SESSION_KEY) or {})
    if code:
        pending["code"] = code
    if slug:
        pending["platform"] = slug
    request.session[SESSION_KEY] = pending
    if then:
        request.session[AFTER_LOGIN_URL] = then


def pending_code(request: HttpRequest) -> str:
    return (request.session.get(SESSION_KEY) or {}).get("code", "")


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def complete_after_login(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """user_logged_in: with a code and a platform, endorse now; otherwise the AFTER_LOGIN_URL
    page (the code lookup or the endorsement form) takes over."""
    if request is None or not hasattr(request, "session"):
        return
    pending = request.session.get(SESSION_KEY) or {}
    code, slug = pending.get("code", ""), pending.get("platform", "")
    if not (code and slug):
        return
    from platforms import services
    from platforms.models import Platform

    forget(request)
    platform = Platform.objects.filter(slug=slug, buurten__endorsement_codes__code=code).first()
    if platform is None:
        return
    try:
        services.endorse_platform(platform=platform, user=user, buurt=None, code=code)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Je steun voor %(name)s is geregistreerd met je steuncode. Dank je wel!")
            % {"name": platform.name},
        )
    request.session[AFTER_LOGIN_URL] = platform.get_absolute_url()
