"""Whole-page cache for public pages that change rarely (traffic spikes: news, council).

Only anonymous GET/HEAD requests without a session or messages cookie are served from the
cache, so nobody ever sees a page rendered for someone else. A cached page is stored under
the *public data version*: any save or delete of a model whose data the public pages show
bumps that version after the transaction commits (signals, connected by ``connect()`` from
``accounts.apps``), so the next visitor gets a freshly rendered page. The timeout bounds
what bypasses model signals (``QuerySet.update``, raw SQL). The CSRF token of the language
switch form is replaced per visitor, so every visitor gets their own token and cookie.

``PUBLIC_PAGE_CACHE_SECONDS`` (default 300) sets the timeout; 0 switches the cache off (tests).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger("buurtplatform.pagecache")

VERSION_KEY = "pagecache:version"
TOKEN_RE = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]+(?=")')

# Models whose rows appear on public pages (app_label.ModelName).
PUBLIC_MODELS = [
    "areas.Stadsdeel",
    "areas.Gebied",
    "areas.Wijk",
    "areas.Buurt",
    "platforms.Platform",
    "platforms.Membership",
    "platforms.Activity",
    "platforms.ActivityPhoto",
    "platforms.PartnerConfirmation",
    "platforms.Endorsement",
    "recognition.CriteriaVersion",
    "recognition.Criterion",
    "recognition.Round",
    "recognition.Application",
    "recognition.Scoresheet",
    "recognition.Score",
    "recognition.Decision",
    "recognition.CriterionMotivation",
    "recognition.Recognition",
    "recognition.Objection",
    "budgets.Budget",
    "budgets.BudgetLine",
    "budgets.Account",
    "budgets.Transaction",
    "budgets.ExpenseClaim",
    "budgets.YearClose",
    "reports.ReportJob",
    "accounts.User",
]


def timeout() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300))


def data_version() -> str:
    """The current public data version; a fresh one when the cache lost it (eviction)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return str(version)


def bump() -> None:
    """Invalidate every cached public page (after the current transaction commits)."""

    def _bump() -> None:
        try:
            cache.set(VERSION_KEY, time.time_ns(), None)
        except Exception:  # a cache outage must never break a write
            logger.warning("pagecache: could not bump the version")

    transaction.on_commit(_bump)


def _on_change(sender, instance=None, update_fields=None, **kwargs) -> None:
    if timeout() <= 0:
        return  # the cache is off: nothing to invalidate
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing public
    bump()


def connect() -> None:
    """Connect the invalidation signals (called once from an AppConfig.ready)."""
    from django.apps import apps

    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"pagecache-delete-{label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_change, sender=field.remote_field.through, dispatch_uid=f"pagecache-m2m-{label}"
            )


def _cacheable_request(request) -> bool:
    return (
        timeout() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def skip(response):
    """Keep this response out of the page cache: it changes by itself (a deadline passing)."""
    response._pagecache_skip = True
    return response


def public_page(view):
    """Serve an anonymous visitor's GET from the page cache (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = None
        try:
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
            # Today's date: pages say "erkend" up to a date, so a new day renders afresh.
            key = (
                f"pagecache:{data_version()}:{timezone.localdate().isoformat()}:"
                f"{view.__module__}.{view.__name__}:{get_language()}:{path}"
            )
            hit = cache.get(key)
        except Exception:
            logger.warning("pagecache: cache unavailable")
            hit = None
        if hit is not None:
            parts, headers = hit
            content = get_token(request).encode().join(parts) if len(parts) > 1 else parts[0]
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if (
            key is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
            and not getattr(response, "_pagecache_skip", False)
        ):
            # Cut out the visitor's CSRF token(s); a hit joins the parts with the next visitor's.
            parts = TOKEN_RE.split(response.content)
            headers = [(k, v) for k, v in response.items() if k.lower() in ("content-type",)]
            try:
                cache.set(key, (parts, headers), timeout())
            except Exception:
                logger.warning("pagecache: cache unavailable")
        return response

    return wrapped
