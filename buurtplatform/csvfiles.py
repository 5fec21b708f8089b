"""The one CSV writer of the site: every CSV it produces (open data, a platform's ledger, the
support and accountant exports) goes through here, so a spreadsheet never runs a cell.

A text cell that starts with = + - @ tab or carriage return gets a leading apostrophe (the
OWASP advice for CSV injection); numbers (int, Decimal, float) and dates are written as they
are, so "-12.50" as a number stays a number. Files start with a UTF-8 byte order mark, so
Dutch Excel reads "één" right.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_text(header: list[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    """The whole file as text."""
    return "".join(csv_lines(header, rows, bom=bom))


def csv_lines(
    header: list[str], rows: Iterable[Iterable[Any]], *, bom: bool = True
) -> Iterator[str]:
    """The file line by line (for a streaming response: constant memory)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def take() -> str:
        value = out.getvalue()
        out.seek(0)
        out.truncate()
        return value

    writer.writerow([safe_cell(h) for h in header])
    yield (BOM if bom else "") + take()
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        yield take()
