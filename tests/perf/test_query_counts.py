"""Guards: the public list pages run a constant number of queries, whatever the number of rows.

Each page is requested at two data sizes built by `seed_scale` (bulk inserts of platforms,
activities, endorsements, rounds with applications and scores, budgets and transactions):
the larger world must not cost a single query more. The page cache is off here (tests set
PUBLIC_PAGE_CACHE_SECONDS = 0), so these counts are those of a freshly rendered page.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from areas.models import Buurt
from platforms.models import Activity, Endorsement, Membership, Platform
from recognition.models import Round
from tests.factories import UserFactory, person

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
# The platform page also draws its map (the district's buurten and its own) and the sections
# the budgets and recognition apps add: a constant 18, whatever the data size.
PLATFORM_PAGE_QUERIES = 18


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    cache.clear()


def grow(prefix: str, platforms: int, transactions: int) -> None:
    call_command(
        "seed_scale",
        platforms=platforms,
        transactions=transactions,
        prefix=prefix,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    cache.clear()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _largest_buurt() -> str:
    return Buurt.objects.annotate(n=Count("platforms")).order_by("-n", "code").first().code


def _round(prefix: str) -> Round:
    return Round.objects.filter(slug__startswith=prefix).order_by("-budget_year").first()


LIST_PAGES = [
    "/platforms/",
    "/platforms/?buurt={buurt}",
    "/buurten/",
    "/buurten/{buurt}/",
    "/rondes/",
]
LEDGER_PAGES = ["/transparantie/", "/transparantie/2025/", "/open-data/"]


@pytest.fixture(scope="module")
def counted(module_db) -> dict[str, tuple[int, int]]:
    """Each page's query count in a small world (3 platforms, 60 transactions) and after a larger
    one (25 platforms, 600 transactions) was added next to it: built and counted once for the
    module, the tests compare. The page cache is off (settings_test), and cleared per count."""
    person("support_staff")  # seed_scale needs an administrator and two bookkeepers
    person("support_staff2")
    admin = Client()
    admin.force_login(person("admin_user"))
    anonymous = Client()

    def count_all() -> dict[str, int]:
        cache.clear()
        buurt = _largest_buurt()
        found = {url: queries(anonymous, url.format(buurt=buurt)) for url in LIST_PAGES}
        found.update({url: queries(anonymous, url) for url in LEDGER_PAGES})
        found["audit"] = queries(admin, "/beheer/audit/")
        for prefix in ("klein-", "groot-"):
            rnd = _round(prefix)
            if rnd is not None:
                found[f"{prefix}round"] = queries(anonymous, f"/rondes/{rnd.slug}/")
                found[f"{prefix}decision"] = queries(anonymous, f"/rondes/{rnd.slug}/besluit/")
        return found

    grow("klein", 3, 60)
    small = count_all()
    grow("groot", 25, 600)
    large = count_all()
    assert _round("groot-").applications.count() > 3 * _round("klein-").applications.count()
    return {key: (small[key], large[key]) for key in small} | {
        page: (small[f"klein-{page}"], large[f"groot-{page}"]) for page in ("round", "decision")
    }


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_do_not_grow_with_rows(counted, url):
    small, large = counted[url]
    assert small <= MAX_QUERIES
    assert large <= small


def test_platform_page_does_not_grow_with_activities_members_endorsements(counted, db, client):
    platform = Platform.objects.filter(slug__startswith="klein-").order_by("pk").first()
    url = platform.get_absolute_url()
    small = queries(client, url)
    assert small <= PLATFORM_PAGE_QUERIES
    buurt = platform.buurten.first()
    users = [UserFactory() for _ in range(15)]
    Activity.objects.bulk_create(
        Activity(
            platform=platform,
            title=f"Extra activiteit {i}",
            start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            description="Meer activiteiten, zelfde aantal queries.",
            criteria=["daadkracht", "inclusie"],
        )
        for i in range(40)
    )
    Membership.objects.bulk_create(
        Membership(platform=platform, user=u, show_name_publicly=True) for u in users
    )
    Endorsement.objects.bulk_create(
        Endorsement(platform=platform, user=u, buurt=buurt, verified=True, show_name=True)
        for u in users
    )
    assert queries(client, url) <= small


@pytest.mark.parametrize("page", ["round", "decision"])
def test_round_and_decision_pages_do_not_grow_with_applications(counted, page):
    small, large = counted[page]
    assert small <= MAX_QUERIES
    assert large <= small


@pytest.mark.parametrize("url", LEDGER_PAGES)
def test_transparency_and_open_data_do_not_grow_with_the_ledger(counted, url):
    small, large = counted[url]
    assert small <= MAX_QUERIES
    assert large <= small


def test_audit_log_does_not_grow_with_entries(counted):
    small, large = counted["audit"]
    assert small <= MAX_QUERIES
    assert large <= small


def test_decision_page_is_paged_by_area_with_an_index_of_all(counted, db, client, monkeypatch):
    """A large round's decision page renders about 12 applications at a time, whole
    competition groups (issue 17: cold pages fast; 12 here for a test world); the index lists
    every area with the page it is on; junk parameters change nothing; the decision PDF keeps
    the whole record."""
    from recognition import selectors
    from recognition.views import public

    monkeypatch.setattr(public, "DECISION_APPLICATIONS_PER_PAGE", 12)
    grow("gepaged", 60, 100)
    rnd = _round("gepaged-")
    groups = selectors.competition_groups(rnd)
    pages = selectors.group_pages(groups, 12)
    assert len(pages) > 1
    assert [g for page in pages for g in page] == groups  # every group once, in order
    # The page pages the light outline (values only): the same groups in the same order.
    outline = selectors.competition_outline(rnd)
    assert [[m.pk for m in g] for g in outline] == [[a.pk for a in g] for g in groups]
    assert [selectors.group_name(g) for g in outline] == [selectors.group_name(g) for g in groups]
    assert all(sum(map(len, page)) <= 12 or len(page) == 1 for page in pages)
    first = client.get(f"/rondes/{rnd.slug}/besluit/").content.decode()
    assert first.count('<section class="mb-5"') == len(pages[0])
    for group in groups:  # every area is in the index, linked to its page
        assert f"#area-{selectors.area_key(group)}" in first
    last_page = len(pages)
    last = client.get(f"/rondes/{rnd.slug}/besluit/?page={last_page}&utm=x").content.decode()
    assert last.count('<section class="mb-5"') == len(pages[-1])
    assert f'id="area-{selectors.area_key(groups[-1])}"' in last
    assert f"?page={last_page}#area-{selectors.area_key(groups[-1])}" in first
    assert len(selectors.published_record(rnd)) == len(groups)


def test_group_pages_keep_groups_whole_and_fill_up_to_the_size():
    from recognition.selectors import group_pages

    groups = [["a"] * 2, ["b"] * 9, ["c"] * 25, ["d"] * 10, ["e"] * 10, ["f"]]
    pages = group_pages(groups, 20)
    assert [[len(g) for g in page] for page in pages] == [[2, 9], [25], [10, 10], [1]]
    assert group_pages([], 20) == []
