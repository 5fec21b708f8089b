"""The nightly expiry task is scheduled and runs the expiry service."""

import datetime

import pytest
from django.utils import timezone

from buurtplatform.celery import app
from platforms.models import Platform
from recognition.tasks import expire_recognitions_task
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db


def test_expiry_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "recognition.tasks.expire_recognitions_task" in tasks
    assert "reports.tasks.sweep_reports" in tasks
    assert "budgets.tasks.check_ledger_task" in tasks


def test_expiry_task_expires_an_ended_recognition():
    platform = PlatformFactory(
        recognition_status=Platform.RecognitionStatus.RECOGNISED,
        recognised_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    expire_recognitions_task.delay()
    platform.refresh_from_db()
    assert platform.recognition_status == Platform.RecognitionStatus.EXPIRED
