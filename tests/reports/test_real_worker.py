"""Reports made by a real Celery worker over Redis against the test database (PostgreSQL).

Skipped unless REDIS_URL is set and the tests run on PostgreSQL: the worker is a separate
process and must see the same committed data, which an in-memory SQLite test database can't offer.
"""

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from buurtplatform import settings_test
from reports.models import ReportJob
from tests.reports.conftest import pdf_text

pytestmark = [pytest.mark.django_db(transaction=True)]


def _skip_reason() -> str | None:
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is unset: no broker for a real worker (reports run eagerly elsewhere)"
    if connection.vendor != "postgresql":
        return "a real worker needs a shared PostgreSQL test database (DATABASE_URL=postgres://…)"
    return None


@pytest.fixture
def worker(request, reference_data, settings, tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from buurtplatform.celery import app

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "buurtplatform.settings_test",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_REAL_WORKER": "1",
        **getattr(request, "param", {}).get("env", {}),
    }
    pool = getattr(request, "param", {}).get("pool", "solo")
    # The worker runs with settings_test, so use its media folder here too.
    settings.MEDIA_ROOT = settings_test.MEDIA_ROOT  # the started worker's folder too
    settings.REPORTS_ROOT = settings.MEDIA_ROOT / "reports"
    shutil.rmtree(settings.REPORTS_ROOT, ignore_errors=True)
    log_path = Path(os.environ.get("REPORTS_WORKER_LOG", tmp_path / "worker.log"))
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "buurtplatform",
            "worker",
            "-c",
            "1",
            f"--pool={pool}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1):
                break
            if proc.poll() is not None:
                pytest.fail(log_path.read_text()[-3000:])
        else:
            pytest.fail("the worker did not start within 60 s")
        yield proc
    finally:
        app.conf.task_always_eager = old_eager
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_for_pdf(client, url: str, timeout: float = 90) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code == 200:
            return b"".join(response.streaming_content)
        assert response.status_code == 202, response.status_code
        time.sleep(0.5)
    raise AssertionError(f"{url} not ready after {timeout} s")


def test_each_report_made_by_a_real_worker(worker, client):
    from tests.reports.factories import granted_scenario

    s = granted_scenario()
    urls = {
        "/platforms/samen-sterk-test/verslag/2026.pdf": "Jaarverslag Samen Sterk Test 2026",
        f"/rondes/{s.round.slug}/besluit.pdf": "Rivaal Test",
        "/transparantie/verslag/2026.pdf": "Buurtbudgetten Zuidoost 2026",
    }
    for url in urls:
        assert client.get(url).status_code == 202
    for url, expected in urls.items():
        assert expected in pdf_text(_wait_for_pdf(client, url))
    assert set(ReportJob.objects.values_list("status", "attempts")) == {("done", 1)}


def test_concurrent_requests_make_one_job_and_one_render(worker, client):
    from django.db import connections

    from tests.reports.factories import granted_scenario

    granted_scenario()
    url = "/transparantie/verslag/2026.pdf"
    barrier = threading.Barrier(8)
    codes = []

    def ask():
        from django.test import Client

        barrier.wait()
        codes.append(Client().get(url).status_code)
        connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(codes) <= {200, 202}
    _wait_for_pdf(client, url)
    job = ReportJob.objects.get()
    assert job.attempts == 1 and job.status == ReportJob.Status.DONE
    files = list((Path(settings.REPORTS_ROOT) / "district_year").glob("2026-*.pdf"))
    assert [f.name for f in files] == [Path(job.file_path).name]


@pytest.mark.parametrize(
    "worker",
    [
        {
            "pool": "prefork",
            "env": {"CELERY_TASK_SOFT_TIME_LIMIT": "3", "CELERY_TASK_TIME_LIMIT": "8"},
        }
    ],
    indirect=True,
)
def test_oversized_report_fails_cleanly_and_worker_survives(worker, client):
    """6000 activities exceed the row cap: the job fails with a clear message, no file."""
    import datetime

    from platforms.models import Activity
    from tests.reports.factories import granted_scenario

    s = granted_scenario()
    Activity.objects.bulk_create(
        Activity(
            platform=s.platform,
            title=f"Activiteit {i} " + "lang " * 30,
            description="x " * 200,
            start_date=datetime.date(2026, 1, 1),
        )
        for i in range(6000)
    )
    assert client.get("/platforms/samen-sterk-test/verslag/2026.pdf").status_code == 202
    job = ReportJob.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and job.status != ReportJob.Status.FAILED:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.last_error == "rapport te groot/tijd overschreden"
    assert not job.sha256
    # the worker survives and makes the next report
    assert "Rivaal Test" in pdf_text(_wait_for_pdf(client, f"/rondes/{s.round.slug}/besluit.pdf"))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis as the broker")
def test_first_workbook_is_made_by_a_worker_not_in_the_request(
    reference_data, scenario, client, settings
):
    """At scale a first XLSX takes a minute: with a broker, the request enqueues the build and
    answers 503 with Retry-After (and a link to the CSV) instead of holding a web worker."""
    # In this file so that it never runs beside the real worker's tests: it enqueues on the
    # shared broker and purges the queue afterwards.
    from django.core.cache import cache

    from buurtplatform.celery import app

    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        response = client.get("/open-data/grants.xlsx")
        assert response.status_code == 503
        assert response["Retry-After"].isdigit()
        assert response["Cache-Control"] == "no-store"
        html = response.content.decode()
        assert "wordt voor het eerst klaargezet" in html and "/open-data/grants.csv" in html
        again = client.get("/open-data/grants.xlsx")  # one build enqueued, not one per visitor
        assert again.status_code == 503
    finally:
        app.conf.task_always_eager = True
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
