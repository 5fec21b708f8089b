"""Every text field of every form has a length limit, so the counter shows and the database
never receives a megabyte of text (issue 15: forms that forgive)."""

import importlib
import inspect
import re
from pathlib import Path

from django import forms
from django.conf import settings

APPS = ["accounts", "platforms", "recognition", "budgets", "reports", "workflows"]


def _form_classes():
    for app in APPS:
        path = Path(settings.BASE_DIR) / app / "forms.py"
        if not path.exists():
            continue
        module = importlib.import_module(f"{app}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield f"{app}.forms.{name}", cls


def test_every_text_field_has_a_max_length():
    unlimited = []
    seen = 0
    for name, cls in _form_classes():
        try:
            fields = cls().fields  # fields the form really shows (allauth drops some)
        except TypeError:
            fields = cls.base_fields
        for field_name, field in fields.items():
            if not isinstance(field, forms.CharField) or isinstance(
                field.widget, forms.HiddenInput
            ):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            seen += 1
            if not field.max_length:
                unlimited.append(f"{name}.{field_name}")
    assert seen > 30
    assert unlimited == []


def test_fields_made_at_runtime_have_a_max_length():
    """Fields added in __init__ (one per criterion or budget line) are CharFields with a limit."""
    for app in APPS:
        path = Path(settings.BASE_DIR) / app / "forms.py"
        if not path.exists():
            continue
        source = path.read_text()
        for match in re.finditer(
            r"self\.fields\[[^\]]+\] = forms\.CharField\((.*?)\n\s{8,12}\)", source, re.S
        ):
            assert "max_length" in match.group(1), f"{app}/forms.py: {match.group(0)[:80]}"
