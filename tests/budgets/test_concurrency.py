"""Concurrent requests never overspend and never pay twice (threads on PostgreSQL).

Each thread uses its own database connection and closes it; a Barrier releases them at once.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budgets.models import Account, AccountBalance, Budget, ExpenseClaim, Transaction
from budgets.selectors import balances_mismatch
from budgets.services import (
    Line,
    approve_claim,
    book_grant,
    budget_account,
    budget_remaining,
    create_batch,
    get_system_account,
    pay_batch,
    post_transaction,
    release_batch,
    request_reversal,
    reverse_transaction,
)
from tests.budgets.conftest import make_claim
from tests.budgets.factories import granted_decision

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
    ),
]


def run_concurrently(n: int, fn) -> list[tuple[str, object]]:
    barrier = threading.Barrier(n, timeout=20)
    results: list[tuple[str, object]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait()
            outcome = ("ok", fn(i))
        except ValidationError as exc:
            outcome = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcome = ("error", exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == n
    assert [r for r in results if r[0] == "error"] == []
    return results


def test_ten_concurrent_approvals_of_200_on_1000_exactly_five_succeed(
    platform, member, support_staff
):
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    claims = [make_claim(budget, member, amount="200.00") for _ in range(10)]

    results = run_concurrently(10, lambda i: approve_claim(claim=claims[i], by=support_staff).pk)

    assert sum(1 for r in results if r[0] == "ok") == 5
    refused = [r[1] for r in results if r[0] == "refused"]
    assert len(refused) == 5
    assert all(exc.code == "insufficient_budget" for exc in refused)
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.committed == Decimal("1000.00")
    assert ExpenseClaim.objects.filter(status="approved").count() == 5


def test_the_same_claim_approved_twice_at_once_is_approved_once(
    platform, member, support_staff, support_staff2
):
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    claim = make_claim(budget, member, amount="300.00")
    staff = [support_staff, support_staff2]

    results = run_concurrently(2, lambda i: approve_claim(claim=claim, by=staff[i]).pk)

    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("300.00")


def test_a_batch_paid_twice_at_once_pays_each_claim_once(
    platform, member, support_staff, support_staff2
):
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    claims = [make_claim(budget, member, amount="100.00") for _ in range(3)]
    for c in claims:
        approve_claim(claim=c, by=support_staff)
    batch = create_batch(claims=claims, by=support_staff)
    release_batch(batch=batch, by=support_staff2)

    results = run_concurrently(4, lambda i: pay_batch(batch=batch, by=support_staff2).pk)

    assert sum(1 for r in results if r[0] == "ok") == 1
    assert Transaction.objects.filter(kind="payment").count() == 3
    assert budget_remaining(budget) == Decimal("700.00")


def test_concurrent_grant_booking_books_once(platform, support_staff):
    decision = granted_decision(platform=platform)

    results = run_concurrently(6, lambda i: book_grant(decision=decision, by=support_staff).pk)

    assert {r[1] for r in results} == {Budget.objects.get().pk}
    assert Transaction.objects.filter(kind="grant").count() == 1


def test_concurrent_reversals_reverse_once(platform, support_staff, support_staff2, support_staff3):
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    grant = Transaction.objects.get(kind="grant")
    request_reversal(original=grant, by=support_staff, reason="dubbel")
    staff = [support_staff2, support_staff3]  # two colleagues confirm the same request at once

    results = run_concurrently(
        2, lambda i: reverse_transaction(original=grant, by=staff[i], reason="dubbel").pk
    )

    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert Transaction.objects.filter(kind="reversal").count() == 1
    assert budget_remaining(budget) == Decimal("0.00")


def test_concurrent_http_approvals_give_exactly_five_successes_and_409s(
    platform, member, support_staff
):
    """The same race through the views: each thread is a separate logged-in client."""
    from django.test import Client
    from django.urls import reverse

    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    claims = [make_claim(budget, member, amount="200.00") for _ in range(10)]
    clients = []
    for _ in range(10):
        client = Client()
        client.force_login(support_staff)
        clients.append(client)

    def post(i: int) -> int:
        url = reverse("budgets:claim_approve", args=[claims[i].pk])
        return clients[i].post(url, {}).status_code

    results = run_concurrently(10, post)

    codes = sorted(r[1] for r in results)
    assert codes == [302] * 5 + [409] * 5
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("1000.00")


def test_concurrent_postings_on_the_same_accounts_lose_nothing(platform, support_staff):
    """Eight postings at once on the same two accounts, half of them listing the accounts in
    the other order: every amount is in both kept balances (no lost update, no deadlock)."""
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff)
    source = get_system_account(Account.Kind.GRANT_SOURCE)
    target = budget_account(budget)

    def post(i: int) -> int:
        lines = [Line(target, "debit", Decimal("1.00")), Line(source, "credit", Decimal("1.00"))]
        return post_transaction(
            budget=budget,
            kind="grant",
            lines=lines if i % 2 else lines[::-1],
            value_date=datetime.date(2026, 5, 1),
            description=f"tegelijk {i}",
        ).pk

    results = run_concurrently(8, post)

    assert [r[0] for r in results] == ["ok"] * 8
    kept = dict(AccountBalance.objects.values_list("account_id", "balance"))
    assert kept[target.pk] == Decimal("1008.00") == budget_remaining(budget)
    assert kept[source.pk] == Decimal("-1008.00")
    assert balances_mismatch() == []
