"""Guard: the support queue (the bookkeeper's workbench) costs a constant number of queries,
whatever the number of claims, platforms, receipts and batches; it shows 50 claims a page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.models import ExpenseClaim, PaymentBatch, Receipt
from budgets.services import book_grant
from tests.budgets.factories import granted_decision
from tests.factories import PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/administratie/",
    "/administratie/?page=2",
    "/administratie/?status=approved&o=-amount",
    "/administratie/?q=koffie&amount_min=1&age=7",
    "/administratie/?status=submitted&submitter=example",
]


def grow(prefix: str, platforms: int, per_platform: int, by) -> None:
    """Platforms with a budget each and claims in every state, with receipts and batches."""
    statuses = [
        ExpenseClaim.Status.SUBMITTED,
        ExpenseClaim.Status.SUBMITTED,
        ExpenseClaim.Status.CHANGES_REQUESTED,
        ExpenseClaim.Status.APPROVED,
    ]
    for p in range(platforms):
        platform = PlatformFactory(name=f"{prefix} platform {p}", slug=f"{prefix}-{p}")
        budget = book_grant(decision=granted_decision(platform=platform, amount="100000.00"), by=by)
        claimant = UserFactory()
        batch = PaymentBatch.objects.create(reference=f"{prefix}-{p}", created_by=by)
        old = timezone.now() - datetime.timedelta(days=30)
        claims = ExpenseClaim.objects.bulk_create(
            ExpenseClaim(
                budget=budget,
                budget_line=budget.lines.first(),
                submitted_by=claimant,
                amount=Decimal(5 + i),
                expense_date=datetime.date(2026, 4, 1 + i % 28),
                payee_name="Buurthuis",
                iban="NL91ABNA0417164300",
                description=f"Koffie {i}",
                status=statuses[i % len(statuses)],
                submitted_at=old,
                batch=batch if i % 8 == 3 else None,
            )
            for i in range(per_platform)
        )
        Receipt.objects.bulk_create(
            Receipt(
                claim=c,
                file="private/receipts/x.png",
                original_name="x.png",
                content_type="image/png",
                size=1,
            )
            for c in claims
            for _ in range(2)
        )


def count(client, django_assert_max_num_queries, url: str, limit: int = 25) -> int:
    with django_assert_max_num_queries(limit) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_support_queue_does_not_grow_with_claims(
    client_for, support_staff, support_staff2, django_assert_max_num_queries
):
    client = client_for(support_staff)
    grow("klein", 2, 4, support_staff2)
    small = {url: count(client, django_assert_max_num_queries, url) for url in URLS}
    grow("groot", 12, 40, support_staff2)
    assert ExpenseClaim.objects.count() > 400
    for url, limit in small.items():
        count(client, django_assert_max_num_queries, url, limit)


def test_support_queue_shows_fifty_a_page(client_for, support_staff, support_staff2):
    grow("groot", 3, 40, support_staff2)
    response = client_for(support_staff).get("/administratie/")
    page = response.context["page"]
    assert len(page.object_list) == 50
    assert (
        page.paginator.count
        == ExpenseClaim.objects.filter(status__in=["submitted", "changes_requested", "approved"])
        .exclude(status="approved", batch__isnull=False)
        .count()
    )
