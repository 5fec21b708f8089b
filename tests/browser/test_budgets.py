"""Support staff approve a claim (and a large one needs a second person); a colleague releases
the batch (its SEPA file, made once), downloads it and pays."""

import pytest

from budgets.models import ExpenseClaim, Transaction
from budgets.services import book_grant
from platforms.models import Membership
from tests.browser.conftest import CONTEXT
from tests.budgets.conftest import make_claim
from tests.budgets.factories import granted_decision
from tests.factories import PASSWORD, MembershipFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, email: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def books(reference_data):
    from accounts.roles import SUPPORT

    approver = UserFactory(email="joyce@example.org", name="Joyce", roles=[SUPPORT])
    payer = UserFactory(email="mehmet@example.org", name="Mehmet", roles=[SUPPORT])
    platform = PlatformFactory(name="Samen Sterk", slug="samen-sterk", buurten=["TH01"])
    member = UserFactory(email="lid@example.org", name="Lid")
    MembershipFactory(platform=platform, user=member, role=Membership.Role.MEMBER)
    budget = book_grant(decision=granted_decision(platform=platform), by=approver)
    claim = make_claim(budget, member, amount="150.00", description="Verf voor de muurschildering")
    large = make_claim(budget, member, amount="600.00", description="Huur podium")
    return {
        "approver": approver,
        "payer": payer,
        "claim": claim,
        "large": large,
        "platform": platform,
    }


def test_support_staff_approve_then_a_colleague_pays_the_batch(page, browser, live_server, books):
    claim = books["claim"]
    login(page, "joyce@example.org")
    page.goto("/administratie/")
    page.get_by_role("link", name=f"#{claim.pk}").first.click()
    assert page.get_by_role("heading", name=f"Declaratie {claim.pk} beoordelen").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="bon.png").click()
    assert download.value.suggested_filename == "bon.png"
    page.locator("form[action$='/goedkeuren/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Declaratie {claim.pk} is goedgekeurd.").is_visible()
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.APPROVED

    # Above the threshold one approval is not enough: it waits for a second person.
    large = books["large"]
    page.goto(f"/administratie/declaraties/{large.pk}/")
    page.locator("form[action$='/goedkeuren/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/administratie/declaraties/{large.pk}/")
    assert page.get_by_text("Wacht op tweede akkoord").first.is_visible()
    assert page.get_by_role("button", name="Tweede akkoord geven").count() == 0

    # Joyce makes the batch; four eyes keep her from releasing it or marking it paid.
    page.goto("/administratie/betalingen/")
    page.get_by_label(f"#{claim.pk} Samen Sterk", exact=False).check()
    page.get_by_role("button", name="Batch maken").click()
    page.wait_for_load_state()
    assert page.get_by_text("Vier ogen").first.is_visible()
    assert page.get_by_text("Mehmet").first.is_visible()  # who can release it
    assert page.get_by_role("button", name="Vrijgeven en betaalbestand maken").count() == 0
    assert page.get_by_role("button", name="Markeren als betaald").count() == 0
    batch_url = page.url

    # Mehmet gives the second approval, releases the batch after re-entering his password,
    # downloads the SEPA file (the same bytes twice) and marks the batch paid.
    context = browser.new_context(base_url=live_server.url, **CONTEXT)
    other = context.new_page()
    other.set_default_timeout(10_000)
    login(other, "mehmet@example.org")
    other.goto(f"/administratie/declaraties/{large.pk}/")
    other.get_by_role("button", name="Tweede akkoord geven").click()
    other.wait_for_load_state()
    large.refresh_from_db()
    assert large.status == ExpenseClaim.Status.APPROVED
    other.goto(batch_url)
    other.get_by_role("button", name="Vrijgeven en betaalbestand maken").click()
    other.wait_for_load_state()
    assert "/account/reauthenticate/" in other.url
    other.locator("input[type=password]").fill(PASSWORD)
    other.locator("main form button[type=submit]").click()
    other.wait_for_load_state()
    assert other.get_by_text("is vrijgegeven").is_visible()
    assert other.get_by_text("SHA-256 van het betaalbestand").is_visible()
    assert other.get_by_role("button", name="Batch annuleren").count() == 0
    files = []
    for _ in range(2):
        with other.expect_download() as download:
            other.get_by_role("link", name="SEPA-betaalbestand downloaden (pain.001)").click()
        files.append(open(download.value.path(), "rb").read())
    assert b"pain.001.001.03" in files[0] and files[0] == files[1]
    other.get_by_role("button", name="Markeren als betaald").click()
    other.wait_for_load_state()
    assert other.get_by_text("is betaald en geboekt").is_visible()
    context.close()

    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.PAID
    assert Transaction.objects.filter(kind="payment", claim=claim).count() == 1

    # The public platform page shows the spending, without the private payee's name.
    page.goto(f"/platforms/{books['platform'].slug}/")
    body = page.locator("main").inner_text()
    assert "€ 150,00" in body
    assert "Jan Jansen" not in body


def test_bookkeepers_import_the_bank_statement_and_close_the_year(
    page, browser, live_server, tmp_path
):
    """Joyce approves and batches, Mehmet releases; the bank statement confirms the payment;
    then Joyce proposes the year close and Mehmet confirms it (four eyes in the browser)."""
    from decimal import Decimal

    from accounts.roles import SUPPORT
    from budgets.models import PaymentBatch, YearClose
    from budgets.services import approve_claim, create_batch, release_batch
    from tests.budgets.closing import past_budget
    from tests.budgets.test_bank_statement import camt053

    joyce = UserFactory(email="joyce@example.org", name="Joyce", roles=[SUPPORT])
    mehmet = UserFactory(email="mehmet@example.org", name="Mehmet", roles=[SUPPORT])
    platform = PlatformFactory(name="Gein Groen", slug="gein-groen", buurten=["TM01"])
    member = UserFactory(email="lid@example.org", name="Lid")
    MembershipFactory(platform=platform, user=member, role=Membership.Role.MEMBER)
    budget = past_budget(platform, joyce)
    claim = make_claim(budget, member, amount="123.45", description="Plantgoed")
    approve_claim(claim=claim, by=joyce)
    batch = create_batch(claims=[claim], by=joyce)
    release_batch(batch=batch, by=mehmet)
    claim.refresh_from_db()
    statement = camt053([{"e2e": claim.end_to_end_id, "amount": "123.45", "date": "2026-01-05"}])
    path = tmp_path / "afschrift.xml"
    path.write_bytes(statement)

    context = browser.new_context(base_url=live_server.url, **CONTEXT)
    other = context.new_page()
    login(other, "mehmet@example.org")
    other.goto("/administratie/afschriften/")
    other.get_by_label("Bankafschrift").set_input_files(path)
    other.get_by_role("button", name="Inlezen").click()
    other.wait_for_load_state()
    assert other.get_by_role("heading", name="Betalingen bevestigd").is_visible()
    assert PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.PAID

    login(page, "joyce@example.org")
    page.goto(f"/administratie/budgetten/{budget.pk}/afsluiten/")
    page.get_by_label("Teruggestort").check()
    page.get_by_label("Reden").fill("Het jaar is voorbij.")
    page.get_by_role("button", name="Afsluiting voorstellen").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Afsluiting bevestigen").count() == 0  # not herself

    other.goto(f"/administratie/budgetten/{budget.pk}/")
    other.get_by_role("button", name="Afsluiting bevestigen").click()
    other.wait_for_load_state()
    context.close()
    close = YearClose.objects.get(budget=budget)
    assert close.status == YearClose.Status.CLOSED
    assert close.proposed_by == joyce and close.closed_by == mehmet
    assert close.amount == Decimal("876.55")  # €1000 granted, €123.45 paid: returned
