"""Issue 15, "Done when": the whole resident journey on a phone (390 × 844, touch).

Every test types only the home page's address; from there the resident taps links and buttons
(opening the link in the confirmation e-mail counts as tapping it in the mail app). On every
page we check that nothing is wider than the screen, and we keep a screenshot in /tmp."""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from PIL import Image

from areas.models import Buurt
from platforms import services as platform_services
from platforms.models import Activity, Endorsement, Membership, Platform
from tests.factories import PASSWORD, MembershipFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    cache.clear()  # rate limits per client address (sign-up, codes)


def fits(page, step: str) -> None:
    """The page is not wider than the phone; keep a screenshot of it."""
    page.wait_for_load_state()
    page.screenshot(path=f"/tmp/phone-journey-{step}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{step}: {page.url} is {width}px wide"


def tap(locator) -> None:
    """Tap something that stays on the page (a checkbox, the menu button)."""
    locator.scroll_into_view_if_needed()
    locator.tap()


def go(locator) -> None:
    """Tap a link or a submit button (reachable without a sideways swipe) and wait for the
    next page."""
    within_reach(locator)
    with locator.page.expect_navigation():
        locator.tap()


def menu(page, name: str) -> None:
    """Open the collapsed main menu (the hamburger) and tap one of its links."""
    toggler = page.locator("button.navbar-toggler")
    assert toggler.is_visible()  # at 390 px the menu is collapsed
    tap(toggler)
    link = page.locator("#mainnav").get_by_role("link", name=name, exact=True)
    link.wait_for(state="visible")
    go(link)
    page.wait_for_load_state()


def menu_button(page, name: str) -> None:
    tap(page.locator("button.navbar-toggler"))
    button = page.locator("#mainnav").get_by_role("button", name=name, exact=True)
    button.wait_for(state="visible")
    go(button)
    page.wait_for_load_state()


def within_reach(locator) -> None:
    """The control is on the screen without a sideways swipe: not cut off by the viewport nor
    hidden in the scrolled-away part of a horizontally scrolling box (a wide table)."""
    locator.scroll_into_view_if_needed()
    hidden = locator.evaluate(
        """(el, width) => {
            const r = el.getBoundingClientRect();
            if (r.left < 0 || r.right > width) return "outside the screen";
            for (let p = el.parentElement; p; p = p.parentElement) {
                if (p.scrollLeft > 0) return "in a box scrolled sideways: " + p.className;
                const style = getComputedStyle(p), box = p.getBoundingClientRect();
                if (/(auto|scroll|hidden)/.test(style.overflowX)
                    && (r.left < box.left || r.right > box.right + 0.5))
                    return "cut off by " + p.className;
            }
            return "";
        }""",
        WIDTH,
    )
    assert not hidden, hidden


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """From the home page: menu, Inloggen, the form; back on a page of the site."""
    page.goto("/")
    fits(page, "home")
    menu(page, "Inloggen")
    fits(page, "login")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    go(page.locator("main form button[type=submit]").first)
    page.wait_for_load_state()
    assert "/account/login/" not in page.url, page.locator("main").inner_text()


def png(tmp_path, name: str, colour=(20, 120, 60)):
    path = tmp_path / name
    image = Image.new("RGB", (240, 160), colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def tap_shape(page, code: str) -> None:
    """Tap a point inside the buurt's polygon on the picker map (not merely its bounding box:
    the point must hit this shape and no neighbour)."""
    shape = page.locator(f'.buurt-picker path[data-code="{code}"]')
    shape.scroll_into_view_if_needed()
    point = shape.evaluate(
        """path => {
            const box = path.getBoundingClientRect();
            for (let fy = 0.5, i = 0; i < 400; i++) {
                const fx = ((i * 37) % 100) / 100, fyy = ((i * 61) % 100) / 100;
                const x = box.left + box.width * fx, y = box.top + box.height * fyy;
                if (document.elementFromPoint(x, y) === path) return {x, y};
            }
            return null;
        }"""
    )
    assert point, f"no tappable point inside {code}"
    page.touchscreen.tap(point["x"], point["y"])


# 1. A letter code, logged out -------------------------------------------------------------


def test_letter_code_survives_signup_and_email_confirmation(phone_390):
    admin = UserFactory(email="beheer@example.org", is_superuser=True, is_staff=True)
    platform = PlatformFactory(name="Samen Sterk", slug="samen-sterk", buurten=["TH01"])
    _batch, codes = platform_services.create_endorsement_codes(
        buurt=Buurt.objects.get(code="TH01"), count=1, by=admin
    )
    page = phone_390()
    page.goto("/")
    fits(page, "1-home")
    go(page.get_by_role("link", name="Steuncode invullen"))
    fits(page, "1-code")
    page.get_by_label("Steuncode").fill(codes[0].code.lower())
    go(page.get_by_role("button", name="Verder"))
    fits(page, "1-code-platforms")
    assert page.get_by_text("Om te steunen heb je een account nodig").is_visible()
    go(page.get_by_role("button", name="Steun Samen Sterk"))
    fits(page, "1-account-needed")
    assert page.get_by_role("heading", name="Je hebt een account nodig om te steunen").is_visible()
    assert not Endorsement.objects.exists()

    go(page.locator("main").get_by_role("link", name="Account maken"))
    fits(page, "1-signup")
    page.get_by_label("E-mail").first.fill("brief@example.org")
    page.get_by_label("Naam (zoals anderen je zien)").fill("Bea Brief")
    page.locator("input[name=password1]").fill("een-lang-wachtwoord-42")
    page.locator("input[name=password2]").fill("een-lang-wachtwoord-42")
    go(page.locator("main form button[type=submit]").last)
    fits(page, "1-check-mail")
    assert not Endorsement.objects.exists()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", link))  # tapped in the mail app
    fits(page, "1-confirm")
    go(page.locator("main form button[type=submit]"))
    fits(page, "1-done")

    endorsement = Endorsement.objects.get()
    assert endorsement.platform == platform and endorsement.verified
    assert endorsement.user.email == "brief@example.org"
    assert page.url.endswith(platform.get_absolute_url())
    assert page.get_by_text(
        "Je steun voor Samen Sterk is geregistreerd met je steuncode. Dank je wel!"
    ).is_visible()
    assert page.get_by_text("Jij steunt dit platform.").is_visible()


# 2-4. Register a platform on the map, add an activity with a photo, a neighbour endorses ----


def test_register_on_the_map_add_a_photo_and_a_neighbour_endorses(phone_390, tmp_path):
    UserFactory(email="kees@example.org", name="Kees Coördinator")
    UserFactory(email="buur@example.org", name="Bram Buur")
    tk01, tk03 = Buurt.objects.get(code="TK01"), Buurt.objects.get(code="TK03")

    page = phone_390()
    log_in(page, "kees@example.org")
    go(page.get_by_role("link", name="Buurtplatform Zuidoost"))
    fits(page, "2-home-logged-in")
    go(page.locator("main").get_by_role("link", name="Platform aanmelden"))
    fits(page, "2-register")
    page.locator("#id_name").fill("Gaasperdam Groeit")
    page.locator("#id_area_name").fill("Rond de Gaasperplas")
    for buurt in (tk01, tk03):
        box = page.locator(f'input[name=buurten][value="{buurt.pk}"]')
        assert not box.is_checked()
        tap_shape(page, buurt.code)
        assert box.is_checked(), f"tapping {buurt.code} on the map did not tick its box"
    fits(page, "2-register-picked")
    # Tapping a shape again unticks it; once more ticks it again.
    tap_shape(page, "TK03")
    assert not page.locator(f'input[name=buurten][value="{tk03.pk}"]').is_checked()
    tap_shape(page, "TK03")
    assert page.locator(f'input[name=buurten][value="{tk03.pk}"]').is_checked()
    page.locator("#id_description").fill("Wij planten bomen en ruimen zwerfafval op.")
    page.locator("#id_contact_email").fill("groeit@example.org")
    go(page.get_by_role("button", name="Platform aanmelden"))
    page.wait_for_url("**/platforms/gaasperdam-groeit/")
    fits(page, "2-platform")
    platform = Platform.objects.get(slug="gaasperdam-groeit")
    assert set(platform.buurten.values_list("code", flat=True)) == {"TK01", "TK03"}
    assert platform.memberships.get().role == Membership.Role.COORDINATOR

    # 3. An activity with a photo
    go(page.get_by_role("link", name="Activiteit toevoegen"))
    fits(page, "3-activity-form")
    page.locator("#id_title").fill("Bomen geplant aan de plas")
    page.locator("#id_start_date").fill("2026-03-21")
    page.locator("#id_description").fill("Twintig buren plantten tien bomen.")
    page.get_by_label("Daadkracht").check()
    page.locator("#id_photo").set_input_files(png(tmp_path, "bomen.png"))
    page.locator("#id_alt_text").fill("Buren planten een jonge boom")
    go(page.get_by_role("button", name="Opslaan"))
    fits(page, "3-activity")
    assert page.get_by_role("heading", name="Bomen geplant aan de plas").is_visible()
    activity = Activity.objects.get(platform=platform)
    assert activity.photos.count() == 1
    image = page.get_by_alt_text("Buren planten een jonge boom")
    assert image.is_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) > 0
    assert image.bounding_box()["width"] <= WIDTH

    # 4. A neighbour finds the platform through the menu and endorses it.
    neighbour = phone_390()
    log_in(neighbour, "buur@example.org")
    menu(neighbour, "Platforms")
    fits(neighbour, "4-platform-list")
    go(neighbour.locator("main").get_by_role("link", name="Gaasperdam Groeit").first)
    fits(neighbour, "4-platform")
    go(neighbour.get_by_role("link", name="Steun dit platform"))
    fits(neighbour, "4-endorse-form")
    neighbour.get_by_label("In welke buurt woon of werk je?").select_option(str(tk01.pk))
    neighbour.get_by_label("Mijn naam mag bij de steunbetuigingen staan").check()
    go(neighbour.get_by_role("button", name="Ik steun dit platform"))
    fits(neighbour, "4-endorsed")
    assert neighbour.get_by_text("Dank je wel voor je steun!").is_visible()
    assert neighbour.get_by_text("Jij steunt dit platform.").is_visible()
    endorsement = Endorsement.objects.get(platform=platform)
    assert endorsement.user.email == "buur@example.org" and endorsement.buurt == tk01


# 5. An expense claim from "Mijn platform" --------------------------------------------------


def test_coordinator_files_a_claim_from_my_platform(phone_390, tmp_path):
    from accounts.roles import SUPPORT
    from budgets.models import ExpenseClaim
    from budgets.services import book_grant
    from tests.budgets.factories import granted_decision

    support = UserFactory(email="joyce@example.org", roles=[SUPPORT])
    platform = PlatformFactory(name="Samen Sterk", slug="samen-sterk", buurten=["TH01"])
    coordinator = UserFactory(email="coord@example.org", name="Cora Coördinator")
    MembershipFactory(platform=platform, user=coordinator, role=Membership.Role.COORDINATOR)
    budget = book_grant(decision=granted_decision(platform=platform), by=support)

    page = phone_390()
    log_in(page, "coord@example.org")
    menu(page, "Mijn platform")
    fits(page, "5-my-platform")
    go(page.get_by_role("link", name="Declaratie indienen"))  # not behind a wide table
    fits(page, "5-claim-form")
    line = budget.lines.first()
    page.locator("#id_budget_line").select_option(str(line.pk))
    page.locator("#id_amount").fill("12,50")
    page.locator("#id_expense_date").fill("2026-11-20")
    page.locator("#id_payee_name").fill("Cora Coördinator")
    page.locator("#id_iban").fill("NL91 ABNA 0417 1643 00")
    page.locator("#id_description").fill("Koffie en thee voor de buurttafel")
    page.locator("#id_receipts").set_input_files(png(tmp_path, "bon.png", (250, 250, 250)))
    go(page.get_by_role("button", name="Indienen"))
    fits(page, "5-claim")
    assert page.get_by_text("Je declaratie is ingediend.").is_visible()
    claim = ExpenseClaim.objects.get(budget=budget)
    assert claim.amount == Decimal("12.50")
    assert claim.submitted_by == coordinator
    assert claim.receipts.count() == 1
    assert "€ 12,50" in page.locator("main").inner_text()


# 6. Withdraw an application and open it again before the deadline ---------------------------


@pytest.fixture
def submitted_application(reference_data):
    from recognition import services as recognition_services
    from tests.recognition.conftest import complete_application, make_round

    admin = UserFactory(email="voorzitter@example.org", is_superuser=True, is_staff=True)
    platform = PlatformFactory(name="Samen Sterk", slug="samen-sterk", buurten=["TH01"])
    coordinator = UserFactory(email="coord@example.org", name="Cora Coördinator")
    MembershipFactory(platform=platform, user=coordinator, role=Membership.Role.COORDINATOR)
    rnd = recognition_services.open_round(round=make_round(admin, slug="ronde-2027"), by=admin)
    application = complete_application(rnd, platform, coordinator)
    recognition_services.submit_application(application=application, by=coordinator)
    return application


def test_coordinator_withdraws_and_restarts_an_application(phone_390, submitted_application):
    from recognition.models import Application

    application, rnd = submitted_application, submitted_application.round
    page = phone_390()
    log_in(page, "coord@example.org")
    menu(page, "Mijn platform")
    fits(page, "6-my-platform")
    go(page.locator("main").get_by_role("link", name=rnd.title))
    fits(page, "6-application")
    go(page.get_by_role("link", name="Aanvraag intrekken…"))
    fits(page, "6-withdraw-confirm")
    assert page.get_by_role("heading", name=re.compile("intrekken")).is_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED  # nothing happened yet
    go(page.get_by_role("button", name="Ja, aanvraag intrekken"))
    fits(page, "6-withdrawn")
    assert page.get_by_text("De aanvraag is ingetrokken.").is_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN

    go(page.get_by_role("button", name="Aanvraag weer openen"))
    fits(page, "6-restarted")
    assert page.get_by_text("De aanvraag is weer een concept.").is_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    go(page.get_by_role("button", name="Aanvraag indienen"))
    fits(page, "6-resubmitted")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


DATETIME = re.compile(r"\d{1,2} [a-z]+ \d{4} \d{1,2}:\d{2}")


def test_withdraw_confirmation_shows_the_same_deadline(phone_390, submitted_application):
    page = phone_390()
    log_in(page, "coord@example.org")
    menu(page, "Mijn platform")
    go(page.locator("main").get_by_role("link", name=submitted_application.round.title))
    on_application = DATETIME.search(page.locator("main").inner_text()).group(0)
    go(page.get_by_role("link", name="Aanvraag intrekken…"))
    on_confirmation = DATETIME.search(page.locator("main").inner_text()).group(0)
    assert on_confirmation == on_application
