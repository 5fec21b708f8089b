"""/healthz: the state of the database and the task broker, as JSON."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "down"
        return "down"
    return "up"


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception:  # noqa: BLE001
        return "down"
    return "up"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    vendor = connection.vendor
    db = _database_state()
    broker = _broker_state()
    ok = db == "up" and broker in ("up", "eager")
    return JsonResponse(
        {
            "status": "ok" if ok else "error",
            "database": {"engine": vendor, "state": db},
            "broker": {"engine": "redis" if settings.REDIS_URL else "eager", "state": broker},
        },
        status=200 if ok else 503,
    )
