"""The accountant's export of a budget year: general ledger and trial balance (CSV, XLSX), the
XML Auditfile Financieel 3.2 (validated against the published XSD), the receipts ZIP with its
index, made by the report pipeline for support staff only."""

from __future__ import annotations

import csv
import datetime
import io
import os
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from budgets import selectors as books
from budgets.models import Account, Entry, ExpenseClaim, Receipt, Transaction, YearClose
from budgets.services import account_balance
from buurtplatform.csvfiles import safe_cell
from reports import exports
from reports.models import ReportJob
from tests.factories import UserFactory
from tests.reports.factories import _book, pay

pytestmark = pytest.mark.django_db

XAF_DIR = Path(settings.BASE_DIR).parent / "shared" / "data" / "xaf"
XSD = XAF_DIR / "XmlAuditfileFinancieel3.2.xsd"
XAF_NS = "{http://www.auditfiles.nl/XAF/3.2}"
PNG = b"\x89PNG\r\n\x1a\n" + b"bon" * 10
FORMULAS = ['=HYPERLINK("http://x")', "+31 drukwerk", "-korting", "@SUM(A1)", "\tverborgen"]


@pytest.fixture
def books_2026(scenario):
    """The scenario's ledger (grant, two payments, a reversed one) plus payments whose
    descriptions would be formulas, receipts and a payment dated early the next year."""
    budget = scenario.budget
    for i, text in enumerate(FORMULAS):
        pay(budget, 0, Decimal("10.00") + i, payee="Drukkerij", organisation=True, description=text)
    # A payment of the year's budget dated in January of the next year (period 13).
    late_tx = _book(
        budget,
        Transaction.Kind.PAYMENT,
        "Late betaling",
        [(line, side, Decimal("7.50")) for line, side in _payment_lines(budget)],
        value_date=datetime.date(2027, 1, 10),
    )
    claims = list(ExpenseClaim.objects.filter(budget=budget).order_by("pk"))
    for month, claim in zip((3, 3, 7), claims, strict=False):
        ExpenseClaim.objects.filter(pk=claim.pk).update(expense_date=datetime.date(2026, month, 9))
        receipt = Receipt(
            claim=claim, original_name=f"bon {claim.pk}.png", content_type="image/png"
        )
        receipt.size = len(PNG)
        receipt.file.save(f"r{claim.pk}.png", ContentFile(PNG))
    statement_claim = claims[-1]
    ExpenseClaim.objects.filter(pk=statement_claim.pk).update(
        no_receipt_statement="Contant betaald op de markt, geen bon. Jan"
    )
    return {"budget": budget, "claims": claims, "late": late_tx, "scenario": scenario}


def _payment_lines(budget):
    line = budget.lines.first()
    budget_acc = Account.objects.get(code=f"BUD-{budget.pk}")
    return [(line.account, "debit"), (budget_acc, "credit")]


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- general ledger and trial balance ----------------------------------------------------------


def test_general_ledger_and_trial_balance_add_up_to_the_ledger(books_2026):
    entries = Entry.objects.filter(transaction__budget__year=2026)
    debit = sum(e.amount for e in entries if e.side == "debit")
    credit = sum(e.amount for e in entries if e.side == "credit")
    assert debit == credit > 0

    rows = list(books.general_ledger(2026))
    assert len(rows) == entries.count()
    assert sum(r["debit"] or 0 for r in rows) == debit
    assert sum(r["credit"] or 0 for r in rows) == credit

    balance = books.trial_balance(2026)
    assert balance["debit"] == balance["credit"] == debit
    last = {}
    for row in rows:
        last[row["account_code"]] = row["balance"]
    for account in balance["accounts"]:
        real = account_balance(Account.objects.get(code=account["account_code"]))
        assert account["balance"] == real == last[account["account_code"]]
        assert account["balance"] == account["debit"] - account["credit"]
    # Another year's books are not in it.
    assert list(books.general_ledger(2025)) == []


def test_csv_files_hold_numbers_and_dates_and_neutralise_formulas(books_2026):
    rows = _read_csv(exports.general_ledger_csv(2026))
    header, body = rows[0], rows[1:]
    assert header == books.GENERAL_LEDGER_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    descriptions = [r[col["description"]] for r in body]
    for text in FORMULAS:
        assert "'" + text in descriptions
        assert text not in descriptions
    assert "'-korting" in descriptions
    # Numbers stay numbers (a negative balance is not neutralised), dates stay ISO dates.
    balances = [r[col["balance"]] for r in body]
    assert any(b.startswith("-") for b in balances)
    assert all(Decimal(b) == Decimal(b).quantize(Decimal("0.01")) for b in balances)
    assert all(datetime.date.fromisoformat(r[col["value_date"]]) for r in body)
    assert "1234.56" in [r[col["debit"]] for r in body]

    tb = _read_csv(exports.trial_balance_csv(2026))
    assert tb[0] == books.TRIAL_BALANCE_COLUMNS
    total = tb[-1]
    assert total[0] == "TOTAAL" and total[4] == total[5]
    assert Decimal(total[4]) == sum(Decimal(r[4]) for r in tb[1:-1])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1 text", "'-1 text"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("gewoon", "gewoon"),
        (Decimal("-12.50"), "-12.50"),
        (Decimal("3"), "3.00"),
        (7, 7),
        (datetime.date(2026, 1, 2), "2026-01-02"),
        (None, ""),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell  # the site's one CSV writer (buurtplatform.csvfiles)


def test_xlsx_opens_with_openpyxl_and_has_typed_cells(books_2026):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exports.ledger_xlsx(2026)))
    assert book.sheetnames == ["Grootboek", "Proefbalans"]
    ledger = book["Grootboek"]
    header = [c.value for c in ledger[1]]
    assert header == books.GENERAL_LEDGER_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    rows = list(ledger.iter_rows(min_row=2))
    assert len(rows) == Entry.objects.filter(transaction__budget__year=2026).count()
    for row in rows:
        date = row[col["value_date"]]
        assert date.is_date and isinstance(date.value, datetime.datetime)
        assert row[col["balance"]].data_type == "n"
        assert row[col["account_code"]].data_type == "s"
        amount = row[col["debit"]].value or row[col["credit"]].value
        assert isinstance(amount, (int, float)) and amount > 0
    descriptions = {r[col["description"]].value: r[col["description"]] for r in rows}
    for text in FORMULAS:
        cell = descriptions[text]
        assert cell.data_type == "s"  # stored as text: never a formula
    debit = sum(Decimal(str(r[col["debit"]].value or 0)) for r in rows)
    balance = book["Proefbalans"]
    total = [c.value for c in list(balance.iter_rows())[-1]]
    assert total[0] == "TOTAAL" and Decimal(str(total[4])) == Decimal(str(total[5])) == debit


# --- receipts --------------------------------------------------------------------------------


def test_receipts_zip_has_every_receipt_and_an_index(books_2026):
    archive = zipfile.ZipFile(io.BytesIO(exports.receipts_zip(2026)))
    index = _read_csv(archive.read("index.csv"))
    assert index[0] == ["claim_id", "platform", "date", "amount", "file_name"]
    paid = ExpenseClaim.objects.filter(budget__year=2026, status__in=["paid", "reversed"])
    rows = index[1:]
    assert {int(r[0]) for r in rows} == set(paid.values_list("pk", flat=True))
    for claim_id, platform, date, amount, name in rows:
        claim = ExpenseClaim.objects.get(pk=claim_id)
        assert platform == claim.budget.platform.name
        assert date == claim.expense_date.isoformat()
        assert Decimal(amount) == claim.amount
        if name.endswith(".png"):
            assert archive.read(name) == PNG
    names = [r[4] for r in rows]
    statement = books_2026["claims"][-1]
    assert f"{statement.pk}/verklaring-zonder-bon.txt" in names
    assert archive.read(f"{statement.pk}/verklaring-zonder-bon.txt").startswith(b"Contant")
    assert sum(1 for n in names if n.endswith(".png")) == 3


def test_receipts_zip_per_month(books_2026):
    claims = books_2026["claims"]
    march = zipfile.ZipFile(io.BytesIO(exports.receipts_zip(2026, 3)))
    rows = _read_csv(march.read("index.csv"))[1:]
    assert {int(r[0]) for r in rows} == {claims[0].pk, claims[1].pk}
    assert books.booked_claim_months(2026) == [3, 6, 7]


# --- XML Auditfile Financieel 3.2 ------------------------------------------------------------


def _schema():
    if not XSD.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the XAF 3.2 schema is missing: {XSD}")
        pytest.skip(f"the XAF 3.2 schema is not here: {XSD} (../shared/data/xaf)")
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def test_auditfile_validates_against_the_xaf_32_schema(books_2026, settings):
    settings.SEPA_DEBTOR_NAME = "Stichting Ondersteuning Test"
    schema = _schema()
    content = exports.auditfile(2026)
    schema.validate(content)  # raises with the reason when invalid

    from xml.etree import ElementTree as ET

    root = ET.fromstring(content)
    assert root.findtext(f"{XAF_NS}header/{XAF_NS}fiscalYear") == "2026"
    assert root.findtext(f"{XAF_NS}header/{XAF_NS}curCode") == "EUR"
    assert root.findtext(f"{XAF_NS}company/{XAF_NS}companyName") == "Stichting Ondersteuning Test"
    # The schema's key/keyref paths are unqualified, so they bind nothing in a namespaced
    # file: the references are checked here instead.
    company = root.find(f"{XAF_NS}company")
    ledger_ids = [e.findtext(f"{XAF_NS}accID") for e in company.iter(f"{XAF_NS}ledgerAccount")]
    assert sorted(ledger_ids) == sorted(books.ledger_accounts(2026).values_list("code", flat=True))
    relations = {
        e.findtext(f"{XAF_NS}custSupID") for e in company.iter(f"{XAF_NS}customerSupplier")
    }
    periods_listed = {e.findtext(f"{XAF_NS}periodNumber") for e in company.iter(f"{XAF_NS}period")}
    for line in company.iter(f"{XAF_NS}trLine"):
        assert line.findtext(f"{XAF_NS}accID") in ledger_ids
        assert line.findtext(f"{XAF_NS}custSupID") in relations
    for tx in company.iter(f"{XAF_NS}transaction"):
        assert tx.findtext(f"{XAF_NS}periodNumber") in periods_listed
    booked = root.find(f"{XAF_NS}company/{XAF_NS}transactions")
    entries = Entry.objects.filter(transaction__budget__year=2026)
    assert int(booked.findtext(f"{XAF_NS}linesCount")) == entries.count()
    balance = books.trial_balance(2026)
    assert Decimal(booked.findtext(f"{XAF_NS}totalDebit")) == balance["debit"]
    assert Decimal(booked.findtext(f"{XAF_NS}totalCredit")) == balance["credit"]
    # Per transaction, debit equals credit; the late payment is in period 13.
    periods = {}
    for tx in booked.iter(f"{XAF_NS}transaction"):
        sides = defaultdict(Decimal)
        for line in tx.iter(f"{XAF_NS}trLine"):
            sides[line.findtext(f"{XAF_NS}amntTp")] += Decimal(line.findtext(f"{XAF_NS}amnt"))
        assert sides["D"] == sides["C"]
        periods[tx.findtext(f"{XAF_NS}nr")] = tx.findtext(f"{XAF_NS}periodNumber")
    assert periods[str(books_2026["late"].pk)] == "13"
    assert len(periods) == Transaction.objects.filter(budget__year=2026).count()
    journals = {j.findtext(f"{XAF_NS}jrnID") for j in booked.iter(f"{XAF_NS}journal")}
    assert journals == {"grant", "payment", "reversal"}


def test_the_schema_check_is_real(books_2026):
    """A missing header field, a side that is neither D nor C or an amount with three
    decimals is refused by the schema (so the validation above proves something)."""
    import xmlschema

    schema = _schema()
    content = exports.auditfile(2026).decode()
    for broken in (
        content.replace("<curCode>EUR</curCode>", ""),
        content.replace("<amntTp>C</amntTp>", "<amntTp>X</amntTp>", 1),
        content.replace("<totalDebit>", "<totalDebit>0.001", 1),
    ):
        assert broken != content
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            schema.validate(broken.encode())


def test_auditfile_of_a_real_ledger_and_of_an_empty_year_validate(db):
    """Accounts as budgets.services names them (system accounts, per budget and line)."""
    from budgets.services import book_grant
    from tests.budgets.factories import granted_decision
    from tests.factories import PlatformFactory

    schema = _schema()
    support = UserFactory(roles=["ondersteuning"])
    platform = PlatformFactory(name='Samen <K> & "Co"', slug="samen-k-co")
    book_grant(decision=granted_decision(platform=platform, year=2025), by=support)
    schema.validate(exports.auditfile(2025))
    schema.validate(exports.auditfile(2024))


# --- the pipeline, the page and who may --------------------------------------------------------


def test_export_page_and_files_are_for_support_staff_only(
    books_2026, client_for, support_staff, admin_user, resident, django_capture_on_commit_callbacks
):
    url = reverse("reports:accounts_exports_year", args=[2026])
    file_url = reverse("reports:accounts_export_file", args=[2026, "auditfile.xaf"])
    for user in (admin_user, resident):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).get(file_url).status_code == 403
    assert client_for(None).get(file_url).status_code == 302
    staff = client_for(support_staff)
    page = staff.get(reverse("reports:accounts_exports"))
    assert page.status_code == 200 and page.context["year"] == 2026
    body = page.content.decode()
    for name in ("grootboek.csv", "proefbalans.csv", "grootboek.xlsx", "auditfile.xaf"):
        assert reverse("reports:accounts_export_file", args=[2026, name]) in body
    assert reverse("reports:accounts_export_file", args=[2026, "bonnen-07.zip"]) in body
    assert (
        staff.get(reverse("reports:accounts_export_file", args=[2026, "x.exe"])).status_code == 404
    )
    assert staff.get(reverse("reports:accounts_exports_year", args=[2019])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type", "start"),
    [
        ("grootboek.csv", "text/csv; charset=utf-8", b"\xef\xbb\xbfaccount_code"),
        ("proefbalans.csv", "text/csv; charset=utf-8", b"\xef\xbb\xbfaccount_code"),
        ("grootboek.xlsx", exports.XLSX, b"PK"),
        ("auditfile.xaf", "application/xml", b"<?xml"),
        ("bonnen.zip", "application/zip", b"PK"),
        ("bonnen-03.zip", "application/zip", b"PK"),
    ],
)
def test_export_files_are_made_by_the_pipeline_and_private(
    books_2026,
    client_for,
    support_staff,
    django_capture_on_commit_callbacks,
    name,
    content_type,
    start,
):
    staff = client_for(support_staff)
    url = reverse("reports:accounts_export_file", args=[2026, name])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = staff.get(url)
    assert first.status_code == 202
    assert first["Cache-Control"] == "private, no-store"
    for callback in callbacks:
        callback()
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="buurtbudgetten-2026-{name}"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(start)
    job = ReportJob.objects.get(kind="ledger_export", key=f"2026/{name}")
    assert job.file_path.endswith("." + name.rsplit(".", 1)[1])


def test_export_is_made_again_when_the_books_change(books_2026):
    from reports import services

    job = services.request_report(kind="ledger_export", key="2026/proefbalans.csv")
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert services.is_ready(job, services.compute_fingerprint(job.kind, job.key))
    pay(books_2026["budget"], 0, Decimal("1.00"), payee="X", organisation=True, description="Nog")
    assert not services.is_ready(job, services.compute_fingerprint(job.kind, job.key))


def test_first_download_of_the_accounts_marks_the_closed_year_exported(
    books_2026, client_for, support_staff, support_staff2, django_capture_on_commit_callbacks
):
    budget = books_2026["budget"]
    close = YearClose.objects.create(
        budget=budget,
        year=2026,
        status=YearClose.Status.CLOSED,
        outcome=YearClose.Outcome.RETURNED,
        reason="Jaar afgerond",
        proposed_by=support_staff2,
        closed_by=UserFactory(roles=["ondersteuning"]),
        closed_at=timezone.now(),
    )
    staff = client_for(support_staff)
    receipts = reverse("reports:accounts_export_file", args=[2026, "bonnen.zip"])
    xaf = reverse("reports:accounts_export_file", args=[2026, "auditfile.xaf"])
    for url in (receipts, xaf):
        with django_capture_on_commit_callbacks(execute=True):
            staff.get(url)
    close.refresh_from_db()
    assert close.accounts_exported_at is None  # made, not yet downloaded; receipts do not count
    staff.get(receipts)
    close.refresh_from_db()
    assert close.accounts_exported_at is None
    assert staff.get(xaf).status_code == 200
    close.refresh_from_db()
    first = close.accounts_exported_at
    assert first is not None
    staff.get(xaf)
    close.refresh_from_db()
    assert close.accounts_exported_at == first  # the first download counts
