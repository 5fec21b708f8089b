"""An archived platform takes no new applications: one rule, in the service, on every path."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from platforms import services as platform_services
from recognition import services
from recognition.models import Application

pytestmark = pytest.mark.django_db


def _archive(platform, coordinator):
    platform_services.archive_platform(platform=platform, by=coordinator)
    platform.refresh_from_db()


def test_service_refuses_to_start_an_application(open_round, platform, coordinator):
    _archive(platform, coordinator)
    with pytest.raises(ValidationError, match="gearchiveerd"):
        services.start_application(round=open_round, platform=platform, by=coordinator)
    assert not Application.objects.exists()


def test_forged_start_post_creates_nothing(open_round, platform, coordinator, client_for):
    _archive(platform, coordinator)
    client = client_for(coordinator)
    listing = client.get(reverse("recognition:application_list")).content.decode()
    start = reverse("recognition:application_start", args=[open_round.slug, platform.slug])
    assert start not in listing  # the button is gone …
    response = client.post(start, follow=True)  # … and a forged POST changes nothing
    assert "gearchiveerd" in response.content.decode()
    assert not Application.objects.exists()


def test_draft_of_an_archived_platform_cannot_be_submitted(
    draft_application, platform, coordinator, client_for
):
    _archive(platform, coordinator)
    client = client_for(coordinator)
    response = client.post(
        reverse("recognition:application_submit", args=[draft_application.pk]), follow=True
    )
    assert "gearchiveerd" in response.content.decode()
    draft_application.refresh_from_db()
    assert draft_application.status == Application.Status.DRAFT
    assert not draft_application.revisions.exists()


def test_withdrawn_application_of_an_archived_platform_is_not_restarted(
    draft_application, platform, coordinator, client_for
):
    services.withdraw_application(application=draft_application, by=coordinator)
    _archive(platform, coordinator)
    response = client_for(coordinator).post(
        reverse("recognition:application_restart", args=[draft_application.pk])
    )
    assert response.status_code == 403
    draft_application.refresh_from_db()
    assert draft_application.status == Application.Status.WITHDRAWN
    assert platform.archived_at <= timezone.now()
