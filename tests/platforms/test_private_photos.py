"""Photos of members-only activities are stored and served privately; making an activity
private moves its photos out of the public folder (issue 14)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from buurtplatform.uploads import clean_image
from platforms import services
from platforms.models import Activity
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")


def test_members_only_photo_is_private_and_served_to_members_only(
    platform, coordinator, member, client_for
):
    activity = ActivityFactory(platform=platform, visibility=Activity.Visibility.MEMBERS)
    photo = services.add_activity_photo(
        activity=activity, image=clean_image(_png()), alt_text="Binnen", by=coordinator
    )
    assert photo.image.name.startswith("private/") and not photo.is_public
    assert (
        client_for(None).get("/media/" + photo.image.name.removeprefix("public/")).status_code
        == 404
    )
    url = photo.thumbnail_src
    assert client_for(member).get(url).status_code == 200
    assert client_for(member).get(url)["Cache-Control"] == "private, max-age=300"
    assert client_for(None).get(url).status_code == 404
    page = client_for(member).get(activity.get_absolute_url()).content.decode()
    assert url in page


def test_making_an_activity_private_moves_its_photos(platform, coordinator, client_for):
    activity = ActivityFactory(platform=platform)
    photo = services.add_activity_photo(
        activity=activity, image=clean_image(_png()), alt_text="Buiten", by=coordinator
    )
    public_url = photo.image.url
    assert client_for(None).get(public_url).status_code == 200
    services.update_activity(
        activity=activity, by=coordinator, fields={"visibility": Activity.Visibility.MEMBERS}
    )
    photo.refresh_from_db()
    assert photo.image.name.startswith("private/") and photo.thumbnail.name.startswith("private/")
    assert client_for(None).get(public_url).status_code == 404  # the old address is gone
    assert client_for(coordinator).get(photo.image_src).status_code == 200
    services.update_activity(
        activity=activity, by=coordinator, fields={"visibility": Activity.Visibility.PUBLIC}
    )
    photo.refresh_from_db()
    assert photo.is_public and client_for(None).get(photo.image.url).status_code == 200
