"""import_gebieden against the municipality's real published files (skipped when absent)."""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from areas.models import Buurt, Stadsdeel, Wijk

pytestmark = pytest.mark.django_db

DATA = Path(
    os.environ.get(
        "AMSTERDAM_GEBIEDEN_DIR",
        Path(__file__).resolve().parents[3] / "shared" / "data" / "amsterdam-gebieden",
    )
)
GEOJSON = DATA / "vl09-amsterdam" / "buurten.geojson"
CSV = DATA / "tommasozf-amsterdam-green-gentrification" / "buurten.csv"
needs_data = pytest.mark.skipif(
    not GEOJSON.exists() or not CSV.exists(),
    reason=f"the published Amsterdam files are not present in {DATA}",
)


def run(path) -> str:
    out = StringIO()
    call_command("import_gebieden", str(path), stdout=out)
    return out.getvalue()


@needs_data
def test_geojson_imports_all_amsterdam_and_is_idempotent():
    before = Buurt.objects.count()
    assert before == 46
    output = run(GEOJSON)
    assert Buurt.objects.count() == 518
    assert "Toegevoegd: 472" in output
    assert "Hernoemd: 0" in output and "Opgeheven: 0" in output
    assert Stadsdeel.objects.get(code="A").name == "Centrum"
    assert Buurt.objects.get(code="AA01").name == "Planciusbuurt-Noord"
    # Zuidoost kept its names from the shipped data
    assert Wijk.objects.get(code="TH").name == "K-buurt"
    again = run(GEOJSON)
    assert "Toegevoegd: 0" in again and "Geen wijzigingen" in again
    assert Buurt.objects.count() == 518


@needs_data
def test_csv_variant_imports_and_retires_buurten_missing_from_it():
    output = run(CSV)
    assert Buurt.objects.count() == 46 + 439 - 44  # Zuidoost has 44 rows in the CSV
    # the CSV predates Gaasperpark and Gaasperplas: they are retired, never deleted
    assert Buurt.objects.get(code="TK02").retired_at is not None
    assert "Opgeheven: 2" in output and "TK02" in output
    # wijk names come along with the CSV
    assert Wijk.objects.get(code="AE").name == "Burgwallen-Oude Zijde"
    # the GeoJSON brings them back
    output = run(GEOJSON)
    assert Buurt.objects.get(code="TK02").retired_at is None
    assert "Weer actief" in output


@needs_data
def test_renamed_buurt_is_reported(tmp_path):
    doc = json.loads(GEOJSON.read_text())
    for feature in doc["features"]:
        if feature["properties"]["code"] == "TH01":
            feature["properties"]["naam"] = "Gooise Kant Nieuw"
    path = tmp_path / "buurten.geojson"
    path.write_text(json.dumps(doc))
    output = run(path)
    assert "TH01: Gooise Kant -> Gooise Kant Nieuw" in output
    assert Buurt.objects.get(code="TH01").name == "Gooise Kant Nieuw"


def test_buurt_missing_from_district_is_retired_not_deleted(tmp_path, platform):
    rows = ["code,naam"] + [f"{b.code},{b.name}" for b in Buurt.objects.exclude(code="TH01")]
    path = tmp_path / "zuidoost.csv"
    path.write_text("\n".join(rows))
    output = run(path)
    th01 = Buurt.objects.get(code="TH01")
    assert th01.retired_at is not None
    assert "Opgeheven: 1" in output
    assert platform.buurten.filter(code="TH01").exists()  # platforms still refer to it


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.geojson", "{not json", "geen geldige GeoJSON"),
        ("x.geojson", '{"type": "FeatureCollection", "features": []}', "geen buurten"),
        ("x.csv", "foo,bar\n1,2\n", "mist de kolommen"),
        ("x.csv", "code,naam\nTA01,Nieuw\nTA01,Anders\n", "twee keer"),
        ("x.csv", "code,naam\nnot-a-code,Naam\n", "ongeldige buurtcode"),
        ("x.csv", "code,naam\nTA01,\n", "geen naam"),
        ("x.txt", "code,naam\n", ".geojson- of .csv"),
    ],
)
def test_bad_files_give_clear_error_and_change_nothing(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    names = dict(Buurt.objects.values_list("code", "name"))
    with pytest.raises(CommandError, match=message):
        run(path)
    assert dict(Buurt.objects.values_list("code", "name")) == names
    assert not Buurt.objects.filter(retired_at__isnull=False).exists()


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="niet gevonden"):
        run(tmp_path / "nope.geojson")
