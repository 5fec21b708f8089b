"""Celery app. Without REDIS_URL tasks run eagerly in-process (see settings)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_success,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtplatform.settings")

# buurtplatform is not an installed app, so autodiscovery misses its tasks: include them.
app = Celery("buurtplatform", include=["buurtplatform.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # A tiny task every minute: /status reads when beat last sent it and a worker last ran one.
    "status-heartbeat": {
        "task": "buurtplatform.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 120},
    },
    "reports-sweep": {"task": "reports.tasks.sweep_reports", "schedule": 300.0},
    "reports-refresh-outdated": {
        "task": "reports.tasks.refresh_outdated_reports",
        "schedule": 600.0,
    },
    "reports-nightly": {
        "task": "reports.tasks.refresh_all_reports",
        "schedule": crontab(hour=3, minute=0),
    },
    "recognition-expiry-nightly": {
        "task": "recognition.tasks.expire_recognitions_task",
        "schedule": crontab(hour=1, minute=15),
    },
    "recognition-scoring-reminders": {
        "task": "recognition.tasks.send_scoring_reminders_task",
        "schedule": crontab(minute=5),
    },
    # Before the ledger check and the report refresh; writes to BACKUP_DIR (workflows/backup.py).
    "backup-nightly": {
        "task": "workflows.tasks.backup_task",
        "schedule": crontab(hour=2, minute=0),
    },
    "ledger-check-nightly": {
        "task": "budgets.tasks.check_ledger_task",
        "schedule": crontab(hour=2, minute=30),
    },
}


# --- monitoring (buurtplatform/status.py) and the request id (buurtplatform/requestid.py) -----
# The imports are inside the handlers: this module is imported before Django is set up.


@before_task_publish.connect
def _on_publish(sender=None, headers=None, **kwargs):
    from buurtplatform import requestid, status

    if sender == status.HEARTBEAT_TASK:
        status.record_beat_seen()
    request_id = requestid.get_request_id()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _on_task_start(sender=None, task_id=None, task=None, **kwargs):
    from buurtplatform import requestid, status

    if task is not None and not task.request.is_eager:
        status.record_worker_seen(task.name)
        # Log lines of the task carry the id of the request that enqueued it (or the task id).
        sent = getattr(task.request, "request_id", None) or (task.request.headers or {}).get(
            "request_id"
        )
        task.request._status_token = requestid.set_request_id(
            requestid.sane_request_id(sent) or task_id
        )


@task_postrun.connect
def _on_task_end(sender=None, task=None, **kwargs):
    from buurtplatform import requestid

    token = getattr(getattr(task, "request", None), "_status_token", None)
    if token is not None:
        requestid.reset_request_id(token)
        task.request._status_token = None


@task_success.connect
def _on_task_success(sender=None, result=None, **kwargs):
    from buurtplatform import status

    if sender is not None:
        status.record_task_success(sender.name, result)


@task_failure.connect
def _on_task_failure(sender=None, exception=None, **kwargs):
    from buurtplatform import status

    if sender is not None:
        status.record_task_failure(sender.name, exception)
