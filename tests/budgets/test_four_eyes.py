"""Four eyes where money leaves: thresholds, overspends, own platform, batches, reversals.

Through the views (and forged POSTs), with the services underneath."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from budgets import permissions
from budgets.models import Budget, ExpenseClaim, PaymentBatch, ReversalRequest, Transaction
from budgets.services import (
    approve_claim,
    book_grant,
    create_batch,
    release_batch,
    request_claim_changes,
    request_reversal,
    resubmit_claim,
    reverse_transaction,
    withdraw_reversal,
)
from platforms.models import Membership
from tests.budgets.conftest import approve_fully, make_claim, png_upload
from tests.budgets.factories import granted_decision
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_budget(platform, support_staff2):
    """€ 5000 in two lines, so amounts around the threshold fit."""
    decision = granted_decision(
        platform=platform,
        amount="5000.00",
        lines=(("Activiteiten", "2500.00"), ("Materiaal", "2500.00")),
    )
    return book_grant(decision=decision, by=support_staff2)


def _submit_through_the_form(client, platform, budget, amount: str) -> ExpenseClaim:
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    response = client.post(
        url,
        {
            "budget_line": budget.lines.first().pk,
            "amount": amount,
            "expense_date": "2026-04-02",
            "payee_name": "Zaalverhuur Zuidoost",
            "payee_is_organisation": "on",
            "iban": "NL91 ABNA 0417 1643 00",
            "description": "Zaalhuur buurtavond",
            "receipts": [png_upload()],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExpenseClaim.objects.latest("pk")


def test_threshold_499_99_needs_one_approval_500_01_needs_two(
    client_for, platform, member, big_budget, support_staff, support_staff2
):
    claimant = client_for(member)
    small = _submit_through_the_form(claimant, platform, big_budget, "499,99")
    large = _submit_through_the_form(claimant, platform, big_budget, "500,01")
    assert (small.amount, large.amount) == (Decimal("499.99"), Decimal("500.01"))

    first = client_for(support_staff)
    for claim in (small, large):
        assert first.post(reverse("budgets:claim_approve", args=[claim.pk]), {}).status_code == 302
    small.refresh_from_db()
    large.refresh_from_db()
    assert small.status == ExpenseClaim.Status.APPROVED
    assert large.status == ExpenseClaim.Status.SUBMITTED and large.awaits_second_approval
    assert Budget.objects.get(pk=big_budget.pk).committed == Decimal("499.99")

    # The review page says so, and who gave the first approval; the first approver gets no
    # approve button, and a forged POST by them changes nothing.
    url = reverse("budgets:claim_review", args=[large.pk])
    page = first.get(url).content.decode()
    assert "Wacht op tweede akkoord" in page and "Sam Support" in page
    assert "Tweede akkoord geven</button>" not in page
    first.post(reverse("budgets:claim_approve", args=[large.pk]), {})
    large.refresh_from_db()
    assert large.status == ExpenseClaim.Status.SUBMITTED and large.second_approved_by is None

    second = client_for(support_staff2)
    page = second.get(url).content.decode()
    assert "Tweede akkoord geven</button>" in page
    response = second.post(reverse("budgets:claim_approve", args=[large.pk]), {}, follow=True)
    assert "is goedgekeurd" in response.content.decode()
    large.refresh_from_db()
    assert large.status == ExpenseClaim.Status.APPROVED
    assert (large.approved_by, large.second_approved_by) == (support_staff, support_staff2)
    assert Budget.objects.get(pk=big_budget.pk).committed == Decimal("1000.00")


def test_exactly_the_threshold_is_not_above_it(big_budget, member, support_staff):
    claim = approve_claim(claim=make_claim(big_budget, member, amount="500.00"), by=support_staff)
    assert claim.status == ExpenseClaim.Status.APPROVED


def test_the_threshold_is_a_setting(settings, big_budget, member, support_staff):
    settings.FOUR_EYES_THRESHOLD = Decimal("100.00")
    claim = approve_claim(claim=make_claim(big_budget, member, amount="150.00"), by=support_staff)
    assert claim.awaits_second_approval


def test_the_rule_is_one_predicate():
    assert permissions.needs_second_approval("reversal")
    assert permissions.needs_second_approval("year_close")
    assert permissions.needs_second_approval("claim", amount=Decimal("10.00"), overspend=True)
    assert not permissions.needs_second_approval("claim", amount=Decimal("500.00"))
    assert permissions.needs_second_approval("claim", amount=Decimal("500.01"))
    with pytest.raises(ValueError):
        permissions.needs_second_approval("lunch")


def test_any_overspend_needs_a_second_person_who_confirms_the_reason(
    client_for, budget, member, support_staff, support_staff2
):
    for _ in range(2):  # € 900 of € 1000, in claims below the threshold: one approval each
        approve_claim(claim=make_claim(budget, member, amount="450.00"), by=support_staff)
    over = make_claim(budget, member, amount="200.00")
    first = client_for(support_staff)
    url = reverse("budgets:claim_approve", args=[over.pk])
    assert first.post(url, {}).status_code == 409  # no reason: refused
    first.post(url, {"override_reason": "Extra toegezegd door het stadsdeel"})
    over.refresh_from_db()
    assert over.awaits_second_approval and over.override_reason
    assert Budget.objects.get(pk=budget.pk).overspend_allowance == 0

    second = client_for(support_staff2)
    page = second.get(reverse("budgets:claim_review", args=[over.pk])).content.decode()
    assert "Extra toegezegd door het stadsdeel" in page and "confirm_override" in page
    second.post(url, {})  # not confirmed
    over.refresh_from_db()
    assert over.status == ExpenseClaim.Status.SUBMITTED
    second.post(url, {"confirm_override": "on"})
    over.refresh_from_db()
    budget = Budget.objects.get(pk=budget.pk)
    assert over.status == ExpenseClaim.Status.APPROVED
    assert budget.committed == Decimal("1100.00")
    assert budget.overspend_allowance == Decimal("100.00")


def test_nobody_reviews_claims_of_their_own_platform(
    client_for, budget, platform, member, support_staff
):
    MembershipFactory(platform=platform, user=support_staff, role=Membership.Role.MEMBER)
    claim = make_claim(budget, member)
    client = client_for(support_staff)
    page = client.get(reverse("budgets:claim_review", args=[claim.pk])).content.decode()
    assert "lid van dit platform" in page
    assert "claim_approve" not in page and "/goedkeuren/" not in page
    client.post(reverse("budgets:claim_approve", args=[claim.pk]), {})  # forged
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    with pytest.raises(ValidationError):
        approve_claim(claim=claim, by=support_staff)


def test_a_changed_claim_is_reviewed_afresh(big_budget, member, support_staff, support_staff2):
    claim = approve_claim(claim=make_claim(big_budget, member, amount="800.00"), by=support_staff)
    assert claim.awaits_second_approval
    request_claim_changes(claim=claim, by=support_staff2, message="Bon onleesbaar")
    resubmit_claim(claim=claim, by=member, fields={"amount": Decimal("750.00")})
    claim.refresh_from_db()
    assert claim.approved_by is None and not claim.awaits_second_approval


def _mixed_batch(big_budget, member, approvers):
    claims = [
        approve_fully(make_claim(big_budget, member, amount="100.00"), approvers[0]),
        approve_fully(make_claim(big_budget, member, amount="700.00"), approvers[0], approvers[1]),
    ]
    return create_batch(claims=claims, by=approvers[0])


def test_a_mixed_batch_is_released_by_someone_who_approved_none_of_it(
    client_for, big_budget, member, support_staff, support_staff2, support_staff3
):
    batch = _mixed_batch(big_budget, member, [support_staff, support_staff2])
    page = client_for(support_staff).get(reverse("budgets:batch_detail", args=[batch.pk]))
    body = page.content.decode()
    assert "Vier ogen" in body and "Sven Support" in body  # who can release it
    assert "Vrijgeven en betaalbestand maken" not in body
    for person in (support_staff, support_staff2):
        with pytest.raises(ValidationError, match="Vier ogen"):
            release_batch(batch=batch, by=person)
    body = client_for(support_staff3).get(reverse("budgets:batch_detail", args=[batch.pk]))
    assert "Vrijgeven en betaalbestand maken" in body.content.decode()
    release_batch(batch=batch, by=support_staff3)
    assert PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.RELEASED


def test_the_batch_page_says_when_nobody_can_release(
    client_for, big_budget, member, support_staff, support_staff2
):
    batch = _mixed_batch(big_budget, member, [support_staff, support_staff2])
    body = client_for(support_staff).get(reverse("budgets:batch_detail", args=[batch.pk]))
    assert "annuleer de batch en maak kleinere batches" in body.content.decode()
    assert permissions.batch_outsiders(batch) == []


def test_a_batch_is_cancelled_until_it_is_released(
    client_for, budget, member, support_staff, support_staff2
):
    claim = approve_claim(claim=make_claim(budget, member), by=support_staff)
    batch = create_batch(claims=[claim], by=support_staff)
    client = client_for(support_staff)
    page = client.get(reverse("budgets:batch_detail", args=[batch.pk])).content.decode()
    assert "Batch annuleren" in page
    client.post(reverse("budgets:batch_cancel", args=[batch.pk]))
    claim.refresh_from_db()
    assert claim.batch is None and claim.status == ExpenseClaim.Status.APPROVED
    batch2 = create_batch(claims=[claim], by=support_staff)
    release_batch(batch=batch2, by=support_staff2)
    page = client.get(reverse("budgets:batch_detail", args=[batch2.pk])).content.decode()
    assert "Batch annuleren" not in page
    client.post(reverse("budgets:batch_cancel", args=[batch2.pk]))  # forged
    batch2.refresh_from_db()
    assert batch2.status == PaymentBatch.Status.RELEASED


def test_a_reversal_is_asked_by_one_and_confirmed_by_another(budget, support_staff, support_staff2):
    grant = Transaction.objects.get(kind="grant")
    with pytest.raises(ValidationError, match="Vier ogen"):
        reverse_transaction(original=grant, by=support_staff, reason="Fout")  # no request
    request = request_reversal(original=grant, by=support_staff, reason="Fout besluit")
    with pytest.raises(ValidationError, match="al een tegenboeking aangevraagd"):
        request_reversal(original=grant, by=support_staff2, reason="ook")
    with pytest.raises(ValidationError, match="Vier ogen"):
        reverse_transaction(original=grant, by=support_staff, reason="Fout besluit")
    with pytest.raises(ValidationError):
        withdraw_reversal(request=request, by=support_staff2)  # only the asker withdraws
    reversal = reverse_transaction(original=grant, by=support_staff2, reason=request.reason)
    request.refresh_from_db()
    assert request.status == ReversalRequest.Status.CONFIRMED
    assert request.decided_by == support_staff2
    assert reversal.reverses == grant and reversal.booked_by == support_staff2


def test_a_pending_reversal_can_be_withdrawn(client_for, budget, support_staff):
    grant = Transaction.objects.get(kind="grant")
    request = request_reversal(original=grant, by=support_staff, reason="Toch niet")
    client_for(support_staff).post(reverse("budgets:reversal_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == ReversalRequest.Status.WITHDRAWN
    assert not Transaction.objects.filter(kind="reversal").exists()
    page = client_for(support_staff).get(reverse("budgets:reversal_list")).content.decode()
    assert "Ingetrokken" in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
)
def test_two_colleagues_giving_the_second_approval_at_once_approve_once(
    platform, member, support_staff, support_staff2, support_staff3
):
    from tests.budgets.test_concurrency import run_concurrently

    budget = book_grant(
        decision=granted_decision(platform=platform, amount="5000.00", lines=(("A", "5000.00"),)),
        by=support_staff,
    )
    claim = approve_claim(claim=make_claim(budget, member, amount="800.00"), by=support_staff)
    staff = [support_staff2, support_staff3]

    results = run_concurrently(2, lambda i: approve_claim(claim=claim, by=staff[i]).status)

    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("800.00")
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.second_approved_by in staff
