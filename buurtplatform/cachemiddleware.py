"""Answer anonymous visits to public pages from the page cache, before the rest of the stack.

``PageCacheMiddleware`` sits near the top of ``MIDDLEWARE`` (after SecurityMiddleware, the NUL
guard and WhiteNoise, before sessions). For a GET or HEAD without a session or messages cookie
it resolves the path (in the path's language) and, when the view is a ``@public_page``, looks
the page up under the public data version, today's date, host, language and the path with only
the query parameters the page declares. A hit is answered at once: no session, no user, no
view, no database; the stored bytes in the encoding the client accepts (br, gzip or none),
with the headers the inner middlewares gave the page when it was rendered (CSP,
X-Frame-Options, Content-Language; SecurityMiddleware above adds HSTS and the rest on the way
out). A miss renders the page through the whole stack, stores it in every encoding once and
answers like a hit, so the first and every later visitor get the same bytes. The most
visited pages are also kept in the process's own memory (``LocalPages``), and the data version
(a database row every process shares) is read at most once per ``PUBLIC_PAGE_VERSION_SECONDS``
(``pagecache.data_version``): a hit then makes no round trip to Redis or the database.

HTTP caching for the world outside (browsers, nginx, a CDN):

- an anonymous public page sends ``ETag`` (data version, date, host, language, path, encoding),
  ``Last-Modified``, ``Cache-Control: public, max-age=60, stale-while-revalidate=600`` and
  ``Vary: Accept-Encoding, Cookie``, and answers ``304`` to a matching ``If-None-Match`` or
  ``If-Modified-Since``;
- a response to a logged-in person, or one that sets a cookie (a CSRF token, a session), sends
  ``Cache-Control: private, no-store`` unless the view chose its own.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from buurtplatform import conditional, pagecache

logger = logging.getLogger("buurtplatform.pagecache")

try:  # brotli is optional: without it, gzip only
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage
PUBLIC_VARY = ("Accept-Encoding", "Cookie")
PUBLIC_VARY_HEADER = ", ".join(PUBLIC_VARY)
# Headers never stored with a page: the middleware makes them per response.
_NOT_STORED = {
    "content-length",
    "content-encoding",
    "vary",
    "cache-control",
    "etag",
    "last-modified",
    "expires",
    "set-cookie",
}
# Vary values a public page may have: the language comes from the path alone
# (i18n_patterns), and every anonymous visitor without a session gets the same page.
_HARMLESS_VARY = {"accept-encoding", "accept-language", "cookie"}
MIN_COMPRESS = 256


@dataclass(frozen=True)
class Page:
    """Where a request's page lives in the cache (and what its validators are made of)."""

    key: str
    version: str
    day: str
    parts: tuple[str, ...]


class LocalPages:
    """The most visited cached pages in this process's own memory, least recently used out
    first, at most ``PUBLIC_PAGE_LOCAL_MB``, each no longer than ``PUBLIC_PAGE_CACHE_SECONDS``
    (as in the shared cache). Keys carry the data version, so a bump makes every copy
    unreachable (and the least recently used, soon gone)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[dict, int, float]] = OrderedDict()
        self.size = 0

    @staticmethod
    def limit() -> int:
        return int(settings.PUBLIC_PAGE_LOCAL_MB) * 1024 * 1024

    def get(self, key: str) -> dict | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.time() >= found[2]:
                del self._entries[key]
                self.size -= found[1]
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: str, entry: dict) -> None:
        size = sum(len(body) for body in entry["bodies"].values())
        limit = self.limit()
        if not limit or size > limit:  # off, or a page larger than the whole allowance
            return
        # As long as in the shared cache: from when the page was rendered, on any machine.
        expires = entry.get("stored_at", time.time()) + pagecache.timeout()
        with self._lock:
            if key in self._entries:
                self.size -= self._entries.pop(key)[1]
            self._entries[key] = (entry, size, expires)
            self.size += size
            while self.size > limit:
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


local_pages = LocalPages()


def _lookup(key: str) -> dict | None:
    """A cached page: from this process's memory, else from the shared cache (and kept)."""
    entry = local_pages.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            local_pages.put(key, entry)
    return entry


def _cacheable(request: HttpRequest) -> bool:
    return (
        pagecache.timeout() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


@functools.lru_cache(maxsize=4096)
def _resolve_public(urlconf: str, path_info: str) -> tuple[str, tuple[str, ...]] | None:
    """(language, declared parameters) when the path is a public page, else None; remembered
    per path (bounded), since resolving is a good part of what a hit costs."""
    language = translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path_info, urlconf)
        except Resolver404:
            return None
    params = getattr(match.func, pagecache.PARAMS_ATTR, None)
    return None if params is None else (language, params)


@receiver(setting_changed)
def _urlconf_changed(setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _resolve_public.cache_clear()


def _public_params(request: HttpRequest) -> tuple[str, tuple[str, ...]] | None:
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    return _resolve_public(str(urlconf), request.path_info)


def _page_for(request: HttpRequest, language: str, params: tuple[str, ...]) -> Page:
    version = pagecache.data_version()
    # Today's date: pages say "erkend" up to a date, so a new day renders afresh.
    day = timezone.localdate().isoformat()
    parts = (request.get_host(), language, pagecache.cache_path(request, params))
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return Page(key=f"pagecache:{version}:{day}:{digest}", version=version, day=day, parts=parts)


def accepted_encoding(header: str, available) -> str:
    """The best content coding the client accepts among ``available`` (RFC 9110 §12.5.3)."""
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, _, rest = item.strip().partition(";")
        q = 1.0
        for param in rest.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name.strip():
            weights[name.strip().lower()] = q
    for coding in ("br", "gzip"):
        if coding in available and weights.get(coding, weights.get("*", 0.0)) > 0:
            return coding
    return "identity"


def _encode(body: bytes) -> dict[str, bytes]:
    bodies = {"identity": body}
    if len(body) >= MIN_COMPRESS:
        bodies["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
        if brotli is not None:
            bodies["br"] = brotli.compress(body, quality=9)
    return bodies


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if pagecache.page_params(request) is None:  # the public view itself did not answer
        return False
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Cache-Control")
        or response.has_header("Content-Encoding")
        or pagecache.is_skipped(response)
    ):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and len(storage):  # a message shown (or queued) on this page
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= _HARMLESS_VARY


def _set_public_vary(response: HttpResponseBase) -> None:
    if response.has_header("Vary"):
        del response["Vary"]
    patch_vary_headers(response, PUBLIC_VARY)


def _serve(request: HttpRequest, page: Page, entry: dict) -> HttpResponseBase:
    bodies: dict[str, bytes] = entry["bodies"]
    coding = accepted_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""), bodies)
    body = bodies[coding]
    etag = conditional.make_etag(page.version, ("page", page.day, *page.parts, coding))
    last_modified = conditional.last_modified_for(
        page.version, datetime.date.fromisoformat(page.day)
    )
    response: HttpResponseBase
    if conditional.is_not_modified(request, etag, last_modified):
        # A 304 carries the validators and caching headers only (RFC 9110 §15.4.5): the
        # client keeps the other headers of its stored copy.
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        response = HttpResponse(body if request.method != "HEAD" else b"")
        for name, value in entry["headers"]:
            response[name] = value
        response["Content-Length"] = str(len(body))
        if coding != "identity":
            response["Content-Encoding"] = coding
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = conditional.PUBLIC_CACHE_CONTROL
    response["Vary"] = PUBLIC_VARY_HEADER
    return response


def _finish(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Cache-Control for what the page cache did not serve (the view did not choose one)."""
    if response.has_header("Cache-Control"):
        return response
    public = pagecache.page_params(request) is not None
    has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
    user = getattr(request, "user", None)
    if response.cookies or (has_session and user is not None and user.is_authenticated):
        response["Cache-Control"] = conditional.PRIVATE_CACHE_CONTROL
        if public:
            patch_vary_headers(response, PUBLIC_VARY)
    elif public and response.status_code == 200 and request.method in ("GET", "HEAD"):
        # An anonymous public page the cache did not keep: one that changes by itself (an
        # open round's deadline) is revalidated every time; others (cache off, cache down,
        # a flash message on it) may be kept briefly, without validators.
        if pagecache.is_skipped(response) or MESSAGES_COOKIE in request.COOKIES:
            response["Cache-Control"] = "no-cache"
        else:
            response["Cache-Control"] = conditional.PUBLIC_CACHE_CONTROL
        _set_public_vary(response)
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        found = _public_params(request) if _cacheable(request) else None
        if found is None:
            return _finish(request, self.get_response(request))
        page: Page | None
        try:
            page = _page_for(request, *found)
            entry = _lookup(page.key)
        except DisallowedHost:
            raise  # a 400, as CommonMiddleware would answer
        except Exception:  # a cache outage must never break a public page
            logger.warning("pagecache: cache unavailable")
            page, entry = None, None
        if page is not None and entry is not None:
            return _serve(request, page, entry)
        response = self.get_response(request)
        if page is None or not _storable(request, response):
            return _finish(request, response)
        entry = {
            "headers": [
                (name, value) for name, value in response.items() if name.lower() not in _NOT_STORED
            ],
            "bodies": _encode(response.content),
            "stored_at": time.time(),
        }
        try:
            cache.set(page.key, entry, pagecache.timeout())
        except Exception:
            logger.warning("pagecache: cache unavailable")
        else:
            local_pages.put(page.key, entry)
        return _serve(request, page, entry)
