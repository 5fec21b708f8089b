"""/status: each figure and its state, the access rule, the JSON shape, and the heartbeats
recorded by the Celery signals of a real (in-process) worker."""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import sys
import time
import types

import pytest
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from buurtplatform import status
from buurtplatform.celery import app
from buurtplatform.tasks import heartbeat
from reports.models import ReportJob
from workflows import status as workflow_status

pytestmark = pytest.mark.django_db

TOKEN = "t" * 40
# Nothing listens on port 1: a configured broker that is down (no connection is made for the
# heartbeat checks, which only need "a broker is configured").
DOWN_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _by_name(checks) -> dict:
    return {check.name: check for check in checks}


def _set(key: str, value) -> None:
    cache.set("status:" + key, value, timeout=None)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/status", "/status.json", "/status?format=json"])
def test_anonymous_gets_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/status", "/status.json"])
def test_resident_and_support_get_403(client_for, resident, support_staff, url):
    assert client_for(resident).get(url).status_code == 403
    assert client_for(support_staff).get(url).status_code == 403


def test_localhost_alone_is_not_enough(client):
    # Behind a reverse proxy on the same machine every visitor comes from 127.0.0.1.
    assert client.get("/status", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_staff_gets_the_page(client_for, admin_user):
    response = client_for(admin_user).get("/status")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Database" in html and "Oudste wachtende rapport" in html
    assert 'data-check="database" data-state="ok"' in html
    assert "no-cache" in response["Cache-Control"]


def test_staff_page_in_english(client_for, admin_user, settings):
    settings.REDIS_URL = ""
    html = client_for(admin_user).get("/en/status").content.decode()
    assert "Oldest waiting report" in html
    assert "Not configured: tasks run in-process" in html


def test_token_opens_the_json_for_a_machine(settings):
    settings.STATUS_TOKEN = TOKEN
    machine = Client()
    response = machine.get("/status.json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["state"] == "ok"
    assert machine.get("/status.json", HTTP_X_STATUS_TOKEN=TOKEN).status_code == 200


def test_wrong_or_unset_token_is_refused(settings):
    settings.STATUS_TOKEN = TOKEN
    assert Client().get("/status.json", HTTP_AUTHORIZATION="Bearer " + "x" * 40).status_code == 403
    settings.STATUS_TOKEN = ""
    assert Client().get("/status.json", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_a_short_token_is_refused_at_start():
    import subprocess

    env = {
        **os.environ,
        "STATUS_TOKEN": "short",
        "DJANGO_SETTINGS_MODULE": "buurtplatform.settings_test",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "STATUS_TOKEN must be at least 32 characters" in result.stderr


# --- the JSON shape ---------------------------------------------------------------------------


def test_json_shape(client_for, admin_user):
    response = client_for(admin_user).get("/status?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"status", "checked_at", "checks"}
    assert data["status"] in ("ok", "warning", "alert")
    datetime.datetime.fromisoformat(data["checked_at"])
    assert set(data["checks"]) == {
        "database",
        "broker",
        "queue",
        "worker",
        "beat",
        "oldest_pending_report",
        "failed_reports",
        "failed_emails",
        "ledger_check",
        "backup",
    }
    for check in data["checks"].values():
        assert check["state"] in ("ok", "warning", "alert")
        assert isinstance(check["summary"], str) and check["summary"]
        assert "value" in check
    # The overall status is the worst figure.
    states = [check["state"] for check in data["checks"].values()]
    assert data["status"] == status.worst(states)
    assert (
        client_for(admin_user).get("/status.json").json()["checks"].keys() == data["checks"].keys()
    )


# --- each figure ------------------------------------------------------------------------------


def test_database_reachable_with_latency():
    check = status.check_database()
    assert check.state == "ok"
    assert check.details["reachable"] is True
    assert isinstance(check.value, float) and check.value >= 0


def test_embedded_broker_is_not_an_alert(settings):
    settings.REDIS_URL = ""
    checks = _by_name(workflow_status.collect())
    for name in ("broker", "queue", "worker", "beat", "ledger_check"):
        assert checks[name].state == "ok", name
    assert "taken draaien in het proces zelf" in str(checks["broker"].summary)
    assert checks["broker"].details == {"configured": False}


def test_broker_down_is_an_alert(settings):
    settings.REDIS_URL = DOWN_BROKER
    assert status.check_broker().state == "alert"
    assert status.check_queue_length().state == "alert"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no Redis")
def test_broker_and_queue_length_on_real_redis(settings):
    import redis

    settings.REDIS_URL = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = "status-test-queue"
    client.delete(queue)
    try:
        assert status.check_broker().state == "ok"
        assert status.check_queue_length(queue).value == 0
        client.rpush(queue, *["x"] * status.QUEUE_WARNING_LENGTH)
        check = status.check_queue_length(queue)
        assert (check.value, check.state) == (status.QUEUE_WARNING_LENGTH, "warning")
    finally:
        client.delete(queue)


@pytest.mark.parametrize(
    ("age", "state"),
    [
        (5, "ok"),
        (status.HEARTBEAT_WARNING_SECONDS + 5, "warning"),
        (status.HEARTBEAT_ALERT_SECONDS + 5, "alert"),
    ],
)
def test_worker_and_beat_heartbeat_thresholds(settings, age, state):
    settings.REDIS_URL = DOWN_BROKER
    _set("worker", {"at": time.time() - age, "task": "reports.tasks.sweep_reports"})
    _set("beat", {"at": time.time() - age})
    worker, beat = status.check_worker(), status.check_beat()
    assert (worker.state, beat.state) == (state, state)
    assert worker.value == pytest.approx(age, abs=2)
    assert worker.details["task"] == "reports.tasks.sweep_reports"


def test_never_seen_worker_is_an_alert(settings):
    settings.REDIS_URL = DOWN_BROKER
    assert status.check_worker().state == "alert"
    assert status.check_beat().state == "alert"
    assert "Nog nooit" in str(status.check_worker().summary)


def test_oldest_pending_report_age(reference_data):
    assert workflow_status.check_oldest_pending_report().state == "ok"
    now = timezone.now()
    ReportJob.objects.create(kind="platform_year", key="a/2026", requested_at=now)
    old = ReportJob.objects.create(kind="platform_year", key="b/2026", requested_at=now)
    ReportJob.objects.create(
        kind="platform_year",
        key="c/2026",
        status="failed",
        requested_at=now - datetime.timedelta(days=3),
    )
    check = workflow_status.check_oldest_pending_report()
    assert (check.state, check.details["pending"]) == ("ok", 2)
    ReportJob.objects.filter(pk=old.pk).update(requested_at=now - datetime.timedelta(minutes=15))
    check = workflow_status.check_oldest_pending_report()
    assert check.state == "warning" and check.value >= 15 * 60
    ReportJob.objects.filter(pk=old.pk).update(requested_at=now - datetime.timedelta(hours=1))
    assert workflow_status.check_oldest_pending_report().state == "alert"


def test_failed_reports_count():
    assert workflow_status.check_failed_reports().value == 0
    ReportJob.objects.create(kind="platform_year", key="a/2026", status="failed")
    check = workflow_status.check_failed_reports()
    assert (check.value, check.state) == (1, "warning")
    ReportJob.objects.bulk_create(
        ReportJob(kind="platform_year", key=f"x{i}/2026", status="failed")
        for i in range(workflow_status.FAILED_REPORTS_ALERT)
    )
    assert workflow_status.check_failed_reports().state == "alert"


class BrokenMailServer:
    """An e-mail backend whose server refuses every message (the SMTP server is not ours)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")


@contextlib.contextmanager
def _in_process_worker(settings, until, timeout: float = 20) -> None:
    """Run an in-process Celery worker (memory broker, solo pool) until ``until()`` is true."""
    if settings.CELERY_BROKER_URL != "memory://":
        pytest.skip("the in-process worker needs the memory broker (REDIS_URL unset)")
    app.conf.task_always_eager = False
    # The memory broker polls its queue once a second by default: poll often, so the task
    # runs at once.
    options = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**options, "polling_interval": 0.01}
    # Starting a worker runs django.setup() again, which re-applies LOGGING and so drops
    # pytest's capture handlers from the root logger: put them back afterwards.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not until():
                time.sleep(0.01)
            # Ask the worker to stop, and wake it from its 2-second wait for messages with one
            # more heartbeat, so it stops now rather than after that wait.
            worker_state.should_terminate = 0
            heartbeat.apply_async()
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_transport_options = options
        root.handlers[:] = handlers
        root.setLevel(level)


def test_failed_emails_are_counted_from_the_task_failure_signal(settings):
    from buurtplatform.tasks import deliver_email

    assert status.check_failed_emails().value == 0
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    # On a worker, the last attempt's failure fires task_failure (retries=max_retries: this
    # message is the last attempt, so the test does not wait for the back-off).
    with _in_process_worker(settings, lambda: status.recent_failures(deliver_email.name)):
        deliver_email.apply_async(
            kwargs={"subject": "Test", "body": "Hallo", "to": ["someone@example.org"]},
            retries=deliver_email.max_retries,
        )
    check = status.check_failed_emails()
    assert (check.value, check.state) == (1, "warning")


def test_ledger_check_result_from_the_task_success_signal(settings):
    from budgets.tasks import check_ledger_task

    settings.REDIS_URL = DOWN_BROKER
    check = workflow_status.check_ledger()
    assert (check.state, check.value) == ("warning", None)  # not yet run
    check_ledger_task.apply()  # the real task on the (empty, consistent) ledger
    check = workflow_status.check_ledger()
    assert (check.state, check.value) == ("ok", 0)
    _set("success:budgets.tasks.check_ledger_task", {"at": time.time(), "result": 2})
    check = workflow_status.check_ledger()
    assert (check.state, check.value) == ("alert", 2)
    _set(
        "success:budgets.tasks.check_ledger_task",
        {"at": time.time() - status.NIGHTLY_WARNING_SECONDS - 60, "result": 0},
    )
    assert workflow_status.check_ledger().state == "warning"


def _fake_backup(monkeypatch, result):
    module = types.ModuleType("workflows.backup")
    module.last_successful_backup = lambda: result  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "workflows.backup", module)


def test_backup_unknown_without_the_backup_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "workflows.backup", None)  # import fails
    check = workflow_status.check_backup()
    assert check.state == "warning" and "Onbekend" in str(check.summary)


def test_backup_age(monkeypatch):
    # workflows/backup.py is another part's module; a stand-in with its documented signature.
    _fake_backup(monkeypatch, None)
    assert workflow_status.check_backup().state == "alert"
    _fake_backup(monkeypatch, {"at": timezone.now() - datetime.timedelta(hours=2)})
    assert workflow_status.check_backup().state == "ok"
    _fake_backup(
        monkeypatch, {"finished_at": (timezone.now() - datetime.timedelta(hours=30)).isoformat()}
    )
    assert workflow_status.check_backup().state == "warning"
    _fake_backup(monkeypatch, {"at": time.time() - 3 * 86400})
    assert workflow_status.check_backup().state == "alert"
    _fake_backup(monkeypatch, {"at": timezone.now().isoformat(), "exists": False})
    assert workflow_status.check_backup().state == "warning"


def test_a_figure_that_breaks_becomes_an_alert_not_a_500(client_for, admin_user, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(workflow_status, "CHECKS", (status.check_database, broken))
    data = client_for(admin_user).get("/status.json").json()
    assert data["checks"]["broken"]["state"] == "alert"
    assert data["status"] == "alert"


# --- the heartbeats, recorded by a real worker ------------------------------------------------


def test_worker_and_beat_heartbeats_are_recorded_by_the_signals(settings):
    """An in-process Celery worker (memory broker) runs the heartbeat task: publishing it records
    beat (as beat does every minute), running it records the worker and its success."""
    settings.REDIS_URL = DOWN_BROKER  # "a broker is configured": heartbeats are expected
    with _in_process_worker(settings, lambda: status.last_success(status.HEARTBEAT_TASK)):
        heartbeat.apply_async()
    assert status.check_beat().state == "ok"
    worker = status.check_worker()
    assert worker.state == "ok" and worker.details["task"] == status.HEARTBEAT_TASK
    assert status.last_success(status.HEARTBEAT_TASK)


def test_heartbeat_is_in_the_beat_schedule():
    entry = app.conf.beat_schedule["status-heartbeat"]
    assert entry["task"] == status.HEARTBEAT_TASK
    assert entry["schedule"] <= status.HEARTBEAT_WARNING_SECONDS


def test_recording_never_breaks_a_task(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "get", down)
    status.record_worker_seen("x")
    status.record_task_failure("x", ValueError())
    assert status.last_seen("worker") is None


@override_settings(REDIS_URL="")
def test_emails_ack_early_and_reports_late():
    from buurtplatform.tasks import deliver_email
    from reports.tasks import generate_report_task

    assert deliver_email.acks_late is False and deliver_email.reject_on_worker_lost is False
    assert generate_report_task.acks_late is True and generate_report_task.reject_on_worker_lost
