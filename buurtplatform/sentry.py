"""Optional error reporting to Sentry: settings.py calls ``init_sentry`` only when SENTRY_DSN is
set, so without it ``sentry_sdk`` is never imported (it is the optional extra ``sentry``:
``pip install '.[sentry]'``). No personal data is sent: no user, no cookies, no request body;
each event carries the request id, the reference the person sees on the 500 page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured


def _tag_request_id(event: Any, hint: dict[str, Any]) -> Any:
    from buurtplatform.requestid import get_request_id

    request_id = get_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    # Belt and braces next to send_default_pii=False: no user, no cookies, no body.
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in ("cookie", "authorization", "x-status-token", "x-csrftoken"):
                    headers.pop(name)
    return event


def init_sentry(dsn: str, *, environment: str) -> None:
    try:
        import sentry_sdk
    except ImportError as exc:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install '.[sentry]'"
        ) from exc
    # The Django, Celery and logging integrations switch themselves on when those are present.
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=_tag_request_id,
    )
