"""The nightly expiry task is scheduled and runs the expiry service."""

import datetime

import pytest
from django.utils import timezone

from buurtplatform.celery import app
from platforms.models import Platform
from recognition.tasks import expire_recognitions_task

pytestmark = pytest.mark.django_db


def test_expiry_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "recognition.tasks.expire_recognitions_task" in tasks
    assert "reports.tasks.sweep_reports" in tasks
    assert "budgets.tasks.check_ledger_task" in tasks


def test_expiry_task_expires_an_ended_recognition(published):
    from recognition.models import Recognition
    from recognition.selectors import recognition_status_of
    from recognition.services import sync_platform_recognition

    platform = published["a"].platform
    platform.refresh_from_db()
    assert platform.recognition_status == Platform.RecognitionStatus.RECOGNISED
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Recognition.objects.filter(platform=platform).update(valid_until=yesterday)
    # The stored copy lags until the nightly task: it must follow the recognitions.
    Platform.objects.filter(pk=platform.pk).update(recognised_until=yesterday)
    expire_recognitions_task.delay()
    platform.refresh_from_db()
    assert platform.recognition_status == Platform.RecognitionStatus.EXPIRED
    assert recognition_status_of(platform) == platform.recognition_status
    assert not sync_platform_recognition(platform)  # nothing left to bring in line
