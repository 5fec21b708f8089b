"""Amounts typed the Dutch and the English way in the claim form, limits next to the field,
and a receipt kept when the form comes back with errors (issue 15, part 2)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import ExpenseClaim
from budgets.services import book_grant
from tests.budgets.conftest import png_upload
from tests.budgets.factories import granted_decision

VALID_IBAN_TEXT = "NL91 ABNA 0417 1643 00"


@pytest.fixture
def big_budget(platform, support_staff2):
    """A €5000 budget with one line, room for 1.234,50."""
    decision = granted_decision(
        platform=platform, amount="5000.00", lines=(("Activiteiten", "5000.00"),)
    )
    return book_grant(decision=decision, by=support_staff2)


def _data(budget, amount, **extra):
    data = {
        "budget_line": budget.lines.first().pk,
        "amount": amount,
        "expense_date": "2026-04-02",
        "payee_name": "Jan Jansen",
        "iban": VALID_IBAN_TEXT,
        "description": "Koffie",
        "receipts": [png_upload("bon.png")],
    }
    data.update(extra)
    return data


def _field_html(html: str, name: str) -> str:
    """The crispy block of one field: from its label to the next field's wrapper."""
    start = html.index(f'id="div_id_{name}"')
    end = html.find('id="div_id_', start + 10)
    return html[start : end if end > 0 else len(html)]


@pytest.mark.parametrize(
    "prefix, typed, expected",
    [
        ("", "12,50", "12.50"),
        ("", "12.50", "12.50"),
        ("", "1.234,50", "1234.50"),
        ("", "€ 12,50", "12.50"),
        ("/en", "1,234.50", "1234.50"),
        ("/en", "€1,234.50", "1234.50"),
        ("/en", "12.50", "12.50"),
    ],
)
def test_claim_amount_typed_the_way_the_language_writes_it(
    prefix, typed, expected, client_for, member, big_budget, platform
):
    url = prefix + reverse("budgets:claim_create", args=[platform.slug, big_budget.pk])
    response = client_for(member).post(url, _data(big_budget, typed))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ExpenseClaim.objects.get().amount == Decimal(expected)


def test_claim_above_the_budget_or_outside_its_year_is_refused_next_to_the_field(
    client_for, member, budget, platform
):
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    response = client_for(member).post(url, _data(budget, "1.000,01", expense_date="2025-06-01"))
    html = response.content.decode()
    assert response.status_code == 200 and not ExpenseClaim.objects.exists()
    assert "hoogstens € 1.000,00" in _field_html(html, "amount")
    assert "buiten het budgetjaar 2026" in _field_html(html, "expense_date")


def test_an_invalid_claim_keeps_the_receipt(client_for, member, budget, platform):
    client = client_for(member)
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    response = client.post(url, _data(budget, "twaalf"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vul een bedrag in" in _field_html(html, "amount")
    assert "Bewaard: bon.png" in _field_html(html, "receipts")
    token = re.search(r'name="kept_receipts" value="([^"]+)"', html).group(1)
    # The second POST chooses no file: the kept receipt is used.
    data = _data(budget, "12,50", kept_receipts=token)
    del data["receipts"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = ExpenseClaim.objects.get()
    assert claim.receipts.count() == 1 and claim.receipts.get().original_name == "bon.png"


def test_a_kept_receipt_belongs_to_one_session(client_for, member, coordinator, budget, platform):
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    html = client_for(member).post(url, _data(budget, "twaalf")).content.decode()
    token = re.search(r'name="kept_receipts" value="([^"]+)"', html).group(1)
    data = _data(budget, "12,50", kept_receipts=token)
    del data["receipts"]
    response = client_for(coordinator).post(url, data)
    assert response.status_code == 200 and not ExpenseClaim.objects.exists()
    assert "Voeg een bon toe" in response.content.decode()
