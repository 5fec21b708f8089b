"""Site-wide pages: home, privacy and error pages."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

security_log = logging.getLogger("buurtplatform.security")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    user_id = getattr(getattr(request, "user", None), "pk", None)
    security_log.warning("permission denied path=%r user=%s", request.path, user_id)
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
