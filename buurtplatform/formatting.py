"""The one way the site writes money, numbers, scores and dates, on pages, in PDFs and e-mails.

Django's localisation does the work (nl: € 1.234,50 and 13 februari 2026; en: €1,234.50 and
Feb. 13, 2026); this module only fixes the options, so every output calls the same function.
Machine formats (open data: 1234.50, 2026-02-13) are not formatting and live with the exports.

Registered as a template builtin (settings.TEMPLATES): ``{{ amount|euro }}``,
``{{ n|number }}``, ``{{ n|number:1 }}``, ``{{ mean|score }}``; dates use Django's ``date``
filter with the active locale's DATE_FORMAT / DATETIME_FORMAT (never a hand-written format).
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def format_number(value, decimals: int = 0) -> str:
    """1.234 / 1.234,5 (nl) or 1,234 / 1,234.5 (en); half up; empty for no value."""
    amount = _decimal(value)
    if amount is None:
        return ""
    q = Decimal(1).scaleb(-decimals)
    amount = amount.quantize(q, rounding=ROUND_HALF_UP)
    return formats.number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_money(value) -> str:
    """€ 1.234,50 and € -12,00 (nl), €1,234.50 and -€12.00 (en). No value is € 0,00."""
    amount = _decimal(value)
    if amount is None:
        amount = Decimal(0)
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if (get_language() or "nl").startswith("en"):
        text = format_number(abs(amount), 2)
        return f"-€{text}" if amount < 0 else f"€{text}"
    return f"€ {format_number(amount, 2)}"


def format_score(value) -> str:
    """A score (int: 3) or a statistic from the read side (Decimal, rounded there: 3,0 / 3,7);
    – for none. The rounding rule itself is recognition.selectors.mean_of."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        if -1000 < value < 1000:  # no grouping: what number_format would give, much cheaper
            return str(value)
        return format_number(value, 0)
    amount = _decimal(value)
    if amount is None:
        return "–"
    if amount.is_finite():  # the page of a large round shows thousands: skip number_format
        rounded = amount.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if -1000 < rounded < 1000:  # no grouping needed; -0,0 is 0,0 as number_format has it
            text = f"{abs(rounded) if rounded == 0 else rounded:f}"
            return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))
    return format_number(amount, 1)


def format_date(value: datetime.date | datetime.datetime | None, *, with_time=False) -> str:
    """13 februari 2026 (nl), in the active language; for e-mails and Python-built text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if with_time:
            return formats.date_format(value, "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


@register.filter(name="euro")
def euro_filter(value) -> str:
    return format_money(value)


@register.filter(name="number")
def number_filter(value, decimals=0) -> str:
    return format_number(value, int(decimals))


@register.filter(name="score")
def score_filter(value) -> str:
    return format_score(value)


_LINKISH = re.compile(
    r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S*|\b\S+\.(?:nl|com|org|net|eu|io|info|biz|ru|xyz)\b\S*"
)


def quote_user_text(value, length: int = 60) -> str:
    """User-controlled text (a platform name, an activity title) as it may appear in an
    official e-mail to any address: shortened, on one line, without anything a mail program
    turns into a link, and between quotes, so nobody can use the site as a mail relay."""
    text = " ".join(str(value or "").split())
    text = _LINKISH.sub("[…]", text)
    if len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    return f"‘{text}’"


@register.filter(name="quoted")
def quoted_filter(value, length=60) -> str:
    return quote_user_text(value, int(length))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
