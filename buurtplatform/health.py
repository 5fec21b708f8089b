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


LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


def _may_see_details(request: HttpRequest) -> bool:
    """What runs where is for staff and for a probe on the machine itself, not the public."""
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) and (user.is_staff or user.is_superuser):
        return True
    return request.META.get("REMOTE_ADDR", "") in LOCAL_ADDRESSES


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 {"status": "ok"} or 503 {"status": "error"}; details only for staff or
    from 127.0.0.1 (the container's own health check)."""
    db = _database_state()
    broker = _broker_state()
    ok = db == "up" and broker in ("up", "eager")
    body: dict = {"status": "ok" if ok else "error"}
    if _may_see_details(request):
        body["database"] = {"engine": connection.vendor, "state": db}
        body["broker"] = {"engine": "redis" if settings.REDIS_URL else "eager", "state": broker}
    return JsonResponse(body, status=200 if ok else 503)
