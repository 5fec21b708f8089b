"""The process-local copy of cached pages and the remembered data version: a hit needs no round
trip to the shared cache, memory stays bounded, a copy lives no longer than in the shared
cache, this process's own changes show at once and another machine's within
PUBLIC_PAGE_VERSION_SECONDS."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client

from buurtplatform import cachemiddleware, pagecache
from buurtplatform.models import DataVersion
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings, reference_data):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.PUBLIC_PAGE_LOCAL_MB = 32
    cache.clear()
    cachemiddleware.local_pages.clear()
    pagecache.forget_version()
    yield
    cache.clear()
    cachemiddleware.local_pages.clear()
    pagecache.forget_version()


def _drop_shared_pages() -> None:
    """Empty the shared cache of pages (as after an eviction); the version is in the database."""
    cache.clear()


def _changed_elsewhere() -> None:
    """Another web process or machine recorded a data change: a later version in the
    database, which this process has not seen (no signal here, nothing remembered)."""
    DataVersion.objects.filter(pk=1).update(value=F("value") + 10**9)


def test_a_hit_is_served_from_this_process_without_the_shared_copy(django_assert_num_queries):
    PlatformFactory(buurten=["TH01"], name="Buurtkamer Gein")
    first = Client().get("/platforms/")
    assert first.templates
    _drop_shared_pages()
    with django_assert_num_queries(0):
        second = Client().get("/platforms/")
    assert second.templates == []  # no view ran: the local copy answered
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_without_local_copies_the_shared_cache_is_asked(settings):
    settings.PUBLIC_PAGE_LOCAL_MB = 0
    PlatformFactory(buurten=["TH01"])
    Client().get("/platforms/")
    assert len(cachemiddleware.local_pages) == 0
    _drop_shared_pages()
    assert Client().get("/platforms/").templates  # rendered again


def test_an_own_change_shows_at_once_even_when_the_version_is_remembered(settings):
    settings.PUBLIC_PAGE_VERSION_SECONDS = 60
    platform = PlatformFactory(buurten=["TH01"], name="Oude Naam")
    url = platform.get_absolute_url()
    assert b"Oude Naam" in Client().get(url).content
    platform.name = "Nieuwe Naam"
    platform.save()  # commits: this process bumps and remembers the new version
    page = Client().get(url)
    assert b"Nieuwe Naam" in page.content and b"Oude Naam" not in page.content


def test_another_machines_change_shows_after_the_remembered_time(settings):
    settings.PUBLIC_PAGE_VERSION_SECONDS = 60
    platform = PlatformFactory(buurten=["TH01"], name="Oude Naam")
    url = platform.get_absolute_url()
    old = Client().get(url)
    # Another web machine changed the name and recorded a new version; this process does
    # not see that save (no signal here), only the new version in the database.
    type(platform).objects.filter(pk=platform.pk).update(name="Nieuwe Naam")
    _changed_elsewhere()
    still = Client().get(url)
    assert still.content == old.content  # within PUBLIC_PAGE_VERSION_SECONDS: the old copy
    pagecache._memo.read_at -= 61  # the remembered version is now older than 60 s
    fresh = Client().get(url)
    assert b"Nieuwe Naam" in fresh.content
    assert fresh["ETag"] != old["ETag"]


def test_with_zero_seconds_every_request_reads_the_shared_version(settings):
    settings.PUBLIC_PAGE_VERSION_SECONDS = 0
    platform = PlatformFactory(buurten=["TH01"], name="Oude Naam")
    url = platform.get_absolute_url()
    Client().get(url)
    type(platform).objects.filter(pk=platform.pk).update(name="Nieuwe Naam")
    _changed_elsewhere()
    assert b"Nieuwe Naam" in Client().get(url).content


def _entry(size: int, stored_at: float | None = None) -> dict:
    return {
        "headers": [],
        "bodies": {"identity": b"x" * size},
        "stored_at": time.time() if stored_at is None else stored_at,
    }


def test_local_copies_stay_within_the_memory_limit_least_recently_used_out_first(settings):
    settings.PUBLIC_PAGE_LOCAL_MB = 1
    pages = cachemiddleware.LocalPages()
    third = 1024 * 1024 // 3
    pages.put("a", _entry(third))
    pages.put("b", _entry(third))
    pages.put("c", _entry(third))
    assert pages.get("a") is not None  # a is now the most recently used
    pages.put("d", _entry(third))  # over 1 MB: b (least recently used) goes
    assert pages.get("b") is None
    assert all(pages.get(key) is not None for key in "acd")
    assert pages.size <= 1024 * 1024
    pages.put("huge", _entry(2 * 1024 * 1024))  # larger than the limit: never kept
    assert pages.get("huge") is None and len(pages) == 3


def test_a_local_copy_lives_no_longer_than_the_shared_one(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    pages = cachemiddleware.LocalPages()
    pages.put("fresh", _entry(10))
    pages.put("old", _entry(10, stored_at=time.time() - 301))  # rendered elsewhere, long ago
    assert pages.get("fresh") is not None
    assert pages.get("old") is None
    assert pages.size == 10


def _as_another_process() -> None:
    """What another web worker has with the local-memory cache: its own (here: empty) cache,
    no local copies and no version read yet; only the database is shared."""
    cache.clear()
    cachemiddleware.local_pages.clear()
    pagecache.forget_version()


def test_every_worker_answers_the_same_etag_with_304(settings):
    """With the local-memory cache (one per worker) the version still comes from the shared
    database: a browser's If-None-Match from worker A gets a 304 from worker B."""
    settings.PUBLIC_PAGE_VERSION_SECONDS = 60
    platform = PlatformFactory(buurten=["TH01"], name="Buurtkamer Gein")
    url = platform.get_absolute_url()
    first = Client().get(url)
    _as_another_process()
    again = Client().get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    _as_another_process()
    rendered = Client().get(url)
    assert rendered.templates and rendered["ETag"] == first["ETag"]
    assert rendered.content == first.content


def test_a_change_through_one_worker_is_seen_by_another(settings):
    settings.PUBLIC_PAGE_VERSION_SECONDS = 0  # worker B reads the version on every request
    platform = PlatformFactory(buurten=["TH01"], name="Oude Naam")
    url = platform.get_absolute_url()
    old = Client().get(url)  # worker B's copy, in its own cache
    version = pagecache.data_version()
    platform.name = "Nieuwe Naam"
    platform.save()  # through worker A: its signal records a new version in the database
    assert DataVersion.objects.get(pk=1).value > int(version)
    pagecache._memo.put(version)  # worker B still remembers the old one
    fresh = Client().get(url)
    assert b"Nieuwe Naam" in fresh.content and fresh["ETag"] != old["ETag"]
