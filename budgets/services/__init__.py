"""Use cases of the budgets app. Only this package books money.

Accounting scheme (every transaction balances; balances are debit minus credit):
- grant:      debit the platform's budget account, credit the district's grant source.
- adjustment: a later decision changed the grant (upheld objection): the difference, booked
              like a grant (higher) or the other way round (lower); never below what is spent.
- payment:    debit the budget line's expense account, credit the budget account.
- return:     debit the system "returned funds" account, credit the budget account.
- carry over: debit the platform's carried-over account, credit the budget account.
- carry in:   into the next year's budget a year close created: debit its budget account,
              credit the carried-over account (which so nets to zero).
- reversal:   the original entries with debit and credit swapped.
So the budget account's balance is the money the platform still has, an expense account's
balance is what was spent on that line.

Lock order (to avoid deadlocks): the batch (when paying), then budget rows in id order, then
claims in id order. Modules: ledger (core, grants), claims, payments (batches, release, SEPA
file in sepa), statements (bank statements), reversals (four eyes on corrections), corrections,
plans (re-budgeting), yearclose (the year close, four eyes, its undo).
"""

from collections.abc import Iterator
from typing import Any

from budgets.services.bulk import batch_claims, preview_claims, review_claims
from budgets.services.claims import (
    TRANSITIONS,
    approve_claim,
    reject_claim,
    request_claim_changes,
    resubmit_claim,
    submit_claim,
    validate_iban,
    validate_payee_iban,
)
from budgets.services.corrections import reverse_transaction
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
from budgets.services.payments import (
    cancel_batch,
    create_batch,
    pay_batch,
    release_batch,
    sepa_file_bytes,
)
from budgets.services.plans import approve_plan_version, reject_plan_version, save_plan_version
from budgets.services.reversals import request_reversal, withdraw_reversal
from budgets.services.statements import StatementError, import_statement
from budgets.services.yearclose import (
    cancel_year_close,
    confirm_year_close,
    confirm_year_close_reversal,
    mark_year_accounts_exported,
    propose_year_close,
    propose_year_close_reversal,
)


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
    "batch_claims",
    "book_grant",
    "budget_account",
    "budget_remaining",
    "budget_spent",
    "carried_over_account",
    "approve_plan_version",
    "cancel_year_close",
    "confirm_year_close",
    "confirm_year_close_reversal",
    "mark_year_accounts_exported",
    "propose_year_close",
    "propose_year_close_reversal",
    "reject_plan_version",
    "save_plan_version",
    "StatementError",
    "cancel_batch",
    "create_batch",
    "ensure_system_accounts",
    "import_statement",
    "get_system_account",
    "is_budget_closed",
    "line_account",
    "money",
    "pay_batch",
    "post_transaction",
    "preview_claims",
    "public_transactions",
    "reject_claim",
    "release_batch",
    "request_reversal",
    "request_claim_changes",
    "resubmit_claim",
    "reverse_transaction",
    "sepa_file_bytes",
    "review_claims",
    "signed_sum",
    "submit_claim",
    "validate_iban",
    "validate_payee_iban",
    "withdraw_reversal",
]
