"""A request id on every log line, on every response and on the error pages.

``RequestIdMiddleware`` (first in MIDDLEWARE) takes the id from an ``X-Request-ID`` header when
it looks sane (a proxy that sets one lets its log and ours be joined) or makes a new random one;
it keeps it in a contextvar for the duration of the request and sends it back as
``X-Request-ID``. ``RequestIdFilter`` copies it onto every log record (``-`` outside a request),
``JsonFormatter`` writes one JSON object per line (production), and the 500 and 503 pages show
it as the reference a person can quote to support.

Celery tasks carry the id of the request that enqueued them (a message header, see
buurtplatform/celery.py), so a report or e-mail can be traced back to the click that caused it.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
NO_REQUEST = "-"
# What we accept from outside: letters, digits and a few separators, 8 to 64 characters (a
# uuid, nginx's $request_id, a cloud load balancer's trace id). Anything else is replaced, so
# a client cannot write arbitrary text (or newlines) into our logs.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def new_request_id() -> str:
    """16 hex characters (64 random bits): unique enough to find a request's lines, short
    enough to read out over the phone, and shorter than the 32 characters from which the log
    redaction (audit.redaction) takes a string for a secret token and masks it."""
    return secrets.token_hex(8)


def sane_request_id(value: str | None) -> str | None:
    """The id itself when it is safe to log and echo, otherwise None."""
    if value and _SANE.fullmatch(value):
        return value
    return None


def get_request_id() -> str | None:
    """The id of the request (or task) being handled, None outside one."""
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.META.get(META_KEY)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` to every record (never filters one out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = get_request_id() or NO_REQUEST
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id and
    the exception as text when there is one.

    Fields passed as ``extra={...}`` are left out on purpose: the redaction (audit.redaction)
    cleans the message and the traceback only, and Celery puts a task's arguments there (an
    e-mail's recipients and body), which the plain format never shows either.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or get_request_id() or NO_REQUEST,
        }
        # The redacting filter leaves the cleaned traceback in exc_text: prefer it.
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        elif record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)
