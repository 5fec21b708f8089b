"""Celery adapters: they take ids or nothing, call budgets code, and own retries."""

from celery import shared_task
from django.db import OperationalError

from budgets.checks import run_ledger_check


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def check_ledger_task() -> int:
    """Nightly: verify the ledger invariants and e-mail support staff about any breach."""
    return len(run_ledger_check())
