"""Cancelling a payment batch asks for confirmation on a page of its own."""

import pytest
from django.urls import reverse

from budgets.models import PaymentBatch
from budgets.services import approve_claim, create_batch
from tests.budgets.conftest import make_claim

pytestmark = pytest.mark.django_db


def test_batch_cancel_shows_what_happens_then_cancels(client_for, budget, member, support_staff):
    claim = approve_claim(claim=make_claim(budget, member), by=support_staff)
    batch = create_batch(claims=[claim], by=support_staff)
    url = reverse("budgets:batch_cancel", args=[batch.pk])
    client = client_for(support_staff)
    detail = client.get(reverse("budgets:batch_detail", args=[batch.pk])).content.decode()
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert batch.reference in text and "Wat bewaard blijft" in text
    assert PaymentBatch.objects.get(pk=batch.pk).status != PaymentBatch.Status.CANCELLED
    client.post(url)
    assert PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.CANCELLED


def test_batch_cancel_page_is_for_support_only(client_for, budget, member, support_staff):
    claim = approve_claim(claim=make_claim(budget, member), by=support_staff)
    batch = create_batch(claims=[claim], by=support_staff)
    assert (
        client_for(member).get(reverse("budgets:batch_cancel", args=[batch.pk])).status_code == 403
    )
