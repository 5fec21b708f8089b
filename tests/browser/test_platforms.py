"""A resident signs up, verifies, registers a platform, adds an activity with a photo, and
sees it on the public page; the registration form works at 320 px."""

import io
import re

import pytest
from django.core import mail
from PIL import Image

from areas.models import Buurt
from tests.browser.conftest import CONTEXT
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def _login(page, email: str, password: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_resident_registers_platform_and_adds_activity_with_photo(page):
    failed = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.goto("/account/signup/")
    page.get_by_label("E-mail").first.fill("nieuwe.buur@example.org")
    page.get_by_label("Naam (zoals anderen je zien)").fill("Nieuwe Buur")
    page.locator("input[name=password1]").fill("een-lang-wachtwoord-42")
    page.locator("input[name=password2]").fill("een-lang-wachtwoord-42")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto("/platforms/aanmelden/")
    if "/account/login/" in page.url:  # not logged in automatically: log in now
        _login(page, "nieuwe.buur@example.org", "een-lang-wachtwoord-42")
        page.goto("/platforms/aanmelden/")
    page.locator("#id_name").fill("Gaasperdam Groeit")
    page.locator("#id_area_name").fill("Rond de Gaasperplas")
    for code in ("TK01", "TK03"):  # the checkbox behind the map's shape and the list
        page.locator(f'input[name=buurten][value="{Buurt.objects.get(code=code).pk}"]').check()
    page.locator("#id_description").fill("Wij planten bomen en ruimen zwerfafval op.")
    page.locator("#id_kvk_number").fill("12345678")
    page.get_by_role("button", name="Platform aanmelden").click()
    page.wait_for_url("**/platforms/gaasperdam-groeit/")
    assert page.get_by_text("Nog niet erkend").first.is_visible()

    page.get_by_role("link", name="Activiteit toevoegen").click()
    page.locator("#id_title").fill("Bomen geplant aan de plas")
    page.locator("#id_start_date").fill("2026-03-21")
    page.locator("#id_description").fill("Twintig buren plantten tien bomen.")
    page.get_by_label("Daadkracht").check()
    page.locator("#id_photo").set_input_files(
        {"name": "bomen.png", "mimeType": "image/png", "buffer": _png_bytes()}
    )
    page.locator("#id_alt_text").fill("Buren planten een jonge boom")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Bomen geplant aan de plas").is_visible()

    # The public sees it too, in a fresh browser context without a session.
    public = page.context.browser.new_context(base_url=page.url.split("/platforms/")[0], **CONTEXT)
    public_page = public.new_page()
    public_page.goto("/platforms/gaasperdam-groeit/")
    assert public_page.get_by_role("link", name="Bomen geplant aan de plas").is_visible()
    image = public_page.get_by_alt_text("Buren planten een jonge boom")
    assert image.is_visible()
    assert public_page.evaluate("img => img.naturalWidth", image.element_handle()) > 0
    public.close()
    assert failed == []
    # The only console error allowed is the browser's own favicon probe (no favicon shipped).
    assert all("404" in error for error in page.console_errors), page.console_errors


def test_registration_form_fits_320px(phone_page):
    UserFactory(email="smal@example.org")
    _login(phone_page, "smal@example.org", PASSWORD)
    phone_page.goto("/platforms/aanmelden/")
    assert phone_page.get_by_role("heading", name="Platform aanmelden").is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert phone_page.get_by_role("button", name="Platform aanmelden").is_visible()
    phone_page.goto("/platforms/")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages_have_no_serious_accessibility_violations(page):
    from tests.factories import ActivityFactory, PlatformFactory

    platform = PlatformFactory(name="Toegankelijk Platform", buurten=["TH01", "TH02"])
    ActivityFactory(platform=platform, title="Buurtmaaltijd")
    for url in [
        "/platforms/",
        platform.get_absolute_url(),
        "/buurten/",
        "/buurten/TH01/",
        "/steun/",
    ]:
        page.goto(url)
        assert _serious_violations(page) == [], url


def test_registration_form_accessible_and_english_at_320px(phone_page):
    UserFactory(email="smal2@example.org")
    _login(phone_page, "smal2@example.org", PASSWORD)
    phone_page.goto("/en/platforms/aanmelden/")
    assert phone_page.get_by_role("heading", name="Register a platform").is_visible()
    assert _serious_violations(phone_page) == []
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
