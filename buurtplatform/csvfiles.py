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


def xlsx_cell(ws: Any, value: Any, *, date_format: str = "yyyy-mm-dd") -> Any:
    """A typed write-only cell: amounts (Decimal) are numbers with two decimals, other numbers
    numbers, dates dates, text text (never a formula, whatever it starts with)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    cell = WriteOnlyCell(ws, value=value if not isinstance(value, str) else None)
    if isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    elif isinstance(value, float):
        cell.number_format = "0.0"
    elif isinstance(value, datetime.datetime):
        cell.number_format = f"{date_format} hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = date_format
    else:
        # Assigned as a string cell: openpyxl would take "=..." for a formula otherwise.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"
    return cell


def xlsx_file(
    target: Any,
    sheets: Iterable[tuple[str, list[str], Iterable[Iterable[Any]]]],
    *,
    date_format: str = "yyyy-mm-dd",
) -> None:
    """Write a workbook (write-only: rows stream to disk, constant memory) with one sheet per
    (title, header, rows); the header row is bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        ws = book.create_sheet(title[:31])
        ws.freeze_panes = "A2"
        head = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for row in rows:
            ws.append([xlsx_cell(ws, v, date_format=date_format) for v in row])
    book.save(target)
