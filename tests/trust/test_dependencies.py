"""Known-vulnerable versions of security-relevant dependencies fail the build (threat 30)."""

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]

# Lowest versions without known security issues that matter to us; raise when advisories appear.
#   Django 5.2.19: latest 5.2 patch release at the time of writing (5.2.x security fixes).
#   django-allauth 65.14.2: correct client IP for rate limits behind proxies.
#   weasyprint 68: URL fetcher redirect fix (CVE-2025-68616) and attachment handling.
#   Pillow 11.3: fixes for image decoder overflows.
MINIMUM = {
    "django": "5.2.19",
    "django-allauth": "65.14.2",
    "weasyprint": "68.0",
    "pillow": "11.3.0",
}
SAME_SERIES = {"django": "5.2"}  # stay on the LTS line the project targets


def _locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = Version(match.group(2))
    return pins


@pytest.mark.parametrize("package", sorted(MINIMUM))
def test_installed_version_is_not_known_vulnerable(package):
    installed = Version(version(package))
    assert installed >= Version(MINIMUM[package]), f"{package} {installed} < {MINIMUM[package]}"
    if package in SAME_SERIES:
        assert installed.base_version.startswith(SAME_SERIES[package] + ".")


@pytest.mark.parametrize("package", sorted(MINIMUM))
def test_lock_file_pins_a_safe_version(package):
    pinned = _locked().get(package)
    assert pinned is not None, f"{package} is not pinned in requirements.lock"
    assert pinned >= Version(MINIMUM[package]), f"{package} pinned {pinned}"


@pytest.mark.parametrize("package", sorted(MINIMUM))
def test_pyproject_does_not_allow_a_vulnerable_version(package):
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(rf'"{re.escape(package)}(?:\[[^\]]*\])?>=([0-9.]+)', text, re.IGNORECASE)
    assert match, f"{package} has no lower bound in pyproject.toml"
    assert Version(match.group(1)) >= Version(MINIMUM[package])


def test_installed_matches_the_lock_file():
    locked = _locked()
    for package in MINIMUM:
        assert Version(version(package)) == locked[package], package
