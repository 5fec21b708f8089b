"""Settings come from the environment; production refuses to start without a real key."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(env: dict, expr: str) -> subprocess.CompletedProcess:
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
        }
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "buurtplatform.settings"
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([{expr}], default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


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
    env = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "HTTPS_ONLY": "0"}
    result = _settings_value(env, "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, False]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_boolean_fails_loudly(value):
    result = _settings_value({"DEBUG": value}, "s.DEBUG")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
