"""manage.py works on a developer's machine with no environment set, and stays strict otherwise."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # seconds each: scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]


def _run(env_extra: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_runs_without_any_environment():
    result = _run({})
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_manage_py_with_a_key_but_debug_off_still_needs_a_real_key():
    result = _run({"SECRET_KEY": "short", "DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
