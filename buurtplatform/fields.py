"""The one money field of every form: amounts as people type them, in the active language.

Dutch: 12,50 · 1.234,50 · € 12,50, and also a plain 12.50 (a single dot followed by one or two
digits is a decimal point; dots followed by groups of exactly three digits are thousands).
English: 12.50 · 1,234.50 · €1,234.50. The widget is a text input with inputmode="decimal"
that shows the value formatted in the active language (buurtplatform.formatting).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from buurtplatform.formatting import format_money

MAX_AMOUNT = Decimal("1000000.00")

_NL = re.compile(r"(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d{1,2}))?")
_NL_DOT_DECIMAL = re.compile(r"(?P<int>\d+)\.(?P<dec>\d{1,2})")
_EN = re.compile(r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d{1,2}))?")


def _english() -> bool:
    return (get_language() or "nl").startswith("en")


def parse_money(text: str, *, english: bool | None = None) -> Decimal:
    """An amount as typed in the active language (or the one given); ValueError otherwise."""
    english = _english() if english is None else english
    value = str(text).replace("€", "").replace("\xa0", "").replace(" ", "").strip()
    sign = ""
    if value[:1] in "+-" and value:
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    match = None
    if english:
        match = _EN.fullmatch(value)
    else:
        match = _NL_DOT_DECIMAL.fullmatch(value) or _NL.fullmatch(value)
    if match is None:
        raise ValueError(text)
    digits = re.sub(r"[.,]", "", match["int"])
    try:
        amount = Decimal(f"{sign}{digits}.{match['dec'] or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the patterns allow digits only
        raise ValueError(text) from exc
    return amount.quantize(Decimal("0.01"))


class MoneyInput(forms.TextInput):
    """A text input for an amount: the decimal keyboard on phones, the value as the language
    writes it (1.234,50 or 1,234.50); what someone typed is shown back as typed."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return formats.number_format(
                Decimal(str(value)).quantize(Decimal("0.01")),
                decimal_pos=2,
                use_l10n=True,
                force_grouping=True,
            )
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """An amount in euro with two decimals, parsed by the active language. `min_value` and
    `max_value` (default € 1.000.000) give a clear message with the limit written as money;
    `max_label` says what the maximum is (e.g. "het toegekende budget")."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Vul een bedrag in, zoals 12,50 of 1.234,50."),
    }

    def __init__(self, *args, min_value=None, max_value=MAX_AMOUNT, max_label=None, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)
        self.minimum = min_value
        self.maximum = max_value
        self.max_label = max_label

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_money(str(value))
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.minimum is not None and value < self.minimum:
            if self.minimum > 0:
                message = _("Het bedrag moet minstens %(limit)s zijn.")
            else:
                message = _("Een bedrag kan niet negatief zijn.")
            raise forms.ValidationError(
                message, code="min_value", params={"limit": format_money(self.minimum)}
            )
        if self.maximum is not None and value > self.maximum:
            if self.max_label:
                message = _("Het bedrag kan hoogstens %(limit)s zijn (%(what)s).")
            else:
                message = _("Het bedrag kan hoogstens %(limit)s zijn.")
            raise forms.ValidationError(
                message,
                code="max_value",
                params={"limit": format_money(self.maximum), "what": self.max_label or ""},
            )
