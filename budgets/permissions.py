"""Who may see and do what with budgets, claims, receipts, batches and the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import require
from accounts.roles import SUPPORT, is_admin, is_support
from budgets import selectors
from budgets.models import (
    BankStatement,
    Budget,
    ExpenseClaim,
    PaymentBatch,
    PlanVersion,
    Receipt,
    ReversalRequest,
    Transaction,
    YearClose,
)
from platforms.models import Platform
from platforms.selectors import is_coordinator, is_member, takes_new_work


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_platform_member(user, platform: Platform) -> bool:
    return is_member(user, platform)


def is_platform_coordinator(user, platform: Platform) -> bool:
    return is_coordinator(user, platform)


def can_administer(user) -> bool:
    """The /administratie/ area: support organisation staff only."""
    return is_support(user)


def can_view_platform_books(user, platform: Platform) -> bool:
    """Members see their platform's budget page and their own claims there."""
    return is_support(user) or is_admin(user) or is_platform_member(user, platform)


def can_export_ledger(user, platform: Platform) -> bool:
    return is_support(user) or is_platform_coordinator(user, platform)


def can_view_ledger_private(user, platform: Platform) -> bool:
    """Private descriptions in a ledger export (they can name payees): support staff only."""
    return is_support(user)


def can_submit_claim(user, budget: Budget) -> bool:
    return is_platform_member(user, budget.platform) and takes_new_work(budget.platform)


def is_own_claim(user, claim: ExpenseClaim) -> bool:
    """The submitter, as long as they are still a member: someone who leaves or is removed
    loses every right on the platform's claims at once (docs/privacy.md)."""
    return (
        _authenticated(user)
        and claim.submitted_by_id == user.pk
        and is_platform_member(user, claim.budget.platform)
    )


def can_view_claim(user, claim: ExpenseClaim) -> bool:
    """Amount, status and public description: the submitter, the platform's coordinators and
    support staff."""
    if not _authenticated(user):
        return False
    return (
        is_own_claim(user, claim)
        or is_support(user)
        or is_platform_coordinator(user, claim.budget.platform)
    )


def can_view_claim_private(user, claim: ExpenseClaim) -> bool:
    """IBAN, a private payee's name, private notes and receipts: only the submitter and the
    support organisation (volunteer coordinators do not see other members' bank details)."""
    return is_own_claim(user, claim) or is_support(user)


def can_view_receipt(user, receipt: Receipt) -> bool:
    return can_view_claim_private(user, receipt.claim)


def can_edit_claim(user, claim: ExpenseClaim) -> bool:
    return is_own_claim(user, claim) and claim.status == ExpenseClaim.Status.CHANGES_REQUESTED


def can_review_claim(user, claim: ExpenseClaim) -> bool:
    """Four eyes: support staff, but never on a claim they submitted themselves, nor on a claim
    of a platform they are a member of (their own platform's money)."""
    return (
        is_support(user)
        and claim.submitted_by_id != user.pk
        and not is_platform_member(user, claim.budget.platform)
    )


# --- four eyes where money leaves ---------------------------------------------------------
# One rule, one predicate: the services call these (under their row locks) and the views use the
# same ones to show a button or "wacht op tweede akkoord".

#: Decisions that always need a second, different support person.
ALWAYS_FOUR_EYES = frozenset({"reversal", "year_close"})


def needs_second_approval(
    action: str = "claim", *, amount: Decimal | None = None, overspend: bool = False
) -> bool:
    """Does this money decision need a second, different support person?

    ``"claim"``: a claim above ``settings.FOUR_EYES_THRESHOLD`` or any overspend;
    ``"reversal"`` and ``"year_close"``: always. The year close calls this with
    ``"year_close"`` and :func:`is_second_person` for who may give the second approval.
    """
    if action in ALWAYS_FOUR_EYES:
        return True
    if action != "claim":
        raise ValueError(f"unknown four-eyes action {action!r}")
    return overspend or (amount is not None and amount > settings.FOUR_EYES_THRESHOLD)


def is_second_person(user, first_by_id: int | None) -> bool:
    """Support staff other than the one who gave the first approval (or made the request)."""
    return is_support(user) and first_by_id is not None and user.pk != first_by_id


def can_approve_claim(user, claim: ExpenseClaim) -> bool:
    """A reviewer who did not give the claim's first approval (the second is another's)."""
    return can_review_claim(user, claim) and (
        claim.approved_by_id is None or is_second_person(user, claim.approved_by_id)
    )


def _batch_insiders(batch: PaymentBatch) -> set[int]:
    """Who approved (first or second) or submitted any claim in the batch."""
    ids: set[int] = set()
    for row in batch.claims.values_list("approved_by", "second_approved_by", "submitted_by"):
        ids.update(pk for pk in row if pk)
    return ids


def is_batch_outsider(user, batch: PaymentBatch) -> bool:
    """Four eyes on a batch: support staff who approved or submitted none of its claims."""
    return is_support(user) and user.pk not in _batch_insiders(batch)


def can_release_batch(user, batch: PaymentBatch) -> bool:
    """An open batch is released (its SEPA file made once, then locked) by an outsider to it."""
    return batch.status == PaymentBatch.Status.OPEN and is_batch_outsider(user, batch)


def can_pay_batch(user, batch: PaymentBatch) -> bool:
    """A released batch is marked paid without a bank statement by an outsider to it."""
    return batch.status == PaymentBatch.Status.RELEASED and is_batch_outsider(user, batch)


def can_cancel_batch(user, batch: PaymentBatch) -> bool:
    """Until it is released, support staff can cancel a batch (its claims stay approved)."""
    return is_support(user) and batch.status == PaymentBatch.Status.OPEN


def batch_outsiders(batch: PaymentBatch) -> list[User]:
    """The support staff who may release or pay the batch (named on the batch page)."""
    insiders = _batch_insiders(batch)
    staff = User.objects.filter(is_active=True, groups__name=SUPPORT).order_by("name", "email")
    return [u for u in staff.distinct() if u.pk not in insiders]


def can_confirm_reversal(user, request: ReversalRequest) -> bool:
    """A pending reversal is confirmed by a different support person than the one who asked."""
    return request.status == ReversalRequest.Status.PENDING and is_second_person(
        user, request.requested_by_id
    )


def can_withdraw_reversal(user, request: ReversalRequest) -> bool:
    return (
        request.status == ReversalRequest.Status.PENDING
        and is_support(user)
        and request.requested_by_id == user.pk
    )


def can_import_statement(user) -> bool:
    """Support staff import the bank's statements: the bank's word, so no second person."""
    return is_support(user)


# --- getters (views get protected objects only through these) ----------------------------


def require_administration(user) -> None:
    require(can_administer(user))


def get_platform_books_for_user(user, slug: str) -> Platform:
    platform = get_object_or_404(Platform, slug=slug)
    if not can_view_platform_books(user, platform):
        raise PermissionDenied
    return platform


def get_budget_for_claim_submission(user, slug: str, pk: int) -> Budget:
    budget = get_object_or_404(
        Budget.objects.select_related("platform"), pk=pk, platform__slug=slug
    )
    if not can_submit_claim(user, budget):
        raise PermissionDenied
    return budget


def get_claim_for_user(user, pk: int, *, write: bool = False) -> ExpenseClaim:
    claim = get_object_or_404(
        ExpenseClaim.objects.select_related("budget__platform", "budget_line", "submitted_by"),
        pk=pk,
    )
    if not can_view_claim(user, claim):
        # Out of scope for members of other platforms and outsiders: it does not exist for them.
        raise Http404
    if write and not can_edit_claim(user, claim):
        raise PermissionDenied
    return claim


def get_receipt_for_user(user, claim_pk: int, pk: int) -> Receipt:
    receipt = get_object_or_404(
        Receipt.objects.select_related("claim__budget__platform"), pk=pk, claim_id=claim_pk
    )
    if not can_view_receipt(user, receipt):
        raise Http404
    return receipt


def get_claim_for_review(user, pk: int) -> ExpenseClaim:
    require_administration(user)
    return get_object_or_404(
        ExpenseClaim.objects.select_related("budget__platform", "budget_line", "submitted_by"),
        pk=pk,
    )


def get_batch_for_user(user, pk: int) -> PaymentBatch:
    require_administration(user)
    return get_object_or_404(PaymentBatch, pk=pk)


def get_budget_for_administration(user, pk: int) -> Budget:
    require_administration(user)
    return get_object_or_404(Budget.objects.select_related("platform", "round"), pk=pk)


def get_transaction_for_administration(user, pk: int) -> Transaction:
    require_administration(user)
    return get_object_or_404(Transaction, pk=pk)


def get_platform_for_ledger_export(user, slug: str) -> Platform:
    platform = get_object_or_404(Platform, slug=slug)
    if not can_export_ledger(user, platform):
        raise PermissionDenied
    return platform


def get_reversal_request_for_user(user, pk: int) -> ReversalRequest:
    require_administration(user)
    return get_object_or_404(
        ReversalRequest.objects.select_related("transaction", "requested_by"), pk=pk
    )


def get_statement_for_user(user, pk: int) -> BankStatement:
    require_administration(user)
    return get_object_or_404(BankStatement, pk=pk)


# --- re-budgeting and the year close --------------------------------------------------------


def can_propose_plan(user, budget: Budget) -> bool:
    """The platform's coordinators propose a new version of its budget's plan lines."""
    return is_platform_coordinator(user, budget.platform)


def can_review_plan_version(user, version: PlanVersion) -> bool:
    """Four eyes: a submitted plan version is approved or rejected by a support person who did
    not propose it and is no member of the platform (its own money)."""
    return (
        version.status == PlanVersion.Status.SUBMITTED
        and is_second_person(user, version.created_by_id)
        and not is_platform_member(user, version.budget.platform)
    )


def can_close_year_yet(budget: Budget) -> bool:
    """A budget's year can be closed once the year has ended; when the settings allow it
    (YEAR_CLOSE_EARLY_WHEN_SPENT), a fully spent budget (nothing remains) also before."""
    if selectors.year_has_ended(budget):
        return True
    return bool(settings.YEAR_CLOSE_EARLY_WHEN_SPENT) and selectors.remaining_of(budget) <= 0


def can_propose_year_close(user, budget: Budget) -> bool:
    """Support staff propose a close (a different person confirms it)."""
    return is_support(user)


def can_confirm_year_close(user, close: YearClose) -> bool:
    """Four eyes (needs_second_approval("year_close")): a support person other than the one who
    proposed it, and no member of the platform, confirms a proposed close."""
    return (
        needs_second_approval("year_close")
        and close.status == YearClose.Status.PROPOSED
        and is_second_person(user, close.proposed_by_id)
        and not is_platform_member(user, close.budget.platform)
    )


def can_cancel_year_close(user, close: YearClose) -> bool:
    """Any support person can withdraw a pending proposal (a close or its reversal)."""
    return is_support(user) and (
        close.status == YearClose.Status.PROPOSED
        or (close.status == YearClose.Status.CLOSED and close.reversal_proposed_by_id is not None)
    )


def year_close_reversible(close: YearClose) -> bool:
    """A close in force can be reversed until the year's accounts are exported."""
    return close.status == YearClose.Status.CLOSED and close.accounts_exported_at is None


def can_propose_year_close_reversal(user, close: YearClose) -> bool:
    return (
        is_support(user) and year_close_reversible(close) and close.reversal_proposed_by_id is None
    )


def can_confirm_year_close_reversal(user, close: YearClose) -> bool:
    """Four eyes again: a different support person than the one who proposed the reversal."""
    return (
        year_close_reversible(close)
        and is_second_person(user, close.reversal_proposed_by_id)
        and not is_platform_member(user, close.budget.platform)
    )


def get_budget_for_plan_proposal(user, slug: str, pk: int) -> Budget:
    budget = get_object_or_404(
        Budget.objects.select_related("platform"), pk=pk, platform__slug=slug
    )
    if not can_propose_plan(user, budget):
        raise PermissionDenied
    return budget


def get_plan_version_for_review(user, pk: int) -> PlanVersion:
    require_administration(user)
    return get_object_or_404(
        PlanVersion.objects.select_related("budget__platform", "created_by", "reviewed_by"), pk=pk
    )


def get_year_close_for_administration(user, pk: int) -> YearClose:
    require_administration(user)
    return get_object_or_404(
        YearClose.objects.select_related("budget__platform", "proposed_by", "next_budget"), pk=pk
    )
