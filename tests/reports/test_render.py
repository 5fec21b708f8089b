"""Each report renders to a PDF whose extracted text shows the right figures, in Dutch."""

from reports.models import ReportJob
from reports.rendering import render_report
from tests.reports.conftest import pdf_text


def test_platform_year_report_text(scenario):
    text = pdf_text(render_report(ReportJob.Kind.PLATFORM_YEAR, "samen-sterk-test/2026"))
    assert "Jaarverslag Samen Sterk Test 2026" in text
    assert "€ 12.500,00" in text  # granted
    assert "€ 1.484,56" in text  # spent: 1.234,56 + 250,00 (the 99,99 was reversed)
    assert "Buurtmaaltijd in de K-buurt" in text
    assert "Motivering voor Samen Sterk Test" in text
    assert "Pagina 1 van" in text


def test_round_decision_report_text(scenario):
    text = pdf_text(render_report(ReportJob.Kind.ROUND_DECISION, scenario.round.slug))
    assert "Rivaal Test" in text and "Samen Sterk Test" in text
    assert "Niet toegekend" in text
    assert "3,5" in text  # mean of 3 and 4
    assert "Toelichting daadkracht" in text


def test_district_report_text(scenario):
    text = pdf_text(render_report(ReportJob.Kind.DISTRICT_YEAR, "2026"))
    assert "Buurtbudgetten Zuidoost 2026" in text
    assert "€ 100.000,00" in text
    assert "€ 11.015,44" in text  # remaining
