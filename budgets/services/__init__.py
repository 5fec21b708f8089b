"""Use cases of the budgets app. Only this package books money.

Accounting scheme (every transaction balances; balances are debit minus credit):
- grant:      debit the platform's budget account, credit the district's grant source.
- adjustment: a later decision changed the grant (upheld objection): the difference, booked
              like a grant (higher) or the other way round (lower); never below what is spent.
- payment:    debit the budget line's expense account, credit the budget account.
- return:     debit the system "returned funds" account, credit the budget account.
- carry over: debit the platform's carried-over account, credit the budget account.
- reversal:   the original entries with debit and credit swapped.
So the budget account's balance is the money the platform still has, an expense account's
balance is what was spent on that line.

Lock order (to avoid deadlocks): the batch (when paying), then budget rows in id order, then
claims in id order. Modules: ledger (core, grants), claims, payments, corrections.
"""

from collections.abc import Iterator
from typing import Any

from budgets.services.claims import (
    TRANSITIONS,
    approve_claim,
    reject_claim,
    request_claim_changes,
    resubmit_claim,
    submit_claim,
    validate_iban,
)
from budgets.services.corrections import close_year, reverse_transaction
from budgets.services.ledger import (
    SYSTEM_BANK,
    SYSTEM_GRANT_SOURCE,
    SYSTEM_RETURNED,
    Line,
    PeriodClosedError,
    account_balance,
    adjust_grant,
    book_grant,
    budget_account,
    budget_remaining,
    budget_spent,
    carried_over_account,
    ensure_system_accounts,
    get_system_account,
    is_budget_closed,
    line_account,
    money,
    post_transaction,
    signed_sum,
)
from budgets.services.payments import create_batch, debtor_config, export_batch_sepa, pay_batch


def public_transactions() -> Iterator[dict[str, Any]]:
    """Rows for /open-data/transactions.csv (see budgets.selectors.public_transactions)."""
    from budgets.selectors import public_transactions as rows

    return rows()


__all__ = [
    "SYSTEM_BANK",
    "SYSTEM_GRANT_SOURCE",
    "SYSTEM_RETURNED",
    "TRANSITIONS",
    "Line",
    "PeriodClosedError",
    "account_balance",
    "adjust_grant",
    "approve_claim",
    "book_grant",
    "budget_account",
    "budget_remaining",
    "budget_spent",
    "carried_over_account",
    "close_year",
    "create_batch",
    "debtor_config",
    "ensure_system_accounts",
    "export_batch_sepa",
    "get_system_account",
    "is_budget_closed",
    "line_account",
    "money",
    "pay_batch",
    "post_transaction",
    "public_transactions",
    "reject_claim",
    "request_claim_changes",
    "resubmit_claim",
    "reverse_transaction",
    "signed_sum",
    "submit_claim",
    "validate_iban",
]
