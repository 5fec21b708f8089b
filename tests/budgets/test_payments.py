"""Payment batches: release (SEPA file), four eyes, booking the payments once, reversal.

The file itself (bytes, XSD, TARGET days, transliteration) is in test_sepa_release.py."""

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
    cancel_batch,
    create_batch,
    line_account,
    pay_batch,
    release_batch,
    sepa_file_bytes,
)
from tests.budgets.conftest import OTHER_IBAN, confirmed_reversal, make_claim, release_and_pay

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
    release_batch(batch=batch, by=support_staff2)
    data = sepa_file_bytes(PaymentBatch.objects.get(pk=batch.pk))
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
    assert batch.status == PaymentBatch.Status.RELEASED


def test_approver_cannot_release_or_mark_the_batch_paid(approved, support_staff, support_staff2):
    batch = create_batch(claims=approved, by=support_staff)
    with pytest.raises(ValidationError, match="Vier ogen"):
        release_batch(batch=batch, by=support_staff)
    with pytest.raises(ValidationError, match="eerst vrij"):
        pay_batch(batch=batch, by=support_staff2)
    release_batch(batch=batch, by=support_staff2)
    with pytest.raises(ValidationError, match="Vier ogen"):
        pay_batch(batch=batch, by=support_staff)
    assert Transaction.objects.filter(kind="payment").count() == 0


def test_an_open_batch_can_be_cancelled_and_its_claims_batched_again(approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    cancel_batch(batch=batch, by=support_staff2)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.CANCELLED
    assert set(ExpenseClaim.objects.values_list("status", "batch")) == {("approved", None)}
    again = create_batch(claims=approved, by=support_staff2)
    release_batch(batch=again, by=support_staff2)
    with pytest.raises(ValidationError, match="al vrijgegeven"):
        cancel_batch(batch=again, by=support_staff2)
    with pytest.raises(ValidationError, match="al vrijgegeven"):
        release_batch(batch=again, by=support_staff2)


def test_paying_a_batch_books_each_claim_once(budget, approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    release_and_pay(batch, by=support_staff2)
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
    release_and_pay(batch, by=support_staff2)
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
    release_and_pay(batch, by=support_staff2)
    payment = Transaction.objects.filter(kind="payment").first()
    confirmed_reversal(
        payment, asker=support_staff2, confirmer=support_staff, reason="Verkeerde post"
    )
    claim = ExpenseClaim.objects.get(pk=payment.claim_id)
    assert claim.status == ExpenseClaim.Status.REVERSED
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.committed == Decimal("200.00") - claim.amount
    assert budget_remaining(budget) == Decimal("800.00") + claim.amount


def test_an_unapproved_claim_never_goes_into_a_file(budget, approved, support_staff2):
    batch = create_batch(claims=approved, by=support_staff2)
    ExpenseClaim.objects.filter(pk=approved[0].pk).update(status="rejected")
    with pytest.raises(ValidationError, match="niet meer goedgekeurd"):
        release_batch(batch=batch, by=support_staff2)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.OPEN and not batch.sepa_sha256
    assert Transaction.objects.filter(kind="payment").count() == 0
    ExpenseClaim.objects.filter(pk=approved[0].pk).update(status="approved")
