"""Browser journeys for transparency: charts readable without JavaScript, no CSP errors, 320px."""

import pytest

from tests.browser.conftest import CONTEXT
from tests.reports.factories import granted_scenario

pytestmark = pytest.mark.browser


def test_transparency_page_shows_charts_and_tables(page):
    granted_scenario()
    page.goto("/transparantie/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Waar gaat het geld")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    assert (
        "Toegekend en uitgegeven per platform" in charts.first.locator("title").first.text_content()
    )
    assert page.get_by_role("table").count() >= 3
    assert page.get_by_text("€ 12.500,00").first.is_visible()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_report_link_gives_a_pdf(page):
    granted_scenario()
    page.goto("/transparantie/")
    with page.expect_response(lambda r: r.url.endswith("/transparantie/verslag/2026.pdf")) as info:
        page.evaluate("url => fetch(url)", "/transparantie/verslag/2026.pdf")
    response = info.value
    assert response.status == 200  # eager without Redis: made on first request
    assert response.headers["content-type"] == "application/pdf"


def test_open_data_page_at_phone_width(phone_page):
    granted_scenario()
    phone_page.goto("/open-data/")
    assert phone_page.get_by_role("heading", name="Open data").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 340


def test_chart_labels_are_readable_on_a_390px_phone(browser, live_server, reference_data):
    granted_scenario()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, **CONTEXT
    )
    page = context.new_page()
    page.goto("/transparantie/")
    heights = page.evaluate(
        """() => [...document.querySelectorAll('svg.bar-chart text')]
              .map(t => t.getBoundingClientRect().height)"""
    )
    assert len(heights) > 4
    # A text box is about 1.15 × the font size; 12 px type gives boxes of 13.8 px or more.
    assert min(heights) >= 13.5, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/chart-390.png", full_page=True)
    context.close()
