"""Expense claims: submission, four eyes, overspending, statements, transitions, e-mail."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import SUPPORT
from audit.models import AuditEntry
from budgets.models import Budget, ExpenseClaim
from budgets.services import (
    approve_claim,
    reject_claim,
    request_claim_changes,
    resubmit_claim,
    validate_iban,
)
from tests.budgets.conftest import approve_fully, make_claim
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_member_submits_a_claim_with_receipt(budget, member, platform):
    activity = ActivityFactory(platform=platform)
    claim = make_claim(budget, member, activities=[activity])
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    assert claim.receipts.count() == 1
    receipt = claim.receipts.get()
    assert receipt.file.name.startswith("private/receipts/")
    assert receipt.content_type == "image/png"
    assert list(claim.activities.all()) == [activity]
    assert AuditEntry.objects.filter(action="budgets.claim.submitted").count() == 1


def test_activities_of_other_platforms_are_not_linked(budget, member, other_platform):
    claim = make_claim(budget, member, activities=[ActivityFactory(platform=other_platform)])
    assert claim.activities.count() == 0


def test_outsider_cannot_submit_a_claim(budget, other_coordinator, support_staff):
    for user in (other_coordinator, support_staff):
        with pytest.raises(ValidationError):
            make_claim(budget, user)


def test_claim_needs_receipt_or_statement(budget, member):
    with pytest.raises(ValidationError, match="bon"):
        make_claim(budget, member, receipt=False)
    claim = make_claim(budget, member, receipt=False, no_receipt_statement="Marktkraam, J. Jansen")
    assert claim.receipts.count() == 0


@pytest.mark.parametrize("iban", ["NL91ABNA0417164301", "XX00", "NL91 ABNA 0417", ""])
def test_invalid_iban_is_refused(iban):
    with pytest.raises(ValidationError):
        validate_iban(iban)


def test_iban_is_normalised():
    assert validate_iban("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"


def test_support_staff_approve_and_the_member_is_told(
    budget, claim, support_staff, member, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_claim(claim=claim, by=support_staff)
    claim.refresh_from_db()
    budget.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.APPROVED
    assert claim.reviewed_by == support_staff
    assert budget.committed == Decimal("100.00")
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "goedgekeurd" in mail.outbox[0].subject


def test_submitter_never_approves_own_claim_even_with_support_role(budget, member):
    member.groups.add(*UserFactory(roles=[SUPPORT]).groups.all())
    member = type(member).objects.get(pk=member.pk)  # drop the role cache
    claim = make_claim(budget, member)
    with pytest.raises(ValidationError, match="Vier ogen"):
        approve_claim(claim=claim, by=member)
    with pytest.raises(ValidationError, match="Vier ogen"):
        reject_claim(claim=claim, by=member, reason="x")


def test_only_support_staff_review(claim, coordinator, commission_member, admin_user):
    for user in (coordinator, commission_member, admin_user):
        with pytest.raises(PermissionDenied):
            approve_claim(claim=claim, by=user)


def test_approving_twice_says_already_approved(claim, support_staff, support_staff2):
    approve_claim(claim=claim, by=support_staff)
    with pytest.raises(ValidationError, match="al goedgekeurd"):
        approve_claim(claim=claim, by=support_staff2)
    budget = Budget.objects.get()
    assert budget.committed == Decimal("100.00")


def test_overspend_is_refused_without_override(budget, member, support_staff, support_staff2):
    first = make_claim(budget, member, amount="900.00")
    approve_fully(first, support_staff, support_staff2)  # above the threshold: four eyes
    second = make_claim(budget, member, amount="200.00")
    with pytest.raises(ValidationError, match="Onvoldoende budget") as exc:
        approve_claim(claim=second, by=support_staff)
    assert exc.value.code == "insufficient_budget"
    second.refresh_from_db()
    assert second.status == ExpenseClaim.Status.SUBMITTED


def test_overspend_with_recorded_override(budget, member, support_staff, support_staff2):
    approve_fully(make_claim(budget, member, amount="900.00"), support_staff, support_staff2)
    second = make_claim(budget, member, amount="200.00")
    approve_claim(claim=second, by=support_staff, override_reason="Afgesproken met stadsdeel")
    second.refresh_from_db()
    assert second.status == ExpenseClaim.Status.SUBMITTED  # any overspend: four eyes
    # The second person confirms the reason explicitly.
    with pytest.raises(ValidationError, match="Bevestig de reden"):
        approve_claim(claim=second, by=support_staff2)
    approve_claim(claim=second, by=support_staff2, confirm_override=True)
    second.refresh_from_db()
    budget.refresh_from_db()
    assert second.status == ExpenseClaim.Status.APPROVED
    assert (second.approved_by, second.second_approved_by) == (support_staff, support_staff2)
    assert second.override_reason == "Afgesproken met stadsdeel"
    assert budget.committed == Decimal("1100.00")
    assert budget.overspend_allowance == Decimal("100.00")
    entry = AuditEntry.objects.filter(action="budgets.claim.approved").first()
    assert entry.data["override_reason"] == "Afgesproken met stadsdeel"


def test_statement_without_receipt_must_be_accepted_explicitly(budget, member, support_staff):
    claim = make_claim(budget, member, receipt=False, no_receipt_statement="Geen bon: markt.")
    with pytest.raises(ValidationError, match="verklaring"):
        approve_claim(claim=claim, by=support_staff)
    approve_claim(claim=claim, by=support_staff, accept_statement=True)
    claim.refresh_from_db()
    assert claim.statement_accepted_by == support_staff


def test_reject_with_reason_notifies(
    claim, support_staff, member, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        reject_claim(claim=claim, by=support_staff, reason="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reject_claim(claim=claim, by=support_staff, reason="Geen zakelijke uitgave")
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.REJECTED
    assert "Geen zakelijke uitgave" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="al afgewezen"):
        approve_claim(claim=claim, by=support_staff)


def test_changes_requested_then_resubmitted(
    claim, support_staff, member, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_claim_changes(claim=claim, by=support_staff, message="Bon is onleesbaar")
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.CHANGES_REQUESTED
    assert "onleesbaar" in mail.outbox[-1].body
    with pytest.raises(ValidationError):
        resubmit_claim(claim=claim, by=coordinator, fields={})
    resubmit_claim(claim=claim, by=member, fields={"amount": Decimal("90.00")})
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    assert claim.amount == Decimal("90.00")


@pytest.mark.parametrize(
    "status",
    [s for s in ExpenseClaim.Status.values if s != ExpenseClaim.Status.SUBMITTED],
)
def test_only_submitted_claims_can_be_approved(claim, support_staff, status):
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=status)
    with pytest.raises(ValidationError):
        approve_claim(claim=claim, by=support_staff)
    ExpenseClaim.objects.filter(pk=claim.pk).update(status="rejected")  # keep invariants
