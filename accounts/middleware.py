"""Extra protection for privileged people (commission, support, administrators).

- With STAFF_MFA_REQUIRED, they must set up two-factor authentication before anything else.
- After PRIVILEGED_IDLE_TIMEOUT seconds without a request their session ends (ASVS 3.3.2).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import is_admin, is_commission, is_support

# What a privileged person without two-factor authentication may still open: allauth's own
# pages (log in/out, e-mail, password, two-factor setup), their privacy rights, the language
# switch and the health check. Everything else, the Django admin included, redirects.
_MFA_EXEMPT_NAMES = {
    "set_language",
    "healthz",
    "privacy",
    "public_media",
    "workflows:data_export",
    "workflows:account_delete",
}
_MFA_EXEMPT_PREFIXES = ("account_", "mfa_")
LAST_SEEN_KEY = "_privileged_last_seen"


def _mfa_exempt(match) -> bool:
    if match is None:
        return False
    if match.view_name in _MFA_EXEMPT_NAMES:
        return True
    return not match.namespace and (match.url_name or "").startswith(_MFA_EXEMPT_PREFIXES)


def is_privileged(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff) or is_admin(user) or is_commission(user) or is_support(user)


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.STAFF_MFA_REQUIRED or not is_privileged(request.user):
            return None
        if _mfa_exempt(request.resolver_match):
            return None
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=request.user).exists():
            return None
        messages.info(
            request,
            _("Stel eerst tweestapsverificatie in. Dat is verplicht voor jouw rol."),
        )
        return redirect("mfa_activate_totp")


class PrivilegedIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PRIVILEGED_IDLE_TIMEOUT
        if timeout and is_privileged(request.user):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                messages.info(
                    request,
                    _("Je was een tijd niet actief en bent daarom uitgelogd. Log opnieuw in."),
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= 30:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
