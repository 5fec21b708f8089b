"""Who may see and do what with budgets, claims, receipts, batches and the ledger."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import require
from accounts.roles import is_admin, is_support
from budgets.models import Budget, ExpenseClaim, PaymentBatch, Receipt, Transaction
from platforms.models import Platform
from platforms.selectors import is_coordinator, is_member


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


def can_submit_claim(user, budget: Budget) -> bool:
    return is_platform_member(user, budget.platform)


def can_view_claim(user, claim: ExpenseClaim) -> bool:
    if not _authenticated(user):
        return False
    return (
        claim.submitted_by_id == user.pk
        or is_support(user)
        or is_platform_coordinator(user, claim.budget.platform)
    )


def can_view_receipt(user, receipt: Receipt) -> bool:
    """Receipts are private: the submitter, the platform's coordinators and support staff."""
    return can_view_claim(user, receipt.claim)


def can_edit_claim(user, claim: ExpenseClaim) -> bool:
    return (
        _authenticated(user)
        and claim.submitted_by_id == user.pk
        and claim.status == ExpenseClaim.Status.CHANGES_REQUESTED
    )


def can_review_claim(user, claim: ExpenseClaim) -> bool:
    """Four eyes: support staff, but never on a claim they submitted themselves."""
    return is_support(user) and claim.submitted_by_id != user.pk


def can_pay_batch(user, batch: PaymentBatch) -> bool:
    """Four eyes: support staff who approved or submitted none of the batch's claims."""
    if not is_support(user) or batch.status == PaymentBatch.Status.PAID:
        return False
    return (
        not batch.claims.filter(reviewed_by=user).exists()
        and not batch.claims.filter(submitted_by=user).exists()
    )


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
