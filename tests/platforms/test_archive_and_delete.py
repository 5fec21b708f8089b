"""Coordinators archive a platform and delete activities; destructive actions confirm first."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from platforms.models import Activity, Membership, Platform
from tests.factories import ActivityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- archive ---------------------------------------------------------------------------------


def test_archive_confirms_then_archives(client_for, coordinator, platform):
    url = reverse("platforms:platform_archive", args=[platform.slug])
    client = client_for(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Wat er gebeurt" in text and "Wat bewaard blijft" in text
    platform.refresh_from_db()
    assert platform.archived_at is None
    response = client.post(url)
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.archived_at is not None
    assert AuditEntry.objects.filter(action="platforms.platform.archived").count() == 1


def test_archived_platform_leaves_the_list_but_keeps_its_page(client_for, coordinator, platform):
    client_for(coordinator).post(reverse("platforms:platform_archive", args=[platform.slug]))
    anonymous = client_for(None)
    listing = anonymous.get(reverse("platforms:platform_list")).content.decode()
    assert platform.get_absolute_url() not in listing
    buurt = anonymous.get(reverse("areas:buurt_detail", args=["TH01"])).content.decode()
    assert platform.get_absolute_url() not in buurt
    page = anonymous.get(platform.get_absolute_url())
    assert page.status_code == 200 and "gearchiveerd" in page.content.decode()


def test_member_cannot_archive(client_for, member, platform):
    response = client_for(member).post(reverse("platforms:platform_archive", args=[platform.slug]))
    assert response.status_code == 403
    platform.refresh_from_db()
    assert platform.archived_at is None


# --- delete an activity ----------------------------------------------------------------------


def test_coordinator_deletes_an_activity(client_for, coordinator, platform):
    activity = ActivityFactory(platform=platform, created_by=coordinator)
    url = reverse("platforms:activity_delete", args=[platform.slug, activity.pk])
    client = client_for(coordinator)
    assert f'href="{url}"' in client.get(activity.get_absolute_url()).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and activity.title in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == platform.get_absolute_url()
    assert not Activity.objects.filter(pk=activity.pk).exists()
    entry = AuditEntry.objects.get(action="platforms.activity.deleted")
    assert entry.data["title"] == activity.title


def test_member_cannot_delete_even_their_own_activity(client_for, member, platform):
    activity = ActivityFactory(platform=platform, created_by=member)
    response = client_for(member).post(
        reverse("platforms:activity_delete", args=[platform.slug, activity.pk])
    )
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_activity_that_a_decision_refers_to_is_kept(client_for, coordinator, platform, admin_user):
    from recognition import services as rec
    from tests.recognition.conftest import make_round

    rnd = rec.open_round(round=make_round(admin_user), by=admin_user)
    app = rec.start_application(round=rnd, platform=platform, by=coordinator)
    activity = ActivityFactory(platform=platform, created_by=coordinator)
    stmt = app.statements.select_related("criterion").first()
    rec.save_statement(
        application=app,
        criterion=stmt.criterion,
        by=coordinator,
        statement="Zie de activiteit.",
        links="",
        activities=[activity],
    )
    response = client_for(coordinator).post(
        reverse("platforms:activity_delete", args=[platform.slug, activity.pk]), follow=True
    )
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert "een declaratie of een aanvraag verwijst ernaar" in response.content.decode()


# --- confirmation pages of the other destructive actions ------------------------------------


def test_remove_member_confirms_first(client_for, coordinator, member, platform):
    ship = Membership.objects.get(platform=platform, user=member)
    url = reverse("platforms:member_remove", args=[platform.slug, ship.pk])
    client = client_for(coordinator)
    assert (
        f'href="{url}"'
        in client.get(reverse("platforms:member_list", args=[platform.slug])).content.decode()
    )
    page = client.get(url)
    assert page.status_code == 200 and "Mo Member" in page.content.decode()
    assert Membership.objects.filter(pk=ship.pk).exists()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=ship.pk).exists()


def test_leave_confirms_first(client_for, member, coordinator, platform):
    url = reverse("platforms:platform_leave", args=[platform.slug])
    client = client_for(member)
    page = client.get(url)
    assert page.status_code == 200 and "Wat bewaard blijft" in page.content.decode()
    assert platform.memberships.filter(user=member).exists()
    client.post(url)
    assert not platform.memberships.filter(user=member).exists()


def test_last_coordinator_cannot_leave_by_a_forged_post(client_for, coordinator, platform):
    response = client_for(coordinator).post(
        reverse("platforms:platform_leave", args=[platform.slug]), follow=True
    )
    assert "laatste coördinator" in response.content.decode()
    assert platform.memberships.filter(user=coordinator).exists()


def test_photo_delete_confirms_first(client_for, coordinator, platform, png):
    from buurtplatform.uploads import clean_image
    from platforms import services

    activity = ActivityFactory(platform=platform, created_by=coordinator)
    photo = services.add_activity_photo(
        activity=activity, image=clean_image(png()), alt_text="Het plein", by=coordinator
    )
    url = reverse("platforms:activity_photo_delete", args=[platform.slug, activity.pk, photo.pk])
    client = client_for(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Het plein" in page.content.decode()
    assert activity.photos.exists()
    client.post(url)
    assert not activity.photos.exists()


def test_outsider_gets_no_confirmation_page(client_for, platform, coordinator):
    outsider = UserFactory(email="outsider@example.org")
    MembershipFactory(
        platform=Platform.objects.create(
            name="Elders", slug="elders", area_name="E", description="E"
        ),
        user=outsider,
        role=Membership.Role.COORDINATOR,
    )
    ship = Membership.objects.get(platform=platform, user=coordinator)
    url = reverse("platforms:member_remove", args=[platform.slug, ship.pk])
    assert client_for(outsider).get(url).status_code == 403


# --- length limits -------------------------------------------------------------------------


def test_text_fields_have_limits_and_the_counter_script_is_a_file(client_for, coordinator):
    from django.conf import settings

    page = client_for(coordinator).get(reverse("platforms:platform_create")).content.decode()
    assert 'maxlength="5000"' in page  # the description
    assert f'src="{settings.STATIC_URL}js/char-counter.js"' in page
    assert "<script>" not in page  # the strict CSP allows no inline script
