"""A withdrawn application can be restarted (withdrawn → draft) before the deadline."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from recognition import services
from recognition.models import Application
from tests.recognition.conftest import pass_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn(draft_application, coordinator):
    return services.withdraw_application(application=draft_application, by=coordinator)


def test_withdraw_asks_for_confirmation_on_its_own_page(client_for, coordinator, draft_application):
    url = reverse("recognition:application_withdraw", args=[draft_application.pk])
    page = client_for(coordinator).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Wat er gebeurt" in text and "Wat bewaard blijft" in text
    assert 'method="post"' in text and f'action="{url}"' in text
    draft_application.refresh_from_db()
    assert draft_application.status == Application.Status.DRAFT  # GET changes nothing
    detail = client_for(coordinator).get(
        reverse("recognition:application_detail", args=[draft_application.pk])
    )
    assert f'href="{url}"' in detail.content.decode()  # a link to the page, not a one-tap form


def test_coordinator_restarts_a_withdrawn_application(client_for, coordinator, withdrawn):
    detail_url = reverse("recognition:application_detail", args=[withdrawn.pk])
    client = client_for(coordinator)
    assert "Aanvraag weer openen" in client.get(detail_url).content.decode()
    response = client.post(reverse("recognition:application_restart", args=[withdrawn.pk]))
    assert response.status_code == 302 and response["Location"] == detail_url
    withdrawn.refresh_from_db()
    assert withdrawn.status == Application.Status.DRAFT
    assert AuditEntry.objects.filter(action="recognition.application.restarted").count() == 1


def test_member_cannot_restart(client_for, member, withdrawn):
    response = client_for(member).post(
        reverse("recognition:application_restart", args=[withdrawn.pk])
    )
    assert response.status_code == 403
    withdrawn.refresh_from_db()
    assert withdrawn.status == Application.Status.WITHDRAWN


def test_no_restart_after_the_deadline(client_for, coordinator, withdrawn):
    pass_deadline(withdrawn.round)
    client = client_for(coordinator)
    detail = client.get(reverse("recognition:application_detail", args=[withdrawn.pk]))
    assert "Aanvraag weer openen" not in detail.content.decode()
    response = client.post(reverse("recognition:application_restart", args=[withdrawn.pk]))
    assert response.status_code == 403  # forged POST
    withdrawn.refresh_from_db()
    assert withdrawn.status == Application.Status.WITHDRAWN


def test_service_refuses_what_the_view_refuses(coordinator, member, draft_application, withdrawn):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.restart_application(application=withdrawn, by=member)
    pass_deadline(withdrawn.round)
    with pytest.raises(ValidationError):
        services.restart_application(application=withdrawn, by=coordinator)


def test_only_a_withdrawn_application_restarts(client_for, coordinator, draft_application):
    response = client_for(coordinator).post(
        reverse("recognition:application_restart", args=[draft_application.pk])
    )
    assert response.status_code == 403
