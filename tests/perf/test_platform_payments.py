"""A platform page with thousands of payments stays small: the newest ones, and a link to all."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count

from budgets.selectors import PUBLIC_PAYMENTS_SHOWN, public_budget_summary
from platforms.models import Platform

pytestmark = pytest.mark.django_db


def test_platform_page_lists_the_newest_payments_and_links_to_all(
    admin_user, support_staff, support_staff2, client, django_assert_max_num_queries
):
    call_command("seed_scale", platforms=6, transactions=2400, stdout=open("/dev/null", "w"))  # noqa: SIM115
    cache.clear()
    platform = Platform.objects.annotate(n=Count("budgets__claims")).order_by("-n", "pk").first()
    summary = public_budget_summary(platform)
    big = max(summary, key=lambda item: item["payments_total"])
    assert big["payments_total"] > PUBLIC_PAYMENTS_SHOWN
    assert len(big["payments"]) == PUBLIC_PAYMENTS_SHOWN
    dates = [p["date"] for p in big["payments"]]
    assert dates == sorted(dates)  # oldest first, as before, but only the newest ones
    with django_assert_max_num_queries(18):  # constant: map, budget and recognition sections
        page = client.get(platform.get_absolute_url()).content.decode()
    assert f"De nieuwste {PUBLIC_PAYMENTS_SHOWN} van" in page
    assert "/open-data/transactions.csv" in page
