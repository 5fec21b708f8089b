"""Payment batches: SEPA file, four eyes, booking the payments once, payment reversal."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from budgets.models import Budget, ExpenseClaim, PaymentBatch, Transaction
from budgets.services import (
    account_balance,
    approve_claim,
    budget_remaining,
    budget_spent,
    create_batch,
    export_batch_sepa,
    line_account,
    pay_batch,
    reverse_transaction,
)
from tests.budgets.conftest import OTHER_IBAN, make_claim

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture
def approved(budget, member, support_staff):
    lines = list(budget.lines.all())
    a = make_claim(budget, member, amount="123.45", line=lines[0])
    b = make_claim(
        budget,
        member,
        amount="76.55",
        line=lines[1],
        payee_name="Bouwmarkt Zuidoost BV",
        payee_is_organisation=True,
        iban=OTHER_IBAN,
        description="Verf voor de muurschildering",
    )
    return [approve_claim(claim=c, by=support_staff) for c in (a, b)]


def test_batch_contains_only_approved_claims(budget, member, approved, support_staff2):
    waiting = make_claim(budget, member)
    with pytest.raises(ValidationError):
        create_batch(claims=[*approved, waiting], by=support_staff2)
    batch = create_batch(claims=approved, by=support_staff2)
    assert batch.claims.count() == 2
    with pytest.raises(ValidationError, match="batch"):
        create_batch(claims=approved, by=support_staff2)


def test_sepa_file_parses_and_matches_the_claims(approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    data = export_batch_sepa(batch=batch, by=support_staff2)
    root = ET.fromstring(data)
    assert root.tag == f"{{{NS['p']}}}Document"
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.find("p:NbOfTxs", NS).text == "2"
    assert Decimal(header.find("p:CtrlSum", NS).text) == Decimal("200.00")
    debtor_iban = root.find(".//p:DbtrAcct/p:Id/p:IBAN", NS).text
    assert debtor_iban == settings.SEPA_DEBTOR_IBAN != "NL91ABNA0417164300"
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    got = {
        t.find("p:CdtrAcct/p:Id/p:IBAN", NS).text: (
            Decimal(t.find("p:Amt/p:InstdAmt", NS).text),
            t.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
            t.find("p:Cdtr/p:Nm", NS).text,
        )
        for t in transfers
    }
    assert got == {
        "NL91ABNA0417164300": (Decimal("123.45"), "EUR", "Jan Jansen"),
        "NL44RABO0123456789": (Decimal("76.55"), "EUR", "Bouwmarkt Zuidoost BV"),
    }
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.EXPORTED


def test_approver_cannot_mark_the_batch_paid(approved, support_staff, support_staff2):
    batch = create_batch(claims=approved, by=support_staff)
    with pytest.raises(ValidationError, match="Vier ogen"):
        pay_batch(batch=batch, by=support_staff)
    assert Transaction.objects.filter(kind="payment").count() == 0


def test_paying_a_batch_books_each_claim_once(budget, approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    pay_batch(batch=batch, by=support_staff2)
    assert Transaction.objects.filter(kind="payment", batch=batch).count() == 2
    assert set(ExpenseClaim.objects.values_list("status", flat=True)) == {"paid"}
    assert budget_spent(budget) == Decimal("200.00")
    assert budget_remaining(budget) == Decimal("800.00")
    first_line = budget.lines.first()
    assert account_balance(line_account(first_line)) == Decimal("123.45")
    with pytest.raises(ValidationError, match="al betaald"):
        pay_batch(batch=batch, by=support_staff2)
    assert Transaction.objects.filter(kind="payment").count() == 2


def test_private_payee_is_anonymised_in_the_public_description(approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    pay_batch(batch=batch, by=support_staff2)
    descriptions = list(
        Transaction.objects.filter(kind="payment").values_list("description", flat=True)
    )
    assert not any("Jan Jansen" in d for d in descriptions)
    assert any("particulier" in d for d in descriptions)
    assert any("Bouwmarkt Zuidoost BV" in d for d in descriptions)


def test_reversing_a_payment_ends_the_claim_and_frees_the_budget(
    budget, approved, support_staff, support_staff2
):
    batch = create_batch(claims=approved, by=support_staff2)
    pay_batch(batch=batch, by=support_staff2)
    payment = Transaction.objects.filter(kind="payment").first()
    reverse_transaction(original=payment, by=support_staff, reason="Verkeerde post")
    claim = ExpenseClaim.objects.get(pk=payment.claim_id)
    assert claim.status == ExpenseClaim.Status.REVERSED
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.committed == Decimal("200.00") - claim.amount
    assert budget_remaining(budget) == Decimal("800.00") + claim.amount


def test_paying_an_unapproved_claim_is_impossible(budget, approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    ExpenseClaim.objects.filter(pk=approved[0].pk).update(status="rejected")
    with pytest.raises(ValidationError):
        pay_batch(batch=batch, by=support_staff2)
    assert Transaction.objects.filter(kind="payment").count() == 0
    ExpenseClaim.objects.filter(pk=approved[0].pk).update(status="approved")
