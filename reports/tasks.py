"""Celery adapters: take ids, call services, own the retries."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from reports import services

logger = logging.getLogger("reports")


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def generate_report_task(self, job_id: int) -> None:
    try:
        services.generate_report(job_id=job_id)
    except (OperationalError, services.TransientReportError) as exc:
        if self.request.is_eager:
            logger.warning("reports: job %s hit a passing error: %s", job_id, exc)
            return
        # Exponential backoff: 5 s, 10 s, 20 s ... up to 5 minutes.
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc


@shared_task
def sweep_reports() -> int:
    return len(services.sweep_reports())


@shared_task
def refresh_all_reports() -> int:
    return len(services.refresh_all_reports())


@shared_task
def refresh_outdated_reports() -> int:
    """Every ten minutes: regenerate made reports whose data changed since (debounced)."""
    return len(services.refresh_all_reports(include_failed=False))


@shared_task(
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def build_open_data_task(version: str, name: str, fmt: str, language: str) -> None:
    """Build one open data file of a data version (XLSX is too slow for a request)."""
    from reports import opendata

    opendata.build(version, name, fmt, language)
