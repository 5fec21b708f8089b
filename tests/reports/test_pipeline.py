"""Report jobs: 202 then 200, one job per report, regeneration, idempotency, sweeper, failures."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from platforms.models import Activity
from reports import services
from reports.models import ReportJob
from tests.factories import ActivityFactory
from tests.reports.conftest import pdf_text

PLATFORM_URL = "/platforms/samen-sterk-test/verslag/2026.pdf"


def test_report_is_202_then_200(scenario, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(PLATFORM_URL)
    assert response.status_code == 202
    assert b'http-equiv="refresh"' in response.content
    assert b"wordt gemaakt" in response.content
    assert len(callbacks) == 1
    for callback in callbacks:  # the task runs (eagerly) after commit
        callback()
    response = client.get(PLATFORM_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    job = ReportJob.objects.get()
    assert response["X-Report-SHA256"] == job.sha256
    assert "Samen Sterk Test" in pdf_text(b"".join(response.streaming_content))


def test_many_requests_queue_exactly_one_task(scenario, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(10):
            assert client.get(PLATFORM_URL).status_code == 202
    assert len(callbacks) == 1
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_eager_first_request_renders_and_serves_at_once(reference_data, client):
    from tests.reports.factories import granted_scenario

    s = granted_scenario()
    response = client.get(reverse("reports:round_report", args=[s.round.slug]))
    assert response.status_code == 200
    assert "Rivaal Test" in pdf_text(b"".join(response.streaming_content))


def test_report_regenerates_after_a_change(scenario):
    job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    first_sha, first_path = job.sha256, job.file_path
    assert services.is_ready(job, services.compute_fingerprint(job.kind, job.key))
    ActivityFactory(
        platform=scenario.platform, title="Nieuw buurtfeest", start_date=datetime.date(2026, 9, 1)
    )
    fp = services.compute_fingerprint(job.kind, job.key)
    assert not services.is_ready(job, fp)  # outdated
    assert services.refresh_all_reports() == [job.pk]
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.sha256 != first_sha
    assert not (Path(settings.REPORTS_ROOT) / first_path).exists()  # old version removed
    text = pdf_text((Path(settings.REPORTS_ROOT) / job.file_path).read_bytes())
    assert "Nieuw buurtfeest" in text


def test_members_only_activity_never_in_public_report(scenario):
    ActivityFactory(
        platform=scenario.platform,
        title="Geheim ledenoverleg",
        start_date=datetime.date(2026, 4, 1),
        visibility=Activity.Visibility.MEMBERS,
    )
    job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert "Geheim" not in pdf_text((Path(settings.REPORTS_ROOT) / job.file_path).read_bytes())


def test_generate_twice_is_idempotent_and_leaves_no_temp_file(scenario):
    job = services.request_report(kind="district_year", key="2026")
    services.generate_report(job_id=job.pk)
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.attempts == 1
    folder = Path(settings.REPORTS_ROOT) / "district_year"
    assert [p.name for p in folder.iterdir()] == [Path(job.file_path).name]


def test_storage_failure_keeps_previous_version(scenario, settings, tmp_path):
    job = services.request_report(kind="district_year", key="2026")
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    old_sha, old_path = job.sha256, services.report_file(job)
    ActivityFactory(platform=scenario.platform, start_date=datetime.date(2026, 2, 2))
    scenario.platform.save()  # data changed -> outdated
    services.request_report(kind="district_year", key="2026")
    folder = Path(settings.REPORTS_ROOT) / "district_year"
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.REPORTS_ROOT = blocker / "reports"  # storage refuses writes
    with pytest.raises(services.TransientReportError):
        services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and "opslaan mislukt" in job.last_error
    assert job.sha256 == old_sha and old_path.exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp")]


def test_time_limit_marks_report_failed(scenario, monkeypatch, django_capture_on_commit_callbacks):
    from celery.exceptions import SoftTimeLimitExceeded

    import reports.rendering

    def too_slow(kind, key, **options):
        raise SoftTimeLimitExceeded()

    # The limit is raised by Celery inside the render; simulate where it lands.
    monkeypatch.setattr(reports.rendering, "render_report", too_slow)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(kind="district_year", key="2026")
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.last_error == "rapport te groot/tijd overschreden"


def test_failed_report_page_and_staff_retry(
    scenario, client_for, support_staff, resident, django_capture_on_commit_callbacks
):
    job = ReportJob.objects.create(
        kind="district_year",
        key="2026",
        status=ReportJob.Status.FAILED,
        last_error=services.TOO_BIG_MESSAGE,
        target_fingerprint=services.compute_fingerprint("district_year", "2026"),
    )
    response = client_for(resident).get("/transparantie/verslag/2026.pdf")
    assert response.status_code == 503
    assert services.TOO_BIG_MESSAGE.encode() in response.content
    assert b"Opnieuw maken" not in response.content
    url = reverse("reports:report_retry", args=[job.pk])
    assert client_for(resident).post(url).status_code == 403
    assert client_for(None).post(url).status_code == 302  # to login
    staff = client_for(support_staff)
    assert b"Opnieuw maken" in staff.get("/transparantie/verslag/2026.pdf").content
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(url).status_code == 302
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE


def test_sweeper_reenqueues_stalled_jobs(scenario):
    old = timezone.now() - datetime.timedelta(hours=2)
    pending = ReportJob.objects.create(kind="district_year", key="2026", requested_at=old)
    running = ReportJob.objects.create(
        kind="round_decision",
        key=scenario.round.slug,
        status=ReportJob.Status.RUNNING,
        started_at=old,
        requested_at=old,
        attempts=1,
    )
    fresh = ReportJob.objects.create(
        kind="platform_year",
        key="samen-sterk-test/2026",
        requested_at=timezone.now(),
        enqueued_at=timezone.now(),
    )
    ids = services.sweep_reports()
    assert set(ids) == {pending.pk, running.pk}
    for job in (pending, running):
        job.refresh_from_db()
        assert job.status == ReportJob.Status.DONE  # eager: rendered once
    fresh.refresh_from_db()
    assert fresh.status == ReportJob.Status.PENDING


def test_sweeper_gives_up_after_max_attempts(scenario):
    old = timezone.now() - datetime.timedelta(hours=2)
    job = ReportJob.objects.create(
        kind="district_year",
        key="2026",
        status=ReportJob.Status.RUNNING,
        started_at=old,
        attempts=services.MAX_ATTEMPTS,
    )
    services.sweep_reports()
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.last_error == services.TOO_BIG_MESSAGE


def test_broker_down_leaves_job_pending_and_page_says_later(scenario, client):
    from buurtplatform.celery import app

    conf = app.conf
    old = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app._pool = None
    try:
        response = client.get("/transparantie/verslag/2026.pdf")
        assert response.status_code == 202
        assert b"zodra de wachtrij beschikbaar is" in response.content
        assert client.get("/transparantie/").status_code == 200
    finally:
        conf.task_always_eager, conf.broker_url = old
        app._pool = None
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.PENDING and job.enqueued_at is None
    # Broker back: the sweeper sends it and it is made once.
    ReportJob.objects.filter(pk=job.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert services.sweep_reports() == [job.pk]
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE


def test_round_report_only_once_published(db, reference_data, client):
    from tests.reports.factories import make_round

    draft = make_round(published=False, slug="nog-niet")
    assert client.get("/rondes/nog-niet/besluit.pdf").status_code == 404
    assert draft.pk


def test_unknown_platform_report_is_404(db, client):
    assert client.get("/platforms/bestaat-niet/verslag/2026.pdf").status_code == 404


def test_implausible_years_make_no_job(scenario, client):
    assert client.get("/transparantie/verslag/1999.pdf").status_code == 404
    assert client.get("/platforms/samen-sterk-test/verslag/2099.pdf").status_code == 404
    assert not ReportJob.objects.exists()


def test_oversized_report_fails_cleanly(scenario, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_MAX_ROWS = 1  # the scenario has two activities in 2026
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.last_error == services.TOO_BIG_MESSAGE and not job.sha256


def test_report_storm_is_rate_limited_but_ready_reports_still_served(
    scenario, client, monkeypatch, django_capture_on_commit_callbacks
):
    import reports.views

    monkeypatch.setattr(reports.views, "RATE_LIMIT", 2)
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/transparantie/verslag/2026.pdf").status_code == 202
    assert client.get(f"/rondes/{scenario.round.slug}/besluit.pdf").status_code == 202
    assert client.get("/platforms/samen-sterk-test/verslag/2026.pdf").status_code == 429
    assert client.get("/transparantie/verslag/2026.pdf").status_code == 200  # ready: no limit
    assert ReportJob.objects.count() == 2


def test_ten_minute_refresh_regenerates_changed_reports_but_not_failed_ones(
    scenario, django_capture_on_commit_callbacks
):
    from buurtplatform.celery import app
    from reports.tasks import refresh_outdated_reports

    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["reports.tasks.refresh_outdated_reports"] <= 600

    job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    first_sha = job.sha256
    failed = services.request_report(kind="district_year", key="2026")
    ReportJob.objects.filter(pk=failed.pk).update(status=ReportJob.Status.FAILED)

    assert refresh_outdated_reports.delay().get() == 0  # nothing changed yet
    ActivityFactory(
        platform=scenario.platform, title="Buurtquiz", start_date=datetime.date(2026, 10, 2)
    )
    # Eager tasks: the refresh queues the changed report; its task renders it after commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_outdated_reports.delay().get() == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.sha256 != first_sha
    assert ReportJob.objects.get(pk=failed.pk).status == ReportJob.Status.FAILED


def test_a_file_left_by_a_killed_worker_is_removed_with_the_next_version(scenario):
    """A worker killed after writing its file but before committing the job leaves a file no
    row points to (seen in CI: the fault test found two PDFs). The next render removes it, and
    only it: not the English version, not another report's file."""
    job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
    services.generate_report(job_id=job.pk)
    english = services.request_report(
        kind="platform_year", key="samen-sterk-test/2026", language="en"
    )
    services.generate_report(job_id=english.pk)
    english.refresh_from_db()
    folder = Path(settings.REPORTS_ROOT) / "platform_year"
    stray = folder / "samen-sterk-test-2026-00112233aabbccdd.pdf"  # what the killed one wrote
    stray.write_bytes(b"%PDF-1.7 half of a report")
    unrelated = folder / "samen-sterk-test-2026-extra-00112233aabbccdd.pdf"
    unrelated.write_bytes(b"%PDF-1.7 another key's report")
    ActivityFactory(
        platform=scenario.platform, title="Nieuw buurtfeest", start_date=datetime.date(2026, 9, 1)
    )
    services.refresh_all_reports()
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert not stray.exists()
    assert (Path(settings.REPORTS_ROOT) / job.file_path).is_file()
    assert (Path(settings.REPORTS_ROOT) / english.file_path).is_file()  # the other language
    assert unrelated.exists()
