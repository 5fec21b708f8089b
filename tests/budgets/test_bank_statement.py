"""What the bank really did: camt.053 and CSV statements matched to released payments by
EndToEndId and amount; returns reverse and reopen; the same statement twice changes nothing;
malformed files are refused with a Dutch message next to the upload field."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from budgets.models import (
    BankStatement,
    BankStatementEntry,
    Budget,
    ExpenseClaim,
    PaymentBatch,
    Transaction,
)
from budgets.services import (
    approve_claim,
    book_grant,
    create_batch,
    import_statement,
    pay_batch,
    release_batch,
    resubmit_claim,
)
from tests.budgets.conftest import OTHER_IBAN, make_claim
from tests.budgets.factories import granted_decision

pytestmark = pytest.mark.django_db


def camt053(entries, *, statement_id="STMT-2026-001", iban=None, currency="EUR") -> bytes:
    """A small camt.053.001.02 statement; entries: dicts with e2e, amount, credit, date, ref,
    reason, ccy."""
    iban = iban or settings.SEPA_DEBTOR_IBAN
    ntry = []
    for n, e in enumerate(entries, 1):
        reason = f"<RtrInf><Rsn><Cd>{e['reason']}</Cd></Rsn></RtrInf>" if e.get("reason") else ""
        ntry.append(
            f"""<Ntry><NtryRef>{n}</NtryRef>
      <Amt Ccy="{e.get("ccy", "EUR")}">{e["amount"]}</Amt>
      <CdtDbtInd>{"CRDT" if e.get("credit") else "DBIT"}</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>{e.get("date", "2026-12-28")}</Dt></BookgDt>
      <ValDt><Dt>{e.get("date", "2026-12-28")}</Dt></ValDt>
      <AcctSvcrRef>{e.get("ref", f"BANK-{n}")}</AcctSvcrRef>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls><Refs><EndToEndId>{e["e2e"]}</EndToEndId></Refs>
        <AmtDtls><TxAmt><Amt Ccy="{e.get("ccy", "EUR")}">{e["amount"]}</Amt></TxAmt></AmtDtls>
        <RltdPties><Cdtr><Nm>{e.get("name", "Jan Jansen")}</Nm></Cdtr></RltdPties>
        {reason}<RmtInf><Ustrd>{e.get("text", "Declaratie")}</Ustrd></RmtInf>
      </TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>2026-12-30T07:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>{statement_id}</Id><CreDtTm>2026-12-30T07:00:00</CreDtTm>
   <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>
   {"".join(ntry)}
  </Stmt>
 </BkToCstmrStmt>
</Document>""".encode()


@pytest.fixture
def released(budget, member, support_staff, support_staff2):
    claims = [
        make_claim(budget, member, amount="123.45"),
        make_claim(budget, member, amount="76.55", iban=OTHER_IBAN, description="Verf"),
    ]
    for c in claims:
        approve_claim(claim=c, by=support_staff)
    batch = create_batch(claims=claims, by=support_staff)
    release_batch(batch=batch, by=support_staff2)
    return PaymentBatch.objects.get(pk=batch.pk), list(batch.claims.order_by("pk"))


def _upload(client, data: bytes, name="afschrift.xml", follow=False):
    return client.post(
        reverse("budgets:statement_list"),
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
        follow=follow,
    )


def _entries(released):
    _batch, (a, b) = released
    return [
        {"e2e": a.end_to_end_id, "amount": "123.45", "date": "2026-12-28"},
        {"e2e": b.end_to_end_id, "amount": "76.55", "date": "2026-12-28"},
    ]


def test_a_statement_confirms_the_payments_with_its_booking_date(
    client_for, released, support_staff, django_capture_on_commit_callbacks
):
    batch, claims = released
    client = client_for(support_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, camt053(_entries(released)), follow=True)
    body = response.content.decode()
    assert "Het afschrift is ingelezen." in body and "Betalingen bevestigd" in body
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == ExpenseClaim.Status.PAID
        payment = Transaction.objects.get(kind="payment", claim=claim)
        assert payment.value_date == datetime.date(2026, 12, 28)
        assert payment.reference == claim.end_to_end_id
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID and batch.paid_by == support_staff
    assert BankStatementEntry.objects.filter(outcome="paid").count() == 2
    assert any("is betaald" in m.body for m in mail.outbox)


def test_importing_the_same_statement_twice_changes_nothing(client_for, released, support_staff):
    client = client_for(support_staff)
    data = camt053(_entries(released))
    _upload(client, data)
    counts = (
        Transaction.objects.count(),
        BankStatement.objects.count(),
        BankStatementEntry.objects.count(),
    )
    response = _upload(client, data, follow=True)
    assert "al ingelezen" in response.content.decode()
    assert counts == (
        Transaction.objects.count(),
        BankStatement.objects.count(),
        BankStatementEntry.objects.count(),
    )
    # An overlapping statement (another id, a booking already seen) skips that booking.
    again = camt053(_entries(released)[:1], statement_id="STMT-2026-002")
    result = import_statement(data=again, original_name="x.xml", by=support_staff)
    assert result.created and result.statement.skipped_entries == 1
    assert Transaction.objects.count() == counts[0]


def test_a_return_reverses_the_payment_and_reopens_the_claim(
    client_for,
    released,
    member,
    budget,
    support_staff,
    support_staff2,
    django_capture_on_commit_callbacks,
):
    batch, (a, b) = released
    entries = _entries(released) + [
        {"e2e": a.end_to_end_id, "amount": "123.45", "credit": True, "reason": "AC04",
         "date": "2026-12-30"},
    ]  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client_for(support_staff), camt053(entries), follow=True)
    body = response.content.decode()
    assert "Teruggeboekt door de bank" in body and "AC04" in body
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == ExpenseClaim.Status.CHANGES_REQUESTED
    assert "AC04: rekening opgeheven" in a.review_message and a.batch is None
    assert b.status == ExpenseClaim.Status.PAID
    payment = Transaction.objects.get(kind="payment", claim=a)
    reversal = Transaction.objects.get(kind="reversal", reverses=payment)
    assert reversal.value_date == datetime.date(2026, 12, 30)
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("76.55")
    assert any("rekening opgeheven" in m.body for m in mail.outbox if m.to == [member.email])
    # The submitter corrects the IBAN and resubmits; it is approved and paid again, once.
    resubmit_claim(claim=a, by=member, fields={"iban": "NL02ABNA0123456789"})
    approve_claim(claim=a, by=support_staff)
    again = create_batch(claims=[a], by=support_staff)
    release_batch(batch=again, by=support_staff2)
    import_statement(
        data=camt053(
            [
                {
                    "e2e": ExpenseClaim.objects.get(pk=a.pk).end_to_end_id,
                    "amount": "123.45",
                    "ref": "BANK-2027-1",
                }
            ],
            statement_id="STMT-2027-001",
        ),
        original_name="b.xml",
        by=support_staff,
    )
    a.refresh_from_db()
    assert a.status == ExpenseClaim.Status.PAID
    assert Transaction.objects.filter(kind="payment", claim=a).count() == 2


def test_unknown_end_to_end_ids_and_other_amounts_are_listed_as_unmatched(
    client_for, released, support_staff
):
    batch, (a, b) = released
    entries = [
        {"e2e": a.end_to_end_id, "amount": "123.40"},  # another amount
        {"e2e": "ONBEKEND-123", "amount": "10.00"},
        {"e2e": "SUBSIDIE-2026", "amount": "5000.00", "credit": True},
    ]
    response = _upload(client_for(support_staff), camt053(entries), follow=True)
    body = response.content.decode()
    assert "Niet gekoppeld" in body and "Onbekend EndToEndId" in body
    assert "Bedrag wijkt af" in body and "ONBEKEND-123" in body
    assert BankStatementEntry.objects.filter(outcome="unmatched").count() == 3
    a.refresh_from_db()
    assert a.status == ExpenseClaim.Status.APPROVED
    assert not Transaction.objects.filter(kind="payment").exists()


def test_a_csv_statement_with_dutch_amounts(client_for, released, support_staff):
    _batch, (a, b) = released
    csv = (
        "Rekening;Boekdatum;Bedrag;Valuta;End-to-end-id;Naam;Omschrijving;Referentie\n"
        f"{settings.SEPA_DEBTOR_IBAN};29-12-2026;-123,45;EUR;{a.end_to_end_id};Jan Jansen;"
        "Declaratie;R1\n"
        f"{settings.SEPA_DEBTOR_IBAN};29-12-2026;-1.076,55;EUR;{b.end_to_end_id};Jan;x;R2\n"
    ).encode("cp1252")
    response = _upload(client_for(support_staff), csv, name="afschrift.csv", follow=True)
    assert response.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == ExpenseClaim.Status.PAID
    payment = Transaction.objects.get(kind="payment", claim=a)
    assert payment.value_date == datetime.date(2026, 12, 29)
    assert b.status == ExpenseClaim.Status.APPROVED  # 1.076,55 is not 76,55
    statement = BankStatement.objects.get()
    assert statement.format == "csv"
    assert statement.entries.get(reference="R2").amount == Decimal("1076.55")


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda r: _truncated(camt053(_entries(r))), "geen leesbaar XML-bestand"),
        (lambda r: b"<html><body>hallo</body></html>", "geen camt.053"),
        (lambda r: camt053(_entries(r), currency="USD"), "alleen euro"),
        (
            lambda r: camt053([{**_entries(r)[0], "ccy": "GBP"}]),
            "in GBP; alleen euro",
        ),
        (lambda r: camt053(_entries(r), iban="NL44RABO0123456789"), "niet van de betaalrekening"),
        (
            lambda r: camt053([{**e, "ref": "DUBBEL"} for e in _entries(r)]),
            "twee keer in dit bestand",
        ),
        (lambda r: b"", "leeg"),
        (
            lambda r: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
            "DOCTYPE",
        ),
        (lambda r: b"rekening;datum\nNL;2026-01-01\n", "ontbreken de kolommen"),
    ],
)
def test_malformed_files_are_refused_next_to_the_field_and_change_nothing(
    client_for, released, support_staff, make, message
):
    before = (Transaction.objects.count(), ExpenseClaim.objects.filter(status="paid").count())
    response = _upload(client_for(support_staff), make(released))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'id="id_file"' in body and "invalid-feedback" in body  # next to the upload field
    assert BankStatement.objects.count() == 0 and BankStatementEntry.objects.count() == 0
    assert before == (
        Transaction.objects.count(),
        ExpenseClaim.objects.filter(status="paid").count(),
    )


def test_mark_paid_after_a_partial_statement_books_only_the_rest(
    released, support_staff, support_staff2
):
    batch, (a, b) = released
    import_statement(data=camt053(_entries(released)[:1]), original_name="a", by=support_staff)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.RELEASED
    pay_batch(batch=batch, by=support_staff2)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID
    assert Transaction.objects.filter(kind="payment").count() == 2


def test_only_support_staff_import_statements(client_for, released, coordinator):
    response = _upload(client_for(coordinator), camt053(_entries(released)))
    assert response.status_code == 403
    assert BankStatement.objects.count() == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
)
def test_the_same_statement_imported_twice_at_once_books_once(
    platform, member, support_staff, support_staff2
):
    from tests.budgets.test_concurrency import run_concurrently

    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    claims = [make_claim(budget, member, amount="100.00") for _ in range(3)]
    for c in claims:
        approve_claim(claim=c, by=support_staff)
    batch = create_batch(claims=claims, by=support_staff)
    release_batch(batch=batch, by=support_staff2)
    entries = [
        {"e2e": c.end_to_end_id, "amount": "100.00"} for c in ExpenseClaim.objects.order_by("pk")
    ]
    data = camt053(entries)
    staff = [support_staff, support_staff2]

    results = run_concurrently(
        2,
        lambda i: import_statement(data=data, original_name="x.xml", by=staff[i]).created,
    )

    assert sorted(r[1] for r in results) == [False, True]
    assert BankStatement.objects.count() == 1
    assert Transaction.objects.filter(kind="payment").count() == 3
    assert PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.PAID
