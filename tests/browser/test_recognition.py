"""A commission member declares, scores blind and compares (with the applicants' statements
and evidence); the chair decides and publishes; the losing applicant objects; the chair records
a hearing and upholds the objection with a new, superseding decision."""

from decimal import Decimal

import pytest
from django.utils import timezone

from platforms.models import Membership
from recognition import services
from tests.factories import PASSWORD, MembershipFactory, PlatformFactory, UserFactory
from tests.recognition.conftest import complete_application, make_round, pass_deadline, score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, email: str, password: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def contest(reference_data):
    from accounts.roles import COMMISSION

    admin = UserFactory(
        email="voorzitter@example.org", name="Vera Voorzitter", is_superuser=True, is_staff=True
    )
    carla = UserFactory(email="carla@example.org", name="Carla Commissie", roles=[COMMISSION])
    cees = UserFactory(email="cees@example.org", name="Cees Tweede", roles=[COMMISSION])
    a = PlatformFactory(name="Samen Sterk", slug="samen-sterk", buurten=["TH01", "TH02"])
    b = PlatformFactory(name="Buurt Verbindt", slug="buurt-verbindt", buurten=["TH02", "TH03"])
    apps = []
    coords = []
    for platform, amount in ((a, Decimal("6000")), (b, Decimal("5000"))):
        coord = UserFactory(email=f"coord-{platform.slug}@example.org")
        coords.append(coord)
        MembershipFactory(platform=platform, user=coord, role=Membership.Role.COORDINATOR)
        rnd = (
            services.open_round(round=make_round(admin, slug="proef"), by=admin)
            if not apps
            else apps[0].round
        )
        app = complete_application(rnd, platform, coord, amount)
        services.submit_application(application=app, by=coord)
        apps.append(app)
    rnd = pass_deadline(apps[0].round)
    services.start_assessment(round=rnd, by=admin)
    for app in apps:
        app.refresh_from_db()
        score(app, cees, 2)  # the other member has already submitted
    return {
        "admin": admin,
        "carla": carla,
        "cees": cees,
        "apps": apps,
        "round": rnd,
        "coords": coords,
    }


def _score_application(page, name: str, value: str) -> None:
    page.goto("/commissie/rondes/proef/")
    row = page.get_by_role("row").filter(has_text=name)
    row.get_by_role("link", name="Belang verklaren").click()
    page.get_by_label("Nee, ik heb geen belang").check()
    page.get_by_role("button", name="Verklaring vastleggen").click()
    assert page.get_by_text("De scores van andere commissieleden zie je pas").is_visible()
    assert page.get_by_text("Cees Tweede").count() == 0  # blind before submitting
    for select in page.locator("select").all():
        select.select_option(value)
    page.get_by_role("button", name="Concept opslaan").click()
    assert page.get_by_text("opgeslagen als concept").is_visible()
    assert page.get_by_text("Cees Tweede").count() == 0  # a draft does not unlock
    page.get_by_role("button", name="Beoordeling indienen").click()
    assert page.get_by_text("Je beoordeling is ingediend").first.is_visible()
    assert page.get_by_role("columnheader", name="Cees").is_visible()


def test_commission_scores_blind_compares_and_chair_publishes(page, contest):
    failed = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    login(page, "carla@example.org", PASSWORD)
    _score_application(page, "Samen Sterk", "4")
    _score_application(page, "Buurt Verbindt", "3")

    page.goto("/commissie/rondes/proef/vergelijking/")
    table = page.locator("table.compare-table")
    assert table.get_by_role("columnheader", name="Samen Sterk").is_visible()
    assert table.get_by_role("columnheader", name="Buurt Verbindt").is_visible()
    assert table.get_by_text("Carla: 4").first.is_visible()
    assert table.get_by_text("bespreken").first.is_visible()  # 4 against 2
    statement = contest["apps"][0].current_revision.snapshot["statements"][0]["statement"]
    assert table.get_by_text(statement[:30]).first.is_visible()  # the evidence beside scores
    assert page.get_by_role(
        "heading", name="Agendapunten: hier lopen de scores uiteen"
    ).is_visible()
    assert not failed

    page.get_by_role("button", name="Uitloggen").click()
    login(page, "voorzitter@example.org", PASSWORD)
    page.goto("/commissie/rondes/proef/vergelijking/")
    page.get_by_role("link", name="Besluit over Samen Sterk").click()
    page.get_by_label("Toekennen", exact=True).check()
    page.get_by_label("Toegekend bedrag (€)").fill("5500")
    page.get_by_label("Motivering (openbaar)").fill("Sterkste daadkracht in het gebied.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.goto("/commissie/rondes/proef/vergelijking/")
    page.get_by_role("link", name="Besluit over Buurt Verbindt").click()
    page.get_by_label("Niet toekennen").check()
    page.get_by_label("Motivering (openbaar)").fill(
        "De commissie koos Samen Sterk voor dit gebied."
    )
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.get_by_role("button", name="Besluiten afronden").click()
    page.get_by_role("link", name="Ronde publiceren").click()
    page.get_by_label("Wachtwoord").fill(PASSWORD)  # sensitive: password asked again
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_role("button", name="Nu publiceren").click()

    assert page.url.endswith("/rondes/proef/besluit/")
    assert page.get_by_text("Sterkste daadkracht in het gebied.").is_visible()
    assert page.get_by_text("De commissie koos Samen Sterk voor dit gebied.").is_visible()
    assert page.get_by_role("row").filter(has_text="10. Eigen middelen").count() == 2
    assert not failed


def test_losing_applicant_objects_and_the_chair_hears_and_decides(page, contest):
    from recognition.models import Decision
    from workflows.decisions import publish_round

    rnd, (a, b) = contest["round"], contest["apps"]
    score(a, contest["carla"], 4)
    score(b, contest["carla"], 3)
    admin = contest["admin"]
    services.record_decision(
        application=a, by=admin, outcome="granted", granted_amount=Decimal("5500"), motivation="A."
    )
    services.record_decision(
        application=b, by=admin, outcome="not_granted", granted_amount=0, motivation="Niet B."
    )
    services.conclude_round(round=rnd, by=admin)
    publish_round(round=rnd, by=admin)

    login(page, contest["coords"][1].email, PASSWORD)
    page.goto("/aanvragen/")
    page.get_by_role("link", name="Buurt Verbindt").first.click()
    page.get_by_role("link", name="Bezwaar maken").click()
    page.get_by_label("Waarom maak je bezwaar?").fill("Ons bewijs over draagvlak is niet gewogen.")
    page.get_by_role("button", name="Bezwaar indienen").click()
    assert page.get_by_text("in behandeling").first.is_visible()
    assert page.get_by_role("link", name="Bezwaar maken").count() == 0  # no second objection
    page.get_by_role("button", name="Uitloggen").click()

    login(page, "voorzitter@example.org", PASSWORD)
    page.goto("/commissie/")
    page.get_by_role("link", name="Buurt Verbindt").first.click()
    assert page.get_by_text("Ons bewijs over draagvlak is niet gewogen.").is_visible()
    page.get_by_label("Datum van de hoorzitting").fill(timezone.localdate().isoformat())
    page.get_by_label("Wie zijn gehoord").fill("De coördinator van Buurt Verbindt")
    page.get_by_label("Verslag (niet openbaar)").fill("Toelichting op de steunbetuigingen.")
    page.get_by_role("button", name="Hoorzitting vastleggen").click()
    page.get_by_label("Gegrond: een nieuw besluit vervangt het bestreden besluit").check()
    page.get_by_label("Toekennen", exact=True).check()
    page.get_by_label("Toegekend bedrag (€)").fill("3000")
    page.get_by_label("Motivering (openbaar)").fill("Na de hoorzitting toch toegekend.")
    page.get_by_role("button", name="Beslissing vastleggen").click()

    assert page.url.endswith("/rondes/proef/besluit/")
    assert page.get_by_text("Na de hoorzitting toch toegekend.").is_visible()
    assert page.get_by_text("Vervangen door het besluit van").first.is_visible()
    new = Decision.objects.get(application=b, supersedes__isnull=False)
    assert new.granted_amount == Decimal("3000.00")
    assert new.application.platform.budgets.get().granted_amount == Decimal("3000.00")
