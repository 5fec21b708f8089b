"""Public list pages run a constant number of queries whatever the number of rows."""

import pytest
from django.urls import reverse

from areas.models import Buurt
from platforms import services
from tests.factories import ActivityFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db


def _grow(n: int) -> None:
    for _i in range(n):
        platform = PlatformFactory(buurten=["TH01", "TH02", "TM01"])
        ActivityFactory(platform=platform)
        ActivityFactory(platform=platform, visibility="members")


def _grow_one_platform(platform, n: int) -> None:
    buurten = list(Buurt.objects.filter(code__in=["TH01", "TH02"]))
    for i in range(n):
        ActivityFactory(platform=platform)
        services.endorse_platform(platform=platform, user=UserFactory(), buurt=buurten[i % 2])


PAGES = [
    ("platforms:platform_list", {}),
    ("platforms:platform_list", {"buurt": "TH01"}),
    ("platforms:platform_list", {"wijk": "TH", "q": "Buurt", "status": "not_recognised"}),
    ("areas:buurt_list", {}),
]


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_list_pages_constant_queries(client, django_assert_max_num_queries, name, params):
    url = reverse(name)
    _grow(3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url, params).status_code == 200
    _grow(17)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, params).status_code == 200


def test_buurt_detail_constant_queries(client, django_assert_max_num_queries):
    url = reverse("areas:buurt_detail", args=["TH01"])
    _grow(2)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    _grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_platform_page_constant_queries(client, django_assert_max_num_queries):
    platform = PlatformFactory(buurten=["TH01", "TH02"])
    url = platform.get_absolute_url()
    _grow_one_platform(platform, 2)
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    _grow_one_platform(platform, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
