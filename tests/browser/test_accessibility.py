"""axe-core scan (WCAG 2.1 A/AA) of every public page and the main forms, in Dutch and English.

No serious or critical violation may remain. Logged-in pages get a session cookie made with
Django's test client, so the scan does not spend its time typing passwords.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.roles import COMMISSION
from budgets.services import book_grant
from platforms import services as platform_services
from platforms.models import Invitation, Membership, PartnerConfirmation
from recognition import services as rec
from tests.budgets.factories import granted_decision
from tests.factories import ActivityFactory, MembershipFactory, PlatformFactory, UserFactory
from tests.recognition.conftest import complete_application, make_round, pass_deadline
from tests.reports.factories import granted_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = {"nl": "", "en": "/en"}


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now.

    axe-core (about 570 kB) is handed to the browser once per browser context, as a script that
    runs in every page it opens from then on, instead of being sent along with every scan."""
    import json

    from axe_playwright_python import sync_playwright as axe_module

    if not page.evaluate("typeof axe !== 'undefined'"):
        script = Path(axe_module.__file__).with_name("axe.min.js")
        page.context.add_init_script(path=script)
        page.evaluate(script.read_text())  # this page was opened before
    response = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in response["violations"]
        if v["impact"] in ("serious", "critical") and set(v.get("tags", [])) & set(WCAG_TAGS)
    ]


def scan(page, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        problems = serious_violations(page)
        if problems:
            found[url] = problems
    return found


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def a11y_world(reference_data):
    scenario = granted_scenario()
    platform = PlatformFactory(name="Toegankelijk Platform", slug="toegankelijk", buurten=["TH01"])
    activity = ActivityFactory(platform=platform, title="Buurtmaaltijd")
    coordinator = UserFactory(email="a11y-coord@example.org")
    MembershipFactory(platform=platform, user=coordinator, role=Membership.Role.COORDINATOR)
    member = UserFactory(email="a11y-member@example.org")
    MembershipFactory(platform=platform, user=member, role=Membership.Role.MEMBER)
    admin = UserFactory(email="a11y-admin@example.org", is_superuser=True, is_staff=True)
    commission = UserFactory(email="a11y-commissie@example.org", roles=[COMMISSION])
    support = UserFactory(email="a11y-support@example.org", roles=["ondersteuning"])
    open_round = rec.open_round(round=make_round(admin, slug="ronde-open-a11y"), by=admin)
    draft = rec.start_application(round=open_round, platform=platform, by=coordinator)
    assess = rec.open_round(round=make_round(admin, slug="ronde-beoordeling-a11y"), by=admin)
    other = PlatformFactory(name="Ander Platform", slug="ander-a11y", buurten=["TM01"])
    other_coord = UserFactory(email="a11y-other@example.org")
    MembershipFactory(platform=other, user=other_coord, role=Membership.Role.COORDINATOR)
    submitted = complete_application(assess, other, other_coord, Decimal("4000"))
    rec.submit_application(application=submitted, by=other_coord)
    rec.start_assessment(round=pass_deadline(assess), by=admin)
    rec.declare_conflict(application=submitted, by=commission, has_conflict=False)
    budget = book_grant(decision=granted_decision(platform=platform), by=support)
    invitation = platform_services.invite_member(
        platform=platform, email="a11y-invited@example.org", role="member", by=coordinator
    )
    invitation_token, token_hash = platform_services.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token=token_hash)
    confirmation = platform_services.request_partner_confirmation(
        activity=activity, partner_name="School", partner_email="s@example.org", by=coordinator
    )
    partner_token, token_hash = platform_services.new_token()
    PartnerConfirmation.objects.filter(pk=confirmation.pk).update(token=token_hash)
    return {
        "invitation_token": invitation_token,
        "partner_token": partner_token,
        "scenario": scenario,
        "platform": platform,
        "activity": activity,
        "coordinator": coordinator,
        "member": member,
        "commission": commission,
        "draft": draft,
        "submitted": submitted,
        "budget": budget,
        "year": datetime.date.today().year,
    }


def public_urls(w) -> list[str]:
    with translation.override("nl"):  # Dutch addresses; the English ones get the /en prefix
        return _public_urls(w)


def _public_urls(w) -> list[str]:
    s = w["scenario"]
    return [
        "/",
        "/privacy/",
        "/platforms/",
        w["platform"].get_absolute_url(),
        s.platform.get_absolute_url(),
        f"/platforms/{w['platform'].slug}/activiteiten/{w['activity'].pk}/",
        "/buurten/",
        "/buurten/TH01/",
        "/steun/",
        "/rondes/",
        f"/rondes/{s.round.slug}/",
        f"/rondes/{s.round.slug}/besluit/",
        "/transparantie/",
        f"/transparantie/{s.round.budget_year}/",
        "/open-data/",
        "/account/login/",
        "/account/signup/",
        "/account/password/reset/",
        f"/uitnodiging/{w['invitation_token']}/",
        f"/partner/{w['partner_token']}/",
        f"/platforms/{w['platform'].slug}/steunen/",  # logged out: why an account is needed
    ]


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_public_pages(page, a11y_world, lang):
    prefix = LANGUAGES[lang]
    found = scan(page, [prefix + url for url in public_urls(a11y_world)])
    assert found == {}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_my_platform_page(page, live_server, a11y_world, lang):
    """Mijn platform (issue 15): the coordinator's and a member's home of their platform."""
    w, prefix = a11y_world, LANGUAGES[lang]
    found = {}
    for role in ("coordinator", "member"):
        page.context.clear_cookies()
        log_in(page, live_server, w[role])
        found |= scan(page, [prefix + f"/mijn/{w['platform'].slug}/"])
    assert found == {}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_confirmation_pages(page, live_server, a11y_world, lang):
    """Destructive actions ask on a page of their own (issue 15): archive, delete, withdraw."""
    w, prefix = a11y_world, LANGUAGES[lang]
    slug = w["platform"].slug
    log_in(page, live_server, w["coordinator"])
    urls = [
        f"/platforms/{slug}/archiveren/",
        f"/platforms/{slug}/activiteiten/{w['activity'].pk}/verwijderen/",
        f"/aanvragen/{w['draft'].pk}/intrekken/",
    ]
    found = scan(page, [prefix + url for url in urls])
    assert found == {}
    page.goto(prefix + urls[0])
    assert page.locator("main form button[type=submit]").count() >= 1


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_main_forms(page, live_server, a11y_world, lang):
    w, prefix = a11y_world, LANGUAGES[lang]
    slug = w["platform"].slug
    forms = [
        ("coordinator", "/platforms/aanmelden/"),
        ("coordinator", f"/platforms/{slug}/activiteiten/nieuw/"),
        ("coordinator", f"/aanvragen/{w['draft'].pk}/bewerken/"),
        ("coordinator", f"/aanvragen/{w['draft'].pk}/criteria/1/"),
        ("commission", f"/commissie/aanvragen/{w['submitted'].pk}/"),  # the score form
        ("member", f"/platforms/{slug}/budget/{w['budget'].pk}/declaraties/nieuw/"),
    ]
    found = {}
    for role, url in forms:
        page.context.clear_cookies()
        log_in(page, live_server, w[role])
        found |= scan(page, [prefix + url])
        assert page.locator("main form").count() >= 1, url
        assert page.locator("main form input, main form select, main form textarea").count() > 1
    assert found == {}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_forms_with_errors(page, live_server, a11y_world, lang):
    """Errors after a failed submit are tied to their fields (no new violations)."""
    prefix = LANGUAGES[lang]
    log_in(page, live_server, a11y_world["coordinator"])
    page.goto(prefix + "/platforms/aanmelden/")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    assert serious_violations(page) == []
    page.context.clear_cookies()
    page.goto(prefix + "/account/signup/")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    assert serious_violations(page) == []


def test_the_scan_would_catch_a_violation(page):
    """The filter is not vacuous: a missing label and alt text are reported as serious/critical."""
    page.goto("/privacy/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/x.png"><input type="text">\')'
    )
    found = " ".join(serious_violations(page))
    assert "image-alt" in found and "label" in found


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_error_page(page, lang):
    response = page.goto(LANGUAGES[lang] + "/platforms/bestaat-niet/")
    assert response.status == 404
    assert serious_violations(page) == []


def test_english_pages_are_english(page, a11y_world):
    page.goto("/en/platforms/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/platforms/")
    assert page.locator("html").get_attribute("lang") == "nl"
