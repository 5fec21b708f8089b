"""Celery app. Without REDIS_URL tasks run eagerly in-process (see settings)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtplatform.settings")

# buurtplatform is not an installed app, so autodiscovery misses its tasks: include them.
app = Celery("buurtplatform", include=["buurtplatform.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
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
    "ledger-check-nightly": {
        "task": "budgets.tasks.check_ledger_task",
        "schedule": crontab(hour=2, minute=30),
    },
}
