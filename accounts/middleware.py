"""With STAFF_MFA_REQUIRED, privileged people must set up two-factor authentication first."""

from django.conf import settings
from django.shortcuts import redirect

from accounts.roles import is_admin, is_commission, is_support

_ALLOWED_PREFIXES = ("/account/", "/en/account/", "/static/", "/healthz", "/i18n/")


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_MFA_REQUIRED and self._needs_mfa(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _needs_mfa(request) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(_ALLOWED_PREFIXES):
            return False
        if not (is_admin(user) or is_commission(user) or is_support(user)):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user).exists()
