"""Open data sets (CSV and JSON) and the 360Giving grants package. Field docs live in FIELDS."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Buurt
from budgets import selectors as books
from buurtplatform.csvfiles import csv_text
from platforms.models import CRITERION_KEYS, Platform
from recognition import selectors as recognition
from recognition.models import Round

PREFIX = "360G-buurtplatform-zuidoost"
FUNDER = {"id": "NL-GOV-GM0363-T", "name": "Gemeente Amsterdam, stadsdeel Zuidoost"}
CRITERIA = [key for key, _label in CRITERION_KEYS]

# name -> (field, description); shown on /open-data/ and used as CSV header order.
FIELDS: dict[str, list[tuple[str, str]]] = {
    "platforms": [
        ("id", _("Vast nummer van het platform.")),
        ("slug", _("Adres op deze site: /platforms/<slug>/.")),
        ("name", _("Naam van het platform.")),
        ("area_name", _("Eigen naam van het gebied.")),
        ("buurten", _("Officiële buurtcodes van het gebied, gescheiden door ';'.")),
        ("legal_form", _("Rechtsvorm: informal, stichting of vereniging.")),
        ("kvk_number", _("KvK-nummer (leeg voor een informele groep).")),
        ("website", _("Website van het platform.")),
        (
            "recognition_status",
            _("Erkenning: not_recognised, recognised, suspended, withdrawn of expired."),
        ),
        ("recognised_until", _("Erkend tot (JJJJ-MM-DD), of leeg.")),
        ("created_at", _("Moment van aanmelden (ISO 8601).")),
    ],
    "rounds": [
        ("id", _("Vast nummer van de ronde.")),
        ("slug", _("Adres: /rondes/<slug>/.")),
        ("title", _("Titel van de ronde.")),
        ("district", _("Stadsdeel.")),
        ("budget_year", _("Begrotingsjaar.")),
        ("total_budget", _("Totaal budget in euro, punt als decimaalteken.")),
        ("status", _("open, assessment, decided of published.")),
        ("application_deadline", _("Deadline voor aanvragen (ISO 8601).")),
        ("published_at", _("Moment van publicatie van de besluiten, of leeg.")),
    ],
    "decisions": [
        ("id", _("Vast nummer van het besluit.")),
        ("round", _("Slug van de ronde.")),
        ("platform", _("Slug van het platform.")),
        ("area", _("Naam van het gebied in de aanvraag.")),
        ("area_group", _("Groep aanvragen voor hetzelfde gebied die met elkaar zijn vergeleken.")),
        ("kind", _("round, objection, correction, suspension of withdrawal.")),
        ("outcome", _("granted, not_granted, suspended of withdrawn.")),
        ("requested_amount", _("Gevraagd bedrag in euro.")),
        ("granted_amount", _("Toegekend bedrag in euro.")),
        ("motivation", _("Motivering van het besluit.")),
        ("published_at", _("Moment van publicatie (ISO 8601).")),
        ("supersedes", _("Nummer van het besluit dat dit besluit vervangt, of leeg.")),
    ]
    + [
        (f"mean_{key}", _("Gemiddelde ingediende score (0–4) op dit criterium, of leeg."))
        for key in CRITERIA
    ],
    "grants": [
        ("id", _("Vast nummer van het budget.")),
        ("identifier", _("360Giving-identificatie van de toekenning.")),
        ("platform", _("Slug van het platform.")),
        ("round", _("Slug van de ronde.")),
        ("decision", _("Nummer van het besluit.")),
        ("year", _("Begrotingsjaar.")),
        ("granted_amount", _("Toegekend bedrag in euro.")),
        ("spent", _("Uitgegeven volgens de boeken (debet min credit op uitgavenrekeningen).")),
        ("remaining", _("Toegekend min uitgegeven.")),
        ("award_date", _("Datum van het besluit (JJJJ-MM-DD).")),
    ],
    "entries": [
        (
            "transaction_id",
            _("Nummer van de boeking; alle regels met hetzelfde nummer zijn in balans."),
        ),
        ("date", _("Valutadatum (JJJJ-MM-DD).")),
        ("platform", _("Naam van het platform.")),
        ("account", _("Rekening (grootboek) van de regel.")),
        ("debit", _("Bedrag debet in euro, of leeg.")),
        ("credit", _("Bedrag credit in euro, of leeg.")),
        ("description", _("Openbare omschrijving; particuliere ontvangers worden nooit genoemd.")),
    ],
}
DATASETS = list(FIELDS)


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def platform_rows():
    for p in Platform.objects.prefetch_related(
        Prefetch("buurten", queryset=Buurt.objects.order_by("code"))
    ).order_by("id"):
        yield {
            "id": p.pk,
            "slug": p.slug,
            "name": p.name,
            "area_name": p.area_name,
            "buurten": ";".join(b.code for b in p.buurten.all()),
            "legal_form": p.legal_form,
            "kvk_number": p.kvk_number,
            "website": p.website,
            "recognition_status": p.recognition_status,
            "recognised_until": _iso(p.recognised_until),
            "created_at": _iso(p.created_at),
        }


def round_rows():
    for r in Round.objects.exclude(status=Round.Status.DRAFT).select_related("district"):
        yield {
            "id": r.pk,
            "slug": r.slug,
            "title": r.title,
            "district": r.district.name,
            "budget_year": r.budget_year,
            "total_budget": _money(r.total_budget),
            "status": r.status,
            "application_deadline": _iso(r.application_deadline),
            "published_at": _iso(r.published_at),
        }


def _mean(value) -> str:
    return f"{value}" if value is not None else ""


def decision_rows():
    """One row per published decision, with the per-criterion means of the sheets that count
    (recognition.selectors.published_record: the same figures as the decision page and PDF)."""
    rounds = Round.objects.filter(status=Round.Status.PUBLISHED).order_by("id")
    rows = []
    for rnd in rounds:
        for group in recognition.published_record(rnd):
            for entry in group.entries:
                means = {r["criterion"].key: r["mean"] for r in entry.table["rows"]}
                for d in entry.decisions:
                    row = {
                        "id": d.pk,
                        "round": rnd.slug,
                        "platform": d.application.platform.slug,
                        "area": d.application.area_name,
                        "area_group": d.area_key,
                        "kind": d.kind,
                        "outcome": d.outcome,
                        "requested_amount": _money(d.application.requested_amount),
                        "granted_amount": _money(d.granted_amount),
                        "motivation": d.motivation,
                        "published_at": _iso(d.published_at),
                        "supersedes": d.supersedes_id or "",
                    }
                    for key in CRITERIA:
                        row[f"mean_{key}"] = _mean(means.get(key))
                    rows.append(row)
    return iter(sorted(rows, key=lambda r: r["id"]))


def _grants_queryset():
    return books.grants_with_spent()


def grant_rows():
    for b in _grants_queryset():
        yield {
            "id": b.pk,
            "identifier": f"{PREFIX}-{b.pk}",
            "platform": b.platform.slug,
            "round": b.round.slug,
            "decision": b.decision_id,
            "year": b.year,
            "granted_amount": _money(b.granted_amount),
            "spent": _money(b.spent),
            "remaining": _money(b.granted_amount - b.spent),
            "award_date": _iso((b.decision.published_at or b.created_at).date()),
        }


def transaction_rows():
    """Every public ledger entry, private payees scrubbed (budgets.selectors)."""
    return books.public_transactions()


ROWS = {
    "platforms": platform_rows,
    "rounds": round_rows,
    "decisions": decision_rows,
    "grants": grant_rows,
    "entries": transaction_rows,
}


def as_csv(name: str) -> str:
    """The dataset as CSV, written by the site's one formula-safe writer."""
    columns = [f for f, _d in FIELDS[name]]
    return csv_text(columns, ([row.get(c, "") for c in columns] for row in ROWS[name]()))


def as_json(name: str) -> str:
    return json.dumps(
        {"dataset": name, "generated_at": timezone.now().isoformat(), "rows": list(ROWS[name]())},
        ensure_ascii=False,
        indent=1,
    )


def _recipient_id(platform: Platform) -> str:
    if platform.kvk_number:
        return f"NL-KVK-{platform.kvk_number}"
    return f"{PREFIX}-platform-{platform.slug}"


def threesixty_package(base_url: str = "") -> dict:
    """Grants in the 360Giving Data Standard (package schema 1.4)."""
    grants = []
    for b in _grants_queryset():
        application = b.decision.application
        award = b.decision.published_at or b.created_at
        grants.append(
            {
                "id": f"{PREFIX}-{b.pk}",
                "title": f"Buurtbudget {b.year}: {b.platform.name}",
                "description": application.plan_summary or b.decision.motivation or b.platform.name,
                "currency": "EUR",
                "amountAppliedFor": float(application.requested_amount),
                "amountAwarded": float(b.granted_amount),
                "amountDisbursed": float(b.spent),
                "awardDate": award.date().isoformat(),
                "url": f"{base_url}/platforms/{b.platform.slug}/",
                "recipientOrganization": [
                    {"id": _recipient_id(b.platform), "name": b.platform.name}
                ],
                "fundingOrganization": [FUNDER],
                "beneficiaryLocation": [
                    {
                        "id": buurt.code,
                        "name": buurt.name,
                        "countryCode": "NL",
                        **(
                            {"geoCode": buurt.cbs_code, "geoCodeType": "BU"}
                            if buurt.cbs_code
                            else {}
                        ),
                    }
                    for buurt in sorted(application.buurten.all(), key=lambda x: x.code)
                ],
                "grantProgramme": [{"code": b.round.slug, "title": b.round.title}],
                "dateModified": timezone.now().isoformat(),
            }
        )
    return {
        "version": "1.4",
        "title": "Buurtbudgetten Amsterdam Zuidoost",
        "description": "Toekenningen aan buurtplatforms in Amsterdam Zuidoost.",
        "issued": timezone.now().isoformat(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publisher": {"identifier": FUNDER["id"], "name": FUNDER["name"]},
        "grants": grants,
    }
