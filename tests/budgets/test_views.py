"""Each role on each budgets view: allowed and denied paths."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import ExpenseClaim, PaymentBatch, ReversalRequest, Transaction
from budgets.services import approve_claim, create_batch, release_batch, request_claim_changes
from tests.budgets.conftest import VALID_IBAN, make_claim, png_upload
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "member",
    "coordinator",
    "other_coordinator",
    "commission_member",
    "support_staff",
    "admin_user",
]


@pytest.fixture
def users(
    resident,
    member,
    coordinator,
    other_coordinator,
    commission_member,
    support_staff,
    admin_user,
):
    return {
        "anonymous": None,
        "resident": resident,
        "member": member,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "commission_member": commission_member,
        "support_staff": support_staff,
        "admin_user": admin_user,
    }


def _expect(role, allowed, denied_status=403):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else denied_status


@pytest.mark.parametrize("role", ROLES)
def test_platform_budget_page(role, users, client_for, budget, platform, claim):
    response = client_for(users[role]).get(reverse("budgets:platform_budget", args=[platform.slug]))
    expected = _expect(role, {"member", "coordinator", "support_staff", "admin_user"})
    assert response.status_code == expected
    if role == "anonymous":
        assert "/account/login/" in response["Location"]
    if expected == 200:
        assert "Activiteiten" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_claim_create_page(role, users, client_for, budget, platform):
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    response = client_for(users[role]).get(url)
    assert response.status_code == _expect(role, {"member", "coordinator"})


def test_member_submits_a_claim_through_the_form(client_for, member, budget, platform, activity):
    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    response = client_for(member).post(
        url,
        {
            "budget_line": budget.lines.first().pk,
            "amount": "42.50",
            "expense_date": "2026-04-02",
            "payee_name": "Jan Jansen",
            "iban": "NL91 ABNA 0417 1643 00",
            "description": "Koffie",
            "activities": [activity.pk],
            "receipts": [png_upload("a.png"), png_upload("b.png")],
        },
    )
    claim = ExpenseClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:claim_detail", args=[claim.pk])
    assert claim.amount == Decimal("42.50")
    assert claim.iban == VALID_IBAN
    assert claim.receipts.count() == 2
    assert claim.submitted_by == member


def test_claim_form_refuses_bad_iban_bad_file_and_missing_receipt(
    client_for, member, budget, platform
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("budgets:claim_create", args=[platform.slug, budget.pk])
    response = client_for(member).post(
        url,
        {
            "budget_line": budget.lines.first().pk,
            "amount": "10.00",
            "expense_date": "2026-04-02",
            "payee_name": "X",
            "iban": "NL00ABNA0000000000",
            "description": "x",
            "receipts": [SimpleUploadedFile("x.html", b"<script>alert(1)</script>")],
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "geen geldig IBAN" in body
    assert "niet toegestaan" in body
    assert ExpenseClaim.objects.count() == 0


@pytest.fixture
def activity(platform):
    from tests.factories import ActivityFactory

    return ActivityFactory(platform=platform)


@pytest.mark.parametrize("role", ROLES)
def test_claim_detail_and_receipt(role, users, client_for, claim):
    client = client_for(users[role])
    allowed = {"member", "coordinator", "support_staff"}
    response = client.get(reverse("budgets:claim_detail", args=[claim.pk]))
    assert response.status_code == _expect(role, allowed, 404)
    receipt = claim.receipts.get()
    response = client.get(reverse("budgets:receipt_download", args=[claim.pk, receipt.pk]))
    # Receipts are private to the submitter and support (docs/privacy.md).
    assert response.status_code == _expect(role, allowed - {"coordinator"}, 404)
    if response.status_code == 200:
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Cache-Control"] == "private, no-store"


def test_receipt_is_not_reachable_through_public_media(client, claim):
    receipt = claim.receipts.get()
    response = client.get("/media/public/../" + receipt.file.name)
    assert response.status_code == 404
    response = client.get("/media/" + receipt.file.name)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_claim_edit_only_for_submitter_after_changes_requested(
    role, users, client_for, claim, support_staff2
):
    request_claim_changes(claim=claim, by=support_staff2, message="Andere bon graag")
    response = client_for(users[role]).get(reverse("budgets:claim_edit", args=[claim.pk]))
    expected = {"member": 200, "coordinator": 403, "support_staff": 403, "anonymous": 302}
    assert response.status_code == expected.get(role, 404)


def test_submitter_resubmits_through_the_form(client_for, member, claim, support_staff2):
    request_claim_changes(claim=claim, by=support_staff2, message="Bedrag klopt niet")
    response = client_for(member).post(
        reverse("budgets:claim_edit", args=[claim.pk]),
        {
            "budget_line": claim.budget_line_id,
            "amount": "95.00",
            "expense_date": "2026-04-01",
            "payee_name": "Jan Jansen",
            "iban": VALID_IBAN,
            "description": "Koffie",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert claim.amount == Decimal("95.00")


@pytest.mark.parametrize("role", ROLES)
def test_ledger_csv(role, users, client_for, budget, platform):
    response = client_for(users[role]).get(reverse("budgets:ledger_csv", args=[platform.slug]))
    assert response.status_code == _expect(role, {"coordinator", "support_staff"})
    if response.status_code == 200:
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert rows[0][:3] == ["transaction_id", "value_date", "recorded_at"]
        assert len(rows) == 3  # header + two entries of the grant


def _admin_urls(claim, batch, budget):
    return [
        reverse("budgets:admin_queue"),
        reverse("budgets:claim_review", args=[claim.pk]),
        reverse("budgets:batch_list"),
        reverse("budgets:batch_detail", args=[batch.pk]),
        reverse("budgets:batch_sepa", args=[batch.pk]),
        reverse("budgets:budget_list"),
        reverse("budgets:budget_detail", args=[budget.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_administration_pages_are_for_support_staff_only(
    role, users, client_for, budget, member, support_staff2
):
    approved = make_claim(budget, member)
    approve_claim(claim=approved, by=support_staff2)
    batch = create_batch(claims=[approved], by=support_staff2)
    release_batch(batch=batch, by=users["support_staff"])  # batch_sepa downloads its file
    client = client_for(users[role])
    for url in _admin_urls(approved, batch, budget):
        response = client.get(url)
        assert response.status_code == _expect(role, {"support_staff"}), url


@pytest.mark.parametrize(
    "name,data",
    [
        ("claim_approve", {}),
        ("claim_reject", {"reason": "nee"}),
        ("claim_request_changes", {"message": "anders"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_review_actions(role, name, data, users, client_for, claim):
    client = client_for(users[role])
    url = reverse(f"budgets:{name}", args=[claim.pk])
    response = client.post(url, data)
    assert response.status_code == (302 if role in ("anonymous", "support_staff") else 403)
    claim.refresh_from_db()
    changed = claim.status != ExpenseClaim.Status.SUBMITTED
    assert changed == (role == "support_staff")
    if role == "support_staff":
        assert client.get(url).status_code == 405


def test_submitter_with_support_role_sees_no_review_buttons(client_for, budget, member):
    from django.contrib.auth.models import Group

    from accounts.roles import SUPPORT

    member.groups.add(Group.objects.get_or_create(name=SUPPORT)[0])
    claim = make_claim(budget, member)
    client = client_for(member)
    page = client.get(reverse("budgets:claim_review", args=[claim.pk])).content.decode()
    assert "Vier ogen" in page
    client.post(reverse("budgets:claim_approve", args=[claim.pk]), {})
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_overspend_through_the_view_is_a_409_with_the_message(
    client_for, budget, member, support_staff, support_staff2
):
    big = make_claim(budget, member, amount="1500.00")
    client = client_for(support_staff)
    response = client.post(reverse("budgets:claim_approve", args=[big.pk]), {})
    assert response.status_code == 409
    assert "Onvoldoende budget" in response.content.decode()
    response = client.post(
        reverse("budgets:claim_approve", args=[big.pk]), {"override_reason": "Extra subsidie"}
    )
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.status == "submitted" and big.approved_by == support_staff  # four eyes
    second = client_for(support_staff2)
    url = reverse("budgets:claim_approve", args=[big.pk])
    second.post(url, {})  # the reason is not confirmed: nothing happens
    big.refresh_from_db()
    assert big.status == "submitted"
    assert second.post(url, {"confirm_override": "on"}).status_code == 302
    big.refresh_from_db()
    assert big.status == "approved" and big.second_approved_by == support_staff2


def test_double_submitted_approval_approves_once(client_for, claim, support_staff):
    client = client_for(support_staff)
    url = reverse("budgets:claim_approve", args=[claim.pk])
    client.post(url, {})
    response = client.post(url, {}, follow=True)
    assert "al goedgekeurd" in response.content.decode()
    claim.budget.refresh_from_db()
    assert claim.budget.committed == claim.amount


def test_batch_create_and_pay_need_reauthentication_and_four_eyes(
    client_for, budget, member, support_staff, support_staff2
):
    claim = make_claim(budget, member)
    approve_claim(claim=claim, by=support_staff)
    approver = client_for(support_staff)
    response = approver.post(reverse("budgets:batch_create"), {"claims": [claim.pk]})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    pay_url = reverse("budgets:batch_pay", args=[batch.pk])
    release_url = reverse("budgets:batch_release", args=[batch.pk])

    payer = client_for(support_staff2)
    for url in (release_url, pay_url):
        response = payer.post(url)
        assert response.status_code == 302
        assert reverse("account_reauthenticate") in response["Location"]
    assert Transaction.objects.filter(kind="payment").count() == 0

    # The approver, even after re-authenticating, cannot release or pay (four eyes).
    approver.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    approver.post(release_url)
    approver.post(pay_url)
    batch.refresh_from_db()
    assert batch.status == "open"
    assert Transaction.objects.filter(kind="payment").count() == 0

    payer.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert payer.post(release_url).status_code == 302
    approver.post(pay_url)  # released now, but still not by its approver
    assert Transaction.objects.filter(kind="payment").count() == 0
    response = payer.post(pay_url)
    assert response.status_code == 302
    assert Transaction.objects.filter(kind="payment").count() == 1
    payer.post(pay_url)
    assert Transaction.objects.filter(kind="payment").count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_batch_pay_denied_to_non_support(role, users, client_for, budget, member, support_staff2):
    claim = make_claim(budget, member)
    approve_claim(claim=claim, by=support_staff2)
    batch = create_batch(claims=[claim], by=support_staff2)
    response = client_for(users[role]).post(reverse("budgets:batch_pay", args=[batch.pk]))
    if role == "support_staff":
        assert reverse("account_reauthenticate") in response["Location"]
    elif role == "anonymous":
        assert "/account/login/" in response["Location"]
    else:
        assert response.status_code == 403


def test_reversal_through_views_is_asked_by_one_and_confirmed_by_another(
    client_for, budget, support_staff, support_staff2
):
    client = client_for(support_staff)
    grant = Transaction.objects.get(kind="grant")
    client.post(reverse("budgets:transaction_reverse", args=[grant.pk]), {"reason": ""})
    assert not ReversalRequest.objects.exists()
    client.post(reverse("budgets:transaction_reverse", args=[grant.pk]), {"reason": "Fout"})
    pending = ReversalRequest.objects.get(status="pending")
    assert not Transaction.objects.filter(kind="reversal").exists()  # four eyes: asked only
    page = client.get(reverse("budgets:budget_detail", args=[budget.pk])).content.decode()
    assert "Wacht op tweede akkoord" in page and "Tegenboeking bevestigen" not in page
    client.post(reverse("budgets:reversal_confirm", args=[pending.pk]))  # forged: own request
    assert not Transaction.objects.filter(kind="reversal").exists()
    client_for(support_staff2).post(reverse("budgets:reversal_confirm", args=[pending.pk]))
    assert Transaction.objects.filter(kind="reversal").count() == 1


def test_reverse_and_close_through_views(client_for, budget, support_staff, support_staff2):
    client = client_for(support_staff)
    grant = Transaction.objects.get(kind="grant")
    client.post(reverse("budgets:transaction_reverse", args=[grant.pk]), {"reason": "Fout"})
    pending = ReversalRequest.objects.get(status="pending")
    client_for(support_staff2).post(reverse("budgets:reversal_confirm", args=[pending.pk]))
    assert Transaction.objects.filter(kind="reversal").count() == 1
    # This year has not ended: closing it is refused (the close: tests/budgets/test_year_close.py).
    client.post(
        reverse("budgets:budget_close", args=[budget.pk]),
        {"outcome": "returned", "reason": "Einde jaar"},
    )
    assert budget.year_closes.count() == 0


@pytest.mark.parametrize("role", ["member", "coordinator", "commission_member", "admin_user"])
def test_reverse_and_close_denied(role, users, client_for, budget):
    client = client_for(users[role])
    grant = Transaction.objects.get(kind="grant")
    assert (
        client.post(
            reverse("budgets:transaction_reverse", args=[grant.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("budgets:budget_close", args=[budget.pk]),
            {"outcome": "returned", "reason": "x"},
        ).status_code
        == 403
    )
    assert not Transaction.objects.filter(kind="reversal").exists()


def test_member_sees_only_own_claims_coordinator_sees_all(
    client_for, budget, platform, member, coordinator
):
    mine = make_claim(budget, member, description="Mijn koffie")
    theirs = make_claim(budget, coordinator, description="Coördinator taart")
    url = reverse("budgets:platform_budget", args=[platform.slug])
    page = client_for(member).get(url).content.decode()
    assert mine.description in page and theirs.description not in page
    page = client_for(coordinator).get(url).content.decode()
    assert mine.description in page and theirs.description in page
