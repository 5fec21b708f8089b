"""Load the shipped Zuidoost division (used by the data migration and by tests)."""

import json
from pathlib import Path

from areas.geometry import read_shared_geometry

ZUIDOOST_FILE = Path(__file__).resolve().parent / "data" / "zuidoost.json"


def load_zuidoost(apps=None) -> None:
    """Create or update stadsdeel Zuidoost with its 4 gebieden, 12 wijken and 46 buurten."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Stadsdeel = apps.get_model("areas", "Stadsdeel")
    Gebied = apps.get_model("areas", "Gebied")
    Wijk = apps.get_model("areas", "Wijk")
    Buurt = apps.get_model("areas", "Buurt")
    data = json.loads(ZUIDOOST_FILE.read_text(encoding="utf-8"))
    stadsdeel, _ = Stadsdeel.objects.update_or_create(
        code=data["stadsdeel"]["code"], defaults={"name": data["stadsdeel"]["name"]}
    )
    gebieden = {}
    for g in data["gebieden"]:
        gebieden[g["name"]], _ = Gebied.objects.update_or_create(
            code=g["code"], defaults={"name": g["name"], "stadsdeel": stadsdeel}
        )
    wijken = {}
    for w in data["wijken"]:
        wijken[w["code"]], _ = Wijk.objects.update_or_create(
            code=w["code"],
            defaults={
                "cbs_code": w["cbs_code"],
                "name": w["name"],
                "stadsdeel": stadsdeel,
                "gebied": gebieden[w["gebied"]],
                "identificatie": w["identificatie"] or "",
            },
        )
    # Outlines come from the shared municipal data when it is there (not shipped in the repo);
    # without it the buurten load all the same and the site shows no map.
    has_geometry = any(f.name == "geometry" for f in Buurt._meta.get_fields())
    outlines = read_shared_geometry() if has_geometry else {}
    for b in data["buurten"]:
        defaults = {
            "cbs_code": b["cbs_code"],
            "name": b["name"],
            "wijk": wijken[b["wijk"]],
            "identificatie": b["identificatie"],
        }
        if outlines.get(b["code"]):
            defaults["geometry"] = outlines[b["code"]]
        Buurt.objects.update_or_create(code=b["code"], defaults=defaults)
