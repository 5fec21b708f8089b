"""The one money field (buurtplatform.fields.MoneyField): Dutch and English input, clear
messages, limits, and a widget that writes the value the way the language does."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from buurtplatform.fields import MoneyField, MoneyInput, parse_money


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("12.5", "12.50"),
        ("1.234,50", "1234.50"),
        ("1.234", "1234.00"),
        ("1.234.567,89", "1234567.89"),
        ("€ 12,50", "12.50"),
        ("€12,50", "12.50"),
        (" 1 234,50 ", "1234.50"),
        ("\u20ac\xa01.234,50", "1234.50"),
        ("42", "42.00"),
        ("-12,50", "-12.50"),
    ],
)
def test_dutch_input(text, expected):
    assert parse_money(text, english=False) == Decimal(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12.50", "12.50"),
        ("1,234.50", "1234.50"),
        ("€1,234.50", "1234.50"),
        ("€ 1,234,567.89", "1234567.89"),
        ("1234.5", "1234.50"),
        ("42", "42.00"),
    ],
)
def test_english_input(text, expected):
    assert parse_money(text, english=True) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,505", "1.23,50", "12,50,1", "abc", "12.50,1", "1.2345", ""])
def test_bad_dutch_input(text):
    with pytest.raises(ValueError):
        parse_money(text, english=False)


@pytest.mark.parametrize("text", ["12,50", "1,23.50", "1.234,50", "12.505", "x"])
def test_bad_english_input(text):
    with pytest.raises(ValueError):
        parse_money(text, english=True)


class Form(forms.Form):
    amount = MoneyField(label="Bedrag", min_value=Decimal("0.01"))
    limited = MoneyField(label="Beperkt", required=False, max_value=Decimal("1000"))


def _errors(data, lang="nl"):
    with translation.override(lang):
        form = Form(data)
        form.is_valid()
        return form, {k: " ".join(v) for k, v in form.errors.items()}


def test_the_field_follows_the_active_language():
    form, errors = _errors({"amount": "1.234,50"}, "nl")
    assert not errors and form.cleaned_data["amount"] == Decimal("1234.50")
    form, errors = _errors({"amount": "1,234.50"}, "en")
    assert not errors and form.cleaned_data["amount"] == Decimal("1234.50")


def test_bad_input_says_how_to_write_an_amount():
    _form, errors = _errors({"amount": "twaalf"})
    assert "Vul een bedrag in, zoals 12,50" in errors["amount"]


def test_limits_have_clear_messages_with_the_amount_written_as_money():
    _form, errors = _errors({"amount": "0"})
    assert "minstens € 0,01" in errors["amount"]
    _form, errors = _errors({"amount": "5", "limited": "1.000,01"})
    assert "hoogstens € 1.000,00" in errors["limited"]
    _form, errors = _errors({"amount": "1.000.000,01"})
    assert "hoogstens € 1.000.000,00" in errors["amount"]
    _form, errors = _errors({"amount": "1000000"})
    assert "amount" not in errors


def test_the_widget_is_a_decimal_text_input_showing_the_language_format():
    field = Form.base_fields["amount"]
    assert isinstance(field.widget, MoneyInput)
    html = Form(initial={"amount": Decimal("1234.5")})["amount"].as_widget()
    with translation.override("nl"):
        html = Form(initial={"amount": Decimal("1234.5")})["amount"].as_widget()
        assert 'type="text"' in html and 'inputmode="decimal"' in html
        assert 'value="1.234,50"' in html and "step" not in html
    with translation.override("en"):
        html = Form(initial={"amount": Decimal("1234.5")})["amount"].as_widget()
        assert 'value="1,234.50"' in html
    # What someone typed is shown back as typed.
    with translation.override("nl"):
        assert 'value="12,5x"' in Form({"amount": "12,5x"})["amount"].as_widget()


def test_every_money_field_in_the_forms_is_the_shared_field():
    from budgets.forms import ClaimForm
    from recognition.forms import DecisionForm, ObjectionAnswerForm, PlanLineForm, RoundForm

    fields = [
        ClaimForm.base_fields["amount"],
        PlanLineForm.base_fields["amount"],
        DecisionForm.base_fields["granted_amount"],
        ObjectionAnswerForm.base_fields["granted_amount"],
        RoundForm.base_fields["total_budget"],
        RoundForm.base_fields["max_per_area"],
    ]
    assert all(isinstance(f, MoneyField) for f in fields)
    from recognition.forms import ApplicationForm

    assert "requested_amount" not in ApplicationForm.base_fields
