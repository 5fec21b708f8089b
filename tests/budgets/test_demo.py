import importlib

import pytest

from budgets.models import Budget, ExpenseClaim, Transaction

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # seeds the demo: seconds each


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


def test_budgets_demo_has_four_eyes_a_released_batch_and_its_statement(
    django_capture_on_commit_callbacks,
):
    """Claims wait for a second approval; BP-DEMO-0001 is released with its file; the demo
    bank statement in budgets/demo_data/ matches it (two paid, one returned)."""
    from pathlib import Path

    from budgets.demo import DEMO_BATCH
    from budgets.models import BankStatementEntry, PaymentBatch
    from budgets.services import import_statement, sepa_file_bytes

    modules = ("accounts.demo", "platforms.demo", "recognition.demo", "budgets.demo")
    with django_capture_on_commit_callbacks(execute=False):
        _seed(*modules)
    waiting = ExpenseClaim.objects.filter(status="submitted", approved_by__isnull=False)
    assert waiting.exists()
    batch = PaymentBatch.objects.get(reference=DEMO_BATCH)
    assert batch.status == PaymentBatch.Status.RELEASED and batch.sepa_sha256
    assert b"BP-DEMO-0001-003" in sepa_file_bytes(batch)
    assert not ExpenseClaim.objects.filter(second_approved_by=batch.released_by).exists()

    path = Path(__file__).resolve().parents[2] / "budgets" / "demo_data" / "statement-demo.xml"
    with django_capture_on_commit_callbacks(execute=False):
        result = import_statement(
            data=path.read_bytes(), original_name=path.name, by=batch.released_by
        )
    outcomes = sorted(result.statement.entries.values_list("outcome", flat=True))
    assert outcomes == ["paid", "paid", "returned", "unmatched", "unmatched"]
    assert BankStatementEntry.objects.filter(claim__batch__isnull=True, outcome="returned")
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.RELEASED  # the third payment is not on it
    with django_capture_on_commit_callbacks(execute=False):
        _seed(*modules)  # still idempotent after the import
        again = import_statement(data=path.read_bytes(), original_name="x", by=batch.released_by)
    assert not again.created
