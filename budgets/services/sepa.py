"""The SEPA credit transfer file (pain.001.001.03) of a payment batch, and its rules.

- Text in the file is transliterated to the EPC basic Latin set (EPC217-08): a-z A-Z 0-9 and
  ``/ - ? : ( ) . , ' +`` and space; accents are dropped (é → e), a few letters spelled out
  (ß → ss), anything else becomes a space.
- The requested execution date is the next TARGET2 business day: not a weekend, not a TARGET
  holiday (the ``holidays`` package's ECB calendar: New Year, Good Friday, Easter Monday,
  1 May, 25 and 26 December).
- MsgId is the batch reference and PmtInfId derives from it, so the same batch always names
  itself the same way at the bank; the file is built once, at release, and validated against
  the official XSD that sepaxml ships.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import holidays
import sepaxml
import xmlschema
from django.conf import settings
from schwifty import IBAN
from sepaxml import SepaTransfer

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
XSD_PATH = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"

# Letters NFKD does not decompose into a base letter plus accents.
_SPELLED = {
    "ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L",
    "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "ı": "i",
    "&": "+", "€": "EUR", "‘": "'", "’": "'", "‚": "'", "`": "'", "´": "'", "“": "'",
    "”": "'", '"': "'", "–": "-", "—": "-", "_": "-",
}  # fmt: skip
_NOT_EPC = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def epc_text(value: str, max_length: int | None = None) -> str:
    """``value`` in the EPC basic Latin character set (see the module docstring)."""
    text = "".join(_SPELLED.get(ch, ch) for ch in value)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = " ".join(_NOT_EPC.sub(" ", text).split())
    if max_length is not None:
        text = text[:max_length].rstrip()
    return text


@cache
def _target_holidays(year: int) -> holidays.HolidayBase:
    return holidays.financial_holidays("ECB", years=[year])


def is_target_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _target_holidays(day.year)


def next_target_business_day(after: datetime.date) -> datetime.date:
    """The first TARGET2 business day after ``after`` (24 Dec 2026 → 28 Dec 2026)."""
    day = after + datetime.timedelta(days=1)
    while not is_target_business_day(day):
        day += datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    name: str
    iban: str
    amount: Decimal
    remittance: str


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


@cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def validate_pain001(data: bytes) -> None:
    """Raise xmlschema.XMLSchemaValidationError unless ``data`` is valid pain.001.001.03."""
    _schema().validate(data.decode("utf-8"))


def build_pain001(
    *,
    reference: str,
    transfers: Iterable[Transfer],
    execution_date: datetime.date,
    created_at: datetime.datetime,
) -> bytes:
    """One pain.001.001.03 document with one payment information block for the batch."""
    debtor = {
        "name": epc_text(settings.SEPA_DEBTOR_NAME, 70),
        "IBAN": settings.SEPA_DEBTOR_IBAN,
        "BIC": settings.SEPA_DEBTOR_BIC,
        "batch": True,
        "currency": "EUR",
    }
    sepa = SepaTransfer(debtor, schema=SCHEMA, clean=False)
    for t in transfers:
        iban = IBAN(t.iban)
        payment: dict[str, object] = {
            "name": epc_text(t.name, 70) or "Onbekend",
            "IBAN": iban.compact,
            "amount": _cents(t.amount),
            "execution_date": execution_date,
            "description": epc_text(t.remittance, 140),
            "endtoend_id": t.end_to_end_id,
        }
        if iban.bic:
            payment["BIC"] = str(iban.bic)
        sepa.add_payment(payment)
    raw = sepa.export(validate=False)
    # sepaxml makes MsgId, PmtInfId and CreDtTm itself (random and "now"): derive them from
    # the batch instead, so a file names its batch and building it twice gives the same bytes.
    ET.register_namespace("", NAMESPACE)
    root = ET.fromstring(raw)
    ns = {"p": NAMESPACE}
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    assert header is not None
    _set(header, "p:MsgId", reference, ns)
    _set(header, "p:CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"), ns)
    for number, info in enumerate(root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", ns), 1):
        _set(info, "p:PmtInfId", f"{reference}-P{number}", ns)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    validate_pain001(data)
    return data


def _set(parent: ET.Element, path: str, text: str, ns: dict[str, str]) -> None:
    node = parent.find(path, ns)
    assert node is not None, path
    node.text = text
