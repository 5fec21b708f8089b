"""The public page cache: hits cost no queries and run no view, any public change
invalidates, nobody gets someone else's page, anonymous public pages are identical for all."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from areas.models import Buurt
from platforms.models import Platform
from tests.factories import ActivityFactory, PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = [
    "/",
    "/privacy/",
    "/platforms/",
    "/buurten/",
    "/buurten/TH01/",
    "/rondes/",
    "/transparantie/",
]


def entries() -> int:
    store = cache._cache
    if hasattr(store, "get_client"):  # Redis (CI, production)
        return len(store.get_client().keys("*pagecache:*"))
    return sum(1 for key in store if "pagecache:" in key and "version" not in key)


@pytest.fixture(autouse=True)
def _page_cache_on(settings, reference_data):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("url", PAGES)
def test_second_anonymous_visit_is_served_without_queries(client, django_assert_num_queries, url):
    PlatformFactory(buurten=["TH01"])
    first = client.get(url)
    assert first.status_code == 200
    from django.test import Client

    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert first.templates and second.templates == []  # a hit renders nothing: no view ran


def test_platform_page_is_cached_and_a_change_shows_at_once(client, django_assert_num_queries):
    platform = PlatformFactory(buurten=["TH01"], name="Oude Naam")
    url = platform.get_absolute_url()
    assert b"Oude Naam" in client.get(url).content
    with django_assert_num_queries(0):
        client.get(url)
    platform.name = "Nieuwe Naam"
    platform.save()
    assert b"Nieuwe Naam" in client.get(url).content
    ActivityFactory(platform=platform, title="Verse activiteit")
    assert b"Verse activiteit" in client.get(url).content


def test_a_change_through_a_many_to_many_invalidates(client):
    platform = PlatformFactory(buurten=["TH01"], name="Verhuisd Platform")
    assert b"Verhuisd Platform" not in client.get("/buurten/TM01/").content
    platform.buurten.add(Buurt.objects.get(code="TM01"))
    assert b"Verhuisd Platform" in client.get("/buurten/TM01/").content


@pytest.mark.parametrize("url", [*PAGES, "/en/platforms/", "/open-data/"])
def test_anonymous_public_pages_are_identical_and_carry_no_token(url):
    from django.test import Client

    PlatformFactory(buurten=["TH01"])
    first, second = Client().get(url), Client().get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content  # byte for byte
    for response in (first, second):
        assert b"csrfmiddlewaretoken" not in response.content
        assert not TOKEN.search(response.content)
        assert "csrftoken" not in response.cookies and not response.cookies
        assert response["Vary"] == "Accept-Encoding, Cookie"
    cache.clear()  # rendered afresh, without the cache: still no token
    assert b"csrfmiddlewaretoken" not in Client().get(url).content


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client):
    platform = PlatformFactory(buurten=["TH01"], slug="taal-platform")
    dutch = client.get(platform.get_absolute_url()).content.decode()
    assert 'href="/en/platforms/taal-platform/" hreflang="en" lang="en">English</a>' in dutch
    english = client.get("/en/platforms/taal-platform/").content.decode()
    assert 'href="/platforms/taal-platform/" hreflang="nl" lang="nl">Nederlands</a>' in english
    # The English site links to English pages; the switch keeps the filters, drops junk.
    listing = client.get("/en/platforms/?q=groen&utm_source=spam").content.decode()
    assert 'href="/platforms/?q=groen" hreflang="nl"' in listing
    assert "utm_source" not in listing
    # A page without an English address (a 404) links to the English home page.
    missing = client.get("/bestaat-niet/").content.decode()
    assert 'href="/en/" hreflang="en"' in missing


def test_logged_in_users_never_get_the_anonymous_copy(client_for, resident):
    PlatformFactory(buurten=["TH01"])
    from django.test import Client

    Client().get("/platforms/")  # fills the cache
    page = client_for(resident).get("/platforms/")
    assert resident.get_short_name().encode() in page.content
    assert b"Uitloggen" in page.content


def test_english_and_dutch_are_cached_apart(client):
    PlatformFactory(buurten=["TH01"])
    dutch = client.get("/platforms/").content
    english = client.get("/en/platforms/").content
    assert b'lang="nl"' in dutch
    assert b'lang="en"' in english


def test_off_when_timeout_is_zero(settings, client, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    PlatformFactory(buurten=["TH01"])
    client.get("/platforms/")
    assert Platform.objects.count() == 1
    with pytest.raises(pytest.fail.Exception):
        with django_assert_max_num_queries(0):
            client.get("/platforms/")


def test_an_open_round_before_its_deadline_is_never_cached(
    admin_user, client, django_assert_max_num_queries
):
    from recognition import services
    from tests.recognition.conftest import make_round

    rnd = services.open_round(round=make_round(admin_user), by=admin_user)
    url = rnd.get_absolute_url()
    client.get(url)
    with pytest.raises(pytest.fail.Exception):
        with django_assert_max_num_queries(0):
            client.get(url)  # rendered afresh: the page changes by itself at the deadline


def test_a_browser_that_accepts_gzip_gets_the_stored_compressed_bytes(
    django_assert_num_queries,
):
    import gzip

    from django.test import Client

    PlatformFactory(buurten=["TH01"], name="Gezipt Platform")
    plain = Client().get("/platforms/")
    assert not plain.has_header("Content-Encoding")
    packed = Client().get("/platforms/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content)
    page = gzip.decompress(packed.content)
    assert len(packed.content) < len(page) / 2
    assert page == plain.content
    with django_assert_num_queries(0):
        again = Client().get("/platforms/", HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == packed.content  # compressed once, when stored
    refused = Client().get("/platforms/", HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert not refused.has_header("Content-Encoding") and refused.content == plain.content


def test_brotli_when_the_browser_accepts_it():
    pytest.importorskip("brotli")
    import brotli
    from django.test import Client

    PlatformFactory(buurten=["TH01"])
    plain = Client().get("/platforms/")
    packed = Client().get("/platforms/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "br"
    assert brotli.decompress(packed.content) == plain.content


def test_unknown_query_parameters_hit_the_same_entry(client, django_assert_num_queries):
    PlatformFactory(buurten=["TH01"], name="Groen Platform")
    PlatformFactory(buurten=["TH02"], name="Blauw Platform")
    first = client.get("/platforms/")
    keys_before = entries()
    assert keys_before >= 1
    for i in range(20):
        with django_assert_num_queries(0):
            r = client.get(f"/platforms/?utm_source=spam{i}&x={'y' * 200}")
        assert r.status_code == 200
        assert r.content == first.content
        assert b"spam" not in r.content
    assert entries() == keys_before  # one page, one entry: junk never fills the cache


def test_a_known_parameter_is_a_different_entry(client, django_assert_num_queries):
    PlatformFactory(buurten=["TH01"], name="Groen Platform")
    PlatformFactory(buurten=["TH02"], name="Blauw Platform")
    everything = client.get("/platforms/").content
    keys_before = entries()
    filtered = client.get("/platforms/?q=groen").content
    assert entries() == keys_before + 1
    assert b"Groen Platform" in filtered and b"Blauw Platform" not in filtered
    assert b"Blauw Platform" in everything
    with django_assert_num_queries(0):  # the filter's own entry, junk ignored, order free
        again = client.get("/platforms/?utm_source=x&q=groen")
    assert again.content == filtered


def test_a_stale_session_cookie_is_never_served_from_the_cache(client_for, resident):
    from django.conf import settings
    from django.test import Client

    PlatformFactory(buurten=["TH01"])
    Client().get("/platforms/")  # fills the cache
    logged_in = client_for(resident)
    page = logged_in.get("/platforms/")
    assert page.templates  # rendered for this person, not the anonymous copy
    assert page["Cache-Control"] == "private, no-store"
    assert not page.has_header("ETag")
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert stale.get("/platforms/").templates  # a session cookie always goes to the view


def test_a_visitor_with_a_flash_message_sees_it():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import Client, RequestFactory

    PlatformFactory(buurten=["TH01"])
    Client().get("/platforms/")  # fills the cache
    visitor = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    visitor.cookies["messages"] = storage._encode([Message(constants.INFO, "Je bent uitgelogd.")])
    page = visitor.get("/platforms/")
    assert "Je bent uitgelogd." in page.content.decode()
    assert page.templates
    # And the page with the message is never stored for the next visitor.
    assert "Je bent uitgelogd." not in Client().get("/platforms/").content.decode()


def test_a_cached_page_keeps_the_security_headers(settings):
    from django.test import Client

    settings.SECURE_HSTS_SECONDS = 3600
    PlatformFactory(buurten=["TH01"])
    first = Client().get("/platforms/", secure=True)
    hit = Client().get("/platforms/", secure=True)
    assert hit.templates == []
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Strict-Transport-Security",
        "Content-Language",
    ):
        assert hit[name] == first[name], name
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"


def test_head_is_served_from_the_cache_without_a_body(django_assert_num_queries):
    from django.test import Client

    PlatformFactory(buurten=["TH01"])
    page = Client().get("/platforms/")
    with django_assert_num_queries(0):
        head = Client().head("/platforms/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(page.content))
    assert head["ETag"] == page["ETag"]


def test_a_bad_host_is_refused_even_for_a_cached_page():
    from django.test import Client

    PlatformFactory(buurten=["TH01"])
    Client().get("/platforms/")
    assert Client().get("/platforms/", HTTP_HOST="evil.example").status_code == 400
