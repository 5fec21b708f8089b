"""What the bank really did: import a bank statement and match it to released payments.

Formats: camt.053 (ISO 20022, read with ``pycamt``) and a simple CSV (layout in
``CSV_COLUMNS`` and on the upload page). Each booking is matched by its EndToEndId (the one the
SEPA file gave the claim at release) and amount:

- a debit that matches a released, unpaid claim books its payment with the statement's booking
  date (``payments.book_statement_payment``, the same booking as "mark paid");
- a credit that refers to a payment we made (a return, usually with a reason code such as AC04)
  reverses that payment and reopens the claim for the submitter (``book_returned_payment``);
- everything else (unknown EndToEndId, different amount, other bookings) is listed as unmatched.

A statement is stored once per statement id and account, its bookings once per account and
reference: importing the same statement twice changes nothing. A malformed file (not XML,
truncated, not camt.053, another account, another currency, a booking twice in the file) is
refused with a Dutch message and changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from lxml import etree
from pycamt.parser import Camt053ParseError, Camt053Parser

from accounts.models import User
from audit.services import record
from budgets import permissions
from budgets.models import (
    BankStatement,
    BankStatementEntry,
    ExpenseClaim,
    PaymentBatch,
    Transaction,
)
from budgets.services.payments import (
    book_returned_payment,
    book_statement_payment,
    lock_for_payment,
)
from buurtplatform.formatting import format_money

EUR = "EUR"
PAYABLE_BATCH = (PaymentBatch.Status.RELEASED, PaymentBatch.Status.PAID)

# ISO 20022 return reasons a Dutch bank commonly gives (ExternalReturnReason1Code).
RETURN_REASONS = {
    "AC01": "IBAN onjuist",
    "AC04": "rekening opgeheven",
    "AC06": "rekening geblokkeerd",
    "AC13": "ongeldig type rekening",
    "AG01": "transactie niet toegestaan op deze rekening",
    "AG02": "ongeldige transactiecode",
    "AM05": "dubbele betaling",
    "BE04": "adres van de ontvanger ontbreekt",
    "FOCR": "terugbetaling op verzoek",
    "MD07": "rekeninghouder overleden",
    "MS02": "reden niet opgegeven door de ontvanger",
    "MS03": "reden niet opgegeven door de bank",
    "RC01": "BIC onjuist",
    "RR01": "rekening of identiteit van de betaler ontbreekt",
}

#: The CSV layout (header names, case-insensitive; ";" or "," separated; UTF-8 or Windows-1252):
#: rekening, boekdatum (JJJJ-MM-DD or DD-MM-JJJJ), bedrag (negative = af, a Dutch comma is
#: fine: -123,45), valuta, end-to-end-id, naam, omschrijving; optional: referentie (the bank's
#: unique reference of the booking), retourcode (e.g. AC04) and afschrift (the statement id).
CSV_COLUMNS = {
    "account": ("rekening", "iban", "account"),
    "date": ("boekdatum", "datum", "date", "booking_date"),
    "amount": ("bedrag", "amount"),
    "currency": ("valuta", "munt", "currency"),
    "end_to_end_id": ("end-to-end-id", "endtoendid", "end_to_end_id", "eindtoeindid"),
    "name": ("naam", "tegenpartij", "name"),
    "description": ("omschrijving", "description"),
    "reference": ("referentie", "reference", "transactiereferentie"),
    "return_reason": ("retourcode", "return_reason", "redencode"),
    "statement": ("afschrift", "statement", "afschriftnummer"),
}
CSV_REQUIRED = ("account", "date", "amount", "currency", "end_to_end_id", "name", "description")


class StatementError(ValidationError):
    """The file cannot be read as a statement of our account; nothing was changed."""


@dataclass
class ParsedEntry:
    reference: str
    booking_date: datetime.date
    amount: Decimal
    currency: str
    is_credit: bool
    end_to_end_id: str = ""
    name: str = ""
    description: str = ""
    return_reason: str = ""
    booked: bool = True  # camt.053 Sts BOOK (a pending entry is listed, never matched)


@dataclass
class ParsedStatement:
    statement_id: str
    account_iban: str
    format: str
    entries: list[ParsedEntry] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------


def _date(text: str | None, where: str) -> datetime.date:
    value = (text or "").strip()
    for fmt, size in (("%Y-%m-%d", 10), ("%d-%m-%Y", 10), ("%Y%m%d", 8), ("%d/%m/%Y", 10)):
        try:
            return datetime.datetime.strptime(value[:size], fmt).date()
        except ValueError:
            continue
    raise StatementError(
        _("%(where)s: “%(value)s” is geen datum.") % {"where": where, "value": value}
    )


def parse_amount(text: str | None) -> Decimal:
    """An amount as typed or exported in the Netherlands: 1.234,56 or 1234.56 or -12,50 (also
    with € and spaces). Raises ValueError for anything else, or more than two decimals."""
    value = (text or "").replace("€", "").replace("\xa0", "").replace(" ", "").strip()
    if not re.fullmatch(r"[+-]?[0-9.,]+", value):
        raise ValueError(value)
    if "," in value and "." in value:
        if value.rindex(",") > value.rindex("."):  # 1.234,56
            value = value.replace(".", "").replace(",", ".")
        else:  # 1,234.56
            value = value.replace(",", "")
    elif "," in value:
        if value.count(",") > 1:
            raise ValueError(value)
        value = value.replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(value)
    return amount.quantize(Decimal("0.01"))


def _amount(text: str | None, where: str) -> Decimal:
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise StatementError(
            _("%(where)s: “%(value)s” is geen bedrag.") % {"where": where, "value": text or ""}
        ) from exc


def _text(element, path: str, ns: dict) -> str:
    if element is None:
        return ""
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def parse_camt053(data: bytes) -> ParsedStatement:
    """A camt.053 statement through pycamt (plus the statement id and return reasons, which
    pycamt does not extract, from the same lxml tree)."""
    head = data[:2048].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise StatementError(_("Dit bestand bevat een DOCTYPE of entiteiten; die lezen we niet."))
    try:
        parser = Camt053Parser(data)
    except etree.XMLSyntaxError as exc:
        raise StatementError(
            _("Dit is geen leesbaar XML-bestand (afgebroken of beschadigd?): %(error)s")
            % {"error": exc.msg if hasattr(exc, "msg") else str(exc)}
        ) from exc
    if parser.version == "unknown" or "camt.053" not in parser.tree.tag:
        raise StatementError(_("Dit is geen camt.053-afschrift (ISO 20022)."))
    try:
        statements = parser._find_statements_or_reports()
        info = parser.get_statement_info()
        rows = parser.get_transactions()
    except (Camt053ParseError, AttributeError, ValueError) as exc:
        raise StatementError(_("In dit bestand staat geen afschrift (Stmt).")) from exc
    if len(statements) != 1:
        raise StatementError(
            _("Dit bestand bevat %(n)s afschriften; lees ze één voor één in.")
            % {"n": len(statements)}
        )
    ns = parser.namespaces
    statement = statements[0]
    statement_id = _text(statement, "Id", ns)
    if not statement_id:
        raise StatementError(_("Het afschrift heeft geen kenmerk (Stmt/Id)."))
    iban = (info[0].get("IBAN") or "").replace(" ", "").upper()
    currency = info[0].get("Currency") or EUR
    if currency != EUR:
        raise StatementError(
            _(
                "Dit afschrift is van een rekening in %(ccy)s; alleen euro's kunnen worden ingelezen."
            )
            % {"ccy": currency}
        )
    # The same walk as pycamt's get_transactions: per entry, its TxDtls (or the entry alone).
    details = []
    for entry in statement.findall(".//Ntry", ns):
        txs = [tx for d in entry.findall(".//NtryDtls", ns) for tx in d.findall(".//TxDtls", ns)]
        details += [(entry, tx, n, len(txs)) for n, tx in enumerate(txs, 1)] or [
            (entry, None, 1, 1)
        ]
    if len(details) != len(rows):  # pragma: no cover - pycamt walks the same way
        raise StatementError(_("De boekingen in dit afschrift zijn niet eenduidig te lezen."))
    parsed = ParsedStatement(statement_id=statement_id[:70], account_iban=iban, format="camt053")
    for index, (row, (entry, tx, n, of)) in enumerate(zip(rows, details, strict=True), 1):
        where = _("Boeking %(n)s") % {"n": index}
        entry_ref = (
            row.get("TransactionID") or _text(entry, "NtryRef", ns) or f"{statement_id}/{index}"
        )
        reference = _text(tx, "Refs/AcctSvcrRef", ns) or (
            entry_ref if of == 1 else f"{entry_ref}/{n}"
        )
        ccy = row.get("Currency") or EUR
        if ccy != EUR:
            raise StatementError(
                _("%(where)s is in %(ccy)s; alleen euro's kunnen worden ingelezen.")
                % {"where": where, "ccy": ccy}
            )
        indicator = row.get("CreditDebitIndicator")
        if indicator not in ("CRDT", "DBIT"):
            raise StatementError(_("%(where)s is geen bij- of afschrijving.") % {"where": where})
        is_credit = indicator == "CRDT"
        name = row.get("DebtorName") if is_credit else row.get("CreditorName")
        reason = _text(tx, "RtrInf/Rsn/Cd", ns) or _text(tx, "RtrInf/Rsn/Prtry", ns)
        if not reason and row.get("ReversalIndicator") == "true" and is_credit:
            reason = "RVSL"
        parsed.entries.append(
            ParsedEntry(
                reference=reference[:70],
                booking_date=_date(row.get("BookingDate") or row.get("ValueDate"), where),
                amount=abs(_amount(row.get("Amount"), where)),
                currency=ccy,
                is_credit=is_credit,
                end_to_end_id=(row.get("EndToEndId") or "").strip()[:35],
                name=(name or "")[:140],
                description=(
                    row.get("RemittanceInformationFull")
                    or row.get("AdditionalEntryInformation")
                    or ""
                )[:300],
                return_reason=reason[:35],
                booked=(row.get("Status") or "BOOK") == "BOOK",
            )
        )
    return parsed


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError(_("Dit CSV-bestand is niet in UTF-8 of Windows-1252."))  # pragma: no cover


def parse_csv(data: bytes) -> ParsedStatement:
    """A statement in the documented CSV layout (``CSV_COLUMNS``)."""
    text = _decode(data)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise StatementError(_("Dit CSV-bestand is niet te lezen: %(e)s") % {"e": exc}) from exc
    if len(rows) < 2:
        raise StatementError(_("Dit CSV-bestand heeft geen kopregel met boekingen eronder."))
    header = [cell.strip().lower() for cell in rows[0]]
    columns: dict[str, int] = {}
    for key, names in CSV_COLUMNS.items():
        for name in names:
            if name in header:
                columns[key] = header.index(name)
                break
    missing = [CSV_COLUMNS[k][0] for k in CSV_REQUIRED if k not in columns]
    if missing:
        raise StatementError(
            _("In de kopregel ontbreken de kolommen: %(cols)s.") % {"cols": ", ".join(missing)}
        )

    def cell(row: list[str], key: str) -> str:
        i = columns.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    accounts = {cell(r, "account").replace(" ", "").upper() for r in rows[1:]}
    if len(accounts) != 1:
        raise StatementError(_("Een CSV-afschrift is van één rekening; hier staan er meer in."))
    statements = {cell(r, "statement") for r in rows[1:]}
    if len(statements) != 1:
        raise StatementError(_("Alle regels moeten bij hetzelfde afschrift horen."))
    statement_id = statements.pop() or "csv-" + hashlib.sha256(data).hexdigest()[:32]
    parsed = ParsedStatement(
        statement_id=statement_id[:70], account_iban=accounts.pop(), format="csv"
    )
    for index, row in enumerate(rows[1:], 2):
        where = _("Regel %(n)s") % {"n": index}
        currency = cell(row, "currency").upper() or EUR
        if currency != EUR:
            raise StatementError(
                _("%(where)s is in %(ccy)s; alleen euro's kunnen worden ingelezen.")
                % {"where": where, "ccy": currency}
            )
        signed = _amount(cell(row, "amount"), where)
        if signed == 0:
            raise StatementError(_("%(where)s heeft bedrag nul.") % {"where": where})
        day = _date(cell(row, "date"), where)
        e2e = cell(row, "end_to_end_id")[:35]
        reference = (
            cell(row, "reference")
            or "csv-"
            + hashlib.sha256(
                "|".join([day.isoformat(), str(signed), e2e, *row]).encode()
            ).hexdigest()[:32]
        )
        parsed.entries.append(
            ParsedEntry(
                reference=reference[:70],
                booking_date=day,
                amount=abs(signed),
                currency=currency,
                is_credit=signed > 0,
                end_to_end_id=e2e,
                name=cell(row, "name")[:140],
                description=cell(row, "description")[:300],
                return_reason=cell(row, "return_reason").upper()[:35],
            )
        )
    return parsed


def parse_statement(data: bytes) -> ParsedStatement:
    """Read camt.053 or CSV (by content), and check it is a statement of our own account."""
    if not data.strip():
        raise StatementError(_("Het bestand is leeg."))
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        parsed = parse_camt053(data)
    else:
        parsed = parse_csv(data)
    own = str(settings.SEPA_DEBTOR_IBAN)
    if parsed.account_iban != own:
        raise StatementError(
            _(
                "Dit afschrift is van rekening %(iban)s, niet van de betaalrekening %(own)s van de "
                "ondersteuningsorganisatie."
            )
            % {"iban": parsed.account_iban or "?", "own": own}
        )
    if not parsed.entries:
        raise StatementError(_("Dit afschrift heeft geen boekingen."))
    seen: set[str] = set()
    for entry in parsed.entries:
        if entry.reference in seen:
            raise StatementError(
                _("Boeking %(ref)s staat twee keer in dit bestand; controleer de export.")
                % {"ref": entry.reference}
            )
        seen.add(entry.reference)
    return parsed


# --- matching and booking ---------------------------------------------------------------------


@dataclass
class ImportResult:
    statement: BankStatement
    created: bool


def _reason_text(code: str) -> str:
    label = RETURN_REASONS.get(code, "")
    reason = f"{code}: {label}" if label else (code or _("zonder reden"))
    return _(
        "De bank stortte de betaling terug (%(reason)s). Controleer het IBAN en de naam van de "
        "ontvanger en dien de declaratie opnieuw in."
    ) % {"reason": reason}


def _payments(e2e: str):
    return Transaction.objects.filter(kind=Transaction.Kind.PAYMENT, reference=e2e)


def _live_payment(e2e: str) -> Transaction | None:
    """The booked, not reversed payment with this EndToEndId."""
    return _payments(e2e).filter(reversed_by__isnull=True).select_related("batch").first()


def _claim_for(e2e: str) -> ExpenseClaim | None:
    if not e2e:
        return None
    return ExpenseClaim.objects.filter(end_to_end_id=e2e).select_related("batch").first()


def _locked_claim_for(e2e: str, claims: dict[int, ExpenseClaim]) -> ExpenseClaim | None:
    """The claim with this EndToEndId, as locked (and freshly read) by lock_for_payment."""
    pk = ExpenseClaim.objects.filter(end_to_end_id=e2e).values_list("pk", flat=True).first()
    return claims.get(pk) if pk is not None else None


def _store(statement: BankStatement, entry: ParsedEntry, outcome: str, **kwargs) -> None:
    BankStatementEntry.objects.create(
        statement=statement,
        account_iban=statement.account_iban,
        reference=entry.reference,
        booking_date=entry.booking_date,
        amount=entry.amount,
        currency=entry.currency,
        is_credit=entry.is_credit,
        end_to_end_id=entry.end_to_end_id,
        name=entry.name,
        description=entry.description,
        return_reason=entry.return_reason,
        outcome=outcome,
        **kwargs,
    )


def _payable(claim: ExpenseClaim | None, entry: ParsedEntry) -> str:
    """Why a claim cannot be paid by this booking ("" when it can)."""
    if claim is None:
        return _("Onbekend EndToEndId: geen vrijgegeven betaling met dit kenmerk.")
    if claim.batch is None or claim.batch.status not in PAYABLE_BATCH:
        return _("Declaratie %(pk)s zit niet in een vrijgegeven batch.") % {"pk": claim.pk}
    if claim.amount != entry.amount:
        return _("Bedrag wijkt af: de betaling van declaratie %(pk)s is %(amount)s.") % {
            "pk": claim.pk,
            "amount": format_money(claim.amount),
        }
    if claim.status != ExpenseClaim.Status.APPROVED:
        return _("Declaratie %(pk)s staat op “%(status)s”.") % {
            "pk": claim.pk,
            "status": claim.get_status_display(),
        }
    return ""


@transaction.atomic
def import_statement(*, data: bytes, original_name: str, by: User) -> ImportResult:
    """Import a statement once; book the payments it confirms and the returns it shows."""
    if not permissions.can_import_statement(by):
        raise PermissionDenied
    parsed = parse_statement(data)
    key = {"statement_id": parsed.statement_id, "account_iban": parsed.account_iban}
    existing = BankStatement.objects.filter(**key).first()
    if existing is not None:
        return ImportResult(existing, False)
    try:
        with transaction.atomic():  # the unique row is the lock: a second import waits here
            statement = BankStatement.objects.create(
                **key,
                format=parsed.format,
                original_name=original_name[:200],
                sha256=hashlib.sha256(data).hexdigest(),
                imported_by=by,
            )
    except IntegrityError:
        return ImportResult(BankStatement.objects.get(**key), False)
    suffix = "xml" if parsed.format == BankStatement.Format.CAMT053 else "csv"
    statement.file.save(f"{statement.sha256[:16]}.{suffix}", ContentFile(data), save=True)

    known = set(
        BankStatementEntry.objects.filter(
            account_iban=parsed.account_iban,
            reference__in=[e.reference for e in parsed.entries],
        ).values_list("reference", flat=True)
    )
    fresh = [e for e in parsed.entries if e.reference not in known]
    statement.skipped_entries = len(parsed.entries) - len(fresh)
    statement.save(update_fields=["skipped_entries"])
    # Debits first (a payment and its return may be on the same statement), then by date.
    fresh.sort(key=lambda e: (e.is_credit, e.booking_date))
    candidates = _candidates(fresh)
    batches = [c.batch for c in candidates.values() if c.batch is not None]
    _locked, budgets, claims = lock_for_payment(batches, candidates.keys())
    outcomes = [_apply(statement, entry, claims, budgets, by) for entry in fresh]
    record(
        actor=by,
        action="budgets.statement.imported",
        obj=statement,
        data={
            "statement_id": statement.statement_id,
            "entries": len(parsed.entries),
            "skipped": statement.skipped_entries,
            "outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
        },
    )
    return ImportResult(statement, True)


def _candidates(entries: Iterable[ParsedEntry]) -> dict[int, ExpenseClaim]:
    """The claims these bookings may pay or return (to lock them in order first)."""
    found: dict[int, ExpenseClaim] = {}
    for entry in entries:
        if not entry.end_to_end_id or not entry.booked:
            continue
        claim = _claim_for(entry.end_to_end_id)
        payment = _live_payment(entry.end_to_end_id)
        for c in (claim, payment.claim if payment and payment.claim else None):
            if c is not None:
                found[c.pk] = c
    return found


def _apply(
    statement: BankStatement,
    entry: ParsedEntry,
    claims: dict[int, ExpenseClaim],
    budgets: dict,
    by: User,
) -> str:
    """Match one booking (under the locks) and book what it shows; returns its outcome."""
    Outcome = BankStatementEntry.Outcome
    if not entry.booked:
        _store(statement, entry, Outcome.UNMATCHED, note=_("Nog niet geboekt door de bank."))
        return Outcome.UNMATCHED
    if not entry.end_to_end_id:
        _store(statement, entry, Outcome.UNMATCHED, note=_("Geen EndToEndId."))
        return Outcome.UNMATCHED
    payment = _live_payment(entry.end_to_end_id)
    if not entry.is_credit:
        if payment is not None:
            _store(
                statement, entry, Outcome.ALREADY_PAID, claim_id=payment.claim_id, booked=payment,
                note=_("Deze betaling was al geboekt."),
            )  # fmt: skip
            return Outcome.ALREADY_PAID
        claim = _locked_claim_for(entry.end_to_end_id, claims)
        why = _payable(claim, entry)
        if why:
            _store(statement, entry, Outcome.UNMATCHED, claim=claim, note=why)
            return Outcome.UNMATCHED
        assert claim is not None and claim.batch is not None
        tx = book_statement_payment(
            claim=claim,
            batch=claim.batch,
            budget=budgets[claim.budget_id],
            by=by,
            booking_date=entry.booking_date,
        )
        _store(statement, entry, Outcome.PAID, claim=claim, booked=tx)
        return Outcome.PAID
    # A credit: the return of a payment we made (by its EndToEndId)?
    if payment is None:
        claim = _locked_claim_for(entry.end_to_end_id, claims)
        if _payments(entry.end_to_end_id).exists():
            _store(
                statement, entry, Outcome.UNMATCHED, claim=claim,
                note=_("De betaling met dit EndToEndId is al gecorrigeerd of teruggeboekt."),
            )  # fmt: skip
            return Outcome.UNMATCHED
        why = _payable(claim, entry) if claim is not None else ""
        if claim is None or why:
            _store(
                statement, entry, Outcome.UNMATCHED, claim=claim,
                note=why or _("Bijschrijving die niet bij een betaling van ons hoort."),
            )  # fmt: skip
            return Outcome.UNMATCHED
        assert claim.batch is not None
        # Returned before we saw it leave (its debit is on a statement not imported): book the
        # payment on the return's date first, so the ledger shows it leave and come back.
        payment = book_statement_payment(
            claim=claim,
            batch=claim.batch,
            budget=budgets[claim.budget_id],
            by=by,
            booking_date=entry.booking_date,
        )
    claim = claims.get(payment.claim_id or 0)
    if claim is None or claim.status != ExpenseClaim.Status.PAID:
        _store(
            statement, entry, Outcome.UNMATCHED, claim=claim,
            note=_("De betaling met dit EndToEndId is al gecorrigeerd of teruggeboekt."),
        )  # fmt: skip
        return Outcome.UNMATCHED
    if claim.amount != entry.amount:
        _store(
            statement, entry, Outcome.UNMATCHED, claim=claim,
            note=_("Gedeeltelijke terugboeking (%(amount)s van %(total)s): handmatig afhandelen.")
            % {"amount": format_money(entry.amount), "total": format_money(claim.amount)},
        )  # fmt: skip
        return Outcome.UNMATCHED
    reversal = book_returned_payment(
        payment=payment,
        claim=claim,
        budget=budgets[claim.budget_id],
        by=by,
        booking_date=entry.booking_date,
        reason=_reason_text(entry.return_reason),
    )
    _store(statement, entry, Outcome.RETURNED, claim=claim, booked=reversal)
    return Outcome.RETURNED
