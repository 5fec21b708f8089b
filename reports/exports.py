"""The accountant's export of a budget year, as files: the general ledger and the trial balance
(CSV and XLSX), the XML Auditfile Financieel 3.2 and the receipts with an index (ZIP).

Plain render functions, (year, file name) -> bytes, made by the report pipeline
(ReportJob kind "ledger_export", key "<year>/<file name>"). Every figure comes from
budgets.selectors; this module only lays it out. Machine formats throughout: amounts as
numbers (1234.50), dates as dates (ISO in CSV and XML).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets import selectors as books
from budgets.models import Account, Transaction
from buurtplatform.csvfiles import csv_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    label: Any
    month: int | None = None

    @property
    def extension(self) -> str:
        return PurePath(self.name).suffix.lstrip(".")


FILES = [
    ExportFile("grootboek.csv", "text/csv; charset=utf-8", _("Grootboek (CSV)")),
    ExportFile("proefbalans.csv", "text/csv; charset=utf-8", _("Proefbalans (CSV)")),
    ExportFile("grootboek.xlsx", XLSX, _("Grootboek en proefbalans (Excel)")),
    ExportFile("auditfile.xaf", "application/xml", _("XML Auditfile Financieel 3.2 (XAF)")),
    ExportFile("bonnen.zip", "application/zip", _("Bonnen van het hele jaar (ZIP)")),
]
MONTH_FILES = [
    ExportFile(f"bonnen-{m:02d}.zip", "application/zip", _("Bonnen per maand (ZIP)"), m)
    for m in range(1, 13)
]
BY_NAME = {f.name: f for f in FILES + MONTH_FILES}
# Downloading one of these marks the year's accounts as exported (the year close).
ACCOUNTS = {"grootboek.csv", "proefbalans.csv", "grootboek.xlsx", "auditfile.xaf"}


class UnknownExport(ValueError):
    pass


class ExportTooLarge(Exception):
    """More receipts than one ZIP should hold in memory: take the month's ZIPs instead."""


# Receipts are re-encoded (images at most 2400 px) and capped by UPLOAD_MAX_BYTES each.
MAX_ZIP_BYTES = 500 * 1024 * 1024


def parse_key(key: str) -> tuple[int, ExportFile]:
    """Split a key such as 2026/auditfile.xaf into (2026, the file); UnknownExport otherwise."""
    year, _sep, name = key.partition("/")
    if not (year.isdigit() and len(year) == 4) or name not in BY_NAME:
        raise UnknownExport(key)
    return int(year), BY_NAME[name]


def render_export(key: str) -> bytes:
    year, file = parse_key(key)
    if file.name == "grootboek.csv":
        return general_ledger_csv(year)
    if file.name == "proefbalans.csv":
        return trial_balance_csv(year)
    if file.name == "grootboek.xlsx":
        return ledger_xlsx(year)
    if file.name == "auditfile.xaf":
        return auditfile(year)
    return receipts_zip(year, file.month)


# --- CSV ---------------------------------------------------------------------------------


# A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """Through the site's one formula-safe CSV writer (with a BOM for Excel)."""
    return csv_text(header, rows).encode("utf-8")


def general_ledger_csv(year: int) -> bytes:
    columns = books.GENERAL_LEDGER_COLUMNS
    return _csv(columns, ([row[c] for c in columns] for row in books.general_ledger(year)))


def trial_balance_csv(year: int) -> bytes:
    columns = books.TRIAL_BALANCE_COLUMNS
    balance = books.trial_balance(year)
    rows: list[list[Any]] = [[a[c] for c in columns] for a in balance["accounts"]]
    rows.append(["TOTAAL", "", "", "", balance["debit"], balance["credit"], None])
    return _csv(columns, rows)


# --- XLSX --------------------------------------------------------------------------------


def ledger_xlsx(year: int) -> bytes:
    """One workbook, two sheets (general ledger, trial balance) with typed cells: amounts are
    numbers, dates are dates, text is text (never a formula, whatever it starts with)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook(write_only=True)

    def sheet(title: str, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
        ws = book.create_sheet(title)
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for row in rows:
            ws.append([_xlsx_cell(ws, v, WriteOnlyCell, ILLEGAL_CHARACTERS_RE) for v in row])

    columns = books.GENERAL_LEDGER_COLUMNS
    sheet(
        "Grootboek",
        columns,
        ([row[c] for c in columns] for row in books.general_ledger(year)),
    )
    balance = books.trial_balance(year)
    tb_columns = books.TRIAL_BALANCE_COLUMNS
    tb_rows: list[list[Any]] = [[a[c] for c in tb_columns] for a in balance["accounts"]]
    tb_rows.append(["TOTAAL", "", "", "", balance["debit"], balance["credit"], None])
    sheet("Proefbalans", tb_columns, tb_rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(ws, value: Any, cell_class, illegal: re.Pattern) -> Any:
    if value is None:
        return None
    cell = cell_class(ws, value=value if not isinstance(value, str) else None)
    if isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        # Assigned as a string cell: openpyxl would take "=..." for a formula otherwise.
        cell.value = illegal.sub("", value)
        cell.data_type = "s"
    return cell


# --- XML Auditfile Financieel 3.2 --------------------------------------------------------

XAF_NS = "http://www.auditfiles.nl/XAF/3.2"
# The support organisation's chart of accounts in XAF terms: B balance sheet, P profit & loss.
ACCOUNT_TYPES: dict[str, str] = {
    Account.Kind.GRANT_SOURCE: "P",
    Account.Kind.BANK: "B",
    Account.Kind.RETURNED: "P",
    Account.Kind.BUDGET: "B",
    Account.Kind.EXPENSE: "P",
    Account.Kind.PAYABLE: "B",
    Account.Kind.CARRIED_OVER: "B",
}
# Characters XML 1.0 cannot carry (control characters other than tab, LF and CR).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any, limit: int | None = None) -> str:
    text = _XML_ILLEGAL.sub("", str(value or ""))
    return text[:limit] if limit else text


def _account_id(account_code: str, account_pk: int) -> str:
    """accID is at most 35 characters; our codes are shorter, a longer one falls back to id."""
    return account_code if len(account_code) <= 35 else f"ACC{account_pk}"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _period(year: int, day: datetime.date) -> int:
    """Months of the budget year are periods 1-12; a booking dated before it is period 0 and
    after it 13 (a payment of a year's budget early the next year)."""
    if day.year < year:
        return 0
    if day.year > year:
        return 13
    return day.month


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{XAF_NS}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("buurtplatform")[:20]
    except PackageNotFoundError:
        return ""


def auditfile(year: int) -> bytes:
    """The budget year as an XML Auditfile Financieel 3.2: header, the support organisation,
    its platforms as relations, the ledger accounts, the periods and every booking in one
    journal per kind of booking (valid against the published XSD, tests/reports)."""
    ET.register_namespace("", XAF_NS)
    accounts = list(books.ledger_accounts(year))
    transactions = list(books.ledger_transactions(year))
    dates = [tx.value_date for tx in transactions]
    root = ET.Element(f"{{{XAF_NS}}}auditfile")

    header = _sub(root, "header")
    _sub(header, "fiscalYear", year)
    _sub(header, "startDate", datetime.date(year, 1, 1).isoformat())
    _sub(header, "endDate", datetime.date(year, 12, 31).isoformat())
    _sub(header, "curCode", "EUR")
    _sub(header, "dateCreated", timezone.localdate().isoformat())
    _sub(header, "softwareDesc", _text(settings.SITE_NAME, 50))
    version = _software_version()
    if version:
        _sub(header, "softwareVersion", version)

    company = _sub(root, "company")
    _sub(company, "companyName", _text(settings.SEPA_DEBTOR_NAME or settings.SITE_NAME, 999))
    _sub(company, "taxRegistrationCountry", "NL")
    _sub(company, "taxRegIdent", "")

    platforms = list(books.year_platforms(year))
    if platforms:
        relations = _sub(company, "customersSuppliers")
        for platform in platforms:
            relation = _sub(relations, "customerSupplier")
            _sub(relation, "custSupID", f"P{platform.pk}")
            _sub(relation, "custSupName", _text(platform.name, 50))
            _sub(relation, "custSupTp", "O")  # neither customer nor supplier: a grantee

    ids = {a.code: _account_id(a.code, a.pk) for a in accounts}
    if accounts:  # a general ledger has at least one account
        ledger = _sub(company, "generalLedger")
        for account in accounts:
            element = _sub(ledger, "ledgerAccount")
            _sub(element, "accID", ids[account.code])
            _sub(element, "accDesc", _text(account.name, 999) or ids[account.code])
            _sub(element, "accTp", ACCOUNT_TYPES.get(account.kind, "B"))
            _sub(element, "leadCode", account.kind)
            _sub(element, "leadDescription", _text(account.get_kind_display(), 999))

    periods = _sub(company, "periods")
    numbers = sorted({_period(year, d) for d in dates} | set(range(1, 13)))
    for number in numbers:
        period = _sub(periods, "period")
        _sub(period, "periodNumber", number)
        if number == 0:
            start, end = min(dates), datetime.date(year - 1, 12, 31)
        elif number == 13:
            start, end = datetime.date(year + 1, 1, 1), max(dates)
        else:
            start = datetime.date(year, number, 1)
            end = (
                datetime.date(year, number + 1, 1) - datetime.timedelta(days=1)
                if number < 12
                else datetime.date(year, 12, 31)
            )
        _sub(period, "startDatePeriod", start.isoformat())
        _sub(period, "endDatePeriod", end.isoformat())

    lines = sum(len(tx.lines) for tx in transactions)
    debit = sum(
        (ln.amount for tx in transactions for ln in tx.lines if ln.side == "debit"), Decimal(0)
    )
    credit = sum(
        (ln.amount for tx in transactions for ln in tx.lines if ln.side == "credit"), Decimal(0)
    )
    booked = _sub(company, "transactions")
    _sub(booked, "linesCount", lines)
    _sub(booked, "totalDebit", _amount(debit))
    _sub(booked, "totalCredit", _amount(credit))
    kinds = dict(Transaction.Kind.choices)
    for kind, label in kinds.items():
        of_kind = [tx for tx in transactions if tx.kind == kind]
        if not of_kind:
            continue
        journal = _sub(booked, "journal")
        _sub(journal, "jrnID", kind)
        _sub(journal, "desc", _text(label))
        _sub(journal, "jrnTp", "G")  # memoriaal: internal bookings between the ledger accounts
        for tx in of_kind:
            _transaction(journal, tx, year, ids)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _transaction(journal: ET.Element, tx: books.LedgerTransaction, year: int, ids: dict) -> None:
    element = _sub(journal, "transaction")
    _sub(element, "nr", tx.id)
    _sub(element, "desc", _text(tx.description))
    _sub(element, "periodNumber", _period(year, tx.value_date))
    _sub(element, "trDt", tx.value_date.isoformat())
    total = sum((ln.amount for ln in tx.lines if ln.side == "debit"), Decimal(0))
    _sub(element, "amnt", _amount(total))
    _sub(element, "amntTp", "D")
    if tx.booked_by_id:
        _sub(element, "userID", tx.booked_by_id)
    for line in tx.lines:
        tr_line = _sub(element, "trLine")
        _sub(tr_line, "nr", line.id)
        _sub(tr_line, "accID", ids[line.account_code])
        _sub(tr_line, "docRef", _text(tx.reference or f"boeking-{tx.id}", 999))
        _sub(tr_line, "effDate", tx.value_date.isoformat())
        _sub(tr_line, "amnt", _amount(line.amount))
        _sub(tr_line, "amntTp", "D" if line.side == "debit" else "C")
        if line.platform_id:
            _sub(tr_line, "custSupID", f"P{line.platform_id}")


# --- receipts ----------------------------------------------------------------------------

RECEIPT_INDEX_COLUMNS = ["claim_id", "platform", "date", "amount", "file_name"]


def _zip_name(text: str) -> str:
    name = re.sub(r"[^\w.\- ]+", "_", PurePath(text.replace("\\", "/")).name).strip(" .")
    return name[:120] or "bestand"


def receipts_zip(year: int, month: int | None = None) -> bytes:
    """The receipts of the year's paid claims (or of one month of expense dates) in one ZIP,
    with index.csv (claim id, platform, date, amount, file name). A claim paid on a signed
    statement instead of a receipt has that statement as a text file."""
    claims = list(books.booked_claims(year, month))
    size = sum(r.size for claim in claims for r in claim.receipts.all())
    if size > MAX_ZIP_BYTES:
        raise ExportTooLarge(size)
    out = io.BytesIO()
    index: list[list[Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for claim in claims:
            files = list(_claim_files(claim))
            if not files:
                index.append(
                    [claim.pk, claim.budget.platform.name, claim.expense_date, claim.amount, ""]
                )
            for name, content, compress in files:
                archive.writestr(
                    name, content, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
                )
                index.append(
                    [claim.pk, claim.budget.platform.name, claim.expense_date, claim.amount, name]
                )
        archive.writestr("index.csv", _csv(RECEIPT_INDEX_COLUMNS, index))
    return out.getvalue()


def _claim_files(claim) -> Iterator[tuple[str, bytes, bool]]:
    for receipt in claim.receipts.all():
        try:
            with receipt.file.open("rb") as handle:
                content = handle.read()
        except (FileNotFoundError, ValueError):
            continue  # a missing file shows as an index row without a file name
        # Images and PDFs are compressed already: stored, not deflated again.
        yield f"{claim.pk}/{receipt.pk}-{_zip_name(receipt.original_name)}", content, False
    if claim.no_receipt_statement:
        yield f"{claim.pk}/verklaring-zonder-bon.txt", claim.no_receipt_statement.encode(), True
