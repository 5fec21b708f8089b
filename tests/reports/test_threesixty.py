"""/open-data/360giving.json passes the 360Giving schema and its own quality rules.

The schema is not in the repository: it is read from shared/data/360giving beside it (as in CI;
SHARED_DATA_DIR can point elsewhere). Without it the schema test is skipped, except in CI,
where it fails.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache

from areas.models import Buurt
from budgets.models import Transaction
from tests.reports.factories import (
    SENTINEL_EMAIL,
    SENTINEL_IBAN,
    SENTINEL_PAYEE,
    SENTINEL_PHONE,
    granted_scenario,
    pay,
)

URL = "/open-data/360giving.json"
# Register prefixes from org-id.guide (a few; the funder's id must use one of them).
ORG_ID_LISTS = {"NL-KVK", "NL-OIN", "GB-CHC", "GB-COH", "GB-GOR", "XI-PB", "XI-IATI"}
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}[A-Z]{4}\d{10}\b")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def schema_dir() -> Path:
    if os.environ.get("SHARED_DATA_DIR"):
        return Path(os.environ["SHARED_DATA_DIR"]) / "360giving"
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "360giving"


def get_package(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    return response.json()


def only_grant(client) -> dict:
    grants = get_package(client)["grants"]
    assert len(grants) == 1
    return grants[0]


def last_real_change(budget) -> datetime.datetime:
    decision = budget.decision
    times = [decision.published_at or decision.decided_at, budget.created_at]
    times += list(Transaction.objects.filter(budget=budget).values_list("recorded_at", flat=True))
    return max(times)


def parse_time(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def validator_for(directory: Path):
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package_schema = json.loads((directory / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((directory / "360-giving-schema.json").read_text())
    assert "2020-12" in package_schema["$schema"] and "2020-12" in grant_schema["$schema"]
    # The package refers to the grant schema by a published $id (1.4.2) that differs from the
    # one in the file (1.4.3): resolve both to the local file, offline.
    resource = DRAFT202012.create_resource(grant_schema)
    grant_ref = package_schema["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(grant_ref, resource), (grant_schema["$id"], resource)])
    checker = FormatChecker()

    # jsonschema checks date-time and uri only with optional packages: check them here, so a
    # date that is not RFC 3339 or a relative link fails.
    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    @checker.checks("uri", raises=ValueError)
    def is_uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlparse(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an absolute URI")
        return True

    return Draft202012Validator(package_schema, registry=registry, format_checker=checker)


def test_package_validates_against_the_schema_with_formats(scenario, client):
    directory = schema_dir()
    if not directory.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{directory} is absent: CI must validate against the 360Giving schema")
        pytest.skip(f"{directory} is absent: the 360Giving schema is not in the repository")
    validator = validator_for(directory)
    package = get_package(client)
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    # The format checker is live: a bad date is caught.
    broken = json.loads(json.dumps(package))
    broken["grants"][0]["dateModified"] = "13 februari 2026"
    assert any(e.validator == "format" for e in validator.iter_errors(broken))


def test_funder_is_an_org_id_with_department(scenario, client):
    grant = only_grant(client)
    (funder,) = grant["fundingOrganization"]
    assert funder["id"] == settings.THREESIXTY_FUNDER_ID == "NL-KVK-34366966"
    assert re.fullmatch(r"NL-KVK-\d{8}", funder["id"])
    assert "-".join(funder["id"].split("-")[:2]) in ORG_ID_LISTS
    assert funder["name"] == "Gemeente Amsterdam"
    assert funder["department"] == "Stadsdeel Zuidoost"
    publisher = get_package(client)["publisher"]
    assert publisher["identifier"] == funder["id"]


def test_grant_ids_start_with_the_configured_prefix(scenario, client, settings):
    grant = only_grant(client)
    assert settings.THREESIXTY_PREFIX.startswith("360G-")
    assert grant["id"] == f"{settings.THREESIXTY_PREFIX}-{scenario.budget.pk}"
    settings.THREESIXTY_PREFIX = "360G-gemams-zo"
    grant = only_grant(client)
    assert grant["id"] == f"360G-gemams-zo-{scenario.budget.pk}"
    recipient = grant["recipientOrganization"][0]
    assert recipient["id"].startswith(("NL-KVK-", "360G-gemams-zo-"))


def test_date_modified_is_the_last_real_change_and_stays_put(scenario, client):
    first = only_grant(client)
    expected = last_real_change(scenario.budget)
    assert parse_time(first["dateModified"]) == expected
    assert only_grant(client)["dateModified"] == first["dateModified"]
    # A new booking on the grant moves it to that booking.
    tx = pay(
        scenario.budget,
        0,
        Decimal("10.00"),
        payee="Bakker BV",
        organisation=True,
        description="Taart",
    )
    moved = only_grant(client)
    assert parse_time(moved["dateModified"]) == tx.recorded_at == last_real_change(scenario.budget)
    assert moved["amountDisbursed"] == first["amountDisbursed"] + 10.0


def test_issued_is_stable_and_changes_with_the_data(scenario, client):
    first = client.get(URL).content
    cache.clear()
    assert client.get(URL).content == first  # byte-identical without a change
    package = json.loads(first)
    assert package["issued"] == package["modified"]
    issued = parse_time(package["issued"])
    assert issued == max(
        last_real_change(scenario.budget), scenario.platform.updated_at
    )  # the latest change in what the package shows
    scenario.platform.name = "Samen Sterker Test"
    scenario.platform.save()
    changed = get_package(client)
    assert parse_time(changed["issued"]) > issued
    assert changed["grants"][0]["recipientOrganization"][0]["name"] == "Samen Sterker Test"


def test_planned_dates_are_the_budget_year(scenario, client):
    (planned,) = only_grant(client)["plannedDates"]
    year = scenario.budget.year
    assert planned == {"startDate": f"{year}-01-01", "endDate": f"{year}-12-31", "duration": 12}


def test_data_source_is_the_absolute_decision_page(scenario, client):
    grant = only_grant(client)
    source = urlparse(grant["dataSource"])
    assert grant["dataSource"].startswith(settings.SITE_URL + "/")
    assert source.scheme in ("http", "https") and source.netloc
    assert source.path == f"/rondes/{scenario.round.slug}/besluit/"
    assert client.get(source.path).status_code == 200
    for link in (grant["url"], grant["grantProgramme"][0]["url"]):
        assert link.startswith(settings.SITE_URL + "/")
        assert client.get(urlparse(link).path).status_code == 200


def test_links_do_not_follow_the_request_language(scenario, client):
    dutch = client.get(URL).content
    english = client.get(f"/en{URL}")
    assert english.status_code == 200 and english.content == dutch


def test_from_open_call_and_classifications(scenario, client):
    grant = only_grant(client)
    assert grant["fromOpenCall"] == "Yes"
    classifications = grant["classifications"]
    criteria = list(scenario.round.criteria_version.criteria.order_by("number"))
    assert classifications and len(classifications) == len(criteria)
    for item, criterion in zip(classifications, criteria, strict=True):
        assert item["vocabulary"] == f"{settings.THREESIXTY_PREFIX}-maatlat"
        assert item["code"] == criterion.key and item["title"] == criterion.title_nl


def test_beneficiary_locations_are_the_buurten_of_the_application(scenario, client):
    grant = only_grant(client)
    buurten = sorted(scenario.decision.application.buurten.all(), key=lambda b: b.code)
    locations = grant["beneficiaryLocation"]
    assert [loc["id"] for loc in locations] == [b.code for b in buurten] == ["TH01", "TH02"]
    for loc, buurt in zip(locations, buurten, strict=True):
        assert loc["name"] == buurt.name and loc["countryCode"] == "NL"
        if buurt.cbs_code:
            assert (loc["geoCode"], loc["geoCodeType"]) == (buurt.cbs_code, "BU")
        else:
            assert (loc["geoCode"], loc["geoCodeType"]) == (buurt.code, "AMS-BUURT")
        assert "gebiedsindeling van de Gemeente Amsterdam" in loc["description"]
    # The package names the code lists it uses.
    assert "api.data.amsterdam.nl" in get_package(client)["description"]


def test_a_buurt_without_cbs_code_uses_the_municipal_code(scenario, client):
    Buurt.objects.filter(code="TH01").update(cbs_code="")
    loc = only_grant(client)["beneficiaryLocation"][0]
    assert (loc["id"], loc["geoCode"], loc["geoCodeType"]) == ("TH01", "TH01", "AMS-BUURT")


def test_recipient_location_is_the_platform_buurten(scenario, client):
    (recipient,) = only_grant(client)["recipientOrganization"]
    expected = sorted(scenario.platform.buurten.values_list("code", flat=True))
    assert [loc["id"] for loc in recipient["location"]] == expected
    assert all(loc["name"] and loc["geoCode"] for loc in recipient["location"])
    assert parse_time(recipient["dateModified"]) == scenario.platform.updated_at


def test_no_personal_data(scenario, client):
    body = client.get(URL).content.decode()
    for sentinel in (SENTINEL_EMAIL, SENTINEL_IBAN, SENTINEL_PAYEE, SENTINEL_PHONE):
        assert sentinel not in body
    assert IBAN_RE.search(body) is None
    assert EMAIL_RE.search(body) is None


def test_two_grants_have_distinct_ids(db, client):
    granted_scenario(slug="een")
    granted_scenario(year=2027, slug="twee")
    grants = get_package(client)["grants"]
    ids = [g["id"] for g in grants]
    assert len(ids) == 2 == len(set(ids))
    assert {g["plannedDates"][0]["startDate"] for g in grants} == {"2026-01-01", "2027-01-01"}


@pytest.mark.parametrize(
    ("name", "value"),
    [("THREESIXTY_PREFIX", "buurtplatform"), ("THREESIXTY_FUNDER_ID", "34366966")],
)
def test_settings_refuse_a_prefix_or_funder_id_without_its_form(monkeypatch, name, value):
    from django.core.exceptions import ImproperlyConfigured

    from buurtplatform.env import env_matching

    monkeypatch.setenv(name, value)
    pattern = r"360G-[A-Za-z0-9][A-Za-z0-9._-]*" if "PREFIX" in name else r"[A-Z]{2}-[A-Z0-9]+-.+"
    with pytest.raises(ImproperlyConfigured, match=name):
        env_matching(name, "", pattern, "well formed")
    monkeypatch.setenv(name, "360G-abc" if "PREFIX" in name else "NL-KVK-34366966")
    assert env_matching(name, "", pattern, "well formed") in ("360G-abc", "NL-KVK-34366966")
