"""The SEPA file, made once: release by an outsider, stored with its SHA-256, the same bytes on
every download, the official XSD, TARGET2 business days, EPC transliteration, debtor refused."""

import datetime
import hashlib
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import xmlschema
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from budgets.models import ExpenseClaim, PaymentBatch, Transaction
from budgets.services import (
    approve_claim,
    book_grant,
    create_batch,
    release_batch,
    sepa_file_bytes,
    submit_claim,
)
from budgets.services.sepa import XSD_PATH, epc_text, next_target_business_day
from tests.budgets.conftest import (
    OTHER_IBAN,
    confirmed_reversal,
    make_claim,
    png_upload,
    release_and_pay,
)
from tests.budgets.factories import granted_decision
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
EPC = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]*$")


@pytest.fixture
def batch(budget, member, support_staff):
    claims = [
        make_claim(
            budget,
            member,
            amount="123.45",
            payee_name="Zoë Ørsted-Çelik & Zn.",
            payee_is_organisation=True,
            description="Café-avond “buurt” (€ 5 p.p.) – ijs",
        ),
        make_claim(budget, member, amount="76.55", iban=OTHER_IBAN, description="Verf"),
    ]
    for c in claims:
        approve_claim(claim=c, by=support_staff)
    return create_batch(claims=claims, by=support_staff)


def _release_through_the_view(client, batch):
    url = reverse("budgets:batch_release", args=[batch.pk])
    response = client.post(url)
    if reverse("account_reauthenticate") in response.get("Location", ""):
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        response = client.post(url)
    return response


def test_release_makes_the_file_once_and_every_download_is_the_same(
    client_for, batch, support_staff2
):
    client = client_for(support_staff2)
    assert _release_through_the_view(client, batch).status_code == 302
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.RELEASED
    assert batch.released_by == support_staff2 and batch.released_at
    assert batch.sepa_file.name.startswith("private/sepa/")
    stored = (settings.MEDIA_ROOT / batch.sepa_file.name).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == batch.sepa_sha256

    url = reverse("budgets:batch_sepa", args=[batch.pk])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == stored
    assert first["Content-Disposition"] == f'attachment; filename="{batch.reference}.xml"'
    page = client.get(reverse("budgets:batch_detail", args=[batch.pk])).content.decode()
    assert batch.sepa_sha256 in page and "Vrijgegeven" in page

    # Released means locked: no second file, no cancel.
    with pytest.raises(ValidationError, match="al vrijgegeven"):
        release_batch(batch=batch, by=support_staff2)
    _release_through_the_view(client, batch)
    assert client.get(url).content == stored


def test_the_file_names_its_batch_and_validates_against_the_official_xsd(batch, support_staff2):
    release_batch(batch=batch, by=support_staff2)
    batch.refresh_from_db()
    data = sepa_file_bytes(batch)
    assert XSD_PATH.name == "pain.001.001.03.xsd" and XSD_PATH.exists()
    xmlschema.XMLSchema(str(XSD_PATH)).validate(data.decode())
    root = ET.fromstring(data)
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text == batch.reference
    ids = [e.text for e in root.iterfind(".//p:PmtInf/p:PmtInfId", NS)]
    assert ids == [f"{batch.reference}-P1"]
    e2e = [e.text for e in root.iterfind(".//p:EndToEndId", NS)]
    claims = list(batch.claims.order_by("pk"))
    assert e2e == [f"{batch.reference}-001", f"{batch.reference}-002"]
    assert [c.end_to_end_id for c in claims] == e2e
    debtor = root.find(".//p:DbtrAcct/p:Id/p:IBAN", NS).text
    assert debtor == settings.SEPA_DEBTOR_IBAN
    assert root.find(".//p:DbtrAgt/p:FinInstnId/p:BIC", NS).text == settings.SEPA_DEBTOR_BIC


def test_names_and_remittance_are_in_the_epc_character_set(batch, support_staff2):
    release_batch(batch=batch, by=support_staff2)
    root = ET.fromstring(sepa_file_bytes(PaymentBatch.objects.get(pk=batch.pk)))
    names = [e.text for e in root.iterfind(".//p:Cdtr/p:Nm", NS)]
    texts = [e.text for e in root.iterfind(".//p:RmtInf/p:Ustrd", NS)]
    assert names[0] == "Zoe Orsted-Celik + Zn."
    assert "Cafe-avond 'buurt' (EUR 5 p.p.) - ijs" in texts[0]
    for text in names + texts + [root.find(".//p:Dbtr/p:Nm", NS).text]:
        assert EPC.match(text), text


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Zoë Öztürk", "Zoe Ozturk"),
        ("Straße 5 & Søn", "Strasse 5 + Son"),
        ("Ĳsbaan Œuvre Æble", "IJsbaan OEuvre AEble"),
        ("50% korting @ markt #1 <b>", "50 korting markt 1 b"),
        ("“Quotes” – dash_underscore", "'Quotes' - dash-underscore"),
        ("a/b-c?d:e(f)g.h,i'j+k", "a/b-c?d:e(f)g.h,i'j+k"),
    ],
)
def test_epc_transliteration(value, expected):
    assert epc_text(value) == expected


@pytest.mark.parametrize(
    "day,expected",
    [
        (datetime.date(2026, 12, 24), datetime.date(2026, 12, 28)),  # 25, 26 Dec and a weekend
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 4)),  # 1 Jan and a weekend
        (datetime.date(2026, 4, 2), datetime.date(2026, 4, 7)),  # Good Friday, Easter Monday
        (datetime.date(2026, 4, 30), datetime.date(2026, 5, 4)),  # 1 May (a Friday)
        (datetime.date(2026, 6, 5), datetime.date(2026, 6, 8)),  # Friday to Monday
        (datetime.date(2026, 6, 8), datetime.date(2026, 6, 9)),
    ],
)
def test_next_target2_business_day(day, expected):
    assert next_target_business_day(day) == expected


def test_released_on_24_december_the_bank_executes_on_28_december(
    monkeypatch, batch, support_staff2
):
    moment = timezone.make_aware(datetime.datetime(2026, 12, 24, 10, 30))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    release_batch(batch=batch, by=support_staff2)
    batch.refresh_from_db()
    assert batch.execution_date == datetime.date(2026, 12, 28)
    root = ET.fromstring(sepa_file_bytes(batch))
    assert root.find(".//p:PmtInf/p:ReqdExctnDt", NS).text == "2026-12-28"
    assert root.find(".//p:GrpHdr/p:CreDtTm", NS).text == "2026-12-24T10:30:00"


def test_a_creditor_iban_equal_to_the_debtor_is_refused(
    client_for, budget, platform, member, support_staff, support_staff2
):
    debtor = settings.SEPA_DEBTOR_IBAN
    response = client_for(member).post(
        reverse("budgets:claim_create", args=[platform.slug, budget.pk]),
        {
            "budget_line": budget.lines.first().pk,
            "amount": "12,50",
            "expense_date": "2026-04-02",
            "payee_name": "Wij zelf",
            "iban": debtor,
            "description": "Koffie",
            "receipts": [png_upload()],
        },
    )
    assert response.status_code == 200
    assert "rekening van de ondersteuningsorganisatie zelf" in response.content.decode()
    assert ExpenseClaim.objects.count() == 0
    with pytest.raises(ValidationError, match="ondersteuningsorganisatie zelf"):
        make_claim(budget, member, iban=debtor.lower())
    # And at release, if one slipped in (e.g. before this rule, or by hand).
    claim = approve_claim(claim=make_claim(budget, member), by=support_staff)
    ExpenseClaim.objects.filter(pk=claim.pk).update(iban=debtor)
    batch = create_batch(claims=[claim], by=support_staff)
    with pytest.raises(ValidationError, match="ondersteuningsorganisatie"):
        release_batch(batch=batch, by=support_staff2)
    assert not PaymentBatch.objects.get(pk=batch.pk).sepa_sha256


def test_a_reversed_claim_never_appears_in_a_file_released_later(
    budget, member, support_staff, support_staff2
):
    paid = approve_claim(claim=make_claim(budget, member, amount="88.00"), by=support_staff)
    release_and_pay(create_batch(claims=[paid], by=support_staff), by=support_staff2)
    payment = Transaction.objects.get(kind="payment", claim=paid)
    confirmed_reversal(payment, asker=support_staff, confirmer=support_staff2, reason="Fout")
    paid.refresh_from_db()
    assert paid.status == ExpenseClaim.Status.REVERSED
    with pytest.raises(ValidationError):
        create_batch(claims=[paid], by=support_staff)
    other = approve_claim(claim=make_claim(budget, member, amount="11.00"), by=support_staff)
    later = create_batch(claims=[other], by=support_staff)
    release_batch(batch=later, by=support_staff2)
    data = sepa_file_bytes(PaymentBatch.objects.get(pk=later.pk)).decode()
    assert "88.00" not in data and f"Declaratie {paid.pk} " not in data
    assert "11.00" in data


def test_a_tampered_file_is_not_served(client_for, batch, support_staff2):
    release_batch(batch=batch, by=support_staff2)
    batch.refresh_from_db()
    (settings.MEDIA_ROOT / batch.sepa_file.name).write_bytes(b"<Document/>")
    with pytest.raises(ValidationError, match="SHA-256"):
        sepa_file_bytes(batch)
    response = client_for(support_staff2).get(reverse("budgets:batch_sepa", args=[batch.pk]))
    assert response.status_code == 302


def test_an_open_batch_has_no_file_to_download(client_for, batch, support_staff2):
    response = client_for(support_staff2).get(reverse("budgets:batch_sepa", args=[batch.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:batch_detail", args=[batch.pk])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
)
def test_the_same_batch_released_twice_at_once_makes_one_file(
    platform, member, support_staff, support_staff2, support_staff3
):
    from tests.budgets.test_concurrency import run_concurrently

    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    claims = [
        submit_claim(
            budget=budget,
            budget_line=budget.lines.first(),
            by=member,
            amount=Decimal("40.00"),
            expense_date=datetime.date(2026, 4, 1),
            payee_name="Jan Jansen",
            iban=OTHER_IBAN,
            description="Koffie",
            no_receipt_statement="Markt, geen bon.",
        )
        for _ in range(2)
    ]
    for c in claims:
        approve_claim(claim=c, by=support_staff, accept_statement=True)
    batch = create_batch(claims=claims, by=support_staff)
    staff = [support_staff2, support_staff3]

    results = run_concurrently(2, lambda i: release_batch(batch=batch, by=staff[i]).sepa_sha256)

    assert sorted(r[0] for r in results) == ["ok", "refused"]
    batch.refresh_from_db()
    assert [r[1] for r in results if r[0] == "ok"] == [batch.sepa_sha256]
    files = list((settings.MEDIA_ROOT / "private" / "sepa").iterdir())
    assert len(files) == 1
