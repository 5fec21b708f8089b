"""Whole-page cache for public pages that change rarely (traffic spikes: news, council).

Only anonymous GET/HEAD requests without a session or messages cookie are served from the
cache, so nobody ever sees a page rendered for someone else. A cached page is stored under
the *public data version*: any save or delete of a model whose data the public pages show
bumps that version after the transaction commits (signals, connected by ``connect()`` from
``accounts.apps``), so the next visitor gets a freshly rendered page. The timeout bounds
what bypasses model signals (``QuerySet.update``, raw SQL). The CSRF token of the language
switch form is replaced per visitor, so every visitor gets their own token and cookie. A
visitor whose browser accepts gzip gets the page compressed: the page is compressed once when
stored, around the token, so a hit only compresses the token (anonymous public pages hold
no secret but that masked token, so compression leaks nothing: BREACH needs a secret).

``PUBLIC_PAGE_CACHE_SECONDS`` (default 300) sets the timeout; 0 switches the cache off (tests).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import struct
import time
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
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
    "recognition.EvidenceFile",  # consented, judged files are linked on the decision page
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
    return int(settings.PUBLIC_PAGE_CACHE_SECONDS)


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
                _on_change,
                sender=field.remote_field.through,
                dispatch_uid=f"pagecache-m2m-{label}.{field.name}",
            )


def _cacheable_request(request) -> bool:
    return (
        timeout() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _deflate(data: bytes, *, last: bool) -> bytes:
    # A full flush ends on a byte boundary with an empty history, so independently made
    # pieces can be put one after the other into a single valid deflate stream.
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


def _gzip_pieces(parts: list[bytes]) -> list[bytes]:
    """Each part compressed once, when the page is stored; a hit only compresses the token."""
    return [_deflate(part, last=i == len(parts) - 1) for i, part in enumerate(parts)]


def _gzip_join(parts: list[bytes], pieces: list[bytes], token: bytes) -> bytes:
    """gzip of token.join(parts), from the precompressed pieces (RFC 1952: header, deflate
    stream, CRC-32 and length of the uncompressed page)."""
    crc, size = zlib.crc32(parts[0]), len(parts[0])
    body = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", pieces[0]]
    if len(parts) > 1:
        token_piece = _deflate(token, last=False)
        for part, piece in zip(parts[1:], pieces[1:], strict=True):
            crc = zlib.crc32(part, zlib.crc32(token, crc))
            size += len(token) + len(part)
            body += [token_piece, piece]
    body.append(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))
    return b"".join(body)


def _accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def skip(response):
    """Keep this response out of the page cache: it changes by itself (a deadline passing)."""
    response._pagecache_skip = True
    return response


def cache_path(request, params: tuple[str, ...]) -> str:
    """The page's identity in the cache: its path and only the query parameters the view
    reads, sorted (junk parameters neither fill the cache nor make a miss)."""
    from urllib.parse import urlencode

    kept = sorted(
        (name, value) for name in params for value in request.GET.getlist(name) if value != ""
    )
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


def public_page(view=None, *, params: tuple[str, ...] = ()):
    """Serve an anonymous visitor's GET from the page cache (see the module docstring).

    ``@public_page`` for a page that reads no query parameters; ``@public_page(params=(...))``
    names the ones the view reads (filters, paging): every other parameter is ignored."""
    if view is None:
        return functools.partial(public_page, params=params)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = None
        try:
            path = hashlib.sha256(cache_path(request, params).encode()).hexdigest()[:32]
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
            parts, pieces, headers = hit
            token = get_token(request).encode() if len(parts) > 1 else b""
            if _accepts_gzip(request):
                response = HttpResponse(_gzip_join(parts, pieces, token))
                response["Content-Encoding"] = "gzip"
            else:
                response = HttpResponse(token.join(parts))
            for name, value in headers:
                response[name] = value
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Encoding",))
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
                cache.set(key, (parts, _gzip_pieces(parts), headers), timeout())
            except Exception:
                logger.warning("pagecache: cache unavailable")
        return response

    return wrapped
