"""Whole-page cache for public pages that change rarely (traffic spikes: news, council).

A public page is a view decorated with ``@public_page``; for an anonymous visitor it is the
same page for everyone (no CSRF token, no name: the language switch is a pair of links), so
it is cached whole and served by ``buurtplatform.cachemiddleware.PageCacheMiddleware`` near
the top of the middleware stack, before sessions, authentication and the view run.

Only anonymous GET/HEAD requests without a session or messages cookie are served from the
cache, so nobody ever sees a page rendered for someone else, and a flash message is always
seen. A cached page is stored under the *public data version*: any save or delete of a model
whose data the public pages show bumps that version after the transaction commits (signals,
connected by ``connect()`` from ``accounts.apps``), so the next visitor gets a freshly
rendered page. The timeout bounds what bypasses model signals (``QuerySet.update``, raw SQL).
A page is stored once in each encoding (identity, gzip, br when brotli is installed): a hit
sends the stored bytes. Anonymous public pages hold no secret, so compression leaks nothing
(BREACH needs one).

``PUBLIC_PAGE_CACHE_SECONDS`` (default 300) sets the timeout; 0 switches the cache off (tests).

The data version is one row in the database (``buurtplatform.models.DataVersion``), which
every web and worker process shares whatever the cache backend: with the local-memory cache
(one per process) a version kept in the cache would differ per process, so a change made
through one worker would leave the others serving old pages and an ``ETag`` of one worker
would be unknown to the next. It is read at most once per ``PUBLIC_PAGE_VERSION_SECONDS``
(default 1) in each process; a bump in this process is seen at once, one in another process
or on another machine within that time. With it, ``PageCacheMiddleware`` serves the most
visited pages from a small copy in the process's own memory (``PUBLIC_PAGE_LOCAL_MB``): a hit
then costs no round trip to the cache server or the database at all.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger("buurtplatform.pagecache")

# The attribute ``@public_page`` puts on the view function and on the request.
PARAMS_ATTR = "public_page_params"

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


class _VersionMemo:
    """The data version this process read last, and when (``time.monotonic``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: str | None = None
        self.read_at = 0.0

    def get(self, ttl: float) -> str | None:
        with self.lock:
            if self.value is not None and time.monotonic() - self.read_at < ttl:
                return self.value
        return None

    def last(self) -> str | None:
        """The last version read, however old."""
        with self.lock:
            return self.value

    def put(self, value: str) -> None:
        with self.lock:
            self.value, self.read_at = value, time.monotonic()

    def forget(self) -> None:
        with self.lock:
            self.value = None


_memo = _VersionMemo()


def _stored_version() -> int:
    """The version row (made on first use: a fresh database, a flushed test database)."""
    from buurtplatform.models import DataVersion

    rows = DataVersion.objects.filter(pk=1).values_list("value", flat=True)
    value = rows.first()
    if value is None:
        DataVersion.objects.get_or_create(pk=1, defaults={"value": time.time_ns()})
        value = rows.first()
    return int(value)


def data_version() -> str:
    """The current public data version, read from the database at most once per
    ``PUBLIC_PAGE_VERSION_SECONDS`` in this process. While the database cannot be read, the
    last version read stays in use (pages in the cache keep being served)."""
    ttl = float(settings.PUBLIC_PAGE_VERSION_SECONDS)
    if ttl > 0 and (remembered := _memo.get(ttl)) is not None:
        return remembered
    try:
        version = str(_stored_version())
    except DatabaseError:
        if (last := _memo.last()) is None:
            raise
        logger.warning("pagecache: could not read the data version")
        return last
    _memo.put(version)
    return version


def forget_version() -> None:
    """Read the version from the database on the next request."""
    _memo.forget()


def new_version() -> str:
    """Record a public data change now: a new version, later than the current one and not
    before this machine's clock (another machine's clock may run ahead). Every cached page
    and built export of an older version is out of date from here on."""
    from django.db.models import F, Value
    from django.db.models.functions import Greatest

    from buurtplatform.models import DataVersion

    now = time.time_ns()
    if not DataVersion.objects.filter(pk=1).update(value=Greatest(F("value") + 1, Value(now))):
        DataVersion.objects.get_or_create(pk=1, defaults={"value": now})
    version = str(_stored_version())
    _memo.put(version)  # this process sees its own change at once
    return version


def _bump_now() -> None:
    try:
        new_version()
    except DatabaseError:  # must never break a write that has already committed
        _memo.forget()
        logger.warning("pagecache: could not record a new data version")


def bump() -> None:
    """Invalidate every cached public page, once the current transaction commits (once per
    transaction, however many rows it changes)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is _bump_now for entry in connection.run_on_commit
    ):
        return  # already due when this transaction commits
    transaction.on_commit(_bump_now)


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


def skip(response):
    """Keep this response out of the page cache: it changes by itself (a deadline passing)."""
    response._pagecache_skip = True
    return response


def is_skipped(response) -> bool:
    return bool(getattr(response, "_pagecache_skip", False))


def cache_path(request, params: tuple[str, ...]) -> str:
    """The page's identity in the cache: its path and only the query parameters the view
    reads, sorted (junk parameters neither fill the cache nor make a miss)."""
    if not params or not request.META.get("QUERY_STRING"):
        return request.path
    kept = sorted(
        (name, value) for name in params for value in request.GET.getlist(name) if value != ""
    )
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


def page_params(request) -> tuple[str, ...] | None:
    """The query parameters of the public page this request is for, None when it is not one."""
    return getattr(request, PARAMS_ATTR, None)


def canonical_path(request) -> str:
    """The address of this page as the cache knows it (a public page: without unknown query
    parameters, so a cached copy never repeats a visitor's junk); else the full path."""
    params = page_params(request)
    if params is None:
        return request.get_full_path()
    return cache_path(request, params)


def public_page(view=None, *, params: tuple[str, ...] = ()):
    """Mark a view as a public page: the same for every anonymous visitor, served from the
    page cache by ``PageCacheMiddleware`` (see the module docstring).

    ``@public_page`` for a page that reads no query parameters; ``@public_page(params=(...))``
    names the ones the view reads (filters, paging): every other parameter is ignored. The
    middleware finds the declaration on the resolved view before the view runs."""
    if view is None:
        return functools.partial(public_page, params=params)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        setattr(request, PARAMS_ATTR, tuple(params))
        return view(request, *args, **kwargs)

    setattr(wrapped, PARAMS_ATTR, tuple(params))
    return wrapped
