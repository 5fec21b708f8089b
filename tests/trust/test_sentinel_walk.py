"""The privacy rules of docs/privacy.md hold in every public output: a seeded world carries
sentinel values (a member's e-mail, an IBAN, a private payee, an address in private notes, an
endorser who did not agree to be named, a nameless endorser who did) and every public page,
PDF and export is walked for them."""

from __future__ import annotations

import pytest
from django.test import Client

from areas.models import Buurt
from platforms import services as platform_services
from platforms.models import Membership
from reports.rendering import render_report
from tests.factories import MembershipFactory, UserFactory
from tests.reports.conftest import pdf_text
from tests.reports.factories import SENTINEL_IBAN, SENTINEL_PAYEE, granted_scenario

pytestmark = pytest.mark.django_db

MEMBER_EMAIL = "sentinel-lid-4471@example.org"
HIDDEN_ENDORSER = "Onzichtbare Sentinelbuur"
NAMELESS_EMAIL = "sentinel-naamloos-4471@example.org"
ADDRESS = "Sentinelstraat 77"


@pytest.fixture(scope="module")
def world(module_db):
    """Built once for the module; the walk's outputs are read once too (``outputs``)."""
    s = granted_scenario()
    MembershipFactory(
        platform=s.platform,
        user=UserFactory(email=MEMBER_EMAIL, name="Lid Zonder Naam Publiek"),
        role=Membership.Role.MEMBER,
        show_name_publicly=False,
    )
    th01 = Buurt.objects.get(code="TH01")
    platform_services.endorse_platform(
        platform=s.platform, user=UserFactory(name=HIDDEN_ENDORSER), buurt=th01
    )
    platform_services.endorse_platform(
        platform=s.platform,
        user=UserFactory(name="", email=NAMELESS_EMAIL),
        buurt=th01,
        show_name=True,
    )
    claim = s.budget.claims.filter(payee_name=SENTINEL_PAYEE).get()
    type(claim).objects.filter(pk=claim.pk).update(private_notes=f"Bezorgd op {ADDRESS}")
    return s


@pytest.fixture(scope="module")
def outputs(world) -> dict[str, str]:
    return _public_outputs(world)


def _public_outputs(s) -> dict[str, str]:
    c = Client()
    slug, rnd = s.platform.slug, s.round.slug
    pages = [
        "/",
        "/platforms/",
        f"/platforms/{slug}/",
        "/buurten/",
        "/buurten/TH01/",
        "/rondes/",
        f"/rondes/{rnd}/",
        f"/rondes/{rnd}/besluit/",
        "/transparantie/",
        "/transparantie/2026/",
        "/open-data/",
        "/open-data/360giving.json",
        "/open-data/transactions.csv",
        "/privacy/",
    ]
    for name in ("platforms", "rounds", "decisions", "grants", "entries"):
        pages += [f"/open-data/{name}.csv", f"/open-data/{name}.json"]
    outputs = {}
    for path in pages:
        response = c.get(path)
        assert response.status_code == 200, path
        outputs[path] = response.content.decode("utf-8-sig")
    for activity in s.platform.activities.all():
        outputs[activity.get_absolute_url()] = c.get(activity.get_absolute_url()).content.decode()
    outputs["platform year PDF"] = pdf_text(render_report("platform_year", f"{slug}/2026"))
    outputs["decision PDF"] = pdf_text(render_report("round_decision", rnd))
    outputs["district PDF"] = pdf_text(render_report("district_year", "2026"))
    return outputs


@pytest.mark.parametrize(
    "sentinel",
    [MEMBER_EMAIL, SENTINEL_IBAN, SENTINEL_PAYEE, ADDRESS, HIDDEN_ENDORSER, NAMELESS_EMAIL],
)
def test_no_sentinel_reaches_any_public_output(outputs, sentinel):
    leaks = [where for where, text in outputs.items() if sentinel in text]
    assert leaks == [], f"{sentinel!r} appears in {leaks}"


def test_the_walk_sees_the_public_figures(world, outputs):
    """The walk is not vacuous: the public facts are there."""
    assert world.platform.name in outputs[f"/platforms/{world.platform.slug}/"]
    assert "particulier" in outputs["/open-data/transactions.csv"]
    assert "€ 12.500,00" in outputs["platform year PDF"]


def test_every_csv_is_formula_safe_and_opens_in_dutch_excel(world, db, client):
    """Names anyone can type must never run as formulas (CSV injection), numbers stay numbers."""
    from platforms.models import Platform

    Platform.objects.filter(pk=world.platform.pk).update(name='=HYPERLINK("http://x","klik")')
    for path in [
        "/open-data/platforms.csv",
        "/open-data/transactions.csv",
        "/open-data/grants.csv",
    ]:
        body = client.get(path).content
        assert body.startswith(b"\xef\xbb\xbf"), path  # UTF-8 with a BOM: Excel reads accents
        text = body.decode("utf-8-sig")
        assert ",=HYPERLINK" not in text and '"=HYPERLINK' not in text, path
    assert "'=HYPERLINK" in client.get("/open-data/platforms.csv").content.decode("utf-8-sig")


def test_safe_cell_rule():
    from decimal import Decimal

    from buurtplatform.csvfiles import safe_cell

    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+31 6") == "'+31 6"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\tx") == "'\tx" and safe_cell("\rx") == "'\rx"
    assert safe_cell("-x") == "'-x"
    assert safe_cell(Decimal("-12.5")) == "-12.50"  # a number stays a number
    assert safe_cell(-3) == -3


def test_privacy_page_links_the_rules_the_code_follows(client):
    page = client.get("/privacy/").content.decode()
    assert "/privacy/regels/" in page
    rules = client.get("/privacy/regels/").content.decode()
    for datum in ("IBAN", "private payee name", "endorsement", "evidence files"):
        assert datum in rules
    assert "scrub_private_payee" in rules and "can_view_claim_private" in rules
