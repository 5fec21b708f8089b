"""A backing service that is down (Redis: cache, rate limits, broker) gives a clear 503 page.

Without this, a view that touches the cache while Redis is down (allauth's login rate limit,
for one) ends in a 500. The page is rendered without context processors or the database, so it
works whatever else is down. The error is logged with a reference, never shown.
"""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse
from django.template import loader

from buurtplatform.requestid import get_request_id

logger = logging.getLogger("buurtplatform.errors")


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = []
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        from kombu.exceptions import OperationalError as BrokerError

        errors.append(BrokerError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


UNAVAILABLE_ERRORS = _unavailable_errors()


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        reference = get_request_id() or uuid.uuid4().hex[:8]
        logger.error(
            "service unavailable ref=%s path=%r error=%s",
            reference,
            request.path,
            type(exception).__name__,
        )
        html = loader.get_template("503.html").render({"reference": reference})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
