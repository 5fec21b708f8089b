"""Roles see what their role needs (issue 14): a coordinator sees another member's claim
amount, status and public description, never the IBAN, a private payee's name, the private
notes or the receipts; a member who leaves loses every right on their claims at once."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from platforms.models import Membership
from tests.budgets.conftest import VALID_IBAN, make_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_claim(budget, member):
    return make_claim(
        budget,
        member,
        payee_name="Petra Particulier",
        payee_is_organisation=False,
        private_notes="Bezorgd op Geheimstraat 3",
    )


def test_coordinator_sees_no_bank_details_of_another_members_claim(
    private_claim, coordinator, client_for
):
    c = client_for(coordinator)
    html = c.get(reverse("budgets:claim_detail", args=[private_claim.pk])).content.decode()
    assert private_claim.description in html and "100,00" in html
    assert VALID_IBAN not in html
    assert "Petra Particulier" not in html and "particulier" in html
    assert "Geheimstraat" not in html
    receipt = private_claim.receipts.first()
    url = reverse("budgets:receipt_download", args=[private_claim.pk, receipt.pk])
    assert 'href="' + url not in html
    assert c.get(url).status_code == 404  # a forged link does not open it either


def test_submitter_and_support_see_everything(private_claim, member, support_staff, client_for):
    for user in (member, support_staff):
        html = (
            client_for(user)
            .get(reverse("budgets:claim_detail", args=[private_claim.pk]))
            .content.decode()
        )
        assert VALID_IBAN in html and "Geheimstraat" in html
    receipt = private_claim.receipts.first()
    url = reverse("budgets:receipt_download", args=[private_claim.pk, receipt.pk])
    assert client_for(member).get(url).status_code == 200


def test_a_member_who_leaves_loses_their_claims_at_once(private_claim, member, client_for):
    Membership.objects.filter(user=member).delete()
    c = client_for(member)
    assert c.get(reverse("budgets:claim_detail", args=[private_claim.pk])).status_code == 404
    receipt = private_claim.receipts.first()
    url = reverse("budgets:receipt_download", args=[private_claim.pk, receipt.pk])
    assert c.get(url).status_code == 404


def test_coordinators_ledger_export_has_no_private_descriptions(
    private_claim, coordinator, support_staff, support_staff2, client_for
):
    from budgets.services import approve_claim

    approve_claim(claim=private_claim, by=support_staff)

    def rows(user):
        response = client_for(user).get(
            reverse("budgets:ledger_csv", args=[private_claim.budget.platform.slug])
        )
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(body)))

    coordinator_rows = rows(coordinator)
    assert coordinator_rows  # the grant is booked, at least
    for row in coordinator_rows:
        assert row["private_description"] == ""
        assert VALID_IBAN not in "".join(row.values())
        assert "Petra" not in "".join(row.values())
