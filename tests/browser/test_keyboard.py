"""Keyboard only: the skip link comes first, focus is always visible, forms submit with Enter.

The journey: log in and register a platform without touching the mouse.
"""

from __future__ import annotations

import pytest

from platforms.models import Platform
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_VISIBLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  return (outline || shadow) && r.width > 0 && r.height > 0;
}"""


def active(page, expression: str):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {expression}; }}")


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has focus; every stop shows focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_VISIBLE_JS), active(page, "el.outerHTML.slice(0, 120)")
        if active(page, f"el.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus(page, prefix):
    page.goto(prefix + "/")
    page.keyboard.press("Tab")
    assert active(page, "el.getAttribute('href')") == "#main"
    assert page.evaluate(FOCUS_VISIBLE_JS)
    box = page.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return [r.width, r.height, r.top]; }"
    )
    assert box[0] > 1 and box[1] > 1 and box[2] >= 0  # visible on screen when focused
    page.keyboard.press("Enter")
    assert active(page, "el.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the navigation again
    assert active(page, "!!el.closest('main')")


def test_log_in_and_register_a_platform_with_the_keyboard_only(page):
    UserFactory(email="toetsenbord@example.org")
    page.goto("/account/login/")
    tab_to(page, "input[name=login]")
    page.keyboard.type("toetsenbord@example.org")
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/account/login/" not in page.url

    page.goto("/platforms/aanmelden/")
    tab_to(page, "input[name=name]")
    page.keyboard.type("Toetsenbord Buurt")
    tab_to(page, "input[name=area_name]")
    page.keyboard.type("De K-buurt")
    tab_to(page, "input[name=buurten]")
    page.keyboard.press("Space")
    assert active(page, "el.checked")
    tab_to(page, "textarea[name=description]")
    page.keyboard.type("Wij organiseren buurtmaaltijden.")
    tab_to(page, "input[name=contact_email]")
    page.keyboard.type("info@toetsenbord.example")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form from a text field
    assert Platform.objects.filter(name="Toetsenbord Buurt").count() == 1, page.content()[:2000]


def test_a_failed_submit_moves_attention_to_the_errors(page):
    """Enter on an empty form: the page reloads with errors that are reachable by Tab."""
    UserFactory(email="fout@example.org")
    page.goto("/account/login/")
    tab_to(page, "input[name=login]")
    page.keyboard.type("fout@example.org")
    tab_to(page, "input[name=password]")
    page.keyboard.type("niet-het-wachtwoord")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".invalid-feedback, .alert-danger, .errorlist").count() >= 1
    tab_to(page, "input[name=password]")  # still operable after the error
