"""Celery adapters for recognition: scheduled upkeep only."""

from celery import shared_task

from recognition.services import expire_recognitions, send_due_reminders


@shared_task(name="recognition.tasks.expire_recognitions_task")
def expire_recognitions_task() -> int:
    """Nightly: platforms whose recognition period has ended become "verlopen"."""
    return expire_recognitions()


@shared_task(name="recognition.tasks.send_scoring_reminders_task")
def send_scoring_reminders_task() -> int:
    """Hourly: remind commission members 48 hours before an assessment deadline (once)."""
    return send_due_reminders()
