"""Open data: every public table as CSV, JSON and XLSX, described once (SCHEMAS) as a
Frictionless Data Package (/open-data/datapackage.json), and the 360Giving grants package.

SCHEMAS is the one source of the field dictionary: datapackage.json, the /open-data/ page, the
CSV columns and the XLSX headers (Dutch or English) all come from it. Keys are numeric ids;
values are typed (int, Decimal with two decimals, float for means, date, datetime, str, None)
and each format writes them its own machine way (docs/open-data.md).
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from areas.models import Buurt
from budgets import selectors as books
from buurtplatform.csvfiles import csv_lines, xlsx_file
from platforms.models import CRITERION_KEYS, Platform
from recognition import selectors as recognition
from recognition.models import Round
from reports import threesixty

PREFIX = "360G-buurtplatform-zuidoost"
FUNDER = {"id": "NL-GOV-GM0363-T", "name": "Gemeente Amsterdam, stadsdeel Zuidoost"}
CRITERIA = [key for key, _label in CRITERION_KEYS]

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Naamsvermelding 4.0 Internationaal (CC BY 4.0)",
}
ATTRIBUTION = "Bron: Buurtplatform Zuidoost, Gemeente Amsterdam, stadsdeel Zuidoost (CC BY 4.0)"
ATTRIBUTION_EN = "Source: Buurtplatform Zuidoost, City of Amsterdam, Zuidoost district (CC BY 4.0)"

# Table Schema types (https://specs.frictionlessdata.io/table-schema/) and what a row holds.
INTEGER, NUMBER, STRING, DATE, DATETIME = "integer", "number", "string", "date", "datetime"


@dataclass(frozen=True)
class Field:
    """One column: its machine name, Table Schema type, and title and description in Dutch
    (``title``, ``description``) and English (``title_en``, ``description_en``)."""

    name: str
    type: str
    title: str
    title_en: str
    description: str
    description_en: str
    required: bool = False
    enum: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "title_en": self.title_en,
            "description": self.description,
            "description_en": self.description_en,
        }
        if self.type == NUMBER:
            out["decimalChar"] = "."
            out["groupChar"] = ""
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    # (field, resource, field in that resource)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    primary_key: str = "id"
    columns: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.columns.extend(f.name for f in self.fields)

    def schema(self) -> dict[str, Any]:
        return {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
            "primaryKey": [self.primary_key],
            "foreignKeys": [
                {
                    "fields": [own],
                    "reference": {"resource": "" if res == self.name else res, "fields": [ref]},
                }
                for own, res, ref in self.foreign_keys
            ],
        }


def _id(what: str, what_en: str) -> Field:
    return Field(
        "id",
        INTEGER,
        "Nummer",
        "Number",
        f"Vast nummer van {what}; verandert nooit.",
        f"Stable number of the {what_en}; never changes.",
        required=True,
    )


def _ref(name: str, what: str, what_en: str, *, required: bool = True) -> Field:
    title = {"platform_id": "Platform", "round_id": "Ronde", "decision_id": "Besluit"}.get(
        name, what.capitalize()
    )
    return Field(
        name,
        INTEGER,
        f"{title} (nummer)",
        f"{what_en.capitalize()} (number)",
        f"Nummer van {what} (kolom id in {_TABLE_OF[name]}).",
        f"Number of the {what_en} (column id in {_TABLE_OF[name]}).",
        required=required,
    )


_TABLE_OF = {
    "platform_id": "platforms",
    "round_id": "rounds",
    "decision_id": "decisions",
    "supersedes_id": "decisions",
    "grant_id": "grants",
    "budget_id": "budgets",
    "carried_from_id": "budgets",
    "transaction_id": "transactions",
    "reverses_id": "transactions",
}


def _money_field(name: str, title: str, title_en: str, desc: str, desc_en: str, **kw) -> Field:
    return Field(
        name,
        NUMBER,
        title,
        title_en,
        f"{desc} In euro, twee decimalen.",
        f"{desc_en} In euros, two decimals.",
        **kw,
    )


# --- the rows (typed values; the selectors compute, these only gather) ----------------------


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def platform_rows() -> Iterator[dict[str, Any]]:
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
            "kvk_number": p.kvk_number or None,
            "website": p.website or None,
            "recognition_status": p.recognition_status,
            "recognised_until": p.recognised_until,
            "created_at": p.created_at,
        }


def round_rows() -> Iterator[dict[str, Any]]:
    rounds = Round.objects.exclude(status=Round.Status.DRAFT).select_related("district")
    for r in rounds.order_by("id"):
        yield {
            "id": r.pk,
            "slug": r.slug,
            "title": r.title,
            "district": r.district.name,
            "budget_year": r.budget_year,
            "total_budget": _money(r.total_budget),
            "status": r.status,
            "application_deadline": r.application_deadline,
            "published_at": r.published_at,
        }


def decision_rows() -> Iterator[dict[str, Any]]:
    """One row per published decision, with the per-criterion means of the sheets that count
    (recognition.selectors.published_record: the same figures as the decision page and PDF)."""
    rounds = Round.objects.filter(status=Round.Status.PUBLISHED).order_by("id")
    rows = []
    for rnd in rounds:
        for group in recognition.published_record(rnd):
            for entry in group.entries:
                means = {r["criterion"].key: r["mean"] for r in entry.table["rows"]}
                for d in entry.decisions:
                    row: dict[str, Any] = {
                        "id": d.pk,
                        "round_id": rnd.pk,
                        "platform_id": d.application.platform_id,
                        "area": d.application.area_name,
                        "area_group": d.area_key,
                        "kind": d.kind,
                        "outcome": d.outcome,
                        "requested_amount": _money(d.application.requested_amount),
                        "granted_amount": _money(d.granted_amount),
                        "motivation": d.motivation,
                        "published_at": d.published_at,
                        "supersedes_id": d.supersedes_id,
                    }
                    for key in CRITERIA:
                        mean = means.get(key)
                        row[f"mean_{key}"] = float(mean) if mean is not None else None
                    rows.append(row)
    return iter(sorted(rows, key=lambda r: r["id"]))


def _grants_queryset():
    return books.grants_with_spent()


def grant_rows() -> Iterator[dict[str, Any]]:
    for b in _grants_queryset():
        yield {
            "id": b.pk,
            "identifier": threesixty.grant_id(b),
            "platform_id": b.platform_id,
            "round_id": b.round_id,
            "decision_id": b.decision_id,
            "year": b.year,
            "granted_amount": _money(b.granted_amount),
            "spent": _money(b.spent),
            "remaining": _money(b.granted_amount - b.spent),
            "award_date": (b.decision.published_at or b.created_at).date(),
        }


def budget_rows() -> Iterator[dict[str, Any]]:
    for b in books.public_budgets():
        yield {
            "id": b["id"],
            "grant_id": b["grant_pk"],
            "carried_from_id": b["carried_from_id"],
            "platform_id": b["platform_id"],
            "round_id": b["round_id"],
            "year": b["year"],
            "amount": _money(b["granted_amount"]),
        }


def transaction_rows() -> Iterator[dict[str, Any]]:
    """One row per public transaction, private payees scrubbed (budgets.selectors)."""
    for row in books.public_transaction_keys():
        yield {**row, "amount": _money(row["amount"])}


def entry_rows() -> Iterator[dict[str, Any]]:
    """Every public ledger entry with its keys, private payees scrubbed (budgets.selectors)."""
    return books.public_entry_keys()


# --- the schemas: the one field dictionary --------------------------------------------------

_RECOGNITION = ("not_recognised", "recognised", "suspended", "withdrawn", "expired")
_TX_KINDS = ("grant", "payment", "reversal", "return", "carry_over", "adjustment", "carry_in")

_DATASETS = [
    Dataset(
        "platforms",
        "Platforms",
        "Platforms",
        "Elk aangemeld buurtplatform, met zijn gebied en erkenning.",
        "Every registered neighbourhood platform, with its area and recognition.",
        (
            _id("het platform", "platform"),
            Field(
                "slug",
                STRING,
                "Adres",
                "Address",
                "Adres op deze site: /platforms/<slug>/ (kan veranderen; gebruik id om te koppelen).",
                "Address on this site: /platforms/<slug>/ (may change; join on id).",
                required=True,
            ),
            Field(
                "name",
                STRING,
                "Naam",
                "Name",
                "Naam van het platform.",
                "Platform name.",
                required=True,
            ),
            Field(
                "area_name",
                STRING,
                "Gebied",
                "Area",
                "Eigen naam van het gebied.",
                "The platform's own name for its area.",
            ),
            Field(
                "buurten",
                STRING,
                "Buurtcodes",
                "Neighbourhood codes",
                "Officiële buurtcodes van het gebied, gescheiden door ';'.",
                "Official neighbourhood (buurt) codes of the area, separated by ';'.",
            ),
            Field(
                "legal_form",
                STRING,
                "Rechtsvorm",
                "Legal form",
                "Rechtsvorm: informal, stichting of vereniging.",
                "Legal form: informal (group), stichting (foundation) or vereniging (association).",
                enum=("informal", "stichting", "vereniging"),
            ),
            Field(
                "kvk_number",
                STRING,
                "KvK-nummer",
                "Chamber of Commerce number",
                "KvK-nummer; leeg voor een informele groep.",
                "Chamber of Commerce (KvK) number; empty for an informal group.",
            ),
            Field(
                "website",
                STRING,
                "Website",
                "Website",
                "Website van het platform, of leeg.",
                "The platform's website, or empty.",
            ),
            Field(
                "recognition_status",
                STRING,
                "Erkenning",
                "Recognition",
                "Erkenning: not_recognised, recognised, suspended, withdrawn of expired.",
                "Recognition: not_recognised, recognised, suspended, withdrawn or expired.",
                required=True,
                enum=_RECOGNITION,
            ),
            Field(
                "recognised_until",
                DATE,
                "Erkend tot",
                "Recognised until",
                "Erkend tot en met deze datum, of leeg.",
                "Recognised up to and including this date, or empty.",
            ),
            Field(
                "created_at",
                DATETIME,
                "Aangemeld op",
                "Registered at",
                "Moment van aanmelden (UTC).",
                "Moment of registration (UTC).",
                required=True,
            ),
        ),
        platform_rows,
    ),
    Dataset(
        "rounds",
        "Rondes",
        "Rounds",
        "Elke aanvraagronde voor buurtbudgetten (zonder concepten).",
        "Every application round for neighbourhood budgets (drafts left out).",
        (
            _id("de ronde", "round"),
            Field(
                "slug",
                STRING,
                "Adres",
                "Address",
                "Adres: /rondes/<slug>/.",
                "Address: /rondes/<slug>/.",
                required=True,
            ),
            Field(
                "title",
                STRING,
                "Titel",
                "Title",
                "Titel van de ronde.",
                "Title of the round.",
                required=True,
            ),
            Field(
                "district",
                STRING,
                "Stadsdeel",
                "District",
                "Stadsdeel.",
                "City district.",
                required=True,
            ),
            Field(
                "budget_year",
                INTEGER,
                "Begrotingsjaar",
                "Budget year",
                "Begrotingsjaar.",
                "Budget year.",
                required=True,
            ),
            _money_field(
                "total_budget",
                "Totaal budget",
                "Total budget",
                "Totaal te verdelen budget van de ronde.",
                "Total budget the round distributes.",
                required=True,
            ),
            Field(
                "status",
                STRING,
                "Status",
                "Status",
                "open, assessment (beoordeling), decided (besloten) of published (gepubliceerd).",
                "open, assessment, decided or published.",
                required=True,
                enum=("open", "assessment", "decided", "published"),
            ),
            Field(
                "application_deadline",
                DATETIME,
                "Deadline aanvragen",
                "Application deadline",
                "Deadline voor aanvragen (UTC).",
                "Deadline for applications (UTC).",
                required=True,
            ),
            Field(
                "published_at",
                DATETIME,
                "Gepubliceerd op",
                "Published at",
                "Moment van publicatie van de besluiten (UTC), of leeg.",
                "Moment the decisions were published (UTC), or empty.",
            ),
        ),
        round_rows,
    ),
    Dataset(
        "decisions",
        "Besluiten",
        "Decisions",
        "Elk gepubliceerd besluit op een aanvraag, met de gemiddelde scores per criterium.",
        "Every published decision on an application, with the mean score per criterion.",
        (
            _id("het besluit", "decision"),
            _ref("round_id", "de ronde", "round"),
            _ref("platform_id", "het platform", "platform"),
            Field(
                "area",
                STRING,
                "Gebied",
                "Area",
                "Naam van het gebied in de aanvraag.",
                "Name of the area in the application.",
            ),
            Field(
                "area_group",
                STRING,
                "Vergelijkingsgroep",
                "Comparison group",
                "Groep aanvragen voor hetzelfde gebied die met elkaar zijn vergeleken.",
                "Group of applications for the same area that were compared.",
            ),
            Field(
                "kind",
                STRING,
                "Soort",
                "Kind",
                "round (ronde), objection (bezwaar), correction, suspension (schorsing) of "
                "withdrawal (intrekking).",
                "round, objection, correction, suspension or withdrawal.",
                required=True,
                enum=("round", "objection", "correction", "suspension", "withdrawal"),
            ),
            Field(
                "outcome",
                STRING,
                "Uitkomst",
                "Outcome",
                "granted (toegekend), not_granted, suspended of withdrawn.",
                "granted, not_granted, suspended or withdrawn.",
                required=True,
                enum=("granted", "not_granted", "suspended", "withdrawn"),
            ),
            _money_field(
                "requested_amount", "Gevraagd", "Requested", "Gevraagd bedrag.", "Amount requested."
            ),
            _money_field(
                "granted_amount", "Toegekend", "Granted", "Toegekend bedrag.", "Amount granted."
            ),
            Field(
                "motivation",
                STRING,
                "Motivering",
                "Reasons",
                "Motivering van het besluit.",
                "The reasons given for the decision.",
            ),
            Field(
                "published_at",
                DATETIME,
                "Gepubliceerd op",
                "Published at",
                "Moment van publicatie (UTC).",
                "Moment of publication (UTC).",
            ),
            Field(
                "supersedes_id",
                INTEGER,
                "Vervangt besluit",
                "Supersedes decision",
                "Nummer van het besluit dat dit besluit vervangt (id in decisions), of leeg.",
                "Number of the decision this one replaces (id in decisions), or empty.",
            ),
        )
        + tuple(
            Field(
                f"mean_{key}",
                NUMBER,
                f"Gemiddelde {key.replace('_', ' ')}",
                f"Mean {key.replace('_', ' ')}",
                f"Gemiddelde ingediende score (0–4, één decimaal) op '{key}', of leeg.",
                f"Mean submitted score (0–4, one decimal) on '{key}', or empty.",
            )
            for key in CRITERIA
        ),
        decision_rows,
        foreign_keys=(
            ("round_id", "rounds", "id"),
            ("platform_id", "platforms", "id"),
            ("supersedes_id", "decisions", "id"),
        ),
    ),
    Dataset(
        "grants",
        "Toekenningen",
        "Grants",
        "Elke toekenning (één per toekennend besluit) met wat er volgens de boeken is uitgegeven.",
        "Every grant (one per granting decision) with what the books say was spent.",
        (
            _id("de toekenning", "grant"),
            Field(
                "identifier",
                STRING,
                "360Giving-id",
                "360Giving id",
                "Identificatie in 360giving.json.",
                "Identifier in 360giving.json.",
                required=True,
            ),
            _ref("platform_id", "het platform", "platform"),
            _ref("round_id", "de ronde", "round"),
            _ref("decision_id", "het besluit", "decision"),
            Field(
                "year", INTEGER, "Jaar", "Year", "Begrotingsjaar.", "Budget year.", required=True
            ),
            _money_field(
                "granted_amount",
                "Toegekend",
                "Granted",
                "Toegekend bedrag.",
                "Amount granted.",
                required=True,
            ),
            _money_field(
                "spent",
                "Uitgegeven",
                "Spent",
                "Uitgegeven volgens de boeken (debet min credit op uitgavenrekeningen).",
                "Spent according to the books (debit minus credit on expense accounts).",
                required=True,
            ),
            _money_field(
                "remaining",
                "Resterend",
                "Remaining",
                "Toegekend min uitgegeven.",
                "Granted minus spent.",
                required=True,
            ),
            Field(
                "award_date",
                DATE,
                "Datum besluit",
                "Award date",
                "Datum van het besluit.",
                "Date of the decision.",
                required=True,
            ),
        ),
        grant_rows,
        foreign_keys=(
            ("platform_id", "platforms", "id"),
            ("round_id", "rounds", "id"),
            ("decision_id", "decisions", "id"),
        ),
    ),
    Dataset(
        "budgets",
        "Budgetten",
        "Budgets",
        "Elk budget: de toekenning zelf, en budgetten die naar een volgend jaar zijn "
        "overgeheveld (carried_from_id).",
        "Every budget: the grant itself, and budgets carried over into a next year "
        "(carried_from_id).",
        (
            _id("het budget", "budget"),
            _ref("grant_id", "de toekenning", "grant"),
            Field(
                "carried_from_id",
                INTEGER,
                "Overgeheveld uit",
                "Carried over from",
                "Budget waaruit dit budget is overgeheveld (id in budgets), of leeg.",
                "Budget this one was carried over from (id in budgets), or empty.",
            ),
            _ref("platform_id", "het platform", "platform"),
            _ref("round_id", "de ronde", "round"),
            Field(
                "year", INTEGER, "Jaar", "Year", "Begrotingsjaar.", "Budget year.", required=True
            ),
            _money_field(
                "amount",
                "Bedrag",
                "Amount",
                "Toegekend of overgeheveld bedrag van dit budget.",
                "Amount granted or carried over into this budget.",
                required=True,
            ),
        ),
        budget_rows,
        foreign_keys=(
            ("grant_id", "grants", "id"),
            ("carried_from_id", "budgets", "id"),
            ("platform_id", "platforms", "id"),
            ("round_id", "rounds", "id"),
        ),
    ),
    Dataset(
        "transactions",
        "Boekingen",
        "Transactions",
        "Eén regel per boeking in het grootboek (toekenning, betaling, correctie, …); de "
        "regels per rekening staan in entries.",
        "One row per transaction in the ledger (grant, payment, reversal, …); the lines per "
        "account are in entries.",
        (
            _id("de boeking", "transaction"),
            Field("date", DATE, "Datum", "Date", "Valutadatum.", "Value date.", required=True),
            Field(
                "kind",
                STRING,
                "Soort",
                "Kind",
                "grant (toekenning), payment (betaling), reversal (tegenboeking), return "
                "(teruggave), carry_over, adjustment of carry_in.",
                "grant, payment, reversal, return, carry_over, adjustment or carry_in.",
                required=True,
                enum=_TX_KINDS,
            ),
            _ref("budget_id", "het budget", "budget"),
            _ref("grant_id", "de toekenning", "grant"),
            _ref("platform_id", "het platform", "platform"),
            Field(
                "reverses_id",
                INTEGER,
                "Corrigeert boeking",
                "Reverses transaction",
                "Boeking die deze tegenboeking ongedaan maakt (id in transactions), of leeg.",
                "Transaction this reversal undoes (id in transactions), or empty.",
            ),
            _money_field(
                "amount",
                "Bedrag",
                "Amount",
                "Bedrag van de boeking (som van de debetregels).",
                "Amount of the transaction (sum of its debit lines).",
                required=True,
            ),
            Field(
                "description",
                STRING,
                "Omschrijving",
                "Description",
                "Openbare omschrijving; particuliere ontvangers worden nooit genoemd.",
                "Public description; private payees are never named.",
            ),
        ),
        transaction_rows,
        foreign_keys=(
            ("budget_id", "budgets", "id"),
            ("grant_id", "grants", "id"),
            ("platform_id", "platforms", "id"),
            ("reverses_id", "transactions", "id"),
        ),
    ),
    Dataset(
        "entries",
        "Boekingsregels",
        "Ledger entries",
        "Elke regel uit het grootboek (debet of credit op één rekening); de regels van één "
        "boeking zijn samen in balans.",
        "Every line of the ledger (debit or credit on one account); the lines of one "
        "transaction balance.",
        (
            _id("de regel", "entry"),
            _ref("transaction_id", "de boeking", "transaction"),
            _ref("budget_id", "het budget", "budget"),
            _ref("grant_id", "de toekenning", "grant"),
            _ref("platform_id", "het platform", "platform"),
            Field(
                "date",
                DATE,
                "Datum",
                "Date",
                "Valutadatum van de boeking.",
                "Value date of the transaction.",
                required=True,
            ),
            Field(
                "account_code",
                STRING,
                "Rekening",
                "Account",
                "Code van de rekening (grootboek).",
                "Code of the (ledger) account.",
                required=True,
            ),
            Field(
                "account_name",
                STRING,
                "Rekeningnaam",
                "Account name",
                "Naam van de rekening.",
                "Name of the account.",
            ),
            Field(
                "account_kind",
                STRING,
                "Soort rekening",
                "Account kind",
                "Soort rekening: grant_source, bank, returned, budget, expense (uitgaven), "
                "payable of carried_over.",
                "Account kind: grant_source, bank, returned, budget, expense, payable or "
                "carried_over.",
                required=True,
                enum=(
                    "grant_source",
                    "bank",
                    "returned",
                    "budget",
                    "expense",
                    "payable",
                    "carried_over",
                ),
            ),
            _money_field(
                "debit", "Debet", "Debit", "Bedrag debet, of leeg.", "Debit amount, or empty."
            ),
            _money_field(
                "credit", "Credit", "Credit", "Bedrag credit, of leeg.", "Credit amount, or empty."
            ),
            Field(
                "description",
                STRING,
                "Omschrijving",
                "Description",
                "Openbare omschrijving van de boeking; particuliere ontvangers worden nooit "
                "genoemd.",
                "Public description of the transaction; private payees are never named.",
            ),
        ),
        entry_rows,
        foreign_keys=(
            ("transaction_id", "transactions", "id"),
            ("budget_id", "budgets", "id"),
            ("grant_id", "grants", "id"),
            ("platform_id", "platforms", "id"),
        ),
    ),
]
SCHEMAS: dict[str, Dataset] = {d.name: d for d in _DATASETS}
DATASETS = list(SCHEMAS)
# name -> [(field, description)] in the active language is built by field_dictionary().
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _en(language: str | None) -> bool:
    return (language or "").startswith("en")


def field_dictionary(language: str | None) -> list[dict[str, Any]]:
    """The datasets and their fields in one language, for the /open-data/ page."""
    en = _en(language)
    return [
        {
            "name": d.name,
            "title": d.title_en if en else d.title,
            "description": d.description_en if en else d.description,
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    "title": f.title_en if en else f.title,
                    "description": f.description_en if en else f.description,
                    "key": f.name == d.primary_key,
                    "references": next(
                        (res for own, res, _r in d.foreign_keys if own == f.name), None
                    ),
                }
                for f in d.fields
            ],
        }
        for d in _DATASETS
    ]


def datapackage(version: str | None = None, homepage: str = "") -> dict[str, Any]:
    """The Frictionless Data Package describing every CSV (relative paths: the package sits
    next to them at /open-data/)."""
    return {
        "profile": "tabular-data-package",
        "name": "buurtbudgetten-zuidoost",
        "title": "Buurtbudgetten Amsterdam Zuidoost",
        "title_en": "Neighbourhood budgets Amsterdam Zuidoost",
        "description": "Buurtplatforms, rondes, besluiten, toekenningen en het openbare "
        "grootboek van de buurtbudgetten in stadsdeel Zuidoost.",
        "description_en": "Neighbourhood platforms, rounds, decisions, grants and the public "
        "ledger of the neighbourhood budgets in the Zuidoost district.",
        **({"homepage": homepage} if homepage else {}),
        **({"version": version} if version else {}),
        "licenses": [LICENSE],
        "attribution": ATTRIBUTION,
        "attribution_en": ATTRIBUTION_EN,
        "sources": [{"title": FUNDER["name"]}],
        "resources": [
            {
                "name": d.name,
                "path": f"{d.name}.csv",
                "profile": "tabular-data-resource",
                "title": d.title,
                "title_en": d.title_en,
                "description": d.description,
                "description_en": d.description_en,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "licenses": [LICENSE],
                "schema": d.schema(),
            }
            for d in _DATASETS
        ],
    }


# --- writing the files ----------------------------------------------------------------------


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _machine(value: Any) -> Any:
    """A value in the machine form CSV uses: dates ISO 8601, times UTC to the second."""
    if isinstance(value, datetime.datetime):
        return _utc(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # a JSON number with exactly two decimals
    return json.dumps(_machine(value), ensure_ascii=False)


def csv_chunks(name: str) -> Iterator[str]:
    """The dataset as CSV (BOM, comma, formula-safe), row by row: constant memory."""
    d = SCHEMAS[name]
    return csv_lines(d.columns, ([_machine(row.get(c)) for c in d.columns] for row in d.rows()))


def json_chunks(name: str, version: str | None = None) -> Iterator[str]:
    """The dataset as JSON ({"dataset", "data_version", "generated_at", "license", "rows"}),
    typed: numbers are numbers (amounts with two decimals), empty is null."""
    d = SCHEMAS[name]
    head = {
        "dataset": name,
        "data_version": version,
        "generated_at": _utc(timezone.now()),
        "license": LICENSE["path"],
        "attribution": ATTRIBUTION,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    first = True
    for row in d.rows():
        body = ", ".join(f"{json.dumps(c)}: {_json_value(row.get(c))}" for c in d.columns)
        yield ("\n " if first else ",\n ") + "{" + body + "}"
        first = False
    yield "\n]}\n"


def write_xlsx(name: str, language: str | None, target) -> None:
    """The dataset as a workbook: typed cells, headers in the language, a field sheet."""
    d = SCHEMAS[name]
    en = _en(language)
    tz = timezone.get_default_timezone()

    def cell(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value, tz).replace(tzinfo=None)
        return value

    rows = ([cell(row.get(c)) for c in d.columns] for row in d.rows())
    fields = [
        [f.name, f.title_en if en else f.title, f.description_en if en else f.description]
        for f in d.fields
    ]
    fields.append([])
    fields.append(["", ATTRIBUTION_EN if en else ATTRIBUTION, LICENSE["path"]])
    xlsx_file(
        target,
        [
            (
                d.title_en if en else d.title,
                [f.title_en if en else f.title for f in d.fields],
                rows,
            ),
            (
                "Fields" if en else "Velden",
                ["Field", "Title", "Description"] if en else ["Veld", "Titel", "Betekenis"],
                fields,
            ),
        ],
        date_format="yyyy-mm-dd" if en else "dd-mm-yyyy",
    )


# --- built once per public data version -----------------------------------------------------


def export_dir() -> Path:
    return Path(settings.REPORTS_ROOT) / "opendata"


def export_path(version: str, name: str, fmt: str, language: str | None) -> Path:
    lang = "en" if _en(language) else "nl"
    return export_dir() / version / f"{name}.{lang}.{fmt}"


def _tmp_path(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    return Path(tmp)


def _prune(path: Path) -> None:
    """Remove the same file of older versions once this one is built (left a minute for
    requests still reading them), and version folders left empty."""
    cutoff = time.time() - 60
    for other in export_dir().glob(f"*/{path.name}"):
        if other != path and other.stat().st_mtime < cutoff:
            other.unlink(missing_ok=True)
            try:
                other.parent.rmdir()
            except OSError:
                pass  # not empty: other files of that version are still current


def _version_number(version: str) -> int:
    try:
        return int(version)
    except ValueError:
        return -1


def latest_built(name: str, fmt: str, language: str | None) -> str | None:
    """The newest version for which this file is built, if any (served while a newer one is
    being built in the background, like stale-while-revalidate)."""
    filename = export_path("0", name, fmt, language).name
    versions = [p.parent.name for p in export_dir().glob(f"*/{filename}")]
    return max(versions, key=_version_number) if versions else None


def text_chunks(name: str, fmt: str, version: str | None) -> Iterator[str]:
    return csv_chunks(name) if fmt == "csv" else json_chunks(name, version)


def build(version: str, name: str, fmt: str, language: str | None) -> Path:
    """Write the file of this version (once; a concurrent builder just renames over it)."""
    path = export_path(version, name, fmt, language)
    if path.is_file():
        return path
    tmp = _tmp_path(path)
    try:
        if fmt == "xlsx":
            write_xlsx(name, language, tmp)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as out:
                for chunk in text_chunks(name, fmt, version):
                    out.write(chunk)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    _prune(path)
    return path


def stream_and_store(version: str, name: str, fmt: str, language: str | None) -> Iterator[bytes]:
    """Stream a text file (CSV, JSON) to the first visitor while writing it for the next ones;
    kept only when written to the end (a dropped connection leaves nothing behind)."""
    path = export_path(version, name, fmt, language)
    tmp = _tmp_path(path)
    done = False
    try:
        with tmp.open("wb") as out:
            for chunk in text_chunks(name, fmt, version):
                data = chunk.encode("utf-8")
                out.write(data)
                yield data
        tmp.replace(path)
        done = True
    finally:
        if not done:
            tmp.unlink(missing_ok=True)
    _prune(path)
