"""Production mode serves pages with hashed static files (collectstatic with DEBUG off)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # seconds each: scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]

PAGE_CHECK = """
import django
django.setup()
from django.test import Client
response = Client().get("/", HTTP_HOST="127.0.0.1")
body = response.content.decode()
assert response.status_code == 200, response.status_code
assert "/static/vendor/bootstrap/bootstrap.min." in body and ".css" in body
print("ok")
"""


def test_collectstatic_and_pages_work_with_debug_off(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "buurtplatform.settings",
            "DEBUG": "0",
            "HTTPS_ONLY": "0",
            "SECRET_KEY": "p" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(tmp_path / "static"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert collect.returncode == 0, collect.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    page = subprocess.run(
        [sys.executable, "-c", PAGE_CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert page.returncode == 0, page.stderr[-2000:]
    assert page.stdout.strip().endswith("ok")
