"""/transparantie/ and /open-data/: public, constant queries, charts with text alternatives, valid 360Giving."""

import csv
import datetime
import io
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PlatformFactory
from tests.reports.factories import (
    SENTINEL_EMAIL,
    SENTINEL_IBAN,
    SENTINEL_PAYEE,
    SENTINEL_PHONE,
    book_budget,
    granted_scenario,
    make_decision,
    pay,
)

# shared/ lies beside the repository (as in CI); SHARED_DATA_DIR can point elsewhere.
SCHEMA_DIR = (
    Path(os.environ["SHARED_DATA_DIR"]) / "360giving"
    if os.environ.get("SHARED_DATA_DIR")
    else Path(__file__).resolve().parents[3] / "shared" / "data" / "360giving"
)
ROLES = [
    None,
    "resident",
    "member",
    "coordinator",
    "other_coordinator",
    "commission_member",
    "support_staff",
    "admin_user",
]


def add_platforms(scenario, n):
    for i in range(n):
        p = PlatformFactory(name=f"Extra {i}", slug=f"extra-{i}", buurten=["TM01", "TM02"])
        d = make_decision(
            round_obj=scenario.round, platform=p, area=f"Gebied {i}", granted=Decimal("1000.00")
        )
        b = book_budget(d, [("Activiteiten", "Feest", Decimal("1000.00"))])
        pay(b, 0, Decimal("10.00"), payee="Bakker BV", organisation=True, description="Taart")


@pytest.mark.parametrize("role", ROLES)
def test_transparency_page_for_every_role(scenario, request, client_for, role):
    user = request.getfixturevalue(role) if role else None
    response = client_for(user).get("/transparantie/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "<caption>" in html and 'scope="col"' in html
    assert "€ 12.500,00" in html
    assert "/transparantie/verslag/2026.pdf" in html
    assert "/platforms/samen-sterk-test/verslag/2026.pdf" in html
    assert "<script>" not in html.split("</main>")[0].split("<main")[1]


@pytest.mark.parametrize(
    "url",
    [
        "/transparantie/",
        "/open-data/",
        "/open-data/decisions.csv",
        "/open-data/grants.json",
        "/open-data/transactions.csv",
        "/open-data/360giving.json",
        "/open-data/platforms.json",
    ],
)
def test_public_pages_have_constant_query_counts(
    scenario, client, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    add_platforms(scenario, 8)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_transparency_shows_report_hash_once_made(
    scenario, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/transparantie/verslag/2026.pdf")
    from reports.models import ReportJob

    job = ReportJob.objects.get(kind="district_year")
    html = client.get("/transparantie/").content.decode()
    assert job.sha256 in html and "Gemaakt op" in html


def test_open_data_page_documents_every_field(db, client):
    from django.utils.html import escape

    from reports.opendata import SCHEMAS

    html = client.get(reverse("reports:open_data")).content.decode()
    for name, dataset in SCHEMAS.items():
        assert f"{name}.csv" in html and f"{name}.json" in html and f"{name}.xlsx" in html
        for field in dataset.fields:
            assert f"<code>{field.name}</code>" in html
            assert escape(field.description) in html


def test_unknown_dataset_is_404(db, client):
    assert client.get("/open-data/users.csv").status_code == 404


def test_entries_csv_never_names_private_payees(scenario, client):
    body = client.get("/open-data/entries.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [
        "id",
        "transaction_id",
        "budget_id",
        "grant_id",
        "platform_id",
        "date",
        "account_code",
        "account_name",
        "account_kind",
        "debit",
        "credit",
        "description",
    ]
    assert SENTINEL_PAYEE not in body and SENTINEL_IBAN not in body
    assert any("Drukwerk door particulier" == r["description"] for r in rows)
    debit = sum(Decimal(r["debit"] or 0) for r in rows)
    credit = sum(Decimal(r["credit"] or 0) for r in rows)
    assert debit == credit  # the books balance


@pytest.mark.parametrize(
    "name", ["platforms", "rounds", "decisions", "grants", "budgets", "transactions", "entries"]
)
def test_open_data_sets_hold_no_personal_data(scenario, client, name):
    for ext in ("csv", "json"):
        body = client.get(f"/open-data/{name}.{ext}").content.decode("utf-8-sig")
        for sentinel in (SENTINEL_EMAIL, SENTINEL_IBAN, SENTINEL_PAYEE, SENTINEL_PHONE):
            assert sentinel not in body


def test_decisions_have_per_criterion_means(scenario, client):
    response = client.get("/open-data/decisions.json")
    rows = json.loads(response.content)["rows"]
    granted = next(r for r in rows if r["platform_id"] == scenario.platform.pk)
    assert granted["mean_daadkracht"] == 3.5 and granted["outcome"] == "granted"


def test_grants_csv_matches_books(scenario, client):
    rows = list(
        csv.DictReader(io.StringIO(client.get("/open-data/grants.csv").content.decode("utf-8-sig")))
    )
    assert rows == [
        {
            "id": str(scenario.budget.pk),
            "identifier": f"360G-buurtplatform-zuidoost-{scenario.budget.pk}",
            "platform_id": str(scenario.platform.pk),
            "round_id": str(scenario.round.pk),
            "decision_id": str(scenario.decision.pk),
            "year": "2026",
            "granted_amount": "12500.00",
            "spent": "1484.56",
            "remaining": "11015.44",
            "award_date": scenario.decision.published_at.date().isoformat(),
        }
    ]


def test_360giving_validates_against_the_standard(scenario, client):
    if not SCHEMA_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SCHEMA_DIR} is absent: CI must validate against the 360Giving schema")
        pytest.skip(f"{SCHEMA_DIR} is absent: the 360Giving schema is not in the repository")
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package_schema = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text())
    grant_ref = package_schema["properties"]["grants"]["items"]["$ref"]
    # The files say $schema http://json-schema.org/draft/2020-12/schema (sic): name the dialect.
    resource = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources([(grant_ref, resource), (grant_schema["$id"], resource)])
    package = client.get("/open-data/360giving.json").json()
    checker = FormatChecker()

    # jsonschema checks date-time only with an optional package; the standard's oneOf
    # (date | date-time) needs it, so check RFC 3339 date-times here.
    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper():
            raise ValueError("not a date-time")
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    validator = Draft202012Validator(package_schema, registry=registry, format_checker=checker)
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert errors == [], [e.message for e in errors]
    grant = package["grants"][0]
    assert grant["currency"] == "EUR" and grant["amountAwarded"] == 12500.0
    assert [loc["id"] for loc in grant["beneficiaryLocation"]] == ["TH01", "TH02"]
    assert grant["fundingOrganization"][0]["name"].startswith("Gemeente Amsterdam")


def test_overview_totals_per_buurt_add_up(db, reference_data):
    from reports.data import district_overview

    s = granted_scenario()
    overview = district_overview(2026)
    assert sum(r.granted for r in overview["buurten"]) == overview["granted"] == Decimal("12500")
    assert sum(r.spent for r in overview["buurten"]) == overview["spent"] == Decimal("1484.56")
    assert s.platform.name in overview["buurten"][0].platforms


def test_english_transparency_page(scenario, client):
    assert client.get("/en/transparantie/").status_code == 200
