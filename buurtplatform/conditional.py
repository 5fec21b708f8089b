"""Conditional GET for public resources versioned by the public data version.

A public resource (an open data file today; any public page later) that only changes when
the public data changes is identified by ``buurtplatform.pagecache.data_version()``:

- ``ETag``: a strong tag from the data version and the resource's own parts (dataset,
  format, language), so it changes exactly when the bytes may change;
- ``Last-Modified``: the moment of that data version (the version is the time of the last
  change, in nanoseconds);
- a ``304 Not Modified`` with an empty body for a matching ``If-None-Match`` (or, without
  one, an ``If-Modified-Since`` at or after Last-Modified), RFC 9110 §13;
- ``Cache-Control: public, max-age=60, stale-while-revalidate=600`` so a reverse proxy or
  CDN may keep the response, and ``Access-Control-Allow-Origin: *`` for open data.

With the page cache switched off (``PUBLIC_PAGE_CACHE_SECONDS=0``) nothing bumps the
version, so no validators are sent and every request gets a fresh response.

    return conditional.versioned(request, ("entries", "csv", lang), build)

where ``build(version)`` returns the full response (``version`` is None when unversioned).
Public HTML pages get the same validators and Cache-Control from
``buurtplatform.cachemiddleware`` (ETag also per language, query and content encoding).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from buurtplatform import pagecache

MAX_AGE = 60
STALE_WHILE_REVALIDATE = 600
PUBLIC_CACHE_CONTROL = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
# What a page made for one person (logged in, or carrying their CSRF cookie) sends.
PRIVATE_CACHE_CONTROL = "private, no-store"


def version_time(version: str) -> datetime.datetime:
    """The moment of a data version (nanoseconds since the epoch), to the second."""
    try:
        seconds = int(version) // 1_000_000_000
    except ValueError:
        seconds = 0
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def last_modified_for(version: str, day: datetime.date | None = None) -> datetime.datetime:
    """Last-Modified of a resource that depends on the data version and, for public pages
    that say "recognised up to a date", on today's date: the later of the two moments."""
    moment = version_time(version)
    if day is not None:
        midnight = datetime.datetime.combine(day, datetime.time(), timezone.get_default_timezone())
        moment = max(moment, midnight.astimezone(datetime.UTC))
    return moment


def make_etag(version: str, parts: Sequence[str]) -> str:
    digest = hashlib.sha256("\x1f".join([version, *parts]).encode()).hexdigest()[:32]
    return f'"{digest}"'


def is_not_modified(
    request: HttpRequest, etag: str, last_modified: datetime.datetime | None
) -> bool:
    """True when the client's copy is current (If-None-Match first, RFC 9110 §13.2.2)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        tags = parse_etags(if_none_match)
        # Weak comparison: a proxy may have weakened our tag (W/"...") when compressing.
        ours = etag.removeprefix("W/")
        return "*" in tags or any(t.removeprefix("W/") == ours for t in tags)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    if since is not None and last_modified is not None:
        return int(last_modified.timestamp()) <= since
    return False


def public_headers(
    response: HttpResponseBase,
    *,
    etag: str | None = None,
    last_modified: datetime.datetime | None = None,
    cors: bool = True,
    cache_control: str = PUBLIC_CACHE_CONTROL,
) -> HttpResponseBase:
    if etag:
        response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control
    if cors:
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Content-Disposition"
    return response


def versioned(
    request: HttpRequest,
    parts: Sequence[str],
    build: Callable[[str | None], HttpResponseBase],
    *,
    cors: bool = True,
    served_version: Callable[[str], str] | None = None,
) -> HttpResponseBase:
    """Answer 304 when the client has this version, else the response ``build`` makes.

    ``served_version`` maps the current data version to the one actually served (an older
    built copy while a new one is made in the background); validators follow what is served."""
    if pagecache.timeout() <= 0:
        return public_headers(build(None), cors=cors)
    version = pagecache.data_version()
    if served_version is not None:
        version = served_version(version)
    etag = make_etag(version, parts)
    last_modified = version_time(version)
    if is_not_modified(request, etag, last_modified):
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        response = build(version)
    return public_headers(response, etag=etag, last_modified=last_modified, cors=cors)
