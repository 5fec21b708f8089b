"""One source per published figure: the decision page, the decision PDF, decisions.csv, the
platform page, the platform year PDF, /transparantie/ and the transactions export show the
same numbers, formatted by one rule, in a world with the awkward cases:

- a conflict pinned by the chair on a member who had already scored (their sheet must not
  count anywhere),
- a mean that needs rounding (3,666… → 3,7: half up to one decimal, never truncated),
- a withdrawn application in the same round (appears nowhere),
- a partial grant (€ 12.500 granted on € 15.000 asked),
- a reversed payment, and a payment to a private person (never named).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from budgets import selectors as books
from buurtplatform.formatting import format_money, format_number, format_score
from platforms.models import Platform
from recognition import selectors
from recognition.models import Application, ConflictDeclaration, Decision, Score, Scoresheet
from recognition.services import sync_platform_recognition
from reports.rendering import render_report
from tests.factories import PlatformFactory, UserFactory
from tests.reports.conftest import pdf_text
from tests.reports.factories import SENTINEL_IBAN, SENTINEL_PAYEE, granted_scenario

pytestmark = pytest.mark.django_db

GRANTED = Decimal("12500.00")
SPENT = Decimal("1484.56")  # 1.234,56 + 250,00; the 99,99 payment was reversed


@pytest.fixture
def world():
    s = granted_scenario()
    app = s.decision.application
    Application.objects.filter(pk=app.pk).update(requested_amount=Decimal("15000.00"))
    # Two more members scored 4 and 1 on every criterion; then the chair pins a conflict on
    # the one who gave 1. Counting: 3, 4, 4 → mean 3,666… → 3,7 (with the pinned sheet: 3,0).
    extra = [UserFactory(), UserFactory()]
    criteria = list(s.round.criteria_version.criteria.all())
    for member, value in zip(extra, (4, 1), strict=True):
        sheet = Scoresheet.objects.create(
            application=app,
            revision=app.revisions.first(),
            member=member,
            status=Scoresheet.Status.SUBMITTED,
        )
        Score.objects.bulk_create(
            Score(scoresheet=sheet, criterion=c, value=value) for c in criteria
        )
    ConflictDeclaration.objects.create(
        application=app, member=extra[1], has_conflict=True, kind="other", pinned_by=extra[0]
    )
    withdrawn = Application.objects.create(
        round=s.round,
        platform=PlatformFactory(name="Teruggetrokken Groep", buurten=["TH02"]),
        area_name="Teruggetrokken gebied",
        requested_amount=Decimal("999.00"),
        status=Application.Status.WITHDRAWN,
    )
    s.withdrawn = withdrawn
    s.conflicted = extra[1]
    return s


def _csv(client, url) -> list[dict]:
    return list(csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))


def test_score_statistics_agree_on_page_pdf_and_open_data(world, client):
    app = world.decision.application
    table = selectors.score_table(app)
    assert table["count"] == 3  # the pinned member's sheet does not count
    mean = table["rows"][0]["mean"]
    assert mean == Decimal("3.7")  # 11 / 3 rounded half up, not truncated to 3,6
    assert {r["median"] for r in table["rows"]} == {Decimal("4.0")}
    shown = format_score(mean)
    assert shown == "3,7"

    page = client.get(reverse("recognition:round_decision", args=[world.round.slug]))
    html = page.content.decode()
    assert shown in html and "3,6" not in html and "3,0" not in html
    assert world.withdrawn.area_name not in html

    pdf = pdf_text(render_report("round_decision", world.round.slug))
    assert shown in pdf and "3,0" not in pdf
    assert world.withdrawn.area_name not in pdf

    rows = {int(r["id"]): r for r in _csv(client, "/open-data/decisions.csv")}
    row = rows[world.decision.pk]
    keys = [c.key for c in world.round.criteria_version.criteria.all()]
    assert {row[f"mean_{k}"] for k in keys} == {"3.7"}
    assert {rows[world.refused.pk][f"mean_{k}"] for k in keys} == {"1.5"}
    assert row["requested_amount"] == "15000.00" and row["granted_amount"] == "12500.00"
    assert str(world.withdrawn.platform.pk) not in {r["platform_id"] for r in rows.values()}


def test_money_figures_agree_on_every_output(world, client):
    platform = world.platform
    summary = books.public_budget_summary(platform)[0]
    assert (summary["granted"], summary["spent"]) == (GRANTED, SPENT)
    figures = [format_money(GRANTED), format_money(SPENT), format_money(GRANTED - SPENT)]
    assert figures == ["€ 12.500,00", "€ 1.484,56", "€ 11.015,44"]

    outputs = {
        "platform page": client.get(platform.get_absolute_url()).content.decode(),
        "transparency": client.get(
            reverse("reports:transparency_year", args=[2026])
        ).content.decode(),
        "platform year pdf": pdf_text(render_report("platform_year", f"{platform.slug}/2026")),
        "district pdf": pdf_text(render_report("district_year", "2026")),
    }
    for name, text in outputs.items():
        for figure in figures:
            assert figure in text, f"{figure} missing from the {name}"
        assert SENTINEL_PAYEE not in text, f"private payee named in the {name}"
        assert SENTINEL_IBAN not in text, f"IBAN in the {name}"

    rows = _csv(client, "/open-data/entries.csv")
    net = sum(
        Decimal(r["debit"] or 0) - Decimal(r["credit"] or 0)
        for r in rows
        if r["account_kind"] == "expense" and r["grant_id"] == str(world.budget.pk)
    )
    assert net == SPENT
    assert not any(
        SENTINEL_PAYEE in r["description"] or SENTINEL_PAYEE in r["account_name"] for r in rows
    )
    assert any("particulier" in r["description"] for r in rows)
    grants = {int(r["id"]): r for r in _csv(client, "/open-data/grants.csv")}
    assert grants[world.budget.pk]["spent"] == f"{SPENT}"


def test_one_money_and_number_rule_in_both_languages():
    assert format_money(Decimal("1234.5")) == "€ 1.234,50"
    assert format_money(Decimal("-12")) == "€ -12,00"
    assert format_number(Decimal("2.25"), 1) == "2,3"  # half up, not banker's rounding
    assert selectors.mean_of([2, 2, 2, 3]) == Decimal("2.3")  # 2,25 → 2,3
    assert selectors.mean_of([3, 4, 4]) == Decimal("3.7")
    with translation.override("en"):
        assert format_money(Decimal("1234.5")) == "€1,234.50"
        assert format_money(Decimal("-12")) == "-€12.00"
        assert format_score(Decimal("3.7")) == "3.7"


def test_dates_use_one_dutch_format_with_lower_case_months(world, client):
    import datetime

    from buurtplatform.formatting import format_date

    assert format_date(datetime.date(2026, 2, 13)) == "13 februari 2026"
    html = client.get(reverse("recognition:round_decision", args=[world.round.slug])).content
    assert " Mrt " not in html.decode() and " Feb " not in html.decode()


def test_stored_recognition_status_never_drifts_from_the_recognitions(world):
    """Platform.recognition_status is a copy for filtering; one function writes it."""
    for platform in Platform.objects.all():
        sync_platform_recognition(platform)
    for platform in Platform.objects.all():
        assert platform.recognition_status == selectors.recognition_status_of(platform)
    assert world.platform.recognition_status == Platform.RecognitionStatus.RECOGNISED
    assert selectors.recognition_status_of(world.rival) == Platform.RecognitionStatus.NOT_RECOGNISED
    assert Decision.objects.filter(application=world.withdrawn).count() == 0
