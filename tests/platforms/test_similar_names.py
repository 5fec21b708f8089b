"""Registering a platform: the same name is refused with a link, a similar name in the same
buurten asks for confirmation; a double submit by the same person still lands on the first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from areas.models import Buurt
from platforms import selectors
from platforms.models import Platform
from tests.factories import PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db


def _data(name, codes=("TH01",), **extra):
    return {
        "name": name,
        "area_name": "K-buurt",
        "buurten": [b.pk for b in Buurt.objects.filter(code__in=codes)],
        "description": "Samen doen.",
        "legal_form": "informal",
        **extra,
    }


def test_same_name_is_refused_with_a_link(client_for, resident, platform):
    response = client_for(resident).post(
        reverse("platforms:platform_create"), _data("samen k-buurt ")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Er bestaat al een platform met deze naam" in text
    assert f'href="{platform.get_absolute_url()}"' in text
    assert Platform.objects.filter(name__iexact="samen k-buurt").count() == 1
    assert not platform.memberships.filter(user=resident).exists()


def test_same_name_later_by_the_same_person_is_refused(client_for, resident):
    client = client_for(resident)
    client.post(reverse("platforms:platform_create"), _data("Kelbergen Kookt"))
    first = Platform.objects.get(name="Kelbergen Kookt")
    # A double submit within the window lands on the first registration.
    again = client.post(reverse("platforms:platform_create"), _data("Kelbergen Kookt"))
    assert again.status_code == 302 and again["Location"] == first.get_absolute_url()
    Platform.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    later = client.post(reverse("platforms:platform_create"), _data("Kelbergen Kookt"))
    assert later.status_code == 200
    assert "Er bestaat al een platform met deze naam" in later.content.decode()
    assert Platform.objects.filter(name="Kelbergen Kookt").count() == 1


def test_similar_name_in_the_same_buurt_warns_and_confirm_goes_through(
    client_for, resident, platform
):
    client = client_for(resident)
    response = client.post(reverse("platforms:platform_create"), _data("Samen K-buurten"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Er bestaat al een platform met een vergelijkbare naam in deze buurt" in text
    assert "Bedoel je dat platform?" in text
    assert f'href="{platform.get_absolute_url()}"' in text
    assert 'name="confirm_similar"' in text
    assert not Platform.objects.filter(name="Samen K-buurten").exists()
    response = client.post(
        reverse("platforms:platform_create"), _data("Samen K-buurten", confirm_similar="1")
    )
    assert response.status_code == 302
    assert Platform.objects.filter(name="Samen K-buurten").exists()


def test_similar_name_elsewhere_is_no_warning(client_for, resident, platform):
    response = client_for(resident).post(
        reverse("platforms:platform_create"), _data("Samen K-buurten", codes=("TM01",))
    )
    assert response.status_code == 302


def test_selector_matches_similar_not_different_names(platform):
    buurten = list(Buurt.objects.filter(code="TH02"))
    assert selectors.similar_platforms("Samen K buurt!", buurten) == [platform]
    assert selectors.similar_platforms("Gein Groen", buurten) == []
    assert selectors.similar_platforms("samen k-buurt", buurten) == []  # same name: refused
    assert selectors.platform_with_same_name(" SAMEN K-BUURT") == platform


def test_forged_post_without_the_form_goes_through_the_service(platform):
    from django.core.exceptions import ValidationError

    from platforms import services

    someone = UserFactory(email="someone@example.org")
    PlatformFactory(name="Andere naam", slug="andere-naam", buurten=["TM01"])
    with pytest.raises(ValidationError) as exc:
        services.register_platform(
            by=someone,
            fields={"name": "Samen K-buurt", "area_name": "K", "description": "x"},
            buurten=Buurt.objects.filter(code="TM01"),
        )
    assert exc.value.code == "same_name"
