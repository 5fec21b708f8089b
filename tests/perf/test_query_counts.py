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
from django.db.models import Count

from areas.models import Buurt
from platforms.models import Activity, Endorsement, Membership, Platform
from recognition.models import Round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
# The platform page also draws its map (the district's buurten and its own) and the sections
# the budgets and recognition apps add: a constant 18, whatever the data size.
PLATFORM_PAGE_QUERIES = 18


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    cache.clear()


@pytest.fixture
def world(admin_user, support_staff, support_staff2):
    """A small world first; `grow()` adds a larger one next to it."""

    def grow(prefix: str, platforms: int, transactions: int) -> None:
        call_command(
            "seed_scale",
            platforms=platforms,
            transactions=transactions,
            prefix=prefix,
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
        cache.clear()

    grow("klein", 3, 60)
    return grow


def count(client, django_assert_max_num_queries, url: str, limit: int = MAX_QUERIES) -> int:
    with django_assert_max_num_queries(limit) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _largest_buurt() -> str:
    return Buurt.objects.annotate(n=Count("platforms")).order_by("-n", "code").first().code


def _round(prefix: str) -> Round:
    return Round.objects.filter(slug__startswith=prefix).order_by("-budget_year").first()


@pytest.mark.parametrize(
    "url",
    ["/platforms/", "/platforms/?buurt={buurt}", "/buurten/", "/buurten/{buurt}/", "/rondes/"],
)
def test_list_pages_do_not_grow_with_rows(world, client, django_assert_max_num_queries, url):
    small = count(client, django_assert_max_num_queries, url.format(buurt=_largest_buurt()))
    world("groot", 25, 600)
    count(client, django_assert_max_num_queries, url.format(buurt=_largest_buurt()), small)


def test_platform_page_does_not_grow_with_activities_members_endorsements(
    world, client, django_assert_max_num_queries
):
    platform = Platform.objects.filter(slug__startswith="klein-").order_by("pk").first()
    url = platform.get_absolute_url()
    small = count(client, django_assert_max_num_queries, url, PLATFORM_PAGE_QUERIES)
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
    count(client, django_assert_max_num_queries, url, small)


def test_round_and_decision_pages_do_not_grow_with_applications(
    world, client, django_assert_max_num_queries
):
    small_round = _round("klein-")
    small = {
        page: count(client, django_assert_max_num_queries, f"/rondes/{small_round.slug}/{page}")
        for page in ("", "besluit/")
    }
    world("groot", 25, 600)
    big_round = _round("groot-")
    assert big_round.applications.count() > 3 * small_round.applications.count()
    for page, limit in small.items():
        count(client, django_assert_max_num_queries, f"/rondes/{big_round.slug}/{page}", limit)


@pytest.mark.parametrize("url", ["/transparantie/", "/transparantie/2025/", "/open-data/"])
def test_transparency_and_open_data_do_not_grow_with_the_ledger(
    world, client, django_assert_max_num_queries, url
):
    small = count(client, django_assert_max_num_queries, url)
    world("groot", 25, 600)
    count(client, django_assert_max_num_queries, url, small)


def test_audit_log_does_not_grow_with_entries(
    world, client_for, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    small = count(client, django_assert_max_num_queries, "/beheer/audit/")
    world("groot", 25, 600)
    count(client, django_assert_max_num_queries, "/beheer/audit/", small)


def test_decision_page_is_paged_by_area_with_an_index_of_all(world, client, monkeypatch):
    """A large round's decision page renders about 20 applications at a time, whole
    competition groups (issue 17: cold pages fast; 12 here for a test world); the index lists
    every area with the page it is on; junk parameters change nothing; the decision PDF keeps
    the whole record."""
    from recognition import selectors
    from recognition.views import public

    monkeypatch.setattr(public, "DECISION_APPLICATIONS_PER_PAGE", 12)
    world("groot", 60, 100)
    rnd = _round("groot-")
    groups = selectors.competition_groups(rnd)
    pages = selectors.group_pages(groups, 12)
    assert len(pages) > 1
    assert [g for page in pages for g in page] == groups  # every group once, in order
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
