"""The bookkeeper's workbench: the support queue (filters, search, sorting, paging), bulk actions
with one confirmation, receipts inline in the browser and each claim's full history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from budgets.models import ExpenseClaim, PaymentBatch, Receipt
from budgets.services import (
    approve_claim,
    book_grant,
    create_batch,
    request_claim_changes,
    resubmit_claim,
)
from buurtplatform.uploads import clean_upload
from platforms.models import Membership
from tests.budgets.conftest import VALID_IBAN, make_claim, pdf_bytes, png_upload
from tests.budgets.factories import granted_decision
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "budgets:admin_queue"


def bulk_claims(budget, by, n: int, **fields) -> list[ExpenseClaim]:
    """n submitted claims straight on the model (the queue only reads them)."""
    now = timezone.now()
    defaults = {
        "budget": budget,
        "budget_line": budget.lines.first(),
        "submitted_by": by,
        "amount": Decimal("10.00"),
        "expense_date": datetime.date(2026, 4, 1),
        "payee_name": "Buurthuis",
        "payee_is_organisation": True,
        "iban": VALID_IBAN,
        "description": "Koffie",
        "status": ExpenseClaim.Status.SUBMITTED,
        "submitted_at": now,
    }
    defaults.update(fields)
    return ExpenseClaim.objects.bulk_create(ExpenseClaim(**defaults) for _ in range(n))


def shown(response) -> list[int]:
    return [claim.pk for claim in response.context["page"]]


def post(client, name: str, data: dict):
    """POST a bulk action and follow it: the messages shown on the next page."""
    response = client.post(reverse(f"budgets:{name}"), data, follow=True)
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    return response, [str(m) for m in response.context["messages"]]


@pytest.fixture
def other_budget(other_platform, support_staff2):
    return book_grant(decision=granted_decision(platform=other_platform), by=support_staff2)


@pytest.fixture
def staff(client_for, support_staff):
    return client_for(support_staff)


# --- the queue ------------------------------------------------------------------------------


def test_queue_filters_by_platform_status_amount_date_submitter_and_age(
    staff, budget, other_budget, member, other_coordinator
):
    mine = make_claim(budget, member, amount="25.00", expense_date=datetime.date(2026, 3, 2))
    big = make_claim(budget, member, amount="400.00", expense_date=datetime.date(2026, 5, 20))
    elsewhere = make_claim(other_budget, other_coordinator, amount="60.00")
    old = make_claim(other_budget, other_coordinator, amount="70.00")
    ExpenseClaim.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=20)
    )
    rejected = bulk_claims(budget, member, 1, status=ExpenseClaim.Status.REJECTED)[0]

    url = reverse(QUEUE)
    assert set(shown(staff.get(url))) == {mine.pk, big.pk, elsewhere.pk, old.pk}  # open only
    by_platform = staff.get(url, {"platform": budget.platform_id})
    assert set(shown(by_platform)) == {mine.pk, big.pk}
    assert shown(staff.get(url, {"status": "rejected"})) == [rejected.pk]
    assert shown(staff.get(url, {"amount_min": "50", "amount_max": "100"})) == [
        old.pk,
        elsewhere.pk,
    ]
    assert shown(staff.get(url, {"date_from": "2026-05-01", "date_to": "2026-05-31"})) == [big.pk]
    assert set(shown(staff.get(url, {"submitter": "othercoord@"}))) == {elsewhere.pk, old.pk}
    assert set(shown(staff.get(url, {"submitter": "Mo Mem"}))) == {mine.pk, big.pk}
    assert shown(staff.get(url, {"age": "14"})) == [old.pk]


def test_queue_search_by_number_text_payee_and_batch(staff, budget, member, support_staff2):
    coffee = make_claim(budget, member, description="Koffie voor de buurtbijeenkomst")
    paint = make_claim(budget, member, description="Verf", payee_name="Verfhandel Gaasperdam")
    approved = make_claim(budget, member, description="Flyers")
    approve_claim(claim=approved, by=support_staff2)
    batch = create_batch(claims=[approved], by=support_staff2)
    url = reverse(QUEUE)
    assert shown(staff.get(url, {"q": "koffie"})) == [coffee.pk]
    assert shown(staff.get(url, {"q": "gaasperdam"})) == [paint.pk]
    assert shown(staff.get(url, {"q": f"#{paint.pk}"})) == [paint.pk]
    assert shown(staff.get(url, {"q": batch.reference, "status": "approved"})) == [approved.pk]


def test_queue_sorts_and_pages_fifty_at_a_time(staff, budget, member):
    claims = bulk_claims(budget, member, 53)
    for i, claim in enumerate(claims):
        ExpenseClaim.objects.filter(pk=claim.pk).update(amount=Decimal(10 + i))
    url = reverse(QUEUE)
    first = staff.get(url)
    assert len(shown(first)) == 50
    assert first.context["page"].paginator.count == 53
    assert shown(first) == [c.pk for c in claims[:50]]  # oldest first, then by number
    second = staff.get(url, {"page": 2})
    assert shown(second) == [c.pk for c in claims[50:]]
    dearest = staff.get(url, {"o": "-amount"})
    assert shown(dearest)[:3] == [claims[52].pk, claims[51].pk, claims[50].pk]
    # Paging keeps the filters and the sorting.
    body = staff.get(url, {"o": "-amount", "platform": budget.platform_id}).content.decode()
    assert f"o=-amount&amp;platform={budget.platform_id}&amp;page=2" in body


def test_queue_is_for_support_staff_only(client_for, member, coordinator, admin_user, budget):
    for user in (member, coordinator, admin_user):
        assert client_for(user).get(reverse(QUEUE)).status_code == 403
    assert client_for(None).get(reverse(QUEUE)).status_code == 302


# --- bulk actions ---------------------------------------------------------------------------


@pytest.fixture
def bookkeeper(support_staff, other_platform):
    """Support staff who is also a member of the other platform (their own platform)."""
    MembershipFactory(platform=other_platform, user=support_staff, role=Membership.Role.MEMBER)
    return support_staff


def test_bulk_approve_confirms_once_then_reports_per_claim(
    settings, client_for, bookkeeper, budget, other_budget, member, other_coordinator
):
    settings.FOUR_EYES_THRESHOLD = Decimal("500.00")
    small = [make_claim(budget, member, amount="100.00") for _ in range(3)]
    large = make_claim(budget, member, amount="600.00")
    own_platform = make_claim(other_budget, other_coordinator, amount="20.00")
    ids = [c.pk for c in [*small, large, own_platform]]
    client = client_for(bookkeeper)

    # One confirmation page lists what will happen to each claim; nothing has changed yet.
    page = client.get(reverse("budgets:claim_bulk_approve"), {"claims": ids})
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("wordt goedgekeurd") == 3
    assert "wacht daarna op tweede akkoord" in body
    assert "Je bent lid van dit platform" in body
    assert ExpenseClaim.objects.filter(status=ExpenseClaim.Status.APPROVED).count() == 0
    for pk in ids:
        assert f'name="claims" value="{pk}"' in body

    _response, messages = post(client, "claim_bulk_approve", {"claims": ids})
    assert messages[0] == "3 goedgekeurd, 1 wacht op tweede akkoord, 1 geweigerd"
    assert any(
        m.startswith(f"Declaratie {own_platform.pk}: Je bent lid van dit platform")
        for m in messages
    )
    statuses = dict(ExpenseClaim.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[c.pk] for c in small] == ["approved"] * 3
    large.refresh_from_db()
    assert large.status == "submitted" and large.approved_by_id == bookkeeper.pk
    assert statuses[own_platform.pk] == "submitted"


def test_forged_bulk_post_refuses_own_platform_and_own_claims(
    client_for, bookkeeper, budget, other_budget, member, other_coordinator
):
    """No confirmation page visited: a hand-made POST goes through the same rules per claim."""
    fine = make_claim(budget, member)
    platform_claim = make_claim(other_budget, other_coordinator)
    own = make_claim(other_budget, bookkeeper, description="Eigen uitgave")
    client = client_for(bookkeeper)
    for url in ("claim_bulk_approve", "claim_bulk_reject", "claim_bulk_request_changes"):
        post(client, url, {"claims": [platform_claim.pk, own.pk], "text": "Vervalst"})
        platform_claim.refresh_from_db()
        own.refresh_from_db()
        assert platform_claim.status == own.status == ExpenseClaim.Status.SUBMITTED, url
        assert platform_claim.reviewed_by_id is None and own.reviewed_by_id is None
    _response, messages = post(
        client, "claim_bulk_approve", {"claims": [fine.pk, platform_claim.pk, own.pk]}
    )
    assert messages[0] == "1 goedgekeurd, 2 geweigerd"
    assert (
        f"Declaratie {own.pk}: Vier ogen: je kunt je eigen declaratie niet beoordelen." in messages
    )
    fine.refresh_from_db()
    assert fine.status == ExpenseClaim.Status.APPROVED


def test_bulk_reject_and_send_back_need_a_reason_each_submitter_reads(
    staff, budget, member, mailoutbox
):
    one, two = make_claim(budget, member), make_claim(budget, member)
    _response, messages = post(staff, "claim_bulk_reject", {"claims": [one.pk, two.pk]})
    assert messages == ["Kies declaraties en vul in wat er nodig is."]
    one.refresh_from_db()
    assert one.status == ExpenseClaim.Status.SUBMITTED  # no reason: nothing happened
    post(staff, "claim_bulk_reject", {"claims": [one.pk], "text": "Geen bon van deze winkel"})
    one.refresh_from_db()
    assert one.status == ExpenseClaim.Status.REJECTED
    assert one.review_message == "Geen bon van deze winkel"
    _response, messages = post(
        staff,
        "claim_bulk_request_changes",
        {"claims": [one.pk, two.pk], "text": "Graag een duidelijkere bon"},
    )
    assert messages[0] == "1 terug voor aanpassing, 1 geweigerd"
    assert messages[1] == f"Declaratie {one.pk}: Deze declaratie is al afgewezen."
    two.refresh_from_db()
    assert two.status == ExpenseClaim.Status.CHANGES_REQUESTED


def test_bulk_add_to_batch_takes_the_approved_claims(staff, budget, member, support_staff2):
    approved = [make_claim(budget, member) for _ in range(2)]
    for claim in approved:
        approve_claim(claim=claim, by=support_staff2)
    waiting = make_claim(budget, member)
    page = staff.get(
        reverse("budgets:claim_bulk_batch"), {"claims": [c.pk for c in [*approved, waiting]]}
    )
    assert page.content.decode().count("gaat in de nieuwe betaalbatch") == 2
    response, messages = post(
        staff, "claim_bulk_batch", {"claims": [c.pk for c in [*approved, waiting]]}
    )
    batch = PaymentBatch.objects.get()
    assert response.redirect_chain[0][0] == reverse("budgets:batch_detail", args=[batch.pk])
    assert set(batch.claims.values_list("pk", flat=True)) == {c.pk for c in approved}
    assert messages[0] == "2 in de betaalbatch, 1 geweigerd"


def test_bulk_actions_are_for_support_staff_only(
    client_for, member, coordinator, admin_user, claim
):
    for name in (
        "claim_bulk_approve",
        "claim_bulk_reject",
        "claim_bulk_request_changes",
        "claim_bulk_batch",
    ):
        url = reverse(f"budgets:{name}")
        for user in (member, coordinator, admin_user):
            client = client_for(user)
            assert client.get(url, {"claims": [claim.pk]}).status_code == 403
            assert client.post(url, {"claims": [claim.pk], "text": "x"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED


def test_forty_claims_in_one_confirmation(staff, budget, member, django_assert_max_num_queries):
    claims = bulk_claims(budget, member, 40, amount=Decimal("5.00"))
    Receipt.objects.bulk_create(
        Receipt(claim=c, file="private/receipts/x.png", original_name="x.png",
                content_type="image/png", size=1)
        for c in claims
    )  # fmt: skip
    ids = [c.pk for c in claims]
    with django_assert_max_num_queries(20):
        page = staff.get(reverse("budgets:claim_bulk_approve"), {"claims": ids})
    assert page.content.decode().count("wordt goedgekeurd") == 40
    _response, messages = post(staff, "claim_bulk_approve", {"claims": ids})
    assert messages[0] == "40 goedgekeurd"


# --- receipts inline -------------------------------------------------------------------------


def test_receipts_open_inline_sandboxed_only_when_asked_and_only_images_and_pdfs(
    staff, budget, member
):
    claim = make_claim(budget, member)
    png = claim.receipts.get()
    pdf = Receipt(claim=claim, original_name="factuur.pdf", content_type="application/pdf", size=1)
    pdf.file.save("f.pdf", ContentFile(pdf_bytes()))
    other = Receipt(claim=claim, original_name="oud.html", content_type="text/html", size=1)
    other.file.save("oud.html", ContentFile(b"<script>alert(1)</script>"))

    def get(receipt, **params):
        url = reverse("budgets:receipt_download", args=[claim.pk, receipt.pk])
        return staff.get(url, params)

    for receipt, kind in ((png, "image/png"), (pdf, "application/pdf")):
        response = get(receipt, inline="1")
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Content-Type-Options"] == "nosniff"
        csp = response["Content-Security-Policy"]
        assert csp.startswith("sandbox;") and "default-src 'none'" in csp
        assert "frame-ancestors 'self'" in csp and "script-src" not in csp
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert response["Cache-Control"] == "private, no-store"
        # Without ?inline=1 it stays a download, framed by nobody.
        download = get(receipt)
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Frame-Options"] == "DENY"
    html = get(other, inline="1")
    assert html["Content-Disposition"].startswith("attachment;")
    assert html["Content-Type"] == "application/octet-stream"
    assert html["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_review_page_embeds_receipts_in_img_and_iframe(staff, budget, member):
    claim = make_claim(budget, member)
    png = claim.receipts.get()
    pdf = Receipt(claim=claim, original_name="factuur.pdf", content_type="application/pdf", size=1)
    pdf.file.save("f.pdf", ContentFile(pdf_bytes()))
    body = staff.get(reverse("budgets:claim_review", args=[claim.pk])).content.decode()
    png_url = reverse("budgets:receipt_download", args=[claim.pk, png.pk]) + "?inline=1"
    pdf_url = reverse("budgets:receipt_download", args=[claim.pk, pdf.pk]) + "?inline=1"
    assert f'<img class="receipt-image" src="{png_url}"' in body
    # The frame's document is sandboxed by its own CSP header (see the test above); a sandbox
    # attribute would keep the browser's PDF viewer out (tests/browser/test_workbench.py).
    assert f'<iframe class="receipt-frame" src="{pdf_url}"' in body
    # The plain download link is still there.
    assert f'href="{reverse("budgets:receipt_download", args=[claim.pk, png.pk])}"' in body


def test_inline_receipt_keeps_the_permission_check(client_for, budget, member, other_coordinator):
    claim = make_claim(budget, member)
    receipt = claim.receipts.get()
    url = reverse("budgets:receipt_download", args=[claim.pk, receipt.pk])
    assert client_for(other_coordinator).get(url, {"inline": "1"}).status_code == 404
    assert client_for(None).get(url, {"inline": "1"}).status_code == 302


# --- history ---------------------------------------------------------------------------------


def test_claim_history_shows_each_step_who_and_when(
    settings, staff, budget, member, support_staff, support_staff2
):
    settings.FOUR_EYES_THRESHOLD = Decimal("100.00")
    claim = make_claim(budget, member, amount="150.00")
    request_claim_changes(claim=claim, by=support_staff2, message="Andere bon graag")
    resubmit_claim(
        claim=claim, by=member, fields={}, receipts=[clean_upload(png_upload("tweede.png"))]
    )
    approve_claim(claim=claim, by=support_staff2)
    approve_claim(claim=claim, by=support_staff)
    batch = create_batch(claims=[claim], by=support_staff2)
    response = staff.get(reverse("budgets:claim_review", args=[claim.pk]))
    history = response.context["history"]
    steps = [e.text for e in history]
    assert steps == [
        "Ingediend",
        "Om een aanpassing gevraagd",
        "Aangepast en opnieuw ingediend",
        "Eerste akkoord gegeven",
        "Goedgekeurd",
        f"In betaalbatch {batch.reference} gezet",
    ]
    assert [e.actor for e in history] == [
        str(member),
        str(support_staff2),
        str(member),
        str(support_staff2),
        str(support_staff),
        str(support_staff2),
    ]
    assert history[1].detail == "Andere bon graag"
    body = response.content.decode()
    assert "Geschiedenis van de declaratie" in body
    assert f"door {support_staff}" in body


def test_claim_history_costs_a_fixed_number_of_queries(
    budget, member, support_staff2, django_assert_max_num_queries
):
    from budgets.selectors import claim_history

    claim = make_claim(budget, member)
    approve_claim(claim=claim, by=support_staff2)
    with django_assert_max_num_queries(6):
        claim_history(claim)


def test_a_member_of_no_platform_reviews_normally(client_for, budget, member):
    """The own-platform rule never stops support staff outside the platform."""
    outsider = UserFactory(roles=["ondersteuning"])
    claim = make_claim(budget, member)
    _response, messages = post(client_for(outsider), "claim_bulk_approve", {"claims": [claim.pk]})
    assert messages[0] == "1 goedgekeurd"


def test_claim_history_shows_the_batch_release_and_the_bank_match(
    settings, staff, budget, member, support_staff, support_staff2
):
    """Released (the SEPA file made), then paid as the bank statement shows: both in the
    history, with the statement's booking date and the EndToEndId."""
    from budgets.services import import_statement, release_batch

    claim = make_claim(budget, member, amount="40.00")
    approve_claim(claim=claim, by=support_staff2)
    batch = create_batch(claims=[claim], by=support_staff2)
    release_batch(batch=batch, by=support_staff)
    claim.refresh_from_db()
    statement = (
        "rekening,boekdatum,bedrag,valuta,end-to-end-id,naam,omschrijving\n"
        f"{settings.SEPA_DEBTOR_IBAN},2026-05-04,-40.00,EUR,{claim.end_to_end_id},Jan Jansen,"
        "Declaratie\n"
    )
    import_statement(data=statement.encode(), original_name="afschrift.csv", by=support_staff)
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.PAID
    history = staff.get(reverse("budgets:claim_review", args=[claim.pk])).context["history"]
    steps = [e.text for e in history]
    assert f"Batch {batch.reference} vrijgegeven, betaalbestand gemaakt" in steps
    assert "Geboekt: Betaling" in steps
    bank = next(e for e in history if e.text.startswith("Bankafschrift"))
    assert bank.date == datetime.date(2026, 5, 4)
    assert bank.reference == claim.end_to_end_id
    assert bank.amount == Decimal("40.00")
    assert steps.index("Geboekt: Betaling") > steps.index(
        f"Batch {batch.reference} vrijgegeven, betaalbestand gemaakt"
    )
