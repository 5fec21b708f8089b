"""The year close, done right (issue 13, part 5), through the views and with forged POSTs.

Only after the year ends (or early for a fully spent budget when the settings allow it), a
preview first, four eyes (one proposes, a different one confirms), the platform notified,
the remainder booked as returned or carried over into a next-year budget, reversible by two
people until the accounts are exported, and an overspend shown as a negative amount. The
ledger invariants are checked after every test (tests/budgets/conftest.py).
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from budgets.models import Account, Budget, Transaction, YearClose
from budgets.selectors import ledger_breaches, plan_matches_grant, remaining_of
from budgets.services import (
    account_balance,
    approve_claim,
    confirm_year_close,
    create_batch,
    get_system_account,
    is_budget_closed,
    mark_year_accounts_exported,
    propose_year_close,
)
from budgets.services.ledger import is_grant_reversed
from tests.budgets.closing import close_budget, last_year, past_budget, this_year
from tests.budgets.conftest import approve_fully, make_claim, release_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(platform, support_staff2):
    """A €1000 budget of a year that has ended (lines of €500 and €500)."""
    return past_budget(platform, support_staff2)


def _close_url(budget):
    return reverse("budgets:budget_close", args=[budget.pk])


def _propose(client, budget, outcome="returned", reason="Het jaar is voorbij"):
    return client.post(_close_url(budget), {"outcome": outcome, "reason": reason}, follow=True)


def _pay(budget, member, approver, payer, amount, second=None, **kwargs):
    """Approve (with a second approver when four eyes ask for it) and pay by an outsider."""
    claim = approve_fully(make_claim(budget, member, amount=amount), approver, second, **kwargs)
    release_and_pay(create_batch(claims=[claim], by=approver), payer)
    return claim


def test_close_is_refused_before_the_year_ends(platform, client_for, support_staff, support_staff2):
    budget = past_budget(platform, support_staff2, year=this_year())
    page = client_for(support_staff).get(_close_url(budget)).content.decode()
    assert "nog niet voorbij" in page
    response = _propose(client_for(support_staff), budget)
    assert "nog niet voorbij" in response.content.decode()
    assert not YearClose.objects.exists()


def test_early_close_of_a_fully_spent_budget_when_settings_allow(
    settings, platform, member, client_for, support_staff, support_staff2
):
    budget = past_budget(platform, support_staff2, year=this_year())
    _pay(budget, member, support_staff, support_staff2, "500.00")
    _pay(budget, member, support_staff, support_staff2, "500.00")
    assert remaining_of(budget) == Decimal("0.00")
    _propose(client_for(support_staff), budget)
    assert not YearClose.objects.exists()  # the setting is off by default
    settings.YEAR_CLOSE_EARLY_WHEN_SPENT = True
    _propose(client_for(support_staff), budget)
    close = YearClose.objects.get()
    client_for(support_staff2).post(reverse("budgets:year_close_confirm", args=[close.pk]))
    close.refresh_from_db()
    assert close.status == "closed" and close.amount == Decimal("0.00")
    assert not Transaction.objects.filter(kind__in=["return", "carry_over"]).exists()


def test_early_close_refused_when_money_remains_even_if_allowed(
    settings, platform, client_for, support_staff, support_staff2
):
    settings.YEAR_CLOSE_EARLY_WHEN_SPENT = True
    budget = past_budget(platform, support_staff2, year=this_year())
    response = _propose(client_for(support_staff), budget)
    assert "helemaal besteed" in response.content.decode()
    assert not YearClose.objects.exists()


def test_preview_shows_open_claims_batches_and_what_happens(
    ended, member, client_for, support_staff, support_staff2
):
    _pay(ended, member, support_staff, support_staff2, "200.00")
    open_claim = make_claim(ended, member, amount="30.00", description="Thee voor de buurt")
    approved = approve_claim(claim=make_claim(ended, member, amount="20.00"), by=support_staff)
    batch = create_batch(claims=[approved], by=support_staff)
    page = client_for(support_staff).get(_close_url(ended)).content.decode()
    assert "€ 800,00" in page  # what remains
    assert f"#{open_claim.pk}" in page and "Thee voor de buurt" in page
    assert batch.reference in page
    assert "terugstorten aan het stadsdeel" in page and "overhevelen" in page
    assert "Afsluiting voorstellen" not in page  # blocked while things are open
    response = _propose(client_for(support_staff), ended)
    assert "declaraties open" in response.content.decode()
    assert not YearClose.objects.exists()


def test_close_needs_two_people_and_tells_the_platform(
    ended,
    client_for,
    coordinator,
    support_staff,
    support_staff2,
    django_capture_on_commit_callbacks,
):
    page = client_for(support_staff).get(_close_url(ended)).content.decode()
    assert "€ 1.000,00" in page and "Afsluiting voorstellen" in page
    _propose(client_for(support_staff), ended)
    close = YearClose.objects.get()
    assert close.status == "proposed" and close.proposed_by == support_staff
    assert not is_budget_closed(ended)
    assert not Transaction.objects.filter(kind="return").exists()  # nothing booked yet
    confirm = reverse("budgets:year_close_confirm", args=[close.pk])
    detail = client_for(support_staff).get(reverse("budgets:budget_detail", args=[ended.pk]))
    assert "Wacht op tweede akkoord" in detail.content.decode()
    assert confirm not in detail.content.decode()  # no confirm button for the proposer
    response = client_for(support_staff).post(confirm, follow=True)  # forged: the proposer
    assert "Vier ogen" in response.content.decode()
    close.refresh_from_db()
    assert close.status == "proposed"
    assert client_for(coordinator).post(confirm).status_code == 403  # not support
    with django_capture_on_commit_callbacks(execute=True):
        client_for(support_staff2).post(confirm)
    close.refresh_from_db()
    assert close.status == "closed" and close.closed_by == support_staff2
    assert is_budget_closed(ended)
    assert close.amount == Decimal("1000.00")
    assert remaining_of(ended) == Decimal("0.00")
    assert account_balance(get_system_account(Account.Kind.RETURNED)) == Decimal("1000.00")
    assert close.booking.kind == "return"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert coordinator.email in message.to
    assert "afgesloten" in message.subject and "teruggestort" in message.body
    assert "€ 1.000,00" in message.body
    assert ledger_breaches() == []


@pytest.mark.parametrize("role", ["member", "coordinator", "commission_member", "admin_user"])
def test_non_support_cannot_propose_or_preview(role, request, ended, client_for):
    client = client_for(request.getfixturevalue(role))
    assert client.get(_close_url(ended)).status_code == 403
    assert client.post(_close_url(ended), {"outcome": "returned", "reason": "x"}).status_code == 403
    assert not YearClose.objects.exists()


def test_a_second_proposal_and_a_withdrawal(ended, client_for, support_staff, support_staff2):
    _propose(client_for(support_staff), ended)
    response = _propose(client_for(support_staff2), ended, outcome="carried_over")
    assert "al een voorstel" in response.content.decode()
    close = YearClose.objects.get()
    client_for(support_staff2).post(reverse("budgets:year_close_cancel", args=[close.pk]))
    close.refresh_from_db()
    assert close.status == "cancelled"
    _propose(client_for(support_staff2), ended, outcome="carried_over")
    assert YearClose.objects.filter(status="proposed", outcome="carried_over").exists()


def test_carry_over_creates_the_next_year_budget(
    ended,
    platform,
    member,
    client_for,
    support_staff,
    support_staff2,
    django_capture_on_commit_callbacks,
):
    _pay(ended, member, support_staff, support_staff2, "250.00")
    close = propose_year_close(
        budget=ended, outcome="carried_over", reason="Door naar volgend jaar", by=support_staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(support_staff2).post(reverse("budgets:year_close_confirm", args=[close.pk]))
    close.refresh_from_db()
    nxt = close.next_budget
    assert nxt is not None
    assert (nxt.year, nxt.platform, nxt.carried_from) == (last_year() + 1, platform, ended)
    assert nxt.granted_amount == Decimal("750.00") == close.amount
    assert remaining_of(nxt) == Decimal("750.00")
    assert remaining_of(ended) == Decimal("0.00")
    assert plan_matches_grant(nxt)
    carried = Account.objects.get(kind=Account.Kind.CARRIED_OVER)
    assert account_balance(carried) == Decimal("0.00")  # out of one year, into the next
    assert Transaction.objects.get(kind="carry_in").budget == nxt
    assert "overgeheveld" in mail.outbox[0].body
    # The next year's budget is a budget like any other for the platform.
    page = client_for(member).get(reverse("budgets:platform_budget", args=[platform.slug]))
    html = page.content.decode()
    assert f"Budget {last_year() + 1}" in html and f"overgeheveld uit {last_year()}" in html
    url = reverse("budgets:claim_create", args=[platform.slug, nxt.pk])
    assert client_for(member).get(url).status_code == 200
    public = client_for(None).get(reverse("platforms:platform_detail", args=[platform.slug]))
    assert f"overgeheveld uit {last_year()}" in public.content.decode()
    # Not a second grant: one budget per decision among the grants.
    assert Budget.objects.filter(decision=ended.decision, carried_from=None).count() == 1


def test_reversal_by_two_people_before_export(
    ended,
    member,
    coordinator,
    client_for,
    support_staff,
    support_staff2,
    django_capture_on_commit_callbacks,
):
    close = close_budget(ended, first=support_staff, second=support_staff2, outcome="carried_over")
    nxt = close.next_budget
    reverse_url = reverse("budgets:year_close_reverse", args=[close.pk])
    confirm_url = reverse("budgets:year_close_reverse_confirm", args=[close.pk])
    assert client_for(coordinator).post(reverse_url, {"reason": "x"}).status_code == 403
    client_for(support_staff).post(reverse_url, {"reason": ""})
    close.refresh_from_db()
    assert close.reversal_proposed_by is None  # a reason is required
    client_for(support_staff).post(reverse_url, {"reason": "Verkeerde keuze: terugstorten"})
    close.refresh_from_db()
    assert close.reversal_proposed_by == support_staff and close.status == "closed"
    response = client_for(support_staff).post(confirm_url, follow=True)  # forged: own proposal
    assert "Vier ogen" in response.content.decode()
    close.refresh_from_db()
    assert close.status == "closed"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(support_staff2).post(confirm_url)
    close.refresh_from_db()
    assert close.status == "reversed" and close.reversed_by == support_staff2
    assert not is_budget_closed(ended)
    assert remaining_of(ended) == Decimal("1000.00")
    nxt.refresh_from_db()
    assert remaining_of(nxt) == Decimal("0.00") and nxt.granted_amount == Decimal("0.00")
    assert is_grant_reversed(nxt)
    reversals = Transaction.objects.filter(kind="reversal")
    assert {r.reverses.kind for r in reversals} == {"carry_over", "carry_in"}
    assert "teruggedraaid" in mail.outbox[-1].subject
    url = reverse("budgets:claim_create", args=[ended.platform.slug, ended.pk])
    assert client_for(member).get(url).status_code == 200  # the budget is open again
    # And it can be closed again, this time returning the money.
    again = close_budget(ended, first=support_staff2, second=support_staff, outcome="returned")
    assert again.amount == Decimal("1000.00") and again.pk != close.pk
    assert list(ended.year_closes.values_list("status", flat=True).order_by("pk")) == [
        "reversed",
        "closed",
    ]
    assert ledger_breaches() == []


def test_reversal_refused_after_export(ended, client_for, support_staff, support_staff2):
    close = close_budget(ended, first=support_staff, second=support_staff2)
    # A reversal proposed before the export cannot be confirmed after it.
    client_for(support_staff).post(
        reverse("budgets:year_close_reverse", args=[close.pk]), {"reason": "Fout"}
    )
    mark_year_accounts_exported(close=close, by=support_staff2)
    response = client_for(support_staff2).post(
        reverse("budgets:year_close_reverse_confirm", args=[close.pk]), follow=True
    )
    assert "geëxporteerd" in response.content.decode()
    close.refresh_from_db()
    assert close.status == "closed" and close.accounts_exported_at is not None
    client_for(support_staff).post(reverse("budgets:year_close_cancel", args=[close.pk]))
    response = client_for(support_staff).post(
        reverse("budgets:year_close_reverse", args=[close.pk]), {"reason": "Fout"}, follow=True
    )
    assert "geëxporteerd" in response.content.decode()
    close.refresh_from_db()
    assert close.reversal_proposed_by is None
    assert not Transaction.objects.filter(kind="reversal").exists()


def test_reversal_refused_when_the_next_year_budget_is_in_use(
    ended, member, client_for, support_staff, support_staff2
):
    close = close_budget(ended, first=support_staff, second=support_staff2, outcome="carried_over")
    make_claim(close.next_budget, member)
    response = client_for(support_staff).post(
        reverse("budgets:year_close_reverse", args=[close.pk]), {"reason": "Fout"}, follow=True
    )
    assert "al gedeclareerd" in response.content.decode()


def test_year_close_bookings_are_not_reversed_one_by_one(
    ended, client_for, support_staff, support_staff2
):
    close = close_budget(ended, first=support_staff, second=support_staff2, outcome="carried_over")
    carry_in = Transaction.objects.get(kind="carry_in")
    client_for(support_staff).post(
        reverse("budgets:transaction_reverse", args=[carry_in.pk]), {"reason": "x"}
    )
    from budgets.models import ReversalRequest

    for request_ in ReversalRequest.objects.filter(status="pending"):
        client_for(support_staff2).post(reverse("budgets:reversal_confirm", args=[request_.pk]))
    assert not Transaction.objects.filter(kind="reversal").exists()
    assert remaining_of(close.next_budget) == Decimal("1000.00")


def test_overspend_shows_as_a_negative_amount(
    ended, platform, member, client_for, support_staff, support_staff2, support_staff3
):
    _pay(ended, member, support_staff, support_staff2, "500.00")
    _pay(
        ended,
        member,
        support_staff,
        support_staff3,
        "620.00",
        second=support_staff2,
        override_reason="Extra huur, afgesproken met het stadsdeel",
    )
    assert remaining_of(ended) == Decimal("-120.00")
    for client, url in (
        (client_for(member), reverse("budgets:platform_budget", args=[platform.slug])),
        (client_for(None), reverse("platforms:platform_detail", args=[platform.slug])),
        (client_for(support_staff), reverse("budgets:budget_detail", args=[ended.pk])),
        (client_for(support_staff), reverse("budgets:budget_list")),
        (client_for(support_staff), _close_url(ended)),
    ):
        html = client.get(url).content.decode()
        assert "€ -120,00" in html, url
        assert "overschreden" in html, url
        assert "text-danger" in html, url
    claim = make_claim(ended, member, amount="10.00")
    review = client_for(support_staff).get(reverse("budgets:claim_review", args=[claim.pk]))
    assert "nog beschikbaar" in review.content.decode()
    assert "€ -120,00" in review.content.decode()


# --- at the same time (PostgreSQL row locks) ------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
)
def test_two_confirmations_at_once_close_and_book_once(
    platform, support_staff, support_staff2, support_staff3
):
    from tests.budgets.test_concurrency import run_concurrently

    budget = past_budget(platform, support_staff)
    close = propose_year_close(budget=budget, outcome="carried_over", reason="x", by=support_staff)
    staff = [support_staff2, support_staff3]
    results = run_concurrently(2, lambda i: confirm_year_close(close=close, by=staff[i]).status)
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert Transaction.objects.filter(kind="carry_over").count() == 1
    assert Budget.objects.filter(carried_from=budget).count() == 1
    assert ledger_breaches() == []
