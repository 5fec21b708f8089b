"""The public page cache: hits cost no queries, any public change invalidates, nobody gets
someone else's page or CSRF token."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from areas.models import Buurt
from platforms.models import Platform
from tests.factories import ActivityFactory, PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = ["/platforms/", "/buurten/", "/buurten/TH01/", "/rondes/", "/transparantie/"]


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
    assert TOKEN.sub(b"", second.content) == TOKEN.sub(b"", first.content)


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


def test_each_visitor_gets_a_fresh_csrf_token_and_cookie():
    from django.test import Client

    PlatformFactory(buurten=["TH01"])
    a, b = Client(), Client()
    first, second = a.get("/platforms/"), b.get("/platforms/")
    token_a, token_b = TOKEN.search(first.content), TOKEN.search(second.content)
    assert token_a and token_b
    assert token_a.group(1) != token_b.group(1)
    assert "csrftoken" in second.cookies
    # The cached page's language switch still works for the second visitor.
    response = b.post("/i18n/setlang/", {"language": "en", "next": "/platforms/"})
    assert response.status_code == 302


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


def test_a_browser_that_accepts_gzip_gets_the_cached_page_compressed():
    import gzip

    from django.test import Client

    PlatformFactory(buurten=["TH01"], name="Gezipt Platform")
    plain = Client().get("/platforms/")
    visitor = Client()
    packed = visitor.get("/platforms/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content)
    assert len(packed.content) < len(page) / 2
    assert TOKEN.sub(b"", page) == TOKEN.sub(b"", plain.content)
    token = TOKEN.search(page).group(1).decode()
    # The token in the compressed page is this visitor's own: their POST passes the CSRF check.
    response = visitor.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/platforms/", "csrfmiddlewaretoken": token},
        HTTP_REFERER="http://testserver/platforms/",
    )
    assert response.status_code == 302


def test_unknown_query_parameters_neither_fill_the_cache_nor_miss(client, settings):
    from django.core.cache import cache

    def entries() -> int:
        store = cache._cache
        if hasattr(store, "get_client"):  # Redis (CI, production)
            return len(store.get_client().keys("*pagecache:*"))
        return sum(1 for key in store if "pagecache:" in key)  # local memory

    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    client.get("/platforms/")
    keys_before = entries()
    assert keys_before >= 1
    for i in range(20):
        r = client.get(f"/platforms/?utm_source=spam{i}&x={'y' * 200}")
        assert r.status_code == 200
    assert entries() == keys_before  # one page, one entry: junk never fills the cache
    filtered = client.get("/platforms/?q=groen").content
    assert filtered != client.get("/platforms/").content or b"groen" in filtered.lower()
