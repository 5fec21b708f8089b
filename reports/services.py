"""Report jobs: request (deduplicated), generate (claimed, atomic file write), sweep, retry.

PostgreSQL is the source of truth: the queue only carries job ids, so a lost message (Redis
down, flushed, a killed worker) is repaired by the sweeper and a duplicate message is
harmless (the task claims its row and is idempotent).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtplatform.storage import StoredFile, report_storage, save_bytes
from reports import data
from reports.models import ReportJob

logger = logging.getLogger("reports")

TOO_BIG_MESSAGE = "rapport te groot/tijd overschreden"
MAX_ATTEMPTS = 3
PENDING_STALE_MINUTES = 5


class TransientReportError(Exception):
    """A passing problem (storage, database); the task retries with backoff."""


def compute_fingerprint(kind: str, key: str) -> str:
    if kind == ReportJob.Kind.PLATFORM_YEAR:
        slug, _sep, year = key.rpartition("/")
        return data.fingerprint_platform_year(slug, int(year))
    if kind == ReportJob.Kind.ROUND_DECISION:
        return data.fingerprint_round_decision(key)
    if kind == ReportJob.Kind.DISTRICT_YEAR:
        return data.fingerprint_district_year(int(key))
    if kind == ReportJob.Kind.MEETING_PACK:
        return data.fingerprint_meeting_pack(key)
    if kind == ReportJob.Kind.LEDGER_EXPORT:
        return data.fingerprint_ledger_export(key)
    raise ValueError(kind)


def report_file(job: ReportJob) -> Path | StoredFile | None:
    """The job's file: a local path under REPORTS_ROOT, or the shared "reports" storage's
    object when STORAGE_URL is set (a report made on one machine is served by any other)."""
    if not job.has_file:
        return None
    storage = report_storage()
    if storage is not None:
        stored = StoredFile(storage, job.file_path)
        return stored if stored.is_file() else None
    path = Path(settings.REPORTS_ROOT) / job.file_path
    return path if path.is_file() else None


def is_ready(job: ReportJob, fingerprint: str) -> bool:
    return (
        job.status == ReportJob.Status.DONE
        and job.data_fingerprint == fingerprint
        and report_file(job) is not None
    )


def report_language(kind: str, language: str | None) -> str:
    """The language a report is made in: a PDF in Dutch or English (the URL's language), the
    accountant's export always in Dutch."""
    if kind == ReportJob.Kind.LEDGER_EXPORT:
        return "nl"
    return "en" if (language or "").lower().startswith("en") else "nl"


def find_job(kind: str, key: str, language: str | None = None) -> ReportJob | None:
    return ReportJob.objects.filter(
        kind=kind, key=key, language=report_language(kind, language)
    ).first()


def _get_job(kind: str, key: str, language: str) -> ReportJob:
    try:
        job, _created = ReportJob.objects.get_or_create(kind=kind, key=key, language=language)
    except IntegrityError:  # a concurrent request created it first
        job = ReportJob.objects.get(kind=kind, key=key, language=language)
    return job


def request_report(*, kind: str, key: str, language: str | None = None) -> ReportJob:
    """Make sure a current report exists or exactly one job for it is queued.

    Each language is its own job and file (a row per kind, key and language); the data
    fingerprint is the same for both, as both show the same data version."""
    fingerprint = compute_fingerprint(kind, key)
    job = _get_job(kind, key, report_language(kind, language))
    if is_ready(job, fingerprint):
        return job
    if job.status in (ReportJob.Status.PENDING, ReportJob.Status.RUNNING) and job.requested_at:
        return job  # already queued or being made: deduplicated
    with transaction.atomic():
        # skip_locked: a worker holding the row is rendering it right now.
        locked = ReportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()
        if locked is None:
            return job
        job = locked
        if is_ready(job, fingerprint):
            return job
        if job.status in (ReportJob.Status.PENDING, ReportJob.Status.RUNNING) and (
            job.requested_at is not None
        ):
            return job
        if job.status == ReportJob.Status.FAILED and job.target_fingerprint == fingerprint:
            return job  # same data failed before; staff can retry it
        job.status = ReportJob.Status.PENDING
        job.attempts = 0  # counts tries for this data; the sweeper gives up after MAX_ATTEMPTS
        job.target_fingerprint = fingerprint
        job.requested_at = timezone.now()
        job.enqueued_at = None
        job.last_error = ""
        job.save()
        job_id = job.pk
        transaction.on_commit(lambda: enqueue_job(job_id))
    return job


def enqueue_job(job_id: int) -> bool:
    """Publish a job id to the queue; if the broker is down, log and leave it pending."""
    from kombu.exceptions import OperationalError as BrokerError

    from reports.tasks import generate_report_task

    try:
        generate_report_task.delay(job_id)
    except BrokerError as exc:
        logger.warning("reports: broker unavailable, job %s stays pending: %s", job_id, exc)
        return False
    except Exception:  # an eager render that failed must never break the request
        logger.exception("reports: enqueue of job %s failed", job_id)
        return False
    ReportJob.objects.filter(pk=job_id, enqueued_at__isnull=True).update(enqueued_at=timezone.now())
    return True


DIGEST_CHARS = 16  # of the SHA-256 in a report's file name


def _slug(key: str, language: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-") or "report"
    return slug if language == "nl" else f"{slug}-{language}"


def _safe_name(
    kind: str, key: str, digest: str, extension: str = "pdf", language: str = "nl"
) -> str:
    return f"{kind}/{_slug(key, language)}-{digest[:DIGEST_CHARS]}.{extension}"


def _versions_pattern(key: str, extension: str, language: str) -> re.Pattern[str]:
    """The file names every version of one report (kind, key, language) can have."""
    slug, ext = re.escape(_slug(key, language)), re.escape(extension)
    return re.compile(rf"{slug}-[0-9a-f]{{{DIGEST_CHARS}}}\.{ext}")


def _write_atomically(relative: str, content: bytes) -> Path | StoredFile:
    """Write to a temporary file in the same folder, fsync, then rename into place; in the
    shared storage one PUT (an object appears whole or not at all)."""
    storage = report_storage()
    if storage is not None:
        return StoredFile(storage, save_bytes(storage, relative, content))
    target = Path(settings.REPORTS_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _claim(job_id: int) -> ReportJob | None:
    """Mark the job running (committed) unless another worker holds it or it is current."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            return None
        if is_ready(job, compute_fingerprint(job.kind, job.key)):
            return None
        job.status = ReportJob.Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
        return job


def generate_report(*, job_id: int, fetcher=None) -> ReportJob | None:
    """Render the job's report and publish it atomically; running it twice is harmless."""
    from celery.exceptions import SoftTimeLimitExceeded

    from reports.rendering import ReportTooLarge, file_extension, render_report

    if _claim(job_id) is None:
        return None
    with transaction.atomic():
        # Hold the row while rendering so a duplicate message skips instead of rendering too.
        job = ReportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            return None
        fingerprint = compute_fingerprint(job.kind, job.key)
        if is_ready(job, fingerprint):
            return job
        old_file = report_file(job)
        transient: OSError | None = None
        try:
            # The footer of every page prints the report id and the data version.
            content = render_report(
                job.kind,
                job.key,
                language=job.language,
                report_id=job.pk,
                data_version=fingerprint,
                fetcher=fetcher,
            )
            digest = hashlib.sha256(content).hexdigest()
            relative = _safe_name(
                job.kind, job.key, digest, file_extension(job.kind, job.key), job.language
            )
            _write_atomically(relative, content)
        except (SoftTimeLimitExceeded, ReportTooLarge):
            _fail(job, TOO_BIG_MESSAGE)
            return job
        except OSError as exc:
            # Storage trouble: record it (committed below), keep the old file, retry later.
            _fail(job, _("opslaan mislukt: %(error)s") % {"error": exc.strerror or exc})
            transient = exc
        except Exception as exc:
            if _is_transient(exc):
                raise
            logger.exception("reports: job %s failed", job.pk)
            _fail(job, f"{type(exc).__name__}: {exc}"[:500])
            return job
        if transient is None:
            _publish(job, fingerprint, relative, digest, len(content))
    if transient is not None:
        raise TransientReportError(str(transient)) from transient
    if old_file is not None and old_file.name != Path(relative).name:
        old_file.unlink(missing_ok=True)
    if transient is None:
        _remove_strays(job, relative)
    return job


def _remove_strays(job: ReportJob, kept: str) -> None:
    """Remove this job's other versions: a worker killed between writing its file and
    committing the job leaves a file nobody points to (the next render may differ in bytes).
    Only names of exactly this kind, key and language (the slug, then 16 hex digits); never
    a file another job row points to. Runs after the commit, under no lock: a left-over is
    harmless, so trouble here is logged, not raised."""
    folder, _slash, name = kept.rpartition("/")
    pattern = _versions_pattern(job.key, name.rpartition(".")[2], job.language)
    try:
        storage = report_storage()
        if storage is not None:
            names = storage.listdir(folder)[1]
        else:
            local = Path(settings.REPORTS_ROOT) / folder
            names = [p.name for p in local.iterdir() if p.is_file()] if local.is_dir() else []
        strays = [n for n in names if n != name and pattern.fullmatch(n)]
        if not strays:
            return
        referenced = set(
            ReportJob.objects.filter(file_path__in=[f"{folder}/{n}" for n in strays]).values_list(
                "file_path", flat=True
            )
        )
        for stray in strays:
            path = f"{folder}/{stray}"
            if path in referenced:
                continue
            if storage is not None:
                StoredFile(storage, path).unlink(missing_ok=True)
            else:
                (Path(settings.REPORTS_ROOT) / path).unlink(missing_ok=True)
            logger.info("reports: removed stray file %s of job %s", path, job.pk)
    except OSError:
        logger.warning("reports: could not look for stray files of job %s", job.pk, exc_info=True)


def _publish(job: ReportJob, fingerprint: str, relative: str, digest: str, size: int) -> None:
    job.status = ReportJob.Status.DONE
    job.data_fingerprint = fingerprint
    job.target_fingerprint = fingerprint
    job.file_path = relative
    job.sha256 = digest
    job.size = size
    job.generated_at = timezone.now()
    job.last_error = ""
    job.save()


def _is_transient(exc: Exception) -> bool:
    from django.db import OperationalError

    return isinstance(exc, OperationalError)


def _fail(job: ReportJob, message: str) -> None:
    """Record the failure on the row in its own committed write (the outer block may roll back)."""
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.FAILED, last_error=message[:1000], updated_at=timezone.now()
    )
    job.status = ReportJob.Status.FAILED
    job.last_error = message


def retry_report(*, job: ReportJob, by) -> ReportJob:
    """Staff retry of a failed report."""
    from audit.services import record

    if job.status != ReportJob.Status.FAILED:
        raise ValidationError(_("Alleen een mislukt rapport kan opnieuw worden gemaakt."))
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        job.status = ReportJob.Status.PENDING
        job.attempts = 0
        job.requested_at = timezone.now()
        job.enqueued_at = None
        job.target_fingerprint = compute_fingerprint(job.kind, job.key)
        job.save()
        record(actor=by, action="reports.report.retried", obj=job, data={"key": job.key})
        job_id = job.pk
        transaction.on_commit(lambda: enqueue_job(job_id))
    return job


def sweep_reports(*, pending_minutes: int = PENDING_STALE_MINUTES) -> list[int]:
    """Re-enqueue pending jobs never sent or stuck, and running jobs past the hard limit."""
    now = timezone.now()
    stale = now - timedelta(minutes=pending_minutes)
    hard = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    ids: list[int] = []
    with transaction.atomic():
        pending = ReportJob.objects.select_for_update(skip_locked=True).filter(
            status=ReportJob.Status.PENDING
        )
        for job in pending:
            sent_at = job.enqueued_at or job.requested_at or job.updated_at
            if sent_at <= stale:
                ids.append(job.pk)
        running = ReportJob.objects.select_for_update(skip_locked=True).filter(
            status=ReportJob.Status.RUNNING, started_at__lte=hard
        )
        for job in running:
            if job.attempts >= MAX_ATTEMPTS:
                job.status = ReportJob.Status.FAILED
                job.last_error = TOO_BIG_MESSAGE
                job.save(update_fields=["status", "last_error", "updated_at"])
                continue
            job.status = ReportJob.Status.PENDING
            job.save(update_fields=["status", "updated_at"])
            ids.append(job.pk)
        ReportJob.objects.filter(pk__in=ids).update(enqueued_at=None)
    sent = [job_id for job_id in ids if enqueue_job(job_id)]
    if ids:
        logger.info("reports: sweeper re-enqueued %s of %s jobs", len(sent), len(ids))
    return ids


def refresh_all_reports(*, include_failed: bool = True) -> list[int]:
    """Queue every existing report whose data changed (the debounced regeneration): every
    ten minutes for made reports, nightly also for failed ones."""
    queued = []
    statuses = [ReportJob.Status.DONE]
    if include_failed:
        statuses.append(ReportJob.Status.FAILED)
    for job in ReportJob.objects.filter(status__in=statuses):
        if not is_ready(job, compute_fingerprint(job.kind, job.key)):
            job = request_report(kind=job.kind, key=job.key, language=job.language)
            if job.status == ReportJob.Status.PENDING:
                queued.append(job.pk)
    return queued


def mark_accounts_exported(*, year: int, by) -> int:
    """Support staff downloaded the year's accounts (general ledger, trial balance or XAF): every
    closed budget of that year counts as exported from now on, so its close can no longer be
    reversed (budgets.services.yearclose; the first download counts). Returns how many."""
    from budgets.models import YearClose
    from budgets.services.yearclose import mark_year_accounts_exported

    closes = YearClose.objects.filter(
        budget__year=year, status=YearClose.Status.CLOSED, accounts_exported_at__isnull=True
    ).order_by("pk")
    marked = 0
    for close in closes:
        mark_year_accounts_exported(close=close, by=by)
        marked += 1
    return marked
