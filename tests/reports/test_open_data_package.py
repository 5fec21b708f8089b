"""The open data package: datapackage.json describes every served CSV (validated with the
frictionless library), JSON is typed, XLSX cells are typed with headers in the language, CSV
carries a BOM and is formula-safe, and entries join to grants by id."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.opendata import DATASETS, SCHEMAS
from tests.factories import PlatformFactory

frictionless = pytest.importorskip("frictionless")


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _rows(client, url: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_body(client.get(url)).decode("utf-8-sig"))))


def _write_package(client, tmp_path):
    package = json.loads(_body(client.get(reverse("reports:datapackage"))))
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    for resource in package["resources"]:
        url = reverse("reports:dataset_csv", args=[resource["name"]])
        (tmp_path / resource["path"]).write_bytes(_body(client.get(url)))
    return package


def test_datapackage_describes_every_served_csv_and_validates(scenario, client, tmp_path):
    PlatformFactory(name='=HYPERLINK("http://evil.example")', slug="formule")
    package = _write_package(client, tmp_path)
    assert [r["name"] for r in package["resources"]] == DATASETS
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": package["licenses"][0]["title"],
        }
    ]
    assert "CC BY 4.0" in package["attribution"] and package["attribution_en"]
    for resource in package["resources"]:
        schema = resource["schema"]
        assert schema["primaryKey"] == ["id"]
        header = _rows(client, f"/open-data/{resource['name']}.csv")
        fields = [f["name"] for f in schema["fields"]]
        assert fields == SCHEMAS[resource["name"]].columns
        if header:
            assert list(header[0]) == fields
        for f in schema["fields"]:
            assert f["description"] and f["description_en"] and f["title"] and f["title_en"]
    entries = next(r for r in package["resources"] if r["name"] == "entries")
    targets = {fk["reference"]["resource"] for fk in entries["schema"]["foreignKeys"]}
    assert targets == {"transactions", "budgets", "grants", "platforms"}

    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == len(DATASETS)
    assert all(task.stats["rows"] > 0 for task in report.tasks)


def test_validation_catches_a_broken_foreign_key(scenario, client, tmp_path):
    """The check above is real: an entry pointing at a grant that does not exist fails."""
    _write_package(client, tmp_path)
    path = tmp_path / "entries.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows[1][rows[0].index("grant_id")] = "999999"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error_type for (error_type,) in report.flatten(["type"])}


def test_csv_starts_with_bom_and_is_formula_safe(scenario, client):
    PlatformFactory(name="=cmd|' /C calc'!A0", slug="formule")
    body = _body(client.get("/open-data/platforms.csv"))
    assert body.startswith(b"\xef\xbb\xbfid,slug,name,")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    formula = next(r for r in rows if r["slug"] == "formule")
    assert formula["name"] == "'=cmd|' /C calc'!A0"


def test_json_is_typed(scenario, client):
    grants = json.loads(_body(client.get("/open-data/grants.json")))
    assert grants["dataset"] == "grants" and grants["license"].endswith("/by/4.0/")
    (grant,) = grants["rows"]
    assert grant["id"] == scenario.budget.pk and isinstance(grant["platform_id"], int)
    assert grant["granted_amount"] == 12500.0 and isinstance(grant["granted_amount"], float)
    assert grant["spent"] == 1484.56
    raw = _body(client.get("/open-data/grants.json")).decode()
    assert '"granted_amount": 12500.00' in raw  # two decimals, as a number
    platforms = json.loads(_body(client.get("/open-data/platforms.json")))["rows"]
    rival = next(p for p in platforms if p["id"] == scenario.rival.pk)
    assert rival["website"] is None or isinstance(rival["website"], str)
    assert "" not in [v for p in platforms for v in p.values()]  # empty is null, never ""
    entries = json.loads(_body(client.get("/open-data/entries.json")))["rows"]
    assert all((e["debit"] is None) != (e["credit"] is None) for e in entries)
    assert all(isinstance(e["debit"] or e["credit"], float) for e in entries)
    assert all(isinstance(e["transaction_id"], int) for e in entries)
    datetime.date.fromisoformat(entries[0]["date"])
    decisions = json.loads(_body(client.get("/open-data/decisions.json")))["rows"]
    refused = next(d for d in decisions if d["id"] == scenario.refused.pk)
    assert refused["supersedes_id"] is None and isinstance(refused["requested_amount"], float)


def test_entries_join_to_grants_and_transactions_by_id(scenario, client):
    grants = {r["id"]: r for r in _rows(client, "/open-data/grants.csv")}
    transactions = {r["id"]: r for r in _rows(client, "/open-data/transactions.csv")}
    budgets = {r["id"]: r for r in _rows(client, "/open-data/budgets.csv")}
    entries = _rows(client, "/open-data/entries.csv")
    assert entries and transactions
    for e in entries:
        grant = grants[e["grant_id"]]
        assert grant["platform_id"] == e["platform_id"] == str(scenario.platform.pk)
        assert transactions[e["transaction_id"]]["grant_id"] == e["grant_id"]
        assert budgets[e["budget_id"]]["grant_id"] == e["grant_id"]
    spent = sum(
        Decimal(e["debit"] or 0) - Decimal(e["credit"] or 0)
        for e in entries
        if e["account_kind"] == "expense" and e["grant_id"] == str(scenario.budget.pk)
    )
    assert f"{spent}" == grants[str(scenario.budget.pk)]["spent"] == "1484.56"
    # transactions.csv is its own table now: one row per transaction, not a copy of entries.
    assert len(transactions) < len(entries)
    for tx_id, tx in transactions.items():
        lines = [e for e in entries if e["transaction_id"] == tx_id]
        debit = sum(Decimal(e["debit"] or 0) for e in lines)
        credit = sum(Decimal(e["credit"] or 0) for e in lines)
        assert debit == credit == Decimal(tx["amount"])


def _xlsx(client, url: str):
    from openpyxl import load_workbook

    response = client.get(url)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(_body(response)))


def test_xlsx_cells_are_typed_with_dutch_headers(scenario, client):
    PlatformFactory(name="=1+1", slug="formule")
    book = _xlsx(client, "/open-data/entries.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [f.title for f in SCHEMAS["entries"].fields]
    assert "Debet" in header and "Datum" in header
    columns = {name: i for i, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    for row in rows:
        date = row[columns["Datum"]]
        assert date.is_date and isinstance(date.value, datetime.datetime)
        amount = row[columns["Debet"]].value or row[columns["Credit"]].value
        assert isinstance(amount, int | float)
        assert isinstance(row[columns["Nummer"]].value, int)
    assert book.worksheets[1].title == "Velden"
    platforms = _xlsx(client, "/open-data/platforms.xlsx").worksheets[0]
    names = [row[2] for row in platforms.iter_rows(min_row=2)]
    formula = next(c for c in names if c.value == "=1+1")
    assert formula.data_type == "s"  # text, never a formula


def test_xlsx_has_english_headers_under_en(scenario, client):
    book = _xlsx(client, "/en/open-data/grants.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [f.title_en for f in SCHEMAS["grants"].fields]
    assert "Granted" in header and "Award date" in header
    (row,) = list(sheet.iter_rows(min_row=2, values_only=True))
    values = dict(zip(header, row, strict=True))
    assert values["Granted"] == 12500 and values["Spent"] == pytest.approx(1484.56)
    assert isinstance(values["Award date"], datetime.datetime)
    assert book.worksheets[1].title == "Fields"


def test_open_data_page_in_english_uses_the_same_schema(db, client):
    html = client.get("/en/open-data/").content.decode()
    for dataset in SCHEMAS.values():
        assert dataset.title_en in html
        for field in dataset.fields[:3]:
            assert field.title_en in html
    assert "datapackage.json" in html and "XLSX" in html


def test_docs_describe_every_dataset_and_field():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "open-data.md").read_text()
    assert "Een PDF controleren / Verifying a PDF" in text and "sha256sum" in text
    for dataset in SCHEMAS.values():
        assert f"### `{dataset.name}`" in text
        for f in dataset.fields:
            assert f"| `{f.name}` | {f.type} | {f.title} / {f.title_en} |" in text
