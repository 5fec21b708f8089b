"""Settings come from the environment; production refuses to start without a real key."""

import json
import os
import runpy
import subprocess
import traceback
import types
from pathlib import Path
from unittest import mock

import pytest
from django.conf import global_settings

ROOT = Path(__file__).resolve().parents[2]

# The SEPA debtor production needs (a valid IBAN that is not the well-known example one).
SEPA_ENV = {
    "SEPA_DEBTOR_NAME": "Stichting Ondersteuning Zuidoost",
    "SEPA_DEBTOR_IBAN": "NL38RABO0300000001",
    "SEPA_DEBTOR_BIC": "RABONL2U",
}


def _settings_value(env: dict, expr: str) -> subprocess.CompletedProcess:
    """Read buurtplatform/settings.py afresh with only ``env`` (and the harmless rest of the
    environment) set, as a process starting with that environment would, and evaluate ``expr``
    against it (``s.NAME``: Django's defaults under ours, as in ``django.conf.settings``).

    In this process, not a new one: the settings module reads the environment only while it
    runs. A refusal to start is a non-zero return code with the error in ``stderr``, as from a
    process."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "HTTPS_ONLY",
            "ALLOWED_HOSTS",
            "EMAIL_URL",
            "MEDIA_ROOT",
            "DJANGO_SETTINGS_MODULE",
            "STAFF_MFA_REQUIRED",
            "CACHE_URL",
            *SEPA_ENV,
        }
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "buurtplatform.settings"
    args = ["buurtplatform/settings.py", expr]
    with mock.patch.dict(os.environ, clean, clear=True):
        try:
            ours = runpy.run_path(str(ROOT / "buurtplatform" / "settings.py"))
            values = {k: v for k, v in vars(global_settings).items() if k.isupper()}
            values.update((k, v) for k, v in ours.items() if k.isupper())  # as django.conf does
            result = eval(f"[{expr}]", {"s": types.SimpleNamespace(**values)})  # noqa: S307
        except Exception:  # noqa: BLE001 - what a starting process would print and exit on
            return subprocess.CompletedProcess(args, 1, "", traceback.format_exc())
    return subprocess.CompletedProcess(args, 0, json.dumps(result, default=str) + "\n", "")


def test_production_refuses_to_start_without_secret_key():
    result = _settings_value({"DEBUG": "0"}, "s.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _settings_value({"DEBUG": "0", "SECRET_KEY": "short"}, "s.DEBUG")
    assert result.returncode != 0


def test_defaults_are_sqlite_eager_console_mail():
    result = _settings_value(
        {"DEBUG": "1"},
        "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.HTTPS_ONLY",
    )
    assert result.returncode == 0, result.stderr
    engine, eager, backend, https_only = json.loads(result.stdout)
    assert "sqlite3" in engine
    assert eager is True
    assert "console" in backend
    assert https_only is False


def test_production_values_from_environment():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 50,
        "DATABASE_URL": "postgres://u:p@db.internal:5432/bp",
        "REDIS_URL": "redis://:pw@redis.internal:6379/0",
        "EMAIL_URL": "smtp://mailer:secret@smtp.example:587?tls=1",
        "ALLOWED_HOSTS": "buurt.example,www.buurt.example",
        **SEPA_ENV,
    }
    result = _settings_value(
        env,
        "s.DATABASES['default']['HOST'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_HOST, s.EMAIL_USE_TLS,"
        " s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.SESSION_COOKIE_NAME, s.CACHES['default']['BACKEND']",
    )
    assert result.returncode == 0, result.stderr
    host, eager, mail_host, tls, hosts, secure, hsts, cookie, cache = json.loads(result.stdout)
    assert host == "db.internal"
    assert eager is False  # a real broker when Redis is configured
    assert (mail_host, tls) == ("smtp.example", True)
    assert hosts == ["buurt.example", "www.buurt.example"]
    assert secure is True and hsts is True
    assert cookie == "__Host-sessionid"
    assert cache.endswith("RedisCache")


def test_https_only_can_be_switched_off_for_local_production_run():
    env = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "HTTPS_ONLY": "0", **SEPA_ENV}
    result = _settings_value(env, "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, False]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_boolean_fails_loudly(value):
    result = _settings_value({"DEBUG": value}, "s.DEBUG")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


PROD = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "HTTPS_ONLY": "0"}


@pytest.mark.parametrize("missing", sorted(SEPA_ENV))
def test_production_refuses_to_start_without_a_sepa_debtor_setting(missing):
    env = {**PROD, **SEPA_ENV}
    del env[missing]
    result = _settings_value(env, "s.DEBUG")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set" in result.stderr


def test_production_names_every_missing_sepa_debtor_setting():
    result = _settings_value(PROD, "s.DEBUG")
    assert result.returncode != 0
    assert "SEPA_DEBTOR_NAME, SEPA_DEBTOR_IBAN, SEPA_DEBTOR_BIC must be set" in result.stderr


def test_production_treats_a_blank_sepa_iban_as_missing():
    result = _settings_value({**PROD, **SEPA_ENV, "SEPA_DEBTOR_IBAN": "  "}, "s.DEBUG")
    assert result.returncode != 0
    assert "SEPA_DEBTOR_IBAN must be set" in result.stderr


@pytest.mark.parametrize("iban", ["NL91ABNA0417164300", "nl91 abna 0417 1643 00"])
def test_production_refuses_the_example_iban(iban):
    result = _settings_value({**PROD, **SEPA_ENV, "SEPA_DEBTOR_IBAN": iban}, "s.DEBUG")
    assert result.returncode != 0
    assert "SEPA_DEBTOR_IBAN is the example IBAN" in result.stderr


@pytest.mark.parametrize("iban", ["NL39RABO0300000001", "NL38RABO030000000", "not-an-iban"])
def test_production_refuses_an_invalid_iban(iban):
    # The first has a wrong checksum, the second a wrong length.
    result = _settings_value({**PROD, **SEPA_ENV, "SEPA_DEBTOR_IBAN": iban}, "s.DEBUG")
    assert result.returncode != 0
    assert "SEPA_DEBTOR_IBAN must be a valid IBAN" in result.stderr


@pytest.mark.parametrize("bic", ["RABONL", "RABO-NL2U", "12345678"])
def test_production_refuses_an_invalid_bic(bic):
    result = _settings_value({**PROD, **SEPA_ENV, "SEPA_DEBTOR_BIC": bic}, "s.DEBUG")
    assert result.returncode != 0
    assert "SEPA_DEBTOR_BIC must be a valid BIC" in result.stderr


def test_production_starts_with_a_valid_sepa_debtor():
    env = {
        **PROD,
        **SEPA_ENV,
        "SEPA_DEBTOR_IBAN": "nl38 rabo 0300 0000 01",
        "SEPA_DEBTOR_BIC": "rabonl2u",
    }
    result = _settings_value(env, "s.SEPA_DEBTOR_NAME, s.SEPA_DEBTOR_IBAN, s.SEPA_DEBTOR_BIC")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "Stichting Ondersteuning Zuidoost",
        "NL38RABO0300000001",
        "RABONL2U",
    ]


def test_development_has_a_demo_debtor_that_is_not_the_example_iban():
    from schwifty import BIC, IBAN

    result = _settings_value(
        {"DEBUG": "1"}, "s.SEPA_DEBTOR_NAME, s.SEPA_DEBTOR_IBAN, s.SEPA_DEBTOR_BIC"
    )
    assert result.returncode == 0, result.stderr
    name, iban, bic = json.loads(result.stdout)
    assert name
    assert iban != "NL91ABNA0417164300"
    assert IBAN(iban).compact == iban
    assert BIC(bic).compact == bic


def test_project_settings_have_defaults_and_come_from_the_environment():
    env = {
        "DEBUG": "1",
        "SITE_NAME": "Buurtplatform Test",
        "REPORTS_MAX_ROWS": "12",
        "PUBLIC_PAGE_CACHE_SECONDS": "0",
    }
    result = _settings_value(env, "s.SITE_NAME, s.REPORTS_MAX_ROWS, s.PUBLIC_PAGE_CACHE_SECONDS")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["Buurtplatform Test", 12, 0]
    result = _settings_value(
        {"DEBUG": "1"}, "s.SITE_NAME, s.REPORTS_MAX_ROWS, s.PUBLIC_PAGE_CACHE_SECONDS"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["Buurtplatform Zuidoost", 5000, 300]


@pytest.mark.parametrize(
    "name,value", [("REPORTS_MAX_ROWS", "0"), ("PUBLIC_PAGE_CACHE_SECONDS", "-1")]
)
def test_out_of_range_numbers_fail_loudly(name, value):
    result = _settings_value({"DEBUG": "1", name: value}, "s.DEBUG")
    assert result.returncode != 0
    assert f"{name} must be at least" in result.stderr


def test_cache_and_broker_use_separate_redis_databases():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 50,
        "REDIS_URL": "redis://:pw@redis.internal:6379/0",
        **SEPA_ENV,
    }
    result = _settings_value(env, "s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION']")
    assert result.returncode == 0, result.stderr
    broker, cache = json.loads(result.stdout)
    assert broker.endswith("/0") and cache == "redis://:pw@redis.internal:6379/1"
    env["CACHE_URL"] = "redis://:pw@cache.internal:6379/0"
    result = _settings_value(env, "s.CACHES['default']['LOCATION']")
    assert json.loads(result.stdout) == ["redis://:pw@cache.internal:6379/0"]
