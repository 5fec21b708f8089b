"""The grants as a 360Giving data package (Data Standard 1.4), checked against its own rules.

* The funder is an org-id.guide identifier with its department, and every grant id starts
  with the 360G prefix 360Giving registered for this publisher (all from settings).
* Nothing in the output depends on the moment or on the request: a grant's ``dateModified``
  is its last real change (its decision, its budget, the last ledger transaction on it) and
  the package's ``issued``/``modified`` is the latest change in the published data, so two
  requests without a change in between give byte-identical output (change detection works).
  The page cache's ``data_version()`` is not used for it: it is a fresh time whenever the
  cache forgets it, and never moves while the cache is off, so it is no change time.
* Locations are buurten of the municipality's division (``areas``): ``id`` is the municipal
  buurt code (Gemeente Amsterdam, dataset "gebieden/buurten"), ``geoCode`` the CBS buurt
  code when the areas app has it (``geoCodeType`` "BU", CBS Wijk- en Buurtkaart), otherwise
  the municipal code (``geoCodeType`` "AMS-BUURT"). Each location says so in ``description``.
* No personal data: recipients are platforms (organisations); contact details, payees and
  IBANs are never read here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation

from areas.models import Buurt
from budgets import selectors as books
from budgets.models import Budget, Transaction
from platforms.models import Platform
from recognition.models import Criterion

if TYPE_CHECKING:
    from budgets.selectors import BudgetWithSpent

VERSION = "1.4"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
MUNICIPAL_DATASET = "https://api.data.amsterdam.nl/v1/gebieden/buurten/"
CBS_DATASET = "https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/wijk-en-buurtstatistieken"
GEO_CODE_TYPE_CBS = "BU"
GEO_CODE_TYPE_MUNICIPAL = "AMS-BUURT"
CRITERIA_VOCABULARY_SUFFIX = "maatlat"


def prefix() -> str:
    return settings.THREESIXTY_PREFIX


def grant_id(budget: Budget) -> str:
    """The grant's 360Giving identifier: the registered prefix and the budget's number."""
    return f"{prefix()}-{budget.pk}"


def funder() -> dict[str, str]:
    org = {"id": settings.THREESIXTY_FUNDER_ID, "name": settings.THREESIXTY_FUNDER_NAME}
    if settings.THREESIXTY_FUNDER_DEPARTMENT:
        org["department"] = settings.THREESIXTY_FUNDER_DEPARTMENT
    return org


def _recipient_id(platform: Platform) -> str:
    """NL-KVK-<number> for a registered legal entity; the publisher's own id otherwise."""
    if platform.kvk_number:
        return f"NL-KVK-{platform.kvk_number}"
    return f"{prefix()}-platform-{platform.slug}"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _time(value: datetime.datetime) -> str:
    """RFC 3339 in the site's time zone (microseconds kept: two changes never share a time)."""
    return timezone.localtime(value).isoformat()


def _location(buurt: Buurt) -> dict[str, Any]:
    if buurt.cbs_code:
        code, code_type = buurt.cbs_code, GEO_CODE_TYPE_CBS
        note = (
            f"Buurt {buurt.code} van de gebiedsindeling van de Gemeente Amsterdam "
            f"({MUNICIPAL_DATASET}); geoCode is de CBS-buurtcode ({CBS_DATASET})."
        )
    else:
        code, code_type = buurt.code, GEO_CODE_TYPE_MUNICIPAL
        note = (
            f"Buurt {buurt.code} van de gebiedsindeling van de Gemeente Amsterdam "
            f"({MUNICIPAL_DATASET}); geoCode is de gemeentelijke buurtcode."
        )
    return {
        "id": buurt.code,
        "name": buurt.name,
        "description": note,
        "countryCode": "NL",
        "geoCode": code,
        "geoCodeType": code_type,
    }


def _locations(buurten: Iterable[Buurt]) -> list[dict[str, Any]]:
    return [_location(b) for b in sorted(buurten, key=lambda b: b.code)]


def _grants() -> QuerySet[BudgetWithSpent]:
    """The open data's grants (budgets.selectors) with what the package needs, in a constant
    number of queries, and the time of the last ledger transaction on each budget."""
    last_booking = (
        Transaction.objects.filter(budget=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    return (
        books.grants_with_spent()
        .prefetch_related(
            Prefetch("platform__buurten", queryset=Buurt.objects.order_by("code")),
            Prefetch(
                "round__criteria_version__criteria", queryset=Criterion.objects.order_by("number")
            ),
        )
        .annotate(last_booking_at=Subquery(last_booking))
    )


def last_change(budget: Budget) -> datetime.datetime:
    """A grant's last real change: its decision, its budget or the last transaction on it."""
    decision = budget.decision
    times = [decision.published_at or decision.decided_at, budget.created_at]
    booked = getattr(budget, "last_booking_at", None)
    if booked is None:
        booked = (
            Transaction.objects.filter(budget=budget)
            .order_by("-recorded_at")
            .values_list("recorded_at", flat=True)
            .first()
        )
    if booked is not None:
        times.append(booked)
    return max(t for t in times if t is not None)


def _classifications(budget: Budget) -> list[dict[str, Any]]:
    """The criteria the grant was assessed on (the round's maatlat), as a classification."""
    version = budget.round.criteria_version
    vocabulary = f"{prefix()}-{CRITERIA_VOCABULARY_SUFFIX}"
    return [
        {
            "vocabulary": vocabulary,
            "code": criterion.key,
            "title": criterion.title_nl,
            "description": f"Beoordelingscriterium {criterion.number} van {version.name}.",
        }
        for criterion in version.criteria.all()
    ]


def _grant(budget: BudgetWithSpent) -> dict[str, Any]:
    decision = budget.decision
    application = decision.application
    platform = budget.platform
    award = decision.published_at or budget.created_at
    recipient: dict[str, Any] = {"id": _recipient_id(platform), "name": platform.name}
    if platform.website:
        recipient["url"] = platform.website
    recipient["location"] = _locations(platform.buurten.all())
    recipient["dateModified"] = _time(platform.updated_at)
    return {
        "id": grant_id(budget),
        "title": f"Buurtbudget {budget.year}: {platform.name}",
        "description": application.plan_summary or decision.motivation or platform.name,
        "currency": "EUR",
        "amountAppliedFor": float(application.requested_amount),
        "amountAwarded": float(budget.granted_amount),
        "amountDisbursed": float(budget.spent),
        "awardDate": timezone.localtime(award).date().isoformat(),
        "plannedDates": [
            {
                "startDate": datetime.date(budget.year, 1, 1).isoformat(),
                "endDate": datetime.date(budget.year, 12, 31).isoformat(),
                "duration": 12,
            }
        ],
        "url": _absolute(reverse("platforms:platform_detail", args=[platform.slug])),
        "dataSource": _absolute(reverse("recognition:round_decision", args=[budget.round.slug])),
        "recipientOrganization": [recipient],
        "fundingOrganization": [funder()],
        "beneficiaryLocation": _locations(application.buurten.all()),
        "grantProgramme": [
            {
                "code": budget.round.slug,
                "title": budget.round.title,
                "url": _absolute(budget.round.get_absolute_url()),
            }
        ],
        "fromOpenCall": "Yes",
        "classifications": _classifications(budget),
        "dateModified": _time(last_change(budget)),
    }


def package() -> dict[str, Any]:
    """Every grant in the 360Giving Data Standard, as ``/open-data/360giving.json`` serves it
    (in Dutch, with links without a language prefix, whatever language the request has)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _package()


def _package() -> dict[str, Any]:
    grants: list[dict[str, Any]] = []
    changes: list[datetime.datetime] = []
    for budget in _grants():
        grants.append(_grant(budget))
        changes += [last_change(budget), budget.platform.updated_at]
    data: dict[str, Any] = {
        "version": VERSION,
        "identifier": f"{prefix()}-buurtbudgetten",
        "title": "Buurtbudgetten Amsterdam Zuidoost",
        "description": (
            "Toekenningen aan buurtplatforms in Amsterdam Zuidoost. Locaties zijn buurten van "
            f"de gebiedsindeling van de Gemeente Amsterdam ({MUNICIPAL_DATASET}): id is de "
            "gemeentelijke buurtcode, geoCode de CBS-buurtcode (geoCodeType BU) of, als die "
            "ontbreekt, de gemeentelijke buurtcode (geoCodeType AMS-BUURT)."
        ),
    }
    if changes:
        # The data version as a time: the latest change in what this package shows.
        data["issued"] = data["modified"] = _time(max(changes))
    data.update(
        {
            "license": LICENSE,
            "publisher": {
                "identifier": settings.THREESIXTY_FUNDER_ID,
                "name": settings.THREESIXTY_FUNDER_NAME,
                "website": settings.SITE_URL,
            },
            "accessURL": _absolute(reverse("reports:open_data")),
            "downloadURL": _absolute(reverse("reports:threesixty_json")),
            "grants": grants,
        }
    )
    return data
