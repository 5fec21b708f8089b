"""Home page in two languages, accessibility basics, and /healthz."""

import json
import os

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_home_is_dutch_at_root(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in html
    assert "Naar de inhoud" in html  # skip link
    assert 'id="main"' in html and "<nav" in html and "<footer" in html


def test_home_is_english_at_en(client):
    response = client.get("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Skip to content" in html


def test_language_switch_on_every_page(client):
    # Links to the same page in the other language (no form: no CSRF token on public pages).
    html = client.get("/").content.decode()
    assert 'href="/en/" hreflang="en" lang="en">English</a>' in html
    html = client.get("/en/").content.decode()
    assert 'href="/" hreflang="nl" lang="nl">Nederlands</a>' in html


def test_no_inline_scripts_and_strict_csp(client):
    response = client.get("/")
    html = response.content.decode()
    assert "<script>" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_healthz_eager(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    data = json.loads(response.content)
    assert response.status_code == 200
    assert data["database"]["state"] == "up"
    assert data["broker"] == {"engine": "eager", "state": "eager"}


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no Redis to check"
)
def test_healthz_with_real_redis(client):
    response = client.get("/healthz")
    data = json.loads(response.content)
    assert response.status_code == 200
    assert data["broker"] == {"engine": "redis", "state": "up"}


def test_healthz_503_when_configured_redis_is_down(client):
    # Port 1 on loopback: nothing listens there, so the configured broker is down.
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["broker"]["state"] == "down"


def test_404_page_is_friendly(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.content.decode()


def test_healthz_tells_the_public_only_ok(client):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}  # no engines, no versions for strangers


def test_healthz_details_for_staff_anywhere(client_for, admin_user):
    response = client_for(admin_user).get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.json()["database"]["state"] == "up"
