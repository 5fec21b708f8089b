"""One rate limiter for the site's own limits (allauth keeps its login limits), keyed by the
one proxy-aware client address (``accounts.security_log.client_ip``, which honours
TRUSTED_PROXY_COUNT): report jobs, endorsement-code guesses. Counts live in the cache; when
the cache is down the limit fails open (the site keeps working)."""

from __future__ import annotations

import logging

from django.core.cache import cache

from accounts.security_log import client_ip

logger = logging.getLogger("buurtplatform.security")


def over_limit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True once more than ``limit`` attempts fell in ``window`` seconds."""
    name = f"ratelimit:{scope}:{key}"
    try:
        if cache.add(name, 1, window):
            return False
        return cache.incr(name) > limit
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        logger.warning("ratelimit: cache unavailable")
        return False


def over_limit_for_client(request, scope: str, *, limit: int, window: int) -> bool:
    return over_limit(scope, client_ip(request), limit=limit, window=window)
