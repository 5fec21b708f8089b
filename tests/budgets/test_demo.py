import importlib

import pytest

from budgets.models import Budget, ExpenseClaim, Transaction

pytestmark = pytest.mark.django_db


def _seed(*modules):
    out = []

    class Out:
        def write(self, text):
            out.append(text)

    for name in modules:
        importlib.import_module(name).seed(stdout=Out())
    return out


def test_budgets_demo_without_decisions_does_nothing_and_says_so():
    out = _seed("accounts.demo", "budgets.demo")
    assert "nothing booked" in out[-1]
    assert Transaction.objects.count() == 0


def test_budgets_demo_books_a_year_and_is_idempotent(django_capture_on_commit_callbacks):
    modules = ("accounts.demo", "platforms.demo", "recognition.demo", "budgets.demo")
    with django_capture_on_commit_callbacks(execute=False):
        _seed(*modules)
    count = Transaction.objects.count()
    assert count >= 30
    assert Budget.objects.exists()
    statuses = set(ExpenseClaim.objects.values_list("status", flat=True))
    assert {"paid", "rejected", "submitted", "reversed"} <= statuses
    assert Transaction.objects.filter(kind="reversal").count() == 1
    with django_capture_on_commit_callbacks(execute=False):
        _seed(*modules)
    assert Transaction.objects.count() == count
