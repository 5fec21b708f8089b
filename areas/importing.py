"""Import the municipality's published division (GeoJSON export or CSV) for any district.

Parse and validate the whole file first, then apply it in one transaction: a bad file changes
nothing. Buurten that disappear from a district in the file are retired, never deleted.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from areas.geometry import simplify
from areas.models import Buurt, Gebied, Stadsdeel, Wijk

# Amsterdam's stadsdeel letters (first letter of every buurt code) and their names.
STADSDEEL_NAMES = {
    "A": "Centrum",
    "B": "Westpoort",
    "E": "West",
    "F": "Nieuw-West",
    "K": "Zuid",
    "M": "Oost",
    "N": "Noord",
    "S": "Weesp",
    "T": "Zuidoost",
}
BUURT_CODE = re.compile(r"^[A-Z]{2}\d{2}$")
MAX_BYTES = 50 * 1024 * 1024


class ImportFileError(Exception):
    """The file cannot be imported; the message says why (nothing was changed)."""


@dataclass
class Row:
    code: str
    name: str
    cbs_code: str = ""
    identificatie: str = ""
    wijk_name: str = ""
    wijk_identificatie: str = ""
    stadsdeel_name: str = ""
    gebied_code: str = ""
    rings: list = field(default_factory=list)  # simplified outline (GeoJSON only)

    @property
    def wijk_code(self) -> str:
        return self.code[:2]

    @property
    def stadsdeel_code(self) -> str:
        return self.code[0]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.renamed or self.retired or self.reactivated)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_geojson(data: bytes) -> list[Row]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"Dit is geen geldige GeoJSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFileError("Dit is geen GeoJSON FeatureCollection.")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise ImportFileError("Het bestand bevat geen buurten (features).")
    rows = []
    for index, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise ImportFileError(f"Feature {index} heeft geen properties.")
        if _text(props.get("eindGeldigheid")):
            continue  # a historical version of a buurt, no longer valid
        rows.append(
            Row(
                code=_text(props.get("code")),
                name=_text(props.get("naam")),
                cbs_code=_text(props.get("cbsCode")),
                identificatie=_text(props.get("identificatie")),
                wijk_identificatie=_text(props.get("ligtInWijkId")),
                gebied_code=_text(props.get("ligtInGgwgebiedId")),
                rings=simplify(feature.get("geometry")),
            )
        )
    return rows


CSV_COLUMNS = {
    "code": ["BUURTCODE_2022", "code", "buurtcode"],
    "name": ["BUURTNAAM_2022", "naam", "buurtnaam"],
    "cbs_code": ["BUURTCODE_CBS_2022", "cbsCode", "cbs_code"],
    "wijk_name": ["WIJKNAAM_2022", "wijknaam"],
    "stadsdeel_name": ["STADSDEELNAAM", "stadsdeelnaam"],
}


def parse_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("Het CSV-bestand is niet in UTF-8.") from exc
    csv.field_size_limit(MAX_BYTES)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = reader.fieldnames or []
    columns = {}
    for key, names in CSV_COLUMNS.items():
        columns[key] = next((n for n in names if n in header), None)
    if not columns["code"] or not columns["name"]:
        raise ImportFileError(
            "Het CSV-bestand mist de kolommen voor buurtcode en buurtnaam "
            "(verwacht BUURTCODE_2022 en BUURTNAAM_2022, of code en naam)."
        )
    rows = []
    try:
        for record in reader:
            rows.append(
                Row(
                    **{
                        key: _text(record.get(column)) if column else ""
                        for key, column in columns.items()
                    }
                )
            )
    except csv.Error as exc:
        raise ImportFileError(f"Het CSV-bestand is beschadigd: {exc}") from exc
    if not rows:
        raise ImportFileError("Het CSV-bestand bevat geen buurten.")
    return rows


def read_file(path: str | Path) -> list[Row]:
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"Bestand niet gevonden: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise ImportFileError("Het bestand is te groot.")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        rows = parse_geojson(data)
    elif suffix == ".csv":
        rows = parse_csv(data)
    else:
        raise ImportFileError("Gebruik een .geojson- of .csv-bestand.")
    return validate(rows)


def validate(rows: list[Row]) -> list[Row]:
    seen: dict[str, Row] = {}
    for number, row in enumerate(rows, start=1):
        if not BUURT_CODE.match(row.code):
            raise ImportFileError(f"Rij {number}: ongeldige buurtcode {row.code!r}.")
        if not row.name:
            raise ImportFileError(f"Rij {number}: buurt {row.code} heeft geen naam.")
        if len(row.name) > 100:
            raise ImportFileError(f"Rij {number}: de naam van {row.code} is te lang.")
        if row.code in seen and seen[row.code].name != row.name:
            raise ImportFileError(f"Buurtcode {row.code} staat twee keer in het bestand.")
        seen[row.code] = row
    if not seen:
        raise ImportFileError("Het bestand bevat geen geldige buurten.")
    return list(seen.values())


@transaction.atomic
def apply_rows(rows: list[Row], *, today: datetime.date | None = None) -> ImportReport:
    """Create, rename, reactivate and retire so the database matches the file's districts."""
    today = today or timezone.localdate()
    report = ImportReport(total=len(rows))
    stadsdelen: dict[str, Stadsdeel] = {s.code: s for s in Stadsdeel.objects.all()}
    gebieden: dict[str, Gebied] = {g.code: g for g in Gebied.objects.all()}
    wijken: dict[str, Wijk] = {w.code: w for w in Wijk.objects.all()}
    buurten: dict[str, Buurt] = {b.code: b for b in Buurt.objects.all()}

    for row in rows:
        sd = stadsdelen.get(row.stadsdeel_code)
        if sd is None:
            name = row.stadsdeel_name or STADSDEEL_NAMES.get(row.stadsdeel_code, row.stadsdeel_code)
            sd = Stadsdeel.objects.create(code=row.stadsdeel_code, name=name)
            stadsdelen[sd.code] = sd
        gebied = None
        if row.gebied_code:
            gebied = gebieden.get(row.gebied_code)
            if gebied is None:
                gebied = gebieden[row.gebied_code] = Gebied.objects.create(
                    code=row.gebied_code, name=f"Gebied {row.gebied_code}", stadsdeel=sd
                )
        wijk = wijken.get(row.wijk_code)
        if wijk is None:
            wijk = wijken[row.wijk_code] = Wijk.objects.create(
                code=row.wijk_code,
                cbs_code=f"WK0363{row.wijk_code}",
                name=row.wijk_name or f"Wijk {row.wijk_code}",
                stadsdeel=sd,
                gebied=gebied,
                identificatie=row.wijk_identificatie,
            )
        else:
            changes = {}
            if row.wijk_name and row.wijk_name != wijk.name:
                changes["name"] = row.wijk_name
            if gebied is not None and wijk.gebied_id != gebied.pk:
                changes["gebied"] = gebied
            if row.wijk_identificatie and wijk.identificatie != row.wijk_identificatie:
                changes["identificatie"] = row.wijk_identificatie
            if wijk.retired_at is not None:
                changes["retired_at"] = None
            if changes:
                for key, value in changes.items():
                    setattr(wijk, key, value)
                wijk.save(update_fields=list(changes))
        buurt = buurten.get(row.code)
        if buurt is None:
            buurten[row.code] = Buurt.objects.create(
                code=row.code,
                name=row.name,
                cbs_code=row.cbs_code,
                identificatie=row.identificatie,
                wijk=wijk,
                geometry=row.rings,
            )
            report.added.append(row.code)
            continue
        changes = {}
        if buurt.name != row.name:
            report.renamed.append((row.code, buurt.name, row.name))
            changes["name"] = row.name
        if buurt.retired_at is not None:
            report.reactivated.append(row.code)
            changes["retired_at"] = None
        if buurt.wijk_id != wijk.pk:
            changes["wijk"] = wijk
        if row.cbs_code and buurt.cbs_code != row.cbs_code:
            changes["cbs_code"] = row.cbs_code
        if row.identificatie and buurt.identificatie != row.identificatie:
            changes["identificatie"] = row.identificatie
        if row.rings and buurt.geometry != row.rings:
            changes["geometry"] = row.rings
        if changes:
            for key, value in changes.items():
                setattr(buurt, key, value)
            buurt.save(update_fields=list(changes))

    in_file = {row.code for row in rows}
    districts = {row.stadsdeel_code for row in rows}
    for buurt in buurten.values():
        if (
            buurt.code[:1] in districts
            and buurt.code not in in_file
            and buurt.retired_at is None
            and buurt.pk
        ):
            buurt.retired_at = today
            buurt.save(update_fields=["retired_at"])
            report.retired.append(buurt.code)
    report.added.sort()
    report.retired.sort()
    return report


def import_file(path: str | Path) -> ImportReport:
    return apply_rows(read_file(path))
