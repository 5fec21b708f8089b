"""Open data is cheap to serve: built once per public data version, then served with ETag,
Last-Modified, 304 on a match, CORS and a Cache-Control a reverse proxy may keep."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils.http import http_date

from buurtplatform import conditional, pagecache
from buurtplatform.models import DataVersion
from platforms.models import Platform
from reports import opendata

URLS = [
    "/open-data/entries.csv",
    "/open-data/entries.json",
    "/open-data/entries.xlsx",
    "/en/open-data/grants.xlsx",
    "/open-data/transactions.csv",
    "/open-data/datapackage.json",
]


@pytest.fixture
def versioned(settings):
    """The page cache on, as in production: writes bump the public data version."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", URLS)
def test_headers_and_304_on_matching_etag(scenario, client, versioned, url):
    first = client.get(url)
    assert first.status_code == 200
    body = _body(first)
    assert body
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first["Access-Control-Allow-Origin"] == "*"
    assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert first["Last-Modified"] == http_date(
        conditional.version_time(pagecache.data_version()).timestamp()
    )

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag and again["Access-Control-Allow-Origin"] == "*"
    assert again["Cache-Control"] == first["Cache-Control"]

    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304 and since.content == b""
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and _body(other) == body  # the same bytes, warm


def test_etag_differs_per_dataset_format_and_language(scenario, client, versioned):
    tags = {client.get(url)["ETag"] for url in URLS}
    assert len(tags) == len(URLS)
    assert (
        client.get("/open-data/grants.xlsx")["ETag"]
        != client.get("/en/open-data/grants.xlsx")["ETag"]
    )


def test_built_once_per_version_and_rebuilt_after_a_change(
    scenario, client, versioned, django_capture_on_commit_callbacks
):
    version = pagecache.data_version()
    cold = client.get("/open-data/platforms.csv")
    assert cold.streaming
    cold_body = _body(cold)  # streamed while written
    path = opendata.export_path(version, "platforms", "csv", "nl")
    assert path.is_file() and path.read_bytes() == cold_body
    warm = client.get("/open-data/platforms.csv")
    assert _body(warm) == cold_body and warm["ETag"] == cold["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        platform = Platform.objects.get(pk=scenario.platform.pk)
        platform.name = "Samen Sterker"
        platform.save()
    assert pagecache.data_version() != version
    fresh = client.get("/open-data/platforms.csv", headers={"If-None-Match": cold["ETag"]})
    assert fresh.status_code == 200 and fresh["ETag"] != cold["ETag"]
    assert "Samen Sterker" in _body(fresh).decode("utf-8-sig")


def test_a_dropped_download_leaves_no_file(scenario, client, versioned):
    response = client.get("/open-data/entries.csv")
    chunks = iter(response.streaming_content)
    next(chunks)
    response.close()  # the client went away mid-download
    path = opendata.export_path(pagecache.data_version(), "entries", "csv", "nl")
    assert not path.exists()
    assert not list(path.parent.glob("*.tmp"))


def test_without_the_page_cache_every_request_is_fresh(scenario, client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    response = client.get("/open-data/grants.csv")
    assert response.status_code == 200 and not response.has_header("ETag")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not opendata.export_dir().exists()


def test_only_get_and_head(db, client, versioned):
    assert client.post("/open-data/grants.csv").status_code == 405
    head = client.head("/open-data/datapackage.json")
    assert head.status_code == 200 and head.has_header("ETag")


def _new_version() -> str:
    version = str(int(pagecache.data_version()) + 10**9)  # a data change, a second later
    DataVersion.objects.filter(pk=1).update(value=int(version))
    pagecache.forget_version()
    return version


def test_xlsx_being_rebuilt_serves_the_previous_file(scenario, client, versioned):
    """XLSX takes seconds at scale: while a new version is being built elsewhere, visitors get
    the previous file with its own ETag, never a long wait."""
    old_version = pagecache.data_version()
    first = client.get("/open-data/grants.xlsx")
    assert opendata.latest_built("grants", "xlsx", "nl") == old_version
    version = _new_version()
    cache.add(f"opendata:building:{version}:grants:xlsx:nl", 1, 900)  # another worker builds
    stale = client.get("/open-data/grants.xlsx")
    assert stale.status_code == 200 and stale["ETag"] == first["ETag"]
    assert _body(stale) == _body(first)
    assert (
        client.get("/open-data/grants.xlsx", headers={"If-None-Match": first["ETag"]}).status_code
        == 304
    )


def test_xlsx_of_a_new_version_is_built_by_the_task(scenario, client, versioned):
    """Without a worker (eager tasks) the build runs at once and the new file is served."""
    first = client.get("/open-data/grants.xlsx")
    version = _new_version()
    fresh = client.get("/open-data/grants.xlsx")
    assert fresh.status_code == 200 and fresh["ETag"] != first["ETag"]
    assert opendata.export_path(version, "grants", "xlsx", "nl").is_file()
    assert opendata.latest_built("grants", "xlsx", "nl") == version
