"""Production settings: `check --deploy` is silent, plus what the check does not look at."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.foundation.test_settings import ROOT, SEPA_ENV, _settings_value

PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "buurt.example",
    "HTTPS_ONLY": "1",
    **SEPA_ENV,
}


def _prod(expr: str, **extra: str):
    result = _settings_value({**PROD_ENV, **extra}, expr)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_silent_with_production_settings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into the production check.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PROD_ENV, DJANGO_SETTINGS_MODULE="buurtplatform.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_cookies_are_host_prefixed_secure_and_http_only():
    names = _prod(
        "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH"
    )
    session, csrf, s_secure, c_secure, httponly, samesite, s_domain, c_domain, path = names
    # __Host- cookies: Secure, Path=/ and no Domain, so a subdomain cannot plant them.
    assert session.startswith("__Host-") and csrf.startswith("__Host-")
    assert s_secure and c_secure and httponly
    assert samesite in ("Lax", "Strict")
    assert s_domain is None and c_domain is None and path == "/"


def test_csp_is_strict():
    (directives,) = _prod("s.CONTENT_SECURITY_POLICY['DIRECTIVES']")
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


def test_limits_and_database_health_checks():
    reset_timeout, max_files, health, hsts, ssl_redirect = _prod(
        "s.PASSWORD_RESET_TIMEOUT, s.DATA_UPLOAD_MAX_NUMBER_FILES,"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT"
    )
    assert reset_timeout <= 3600
    assert max_files <= 20
    assert health is True
    assert hsts >= 31_536_000 and ssl_redirect is True


def test_security_headers_settings():
    xfo, nosniff, referrer, coop, debug = _prod(
        "s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY,"
        " s.SECURE_CROSS_ORIGIN_OPENER_POLICY, s.DEBUG"
    )
    assert (xfo, nosniff, coop, debug) == ("DENY", True, "same-origin", False)
    assert referrer in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")


def test_production_cache_is_shared_redis_not_locmem():
    (backend,) = _prod("s.CACHES['default']['BACKEND']", REDIS_URL="redis://:pw@10.0.0.5:6379/1")
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert "locmem" not in backend.lower() and "dummy" not in backend.lower()


def test_rate_limits_cover_login_signup_and_reset():
    (limits,) = _prod("s.ACCOUNT_RATE_LIMITS")
    for action in ("login", "login_failed", "signup", "reset_password", "reauthenticate"):
        assert limits.get(action), action
    assert "5/5m/key" in limits["login_failed"]


def test_accounts_settings_prevent_enumeration_and_require_verification():
    verification, enumeration, reauth, mfa_types = _prod(
        "s.ACCOUNT_EMAIL_VERIFICATION, s.ACCOUNT_PREVENT_ENUMERATION,"
        " s.ACCOUNT_REAUTHENTICATION_TIMEOUT, s.MFA_SUPPORTED_TYPES"
    )
    assert verification == "mandatory" and enumeration is True
    assert reauth <= 300
    assert set(mfa_types) >= {"totp", "recovery_codes"}


@pytest.mark.parametrize(
    "value,expected", [("", "beheer/django/"), ("/geheim-beheer/", "geheim-beheer/")]
)
def test_admin_url_is_configurable(value, expected):
    (admin_url,) = _prod("s.ADMIN_URL", ADMIN_URL=value)
    assert admin_url == expected


def test_staff_mfa_is_on_in_production_unless_switched_off():
    assert _prod("s.STAFF_MFA_REQUIRED") == [True]  # as the privacy page promises
    assert _prod("s.STAFF_MFA_REQUIRED", STAFF_MFA_REQUIRED="1") == [True]
    assert _prod("s.STAFF_MFA_REQUIRED", STAFF_MFA_REQUIRED="0") == [False]


def test_no_code_reads_the_raw_host_header():
    """Reset and confirmation links must come from get_host() (ALLOWED_HOSTS), never raw."""
    result = subprocess.run(
        ["git", "grep", "-n", "-E", r"META\[.HTTP_HOST|META.get\(.HTTP_HOST", "--", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    hits = [line for line in result.stdout.splitlines() if not line.startswith("tests/")]
    assert hits == []


def test_production_compose_requires_staff_mfa_and_a_redis_password():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert 'STAFF_MFA_REQUIRED: "1"' in compose
    for url in re.findall(r"REDIS_URL:\s*(.+)", compose):
        assert re.match(r"redis://:[^@]+@", url), url
