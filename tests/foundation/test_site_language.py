"""Issue 15 part 6: a favicon, and the English site links to English pages."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()


def test_english_menu_and_footer_link_to_english_pages(client):
    html = client.get("/en/").content.decode()
    # Except the language switch, which links to the Dutch page on purpose (hreflang="nl").
    hrefs = re.findall(r'<a (?![^>]*hreflang="nl")[^>]*href="(/[^"]*)"', html)
    local = [h for h in hrefs if not h.startswith(("/static/", "/media/", "/en/", "/i18n/"))]
    assert local == [], local
    assert re.search(r'<a [^>]*href="/" hreflang="nl"', html)  # the switch: the Dutch home
