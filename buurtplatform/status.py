"""What the operator's status page (/status, workflows/status.py) measures at the bottom layer.

Heartbeats are written to the cache (``CACHES["default"]``: the shared Redis in production, so
the web containers see what the worker and beat wrote) by the Celery signals in
buurtplatform/celery.py:

- ``worker``: a task started on a worker (any task; beat sends a tiny ``heartbeat`` task every
  minute, so a live worker is never quiet for long);
- ``beat``: beat sent its ``heartbeat`` task (written in the beat process itself, so a stopped
  worker does not make beat look dead);
- per task name, the last success (with its result) and the recent failures: the nightly ledger
  check's result and the failed e-mails come from there.

Recording never raises: a cache that is down must not fail a task. Each check returns a
``Check``: a state (ok / warning / alert), a value for people and machines, and one line.
The thresholds are the constants below; README "Bewaking / Monitoring" explains each alert.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

OK = "ok"
WARNING = "warning"
ALERT = "alert"
_SEVERITY = {OK: 0, WARNING: 1, ALERT: 2}

HEARTBEAT_TASK = "buurtplatform.tasks.heartbeat"
HEARTBEAT_SECONDS = 60.0

# Thresholds (seconds unless named otherwise).
DATABASE_SLOW_SECONDS = 0.25
BROKER_SLOW_SECONDS = 0.25
HEARTBEAT_WARNING_SECONDS = 3 * 60
HEARTBEAT_ALERT_SECONDS = 10 * 60
QUEUE_WARNING_LENGTH = 50
QUEUE_ALERT_LENGTH = 500
NIGHTLY_WARNING_SECONDS = 26 * 3600
NIGHTLY_ALERT_SECONDS = 50 * 3600
FAILURE_WINDOW_SECONDS = 24 * 3600
FAILED_EMAILS_ALERT = 5

_PREFIX = "status:"
_KEEP_FAILURES = 100


@dataclass
class Check:
    name: str
    label: str | Promise  # translated when shown (gettext_lazy)
    state: str
    summary: str | Promise
    value: Any = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "value": self.value,
            "summary": str(self.summary),
            **self.details,
        }


def worst(states: list[str]) -> str:
    return max(states, key=lambda state: _SEVERITY[state], default=OK)


def eager() -> bool:
    """No broker configured: tasks run in-process, there is no worker or beat to watch."""
    return not settings.REDIS_URL


# --- recording (Celery signals) -------------------------------------------------------------


def _safe_set(key: str, value: Any) -> None:
    try:
        cache.set(_PREFIX + key, value, timeout=None)
    except Exception:  # noqa: BLE001 - monitoring must never break the work it watches
        logger.warning("status: could not record %s", key, exc_info=True)


def _safe_get(key: str) -> Any:
    try:
        return cache.get(_PREFIX + key)
    except Exception:  # noqa: BLE001
        logger.warning("status: could not read %s", key, exc_info=True)
        return None


def record_worker_seen(task_name: str) -> None:
    _safe_set("worker", {"at": time.time(), "task": task_name})


def record_beat_seen() -> None:
    _safe_set("beat", {"at": time.time()})


def record_task_success(task_name: str, result: Any) -> None:
    value = result if isinstance(result, int | float | str | bool) or result is None else None
    _safe_set(f"success:{task_name}", {"at": time.time(), "result": value})


def record_task_failure(task_name: str, error: BaseException | None) -> None:
    now = time.time()
    previous = _safe_get(f"failures:{task_name}") or []
    recent = [at for at in previous if now - at < FAILURE_WINDOW_SECONDS][-_KEEP_FAILURES:]
    _safe_set(f"failures:{task_name}", [*recent, now])
    _safe_set(f"failure:{task_name}", {"at": now, "error": type(error).__name__})


def last_seen(key: str) -> dict | None:
    value = _safe_get(key)
    return value if isinstance(value, dict) else None


def last_success(task_name: str) -> dict | None:
    return last_seen(f"success:{task_name}")


def recent_failures(task_name: str) -> int:
    now = time.time()
    return sum(
        1 for at in _safe_get(f"failures:{task_name}") or [] if now - at < FAILURE_WINDOW_SECONDS
    )


# --- checks ---------------------------------------------------------------------------------


def _age(at: float | None) -> float | None:
    return None if at is None else max(0.0, time.time() - at)


def age_state(age: float | None, warning: float, alert: float) -> str:
    if age is None or age >= alert:
        return ALERT
    return WARNING if age >= warning else OK


def check_database() -> Check:
    label = _("Database")
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return Check(
            "database",
            label,
            ALERT,
            _("Niet bereikbaar: %(error)s") % {"error": type(exc).__name__},
            None,
            {"engine": connection.vendor, "reachable": False},
        )
    latency = time.perf_counter() - started
    state = WARNING if latency >= DATABASE_SLOW_SECONDS else OK
    return Check(
        "database",
        label,
        state,
        _("Bereikbaar in %(ms)s ms") % {"ms": round(latency * 1000, 1)},
        round(latency * 1000, 1),
        {"engine": connection.vendor, "reachable": True, "unit": "ms"},
    )


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def check_broker() -> Check:
    label = _("Taakwachtrij (broker)")
    if eager():
        return Check(
            "broker",
            label,
            OK,
            _("Niet ingesteld: taken draaien in het proces zelf"),
            None,
            {"configured": False},
        )
    started = time.perf_counter()
    try:
        _redis().ping()
    except Exception as exc:  # noqa: BLE001
        return Check(
            "broker",
            label,
            ALERT,
            _("Redis antwoordt niet: %(error)s") % {"error": type(exc).__name__},
            None,
            {"configured": True, "reachable": False},
        )
    latency = time.perf_counter() - started
    return Check(
        "broker",
        label,
        WARNING if latency >= BROKER_SLOW_SECONDS else OK,
        _("Redis antwoordt in %(ms)s ms") % {"ms": round(latency * 1000, 1)},
        round(latency * 1000, 1),
        {"configured": True, "reachable": True, "unit": "ms"},
    )


def check_queue_length(queue: str = "celery") -> Check:
    label = _("Taken in de wachtrij")
    if eager():
        return Check("queue", label, OK, _("Geen wachtrij: taken draaien in het proces zelf"), None)
    try:
        length = int(_redis().llen(queue))
    except Exception as exc:  # noqa: BLE001
        return Check(
            "queue",
            label,
            ALERT,
            _("Onbekend: %(error)s") % {"error": type(exc).__name__},
            None,
            {"queue": queue},
        )
    if length >= QUEUE_ALERT_LENGTH:
        state = ALERT
    elif length >= QUEUE_WARNING_LENGTH:
        state = WARNING
    else:
        state = OK
    return Check(
        "queue",
        label,
        state,
        _("%(count)s wachtend") % {"count": length},
        length,
        {"queue": queue},
    )


def _heartbeat(name: str, label, key: str, seen_text, never_text) -> Check:
    if eager():
        return Check(name, label, OK, _("Niet nodig: taken draaien in het proces zelf"), None)
    seen = last_seen(key)
    at = seen.get("at") if seen else None
    age = _age(at)
    state = age_state(age, HEARTBEAT_WARNING_SECONDS, HEARTBEAT_ALERT_SECONDS)
    details: dict[str, Any] = {"unit": "s", "last_seen": at}
    if seen and seen.get("task"):
        details["task"] = seen["task"]
    if age is None:
        return Check(name, label, state, never_text, None, details)
    return Check(name, label, state, seen_text % {"seconds": int(age)}, int(age), details)


def check_worker() -> Check:
    return _heartbeat(
        "worker",
        _("Worker (Celery)"),
        "worker",
        _("Laatste taak %(seconds)s s geleden begonnen"),
        _("Nog nooit een taak gezien"),
    )


def check_beat() -> Check:
    return _heartbeat(
        "beat",
        _("Planner (Celery beat)"),
        "beat",
        _("Laatste hartslag %(seconds)s s geleden verstuurd"),
        _("Nog nooit een hartslag gezien"),
    )


def check_failed_emails() -> Check:
    count = recent_failures("buurtplatform.tasks.deliver_email")
    if count >= FAILED_EMAILS_ALERT:
        state = ALERT
    elif count:
        state = WARNING
    else:
        state = OK
    return Check(
        "failed_emails",
        _("Mislukte e-mails"),
        state,
        _("%(count)s in de laatste 24 uur (na alle nieuwe pogingen)") % {"count": count},
        count,
        {"window_hours": FAILURE_WINDOW_SECONDS // 3600},
    )


def check_nightly_task(name: str, label, task_name: str) -> Check:
    """A nightly task's last success: older than NIGHTLY_* is a warning/alert; a non-zero
    integer result (breaches found) is an alert."""
    if eager():
        return Check(name, label, OK, _("Geen planner: draait niet vanzelf zonder Redis"), None)
    success = last_success(task_name)
    at = success.get("at") if success else None
    age = _age(at)
    details: dict[str, Any] = {"last_run": at, "result": success.get("result") if success else None}
    if age is None:
        return Check(name, label, WARNING, _("Nog niet gedraaid"), None, details)
    state = age_state(age, NIGHTLY_WARNING_SECONDS, NIGHTLY_ALERT_SECONDS)
    result = details["result"]
    hours = round(age / 3600, 1)
    if isinstance(result, int) and not isinstance(result, bool) and result > 0:
        return Check(
            name,
            label,
            ALERT,
            _("%(count)s afwijking(en) gevonden, %(hours)s uur geleden")
            % {"count": result, "hours": hours},
            result,
            details,
        )
    return Check(
        name,
        label,
        state,
        _("Geen afwijkingen, %(hours)s uur geleden") % {"hours": hours},
        result,
        details,
    )
