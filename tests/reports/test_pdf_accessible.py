"""Accessible, verifiable report PDFs (issue 16): every report is PDF/UA-1 (tagged, with its
language, title and XMP metadata, fonts embedded), prints its report id, data version and the
address of its published SHA-256 on every page, has no empty page, exists in Dutch and English
(/en/… is English), and is served with its SHA-256 in a header. The year report's budget table
adds up to the grant, and the decision PDF marks a superseded decision."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from budgets import selectors as books
from budgets.models import BudgetLine
from buurtplatform.formatting import format_date
from recognition.models import CriterionMotivation, Decision
from reports import services
from reports.models import ReportJob
from reports.rendering import render_report
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en"]
KINDS = ["platform_year", "round_decision", "district_year", "meeting_pack"]
FOOTER = {"nl": ("Rapport", "gegevensversie", "Pagina"), "en": ("Report", "data version", "Page")}


def subjects(scenario, member) -> dict[str, str]:
    return {
        ReportJob.Kind.PLATFORM_YEAR: f"{scenario.platform.slug}/2026",
        ReportJob.Kind.ROUND_DECISION: scenario.round.slug,
        ReportJob.Kind.DISTRICT_YEAR: "2026",
        ReportJob.Kind.MEETING_PACK: f"{scenario.round.slug}/{member.pk}",
    }


def make(kind: str, key: str, language: str) -> tuple[ReportJob, bytes]:
    """Through the pipeline, as the worker makes it: a job row, a file, its hash."""
    job = services.request_report(kind=kind, key=key, language=language)
    services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.last_error
    content = services.report_file(job).read_bytes()
    assert hashlib.sha256(content).hexdigest() == job.sha256
    return job, content


def page_texts(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [
        " ".join((page.extract_text() or "").replace("\xa0", " ").split()) for page in reader.pages
    ]


def fonts_of(reader: PdfReader):
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        if fonts is None:
            continue
        for font in fonts.get_object().values():
            yield font.get_object()


def descriptor_of(font):
    if font["/Subtype"] == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    return font.get("/FontDescriptor")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_report_is_tagged_titled_in_its_language_and_footed_on_every_page(
    scenario, commission_member, kind, language
):
    key = subjects(scenario, commission_member)[kind]
    job, content = make(kind, key, language)
    assert job.language == language
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]

    # Tagged: a structure tree and the marked-content flag.
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    # The document language, title and creation date; XMP metadata says PDF/UA-1, same title.
    assert catalog["/Lang"] == language
    title = reader.metadata.title
    assert title and title != "Buurtplatform Zuidoost"
    assert reader.metadata.creation_date is not None
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert title in xmp

    # Every font is embedded.
    fonts = list(fonts_of(reader))
    assert fonts
    for font in fonts:
        descriptor = descriptor_of(font)
        assert descriptor is not None, font
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()), font

    # Every page: the footer with the report id, the data version and the address of the
    # published SHA-256, and text of its own (no page with only the footer).
    label, version_label, page_label = FOOTER[language]
    with translation.override(language):
        transparency = settings.SITE_URL + (
            reverse("reports:meeting_pack", args=[scenario.round.slug])
            if kind == ReportJob.Kind.MEETING_PACK
            else reverse("reports:transparency_year", args=[2026])
        )
    assert len(job.data_version) == 16 and job.data_fingerprint.startswith(job.data_version)
    for number, text in enumerate(page_texts(content), start=1):
        footer = f"{label} {job.pk} · {version_label} {job.data_version}"
        assert footer in text, (number, text[-300:])
        assert transparency in text.replace(" ", "")  # wherever the line wraps
        assert f"{page_label} {number} " in text
        body = text.replace(footer, "").replace(transparency, "")
        body = re.sub(rf"{page_label} \d+ \S+ \d+", "", body)
        assert len(body.strip()) > 80, (number, body)


def test_english_url_serves_the_english_pdf_with_its_hash_in_the_headers(
    scenario, client, django_capture_on_commit_callbacks
):
    nl_url = reverse("reports:platform_report", args=[scenario.platform.slug, 2026])
    with translation.override("en"):
        en_url = reverse("reports:platform_report", args=[scenario.platform.slug, 2026])
    assert en_url.startswith("/en/") and not nl_url.startswith("/en/")
    bodies = {}
    for language, url in (("nl", nl_url), ("en", en_url)):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.get(url)
        assert first.status_code in (200, 202)
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        digest = hashlib.sha256(body).digest()
        assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
        assert response["X-Report-SHA256"] == digest.hex()
        job = ReportJob.objects.get(kind="platform_year", language=language)
        assert job.sha256 == digest.hex()
        assert response["X-Report-Id"] == str(job.pk)
        assert response["X-Report-Data-Version"] == job.data_version
        bodies[language] = " ".join(pdf_text(body).split())

    # Two jobs, two files, the same data version.
    jobs = ReportJob.objects.filter(kind="platform_year")
    assert jobs.count() == 2 and len({j.data_fingerprint for j in jobs}) == 1
    assert "Year report Samen Sterk Test 2026" in bodies["en"]
    assert "Page 1 of" in bodies["en"] and "Remaining" in bodies["en"]
    assert "€12,500.00" in bodies["en"]
    assert "Jaarverslag Samen Sterk Test 2026" in bodies["nl"]
    assert "Pagina 1 van" in bodies["nl"] and "€ 12.500,00" in bodies["nl"]
    assert "Jaarverslag" not in bodies["en"]


def test_transparency_page_shows_the_hash_report_id_and_data_version_of_its_language(
    scenario, client
):
    nl_job, _nl = make("district_year", "2026", "nl")
    en_job, _en = make("district_year", "2026", "en")
    assert nl_job.sha256 != en_job.sha256
    nl_page = client.get(reverse("reports:transparency_year", args=[2026])).content.decode()
    assert nl_job.sha256 in nl_page and en_job.sha256 not in nl_page
    assert f"rapport {nl_job.pk}" in nl_page and nl_job.data_version in nl_page
    assert "sha256sum" in nl_page
    with translation.override("en"):
        url = reverse("reports:transparency_year", args=[2026])
    en_page = client.get(url).content.decode()
    assert en_job.sha256 in en_page and nl_job.sha256 not in en_page
    assert f"report {en_job.pk}" in en_page
    assert "sha256sum" in en_page and "printed copy" in en_page


def amounts(text: str, label: str) -> list[Decimal]:
    """The € amounts (Dutch notation) on the line after a label, in the order printed."""
    match = re.search(re.escape(label) + r"((?:\s*-?€\s?-?[\d.]+,\d{2}(?: overschreden)?)+)", text)
    assert match, label
    return [
        Decimal(m.replace(".", "").replace(",", "."))
        for m in re.findall(r"-?€\s?(-?[\d.]+,\d{2})", match.group(1))
    ]


@pytest.mark.parametrize("rebudgeted", [True, False])
def test_year_report_budget_table_adds_up_to_the_grant(scenario, rebudgeted):
    if not rebudgeted:
        # The grant is lower than the lines asked for (as book_grant copies them) and no new
        # plan has been approved yet: the table shows the granted total, not the request.
        line = BudgetLine.objects.filter(budget=scenario.budget).order_by("id").first()
        BudgetLine.objects.filter(pk=line.pk).update(planned_amount=Decimal("9000.00"))
    figures = books.platform_year_budgets(scenario.platform, 2026)
    assert figures["rebudgeted"] is rebudgeted
    granted, spent = figures["granted"], figures["spent"]
    assert granted == Decimal("12500.00") and spent == Decimal("1484.56")

    text = " ".join(
        pdf_text(render_report("platform_year", f"{scenario.platform.slug}/2026")).split()
    )
    planned_total, spent_total, difference = amounts(text, "Totaal (het toegekende bedrag)")
    assert planned_total == granted  # the total row is the grant, never the request
    assert spent_total == spent
    (remaining,) = amounts(text, "Resterend (toegekend min uitgegeven)")
    assert difference == remaining == granted - spent
    assert amounts(text, "Toegekend")[0] == granted
    if rebudgeted:
        for row in figures["plan_rows"]:
            assert row.planned_amount in amounts(text, row.description)
        assert "nog niet herbegroot" not in text
    else:
        assert amounts(text, "Totaal toegekend nog niet herbegroot")[0] == granted
        assert "€ 15.000,00" not in text and "€ 14.000,00" not in text

    # "Verschil" (the total row) and "Resterend" (the summary) are printed on the same page.
    pages = page_texts(render_report("platform_year", f"{scenario.platform.slug}/2026"))
    together = [
        p for p in pages if "Totaal (het toegekende bedrag)" in p and "Resterend (toegekend" in p
    ]
    assert together


def test_decision_pdf_marks_a_superseded_decision(scenario):
    old = scenario.refused
    new = Decision.objects.create(
        round=old.round,
        application=old.application,
        area_key=old.area_key,
        kind=Decision.Kind.OBJECTION,
        outcome=Decision.Outcome.GRANTED,
        granted_amount=Decimal("4000.00"),
        motivation="Bezwaar gegrond.",
        status=Decision.Status.PUBLISHED,
        published_at=timezone.now(),
        supersedes=old,
    )
    CriterionMotivation.objects.bulk_create(
        CriterionMotivation(decision=new, criterion=c, text="Herzien")
        for c in old.round.criteria_version.criteria.all()
    )
    date = format_date(new.published_at)
    nl = " ".join(pdf_text(render_report("round_decision", old.round.slug)).split())
    assert f"Vervangen door besluit van {date}" in nl
    assert "(vervangen)" in nl
    en = " ".join(pdf_text(render_report("round_decision", old.round.slug, language="en")).split())
    assert "Superseded by the decision of" in en
    assert "Vervangen" not in en
