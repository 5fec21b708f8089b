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


def test_newest_payments_of_several_budgets_at_once_match_each_budgets_own_list(
    admin_user, support_staff, support_staff2
):
    """One query for several budgets (UNION ALL of one LIMIT each on PostgreSQL, a window on
    SQLite) gives each budget exactly the newest paid claims of its full payment list."""
    from budgets.models import Budget
    from budgets.selectors import _newest_public_payments, public_payments

    call_command("seed_scale", platforms=6, transactions=2400, stdout=open("/dev/null", "w"))  # noqa: SIM115
    budgets = list(Budget.objects.annotate(n=Count("claims")).filter(n__gt=0).order_by("pk"))
    assert len(budgets) > 1
    payments, counts = _newest_public_payments(budgets)
    for budget in budgets:
        everything = list(public_payments(budget))
        assert counts.get(budget.pk, 0) == len(everything)
        assert payments.get(budget.pk, []) == everything[-PUBLIC_PAYMENTS_SHOWN:]
