"""An archived platform takes no new expense claims: the service refuses, the form is gone."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import services
from budgets.models import ExpenseClaim
from platforms import services as platform_services
from tests.budgets.conftest import png_upload

pytestmark = pytest.mark.django_db

VALID_IBAN = "NL91 ABNA 0417 1643 00"


def test_claim_form_and_forged_post_are_refused(client_for, coordinator, member, budget, platform):
    platform_services.archive_platform(platform=platform, by=coordinator)
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    client = client_for(member)
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "budget_line": budget.lines.first().pk,
            "amount": "12,50",
            "expense_date": "2026-04-02",
            "payee_name": "Jan Jansen",
            "iban": VALID_IBAN,
            "description": "Koffie",
            "receipts": [png_upload()],
        },
    )
    assert response.status_code == 403
    assert not ExpenseClaim.objects.exists()


def test_service_says_why(coordinator, member, budget, platform):
    platform_services.archive_platform(platform=platform, by=coordinator)
    budget.platform.refresh_from_db()
    with pytest.raises(ValidationError, match="gearchiveerd"):
        services.submit_claim(
            budget=budget,
            budget_line=budget.lines.first(),
            by=member,
            amount=Decimal("12.50"),
            expense_date=datetime.date(2026, 4, 2),
            payee_name="Jan Jansen",
            iban=VALID_IBAN,
            description="Koffie",
        )
    assert not ExpenseClaim.objects.exists()


def test_mijn_platform_offers_no_claim_for_an_archived_platform(
    client_for, coordinator, budget, platform
):
    platform_services.archive_platform(platform=platform, by=coordinator)
    html = (
        client_for(coordinator)
        .get(reverse("workflows:my_platform", args=[platform.slug]))
        .content.decode()
    )
    assert reverse("budgets:claim_create", args=[platform.slug, budget.pk]) not in html
