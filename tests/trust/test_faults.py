"""Fault tests (TRUST-TESTS section 3): Redis down, a worker killed mid-report, PostgreSQL
restarted under traffic, and double-submitted forms. Run them with `make faults`.

Every server here is our own, on 127.0.0.1 and a free port, stopped by the pid we started:
the machine's Redis (6379) and PostgreSQL (5432) are never touched. Every loop is bounded.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from buurtplatform import settings_test
from tests.factories import PASSWORD, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.slow

BASE_DIR = Path(django_settings.BASE_DIR)


# --- our own servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class RedisServer:
    """A throwaway redis-server without persistence, on 127.0.0.1 and a free port."""

    def __init__(self):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def dbsize(self) -> int:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port).dbsize()

    def llen(self, queue: str = "celery") -> int:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port).llen(queue)


def _fresh_pools(app) -> None:
    """Forget every kombu connection/producer pool (they are cached per broker URL)."""
    from kombu import pools

    with contextlib.suppress(Exception):
        pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str):
    """Point the Celery app of this process at `url` and publish for real (not eagerly)."""
    from buurtplatform.celery import app

    old = (app.conf.broker_url, app.conf.task_always_eager)
    _fresh_pools(app)
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
        _fresh_pools(app)


# --- 1. Redis down --------------------------------------------------------------------------


@pytest.fixture
def redis_world(settings, reference_data):
    server = RedisServer().start()
    try:
        # The Celery app first: it reads its configuration from the settings lazily, so it
        # must remember the broker it had before the settings below name this server (else it
        # "restores" this server's address, and a later test's worker connects to a dead port).
        with celery_broker(server.url):
            settings.REDIS_URL = server.url
            settings.CELERY_BROKER_URL = server.url
            settings.PUBLIC_PAGE_CACHE_SECONDS = 300  # as in production: pages cached in Redis
            settings.CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": server.url,
                    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
                }
            }
            yield server
    finally:
        server.stop()
        # Back to a local cache before other fixtures clear it in their teardown.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.django_db(transaction=True)
def test_redis_down_pages_render_and_reports_are_deferred(redis_world, client):
    from django.core.cache import cache

    from reports.models import ReportJob
    from reports.services import sweep_reports
    from tests.reports.factories import granted_scenario

    s = granted_scenario()
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache really is our Redis
    pages = ["/", "/platforms/", s.platform.get_absolute_url(), "/rondes/", "/transparantie/"]
    pages += [f"/rondes/{s.round.slug}/besluit/", "/open-data/", "/account/login/", "/en/"]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert redis_world.dbsize() > 2  # the page cache stored pages in our Redis

    redis_world.stop()
    for url in pages:
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert time.monotonic() - started < 10, url

    started = time.monotonic()
    response = client.get("/transparantie/verslag/2026.pdf")
    assert time.monotonic() - started < 15
    assert response.status_code == 202
    assert "zodra de wachtrij beschikbaar is" in response.content.decode()
    job = ReportJob.objects.get(kind=ReportJob.Kind.DISTRICT_YEAR)
    assert job.status == ReportJob.Status.PENDING and job.enqueued_at is None

    # Logging in leans on the rate-limit cache: no 500 (a clear 503 or a working login).
    user = UserFactory(email="redisloos@example.org")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code in (302, 503), response.status_code
    if response.status_code == 503:
        assert "Traceback" not in response.content.decode()

    # Redis is back: the sweeper sends the deferred job, exactly once.
    redis_world.start()
    assert sweep_reports(pending_minutes=0) == [job.pk]
    assert redis_world.llen() == 1
    job.refresh_from_db()
    assert job.enqueued_at is not None
    assert sweep_reports() == []  # just sent: not stale, not sent again


# --- 2. a worker killed in the middle of a report ---------------------------------------------


def _postgres_reason() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (DATABASE_URL=postgres://…): the worker must share the test DB"
    return None


def _start_worker(broker: str, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "buurtplatform.settings_test",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker,
        "TEST_REAL_WORKER": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "buurtplatform", "worker", "-c", "1"]
    command += ["--pool=prefork", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_ready(app, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
        if proc.poll() is not None:
            pytest.fail(log.read_text()[-3000:])
    pytest.fail("the worker did not start in time")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _pool_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _wait_status(job, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"job stayed {job.status}, expected {status}")


def _poll_until_served(client, url: str, timeout: float = 90) -> bytes:
    """Poll like a browser: 202 until ready, then a complete PDF; anything else fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code == 200:
            return _complete_pdf(response)
        assert response.status_code == 202, response.status_code
        time.sleep(0.3)
    raise AssertionError(f"{url} not served within {timeout} s")


def _complete_pdf(response) -> bytes:
    import hashlib

    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == response["X-Report-SHA256"]
    return content


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_report_then_restarted_completes_and_never_serves_half_a_file(
    reference_data, client, settings, tmp_path
):
    """(1) SIGKILL of the pool child mid-render: the message is requeued and the report made.
    (2) SIGKILL of the whole worker mid-render, then a new worker and the sweeper (beat):
    the stuck job is sent again and completed. Meanwhile the address only ever answers 202 or
    a complete PDF."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    from platforms.models import Activity
    from reports.models import ReportJob
    from reports.services import sweep_reports
    from tests.reports.factories import granted_scenario

    # The worker uses settings_test's media folder; so do we.
    settings.MEDIA_ROOT = settings_test.MEDIA_ROOT  # the started worker's folder too
    settings.REPORTS_ROOT = settings.MEDIA_ROOT / "reports"
    # Leftovers of an earlier run in this worker's folder: clear only this report's files.
    for old in (settings.REPORTS_ROOT / "platform_year").glob("samen-sterk-test-2026-*.pdf"):
        old.unlink(missing_ok=True)
    s = granted_scenario()

    def add_activities(n: int, offset: int = 0) -> None:
        # Enough rows (well below the cap) that a render takes seconds: time to kill it.
        Activity.objects.bulk_create(
            Activity(
                platform=s.platform,
                title=f"Activiteit {offset + i} " + "lang " * 20,
                description="x " * 100,
                start_date=datetime.date(2026, 1, 1),
            )
            for i in range(n)
        )

    add_activities(500)
    server = RedisServer().start()
    log = tmp_path / "worker.log"
    url = "/platforms/samen-sterk-test/verslag/2026.pdf"
    workers: list[subprocess.Popen] = []
    try:
        with celery_broker(server.url) as app:
            workers.append(_start_worker(server.url, log))
            _wait_ready(app, workers[-1], log)

            # (1) the pool child dies mid-render
            assert client.get(url).status_code == 202
            job = ReportJob.objects.get()
            _wait_status(job, ReportJob.Status.RUNNING)
            time.sleep(0.5)
            children = _pool_children(workers[-1].pid)
            assert children, "no pool child to kill"
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            first = _poll_until_served(client, url)
            job.refresh_from_db()
            assert job.status == ReportJob.Status.DONE and job.attempts >= 2

            # (2) the whole worker dies mid-render of an updated report
            add_activities(20, offset=1000)  # new data: the report is outdated
            response = client.get(url)
            assert response.status_code == 202  # an outdated file is not served
            _wait_status(job, ReportJob.Status.RUNNING)
            time.sleep(0.5)
            os.killpg(workers[-1].pid, signal.SIGKILL)  # its own session: only our processes
            workers[-1].wait(timeout=10)
            for _ in range(5):
                assert client.get(url).status_code == 202
                time.sleep(0.1)
            job.refresh_from_db()
            assert job.status == ReportJob.Status.RUNNING  # stuck: nobody renders it
            assert job.attempts == 1  # tries count per data version, not over the job's life

            workers.append(_start_worker(server.url, log))  # the restart
            _wait_ready(app, workers[-1], log)
            # Beat runs the sweeper every 5 minutes; it re-sends jobs running past the hard
            # time limit. Pretend that time has passed instead of waiting for it.
            ReportJob.objects.filter(pk=job.pk).update(
                started_at=job.started_at - datetime.timedelta(hours=1)
            )
            assert sweep_reports() == [job.pk]
            second = _poll_until_served(client, url)
    finally:
        for proc in workers:
            _stop(proc)
        server.stop()
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert first != second
    # (this xdist worker's media folder: other tests' reports may be there, look at ours only)
    ours = Path(settings.REPORTS_ROOT) / Path(job.file_path).parent
    published = [p.name for p in ours.glob("samen-sterk-test-2026-*.pdf")]
    assert published == [Path(job.file_path).name]  # one file: the old one was replaced


# --- 3. PostgreSQL restarted under traffic -----------------------------------------------------


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


class ThrowawayPostgres:
    """initdb in a temp dir as the postgres user, on 127.0.0.1 and a free port."""

    def __init__(self):
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl and shutil.which("runuser")):
            pytest.skip("initdb/pg_ctl/runuser unavailable: cannot make a throwaway cluster")
        self.dir = Path(tempfile.mkdtemp(prefix="bp-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")

    def _as_postgres(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(result.stdout[-2000:] + result.stderr[-2000:])

    def start(self) -> ThrowawayPostgres:
        self._as_postgres(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.ctl("start")
        return self

    def ctl(self, action: str, *extra: str) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._as_postgres(
            self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.dir / "pg.log"), action, *extra,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc)


def test_postgres_restart_under_traffic_recovers_without_restarting_the_site(tmp_path):
    pg = ThrowawayPostgres().start()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "buurtplatform.settings_test",
        "DATABASE_URL": pg.url,
        "CONN_MAX_AGE": "600",  # persistent connections: the restart breaks them under us
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "web.log").open("wb")
    web = None
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "buurtplatform.wsgi", "-b", f"127.0.0.1:{port}"]
            + ["-w", "1", "--threads", "4", "--timeout", "30"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        urls = [f"{base}/platforms/", f"{base}/buurten/", f"{base}/rondes/", f"{base}/healthz"]
        for url in urls:
            assert _get(url)[0] == 200, url

        results: list[tuple[float, int, str]] = []
        stop = threading.Event()

        def traffic():
            for i in range(400):  # bounded
                if stop.is_set():
                    return
                status, body = _get(urls[i % len(urls)])
                results.append((time.monotonic(), status, body))
                time.sleep(0.02)

        threads = [threading.Thread(target=traffic) for _ in range(4)]
        for t in threads:
            t.start()

        def answered(since: float) -> int:
            return sum(1 for t, _, _ in list(results) if t > since)

        def wait_for(enough) -> None:  # no fixed sleeps: until there is traffic enough (30 s)
            deadline = time.monotonic() + 30
            while not enough() and time.monotonic() < deadline:
                time.sleep(0.05)

        wait_for(lambda: answered(0) >= 20)
        restart_started = time.monotonic()
        pg.ctl("restart", "-m", "fast")
        restart_done = time.monotonic()
        wait_for(lambda: answered(restart_done + 1) >= 20)  # a second after, and 20 answers
        stop.set()
        for t in threads:
            t.join(timeout=30)

        assert web.poll() is None, "the site died"
        during = [s for t, s, _ in results if restart_started <= t <= restart_done + 1]
        print(f"requests: {len(results)}, during the restart: {sorted(set(during))}")
        before = [r for r in results if r[0] < restart_started]
        after = [r for r in results if r[0] > restart_done + 1]
        assert before and after
        assert {s for _, s, _ in before} == {200}
        assert {s for _, s, _ in after} == {200}, {s for _, s, _ in after}
        for _, status, body in results:
            assert status in (200, 500, 503), status
            assert "Traceback" not in body
        for url in urls:  # and it keeps working
            assert _get(url)[0] == 200
    finally:
        if web is not None:
            _stop(web)
        log.close()
        pg.stop()


# --- 4. double-submitted forms ----------------------------------------------------------------


@pytest.fixture
def coordinator_of(db):
    platform = PlatformFactory(name="Dubbel Platform", slug="dubbel", buurten=["TH01"])
    user = UserFactory(email="dubbel@example.org")
    MembershipFactory(platform=platform, user=user, role="coordinator")
    return platform, user


def _twice(client, url: str, data: dict) -> list:
    """Two clicks, then the browser's back button and submit again (same form, same token)."""
    return [client.post(url, data) for _ in range(3)]


def test_double_submitted_platform_registration_makes_one_platform(client_for, db):
    from areas.models import Buurt
    from platforms.models import Platform

    user = UserFactory(email="registreer@example.org")
    data = {
        "name": "Eenmalig Platform",
        "area_name": "De K-buurt",
        "buurten": list(Buurt.objects.filter(code="TH01").values_list("pk", flat=True)),
        "description": "Wij doen dingen voor de buurt.",
        "contact_email": "info@eenmalig.example",
        "legal_form": "informal",
    }
    responses = _twice(client_for(user), reverse("platforms:platform_create"), data)
    assert all(r.status_code in (200, 302) for r in responses)
    assert Platform.objects.filter(name="Eenmalig Platform").count() == 1


def test_double_submitted_activity_makes_one_activity(client_for, coordinator_of):
    from platforms.models import Activity

    platform, user = coordinator_of
    data = {
        "title": "Buurtmaaltijd",
        "category": Activity.Category.MEETING,
        "start_date": "2026-05-01",
        "description": "Samen eten.",
        "participants": "30",
        "visibility": Activity.Visibility.PUBLIC,
    }
    url = reverse("platforms:activity_create", args=[platform.slug])
    responses = _twice(client_for(user), url, data)
    assert responses[0].status_code == 302, (
        responses[0].context and responses[0].context["form"].errors
    )
    assert Activity.objects.filter(platform=platform, title="Buurtmaaltijd").count() == 1


def test_double_submitted_claim_approval_books_once(client_for, db):
    from budgets.models import ExpenseClaim, Transaction
    from budgets.services import book_grant, submit_claim
    from buurtplatform.uploads import clean_upload
    from tests.budgets.factories import granted_decision
    from tests.trust.test_uploads import png_bytes, upload

    platform = PlatformFactory(slug="dubbel-budget", buurten=["TH01"])
    member = UserFactory(email="lid@example.org")
    MembershipFactory(platform=platform, user=member, role="member")
    support = UserFactory(email="steun@example.org", roles=["ondersteuning"])
    budget = book_grant(
        decision=granted_decision(platform=platform), by=UserFactory(roles=["ondersteuning"])
    )
    claim = submit_claim(
        budget=budget,
        budget_line=budget.lines.first(),
        by=member,
        amount=Decimal("40.00"),
        expense_date=datetime.date(2026, 4, 1),
        payee_name="Jan Jansen",
        iban="NL91ABNA0417164300",
        description="Koffie",
        receipts=[clean_upload(upload("bon.png", png_bytes()))],
    )
    url = reverse("budgets:claim_approve", args=[claim.pk])
    responses = _twice(client_for(support), url, {})
    assert all(r.status_code == 302 for r in responses)
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.APPROVED
    budget.refresh_from_db()
    assert budget.committed == Decimal("40.00")
    assert Transaction.objects.filter(claim=claim).count() <= 1


def test_double_submitted_scoresheet_is_submitted_once(client_for, db, admin_user):
    from recognition import services as rec
    from recognition.models import Scoresheet
    from tests.recognition.conftest import complete_application, make_round, pass_deadline

    platform = PlatformFactory(slug="dubbel-score", buurten=["TH01"])
    coordinator = UserFactory(email="score-coord@example.org")
    MembershipFactory(platform=platform, user=coordinator, role="coordinator")
    member = UserFactory(email="score-commissie@example.org", roles=["commissie"])
    rnd = rec.open_round(round=make_round(admin_user, slug="ronde-dubbel"), by=admin_user)
    app = complete_application(rnd, platform, coordinator)
    rec.submit_application(application=app, by=coordinator)
    rec.start_assessment(round=pass_deadline(rnd), by=admin_user)
    rec.declare_conflict(application=app, by=member, has_conflict=False)
    criteria = app.round.criteria_version.criteria.all()
    client = client_for(member)
    save = {f"value_{c.pk}": "3" for c in criteria}
    client.post(reverse("recognition:scoresheet_save", args=[app.pk]), save)
    url = reverse("recognition:scoresheet_submit", args=[app.pk])
    responses = _twice(client, url, {})
    assert all(r.status_code == 302 for r in responses)
    sheets = Scoresheet.objects.filter(application=app, member=member)
    assert sheets.count() == 1
    assert sheets.get().status == Scoresheet.Status.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_simultaneous_double_clicks_make_one_platform_and_one_activity(reference_data):
    """Two truly simultaneous submits (a double click the browser did not stop)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL=postgres://…)")
    from django.db import connections
    from django.test import Client

    from areas.models import Buurt
    from platforms.models import Activity, Platform

    user = UserFactory(email="tweeklik@example.org")
    buurt = Buurt.objects.get(code="TH01")
    platform_data = {
        "name": "Tweeklik Platform",
        "area_name": "De K-buurt",
        "buurten": [buurt.pk],
        "description": "Wij doen dingen voor de buurt.",
        "contact_email": "info@tweeklik.example",
        "legal_form": "informal",
    }

    def both(url: str, data: dict) -> list[int]:
        barrier = threading.Barrier(2)
        codes: list[int] = []

        def click():
            client = Client()
            client.force_login(user)
            barrier.wait()
            codes.append(client.post(url, data).status_code)
            connections.close_all()

        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        return codes

    assert both(reverse("platforms:platform_create"), platform_data) == [302, 302]
    platform = Platform.objects.get(name="Tweeklik Platform")
    activity_data = {
        "title": "Buurtmaaltijd",
        "category": Activity.Category.MEETING,
        "start_date": "2026-05-01",
        "description": "Samen eten.",
        "participants": "30",
        "visibility": Activity.Visibility.PUBLIC,
    }
    url = reverse("platforms:activity_create", args=[platform.slug])
    assert both(url, activity_data) == [302, 302]
    assert Activity.objects.filter(platform=platform).count() == 1
