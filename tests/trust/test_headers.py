"""Hardening headers on every kind of HTML response (threats 4 and 5)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["/", "/en/", "/privacy/", "/account/login/", "/en/account/signup/", "/bestaat-niet/"]


def _assert_hardened(response):
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


@pytest.mark.parametrize("path", PAGES)
def test_html_pages_carry_hardening_headers(client, path):
    response = client.get(path)
    assert response["Content-Type"].startswith("text/html")
    _assert_hardened(response)


def test_403_and_logged_in_pages_carry_hardening_headers(client_for, resident):
    c = client_for(resident)
    _assert_hardened(c.get(reverse("accounts:role_list")))  # 403
    _assert_hardened(c.get(reverse("account_email")))


def test_hsts_and_secure_cookies_over_https(resident):
    with override_settings(
        SECURE_HSTS_SECONDS=31_536_000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_NAME="__Host-sessionid",
    ):
        c = Client()
        response = c.post(
            reverse("account_login"),
            {"login": resident.email, "password": "correct-horse-battery"},
            secure=True,
        )
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        cookie = response.cookies["__Host-sessionid"]
        assert cookie["secure"] and cookie["httponly"]
        assert cookie["samesite"] == "Lax" and cookie["path"] == "/"
        assert not cookie["domain"]


def test_host_header_poisoning_is_refused(client, resident):
    from django.core import mail

    with override_settings(ALLOWED_HOSTS=["buurt.example"]):
        response = client.post(
            reverse("account_reset_password"),
            {"email": resident.email},
            HTTP_HOST="evil.example",
        )
    assert response.status_code == 400
    assert mail.outbox == []
