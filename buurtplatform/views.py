"""Site-wide pages: home, privacy, the administrators' landing page and the error pages."""

import logging
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

from buurtplatform.pagecache import public_page
from buurtplatform.requestid import get_request_id

security_log = logging.getLogger("buurtplatform.security")
error_log = logging.getLogger("buurtplatform.errors")


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@public_page
def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "export_url": reverse("workflows:data_export"),
        "delete_url": reverse("workflows:account_delete"),
        "support_email": settings.SUPPORT_EMAIL,
    }
    return render(request, "privacy.html", context)


def privacy_rules(request: HttpRequest) -> HttpResponse:
    """docs/privacy.md as it is in this version of the software: who sees which datum."""
    text = (settings.BASE_DIR / "docs" / "privacy.md").read_text(encoding="utf-8")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _user_id(request: HttpRequest):
    return getattr(getattr(request, "user", None), "pk", None)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    security_log.warning("permission denied path=%r user=%s", request.path, _user_id(request))
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Logged-in people guessing addresses of objects outside their scope land here (the
    # permission getters answer 404), so their misses are security events too.
    if _user_id(request) is not None:
        security_log.info("not found path=%r user=%s", request.path, _user_id(request))
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed. The reference is the request id
    # (buurtplatform.requestid): it is on every log line of the request, the traceback too,
    # and on the X-Request-ID response header; the person never sees the traceback.
    reference = get_request_id() or secrets.token_hex(4)
    error_log.error("server error ref=%s path=%r", reference, request.path)
    html = loader.get_template("500.html").render({"reference": reference})
    return HttpResponse(html, status=500)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's rate limits answer with this page (ROOT_URLCONF.handler429)."""
    security_log.warning("rate limited path=%r user=%s", request.path, _user_id(request))
    return render(request, "429.html", status=429)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page says (base.html links the SVG)."""
    icon = (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()
    response = HttpResponse(icon, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
