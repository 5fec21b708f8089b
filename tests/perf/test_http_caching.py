"""HTTP caching for the world outside: anonymous public pages carry validators and a public
Cache-Control a browser, nginx or a CDN may keep; pages for logged-in people are never kept."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from buurtplatform import conditional, pagecache
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "public, max-age=60, stale-while-revalidate=600"


@pytest.fixture(autouse=True)
def _page_cache_on(settings, reference_data):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    PlatformFactory(buurten=["TH01"], name="Kasplatform", slug="kasplatform")
    yield
    cache.clear()


@pytest.mark.parametrize("url", ["/platforms/", "/platforms/kasplatform/", "/en/buurten/"])
def test_a_public_page_sends_validators_and_a_public_cache_control(url):
    first = Client().get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == PUBLIC
    assert first["Vary"] == "Accept-Encoding, Cookie"
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    modified = conditional.last_modified_for(pagecache.data_version(), timezone.localdate())
    assert first["Last-Modified"] == http_date(modified.timestamp())
    hit = Client().get(url)
    assert hit["ETag"] == etag and hit["Last-Modified"] == first["Last-Modified"]


def test_if_none_match_answers_304_without_a_body_or_a_query(django_assert_num_queries):
    first = Client().get("/platforms/")
    with django_assert_num_queries(0):
        again = Client().get("/platforms/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == PUBLIC
    assert again["Vary"] == "Accept-Encoding, Cookie"
    assert again["Last-Modified"] == first["Last-Modified"]
    assert not again.has_header("Content-Type")  # validators only: the client keeps the rest
    weak = Client().get("/platforms/", headers={"If-None-Match": "W/" + first["ETag"]})
    assert weak.status_code == 304  # a proxy that compressed may have weakened the tag
    other = Client().get("/platforms/", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_if_modified_since_answers_304_and_an_older_date_the_page():
    first = Client().get("/platforms/")
    since = Client().get("/platforms/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304 and since.content == b""
    older = Client().get("/platforms/", headers={"If-Modified-Since": http_date(86400 * 365)})
    assert older.status_code == 200 and older.content == first.content


def test_a_data_change_changes_the_etag_and_the_old_one_gets_the_new_page():
    from platforms.models import Platform

    first = Client().get("/platforms/kasplatform/")
    platform = Platform.objects.get(slug="kasplatform")
    platform.name = "Nieuwe Kas"
    platform.save()
    after = Client().get("/platforms/kasplatform/", headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert b"Nieuwe Kas" in after.content
    assert after["ETag"] != first["ETag"]


def test_the_etag_differs_per_encoding_language_and_filter():
    tags = {
        Client().get("/platforms/")["ETag"],
        Client().get("/platforms/", HTTP_ACCEPT_ENCODING="gzip")["ETag"],
        Client().get("/en/platforms/")["ETag"],
        Client().get("/platforms/?q=kas")["ETag"],
    }
    assert len(tags) == 4
    # Junk parameters are the same resource: the same tag.
    assert Client().get("/platforms/?utm_source=x")["ETag"] == Client().get("/platforms/")["ETag"]
    # A gzip ETag never validates the uncompressed copy (strong tags per representation).
    gz = Client().get("/platforms/", HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    assert Client().get("/platforms/", headers={"If-None-Match": gz}).status_code == 200


@pytest.mark.parametrize("url", ["/platforms/", "/platforms/kasplatform/", "/"])
def test_pages_for_a_logged_in_person_are_private_and_never_stored(client_for, resident, url):
    response = client_for(resident).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]
    assert not response.has_header("ETag")


def _directives(response) -> set[str]:
    return {d.strip() for d in response["Cache-Control"].split(",")}


def test_a_page_that_sets_a_csrf_cookie_is_private():
    login = Client().get("/account/login/")  # allauth's own never_cache
    assert login.status_code == 200
    assert "csrftoken" in login.cookies
    assert {"private", "no-store"} <= _directives(login)
    # A page of ours with a form (a token) and no Cache-Control of its own gets ours.
    lookup = Client().get("/steun/")
    assert lookup.status_code == 200
    assert "csrftoken" in lookup.cookies
    assert {"private", "no-store"} <= _directives(lookup)


def test_an_open_round_before_its_deadline_is_revalidated_every_time(admin_user):
    from recognition import services
    from tests.recognition.conftest import make_round

    rnd = services.open_round(round=make_round(admin_user), by=admin_user)
    response = Client().get(rnd.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert not response.has_header("ETag")


def test_with_the_cache_off_a_public_page_is_public_without_validators(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    response = Client().get("/platforms/")
    assert response["Cache-Control"] == PUBLIC
    assert not response.has_header("ETag")
    assert response["Vary"] == "Accept-Encoding, Cookie"


def test_open_data_keeps_its_validators_and_cors():
    first = Client().get("/open-data/entries.csv")
    assert first.status_code == 200
    assert first["Cache-Control"] == PUBLIC
    assert first["Access-Control-Allow-Origin"] == "*"
    again = Client().get("/open-data/entries.csv", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "header,expected",
    [
        ("", "identity"),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", "identity"),
        ("*", "br"),
        ("identity", "identity"),
        ("GZIP;Q=0.5", "gzip"),
    ],
)
def test_content_coding_negotiation(header, expected):
    from buurtplatform.cachemiddleware import accepted_encoding

    assert accepted_encoding(header, {"identity": b"", "gzip": b"", "br": b""}) == expected
