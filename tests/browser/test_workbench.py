"""The bookkeeper's workbench in a browser: select every claim on the page with one checkbox,
confirm once, read the outcome per claim; a receipt shows inline on the review page."""

import pytest

from budgets.models import ExpenseClaim
from budgets.services import book_grant
from platforms.models import Membership
from tests.budgets.conftest import make_claim
from tests.budgets.factories import granted_decision
from tests.factories import PASSWORD, MembershipFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# (Chromium's own favicon request may log a 404; only CSP errors count here.)


def login(page, email: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def queue(reference_data):
    from accounts.roles import SUPPORT

    UserFactory(email="joyce@example.org", name="Joyce", roles=[SUPPORT])
    platform = PlatformFactory(name="Samen Sterk", slug="samen-sterk", buurten=["TH01"])
    member = UserFactory(email="lid@example.org", name="Lid")
    MembershipFactory(platform=platform, user=member, role=Membership.Role.MEMBER)
    budget = book_grant(
        decision=granted_decision(platform=platform),
        by=UserFactory(email="boekhouder@example.org", roles=[SUPPORT]),
    )
    return [make_claim(budget, member, amount="20.00", description=f"Koffie {i}") for i in range(6)]


def test_select_all_confirm_once_and_see_the_outcome(page, queue):
    login(page, "joyce@example.org")
    page.goto("/administratie/")
    page.get_by_label("Alle declaraties op deze pagina kiezen").check()
    assert page.locator("input[name=claims]:checked").count() == len(queue)
    page.get_by_role("button", name="Goedkeuren…").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Declaraties goedkeuren").is_visible()
    assert page.get_by_text("wordt goedgekeurd").count() == len(queue)
    page.get_by_role("button", name=f"Bevestigen voor {len(queue)} declaraties").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"{len(queue)} goedgekeurd").is_visible()
    assert ExpenseClaim.objects.filter(status="approved").count() == len(queue)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_receipt_image_shows_inline_on_the_review_page(page, queue):
    login(page, "joyce@example.org")
    page.goto(f"/administratie/declaraties/{queue[0].pk}/")
    image = page.get_by_role("img", name="Bon bon.png")
    image.wait_for()
    # Wait for the image itself (decode() resolves once it is loaded), not only for the page.
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_pdf_receipt_opens_in_the_browsers_viewer_inside_the_page(page, queue):
    """Sandboxed by the response's CSP (no scripts, unique origin), yet the PDF viewer loads:
    a sandbox attribute on the frame would show Chromium's error page instead."""
    from django.core.files.base import ContentFile

    from budgets.models import Receipt
    from tests.budgets.conftest import pdf_bytes

    claim = queue[0]
    pdf = Receipt(claim=claim, original_name="factuur.pdf", content_type="application/pdf", size=1)
    pdf.file.save("f.pdf", ContentFile(pdf_bytes()))
    login(page, "joyce@example.org")
    page.goto(f"/administratie/declaraties/{claim.pk}/")
    page.get_by_title("Bon factuur.pdf").wait_for()
    wanted = f"/bonnen/{pdf.pk}/?inline=1"
    for _ in range(200):  # until the frame has loaded the receipt or an error page (10 s)
        frames = [f.url for f in page.frames]
        if any(url.endswith(wanted) or url.startswith("chrome-error:") for url in frames):
            break
        page.wait_for_timeout(50)
    assert any(url.endswith(wanted) for url in frames), frames
    assert not any(url.startswith("chrome-error:") for url in frames), frames


def test_workbench_pages_have_no_serious_accessibility_violations(page, queue):
    """axe-core (WCAG 2.1 A/AA) on the queue, the confirmation, the review page with its
    receipt and the accountant's export page."""
    from tests.browser.test_accessibility import serious_violations

    login(page, "joyce@example.org")
    ids = "&".join(f"claims={c.pk}" for c in queue)
    found = {}
    for url in (
        "/administratie/",
        "/administratie/?status=submitted&o=-amount",
        f"/administratie/declaraties/goedkeuren/?{ids}",
        f"/administratie/declaraties/afwijzen/?{ids}",
        f"/administratie/declaraties/{queue[0].pk}/",
        "/administratie/accountant/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        problems = serious_violations(page)
        if problems:
            found[url] = problems
    assert found == {}
