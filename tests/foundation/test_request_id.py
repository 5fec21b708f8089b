"""The request id: on the response, on every log line (plain and JSON), on the 500 page, and
carried from a request into the tasks it enqueues."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import path

from buurtplatform import requestid
from buurtplatform.requestid import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

log = logging.getLogger("tests.request_id")


def _logs_and_fails(request):
    log.warning("about to fail for %s", request.path)
    raise RuntimeError("boom")


def _logs(request):
    from django.http import HttpResponse

    log.warning("handled")
    return HttpResponse(requestid.get_request_id() or "")


urlpatterns = [path("fails/", _logs_and_fails), path("logs/", _logs)]
handler500 = "buurtplatform.views.server_error"


def test_every_response_carries_a_new_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
    assert requestid.sane_request_id(first) == first and len(first) == 16


def test_a_sane_incoming_id_is_kept(client):
    incoming = "0123456789abcdef0123456789abcdef"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "abc def ghi jkl", "evil\nFAKE LOG LINE", "<script>xx</script>"]
)
def test_an_insane_incoming_id_is_replaced(client, incoming):
    returned = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert returned != incoming and len(returned) == 16


def test_the_id_is_on_every_log_line_of_the_request(settings, caplog):
    settings.ROOT_URLCONF = __name__
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        response = Client().get("/logs/", HTTP_X_REQUEST_ID="trace-0001-abcd")
    assert response.content == b"trace-0001-abcd"
    records = [r for r in caplog.records if r.name == "tests.request_id"]
    assert records and all(r.request_id == "trace-0001-abcd" for r in records)
    # ... and only during the request: afterwards there is none.
    assert requestid.get_request_id() is None


def test_the_500_page_shows_the_request_id(settings, caplog):
    settings.ROOT_URLCONF = __name__
    caplog.handler.addFilter(RequestIdFilter())
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500
    reference = response["X-Request-ID"]
    html = response.content.decode()
    assert f"<code>{reference}</code>" in html
    assert "boom" not in html
    lines = [r for r in caplog.records if getattr(r, "request_id", None) == reference]
    # The view's own line, the server error line with the traceback: all with the reference.
    assert any(r.name == "tests.request_id" for r in lines)
    assert any(r.name == "buurtplatform.errors" for r in lines)


def test_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord(
        "buurtplatform.x", logging.ERROR, __file__, 1, "hello %s", ("world",), None
    )
    RequestIdFilter().filter(record)
    try:
        raise ValueError("kaboom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "hello world"
    assert data["level"] == "ERROR" and data["logger"] == "buurtplatform.x"
    assert data["request_id"] == "-"  # outside a request
    assert "ValueError: kaboom" in data["exc_info"]
    assert data["time"].endswith("+00:00")


def test_json_formatter_uses_the_redacted_traceback_and_drops_extras():
    from audit.redaction import clean_record

    try:
        raise ValueError("password=hunter2")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    record.data = {"kwargs": {"to": ["someone@example.org"]}}  # as Celery's log lines carry
    clean_record(record)
    line = JsonFormatter().format(record)
    assert "hunter2" not in line
    assert "someone@example.org" not in line


def test_settings_choose_the_formatter():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert "request_id" in handler["filters"]
    assert handler["formatter"] == settings.LOG_FORMAT
    assert settings.LOG_FORMAT == "json"  # DEBUG is off in the tests, as in production


def test_tasks_carry_the_id_of_the_request_that_enqueued_them():
    from buurtplatform.celery import _on_publish

    token = requestid.set_request_id("trace-0002-abcd")
    try:
        headers: dict = {}
        _on_publish(sender="reports.tasks.sweep_reports", headers=headers)
    finally:
        requestid.reset_request_id(token)
    assert headers == {"request_id": "trace-0002-abcd"}


def test_sentry_is_not_imported_without_a_dsn():
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); "
        "from django.conf import settings; assert settings.SENTRY_DSN == ''; "
        "sys.exit(1 if 'sentry_sdk' in sys.modules else 0)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "buurtplatform.settings_test", "SENTRY_DSN": ""}
    result = subprocess.run([sys.executable, "-c", code], env={**_env(), **env}, timeout=60)
    assert result.returncode == 0


def test_sentry_starts_with_a_dsn():
    pytest.importorskip("sentry_sdk")
    import subprocess
    import sys

    code = (
        "import django; django.setup(); import sentry_sdk; "
        "assert sentry_sdk.is_initialized(); "
        "assert sentry_sdk.get_client().options['send_default_pii'] is False"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "buurtplatform.settings_test",
        # Nothing is sent in the test: no event happens, and port 9 (discard) is closed anyway.
        "SENTRY_DSN": "http://public@127.0.0.1:9/1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**_env(), **env},
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def _env() -> dict:
    import os

    return dict(os.environ)
