"""Test overrides only; everything else comes from the environment like any other run."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 48)
os.environ.setdefault("HTTPS_ONLY", "0")
# Tests log staff in without a second factor unless a test switches it on (tests/trust).
os.environ.setdefault("STAFF_MFA_REQUIRED", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# DEBUG is off, so the SEPA debtor is required: a test account (valid checksum, not the
# example IBAN NL91ABNA0417164300 that the claim tests use for claimants).
os.environ.setdefault("SEPA_DEBTOR_NAME", "Ondersteuningsorganisatie Zuidoost (test)")
os.environ.setdefault("SEPA_DEBTOR_IBAN", "NL81INGB0008675309")
os.environ.setdefault("SEPA_DEBTOR_BIC", "INGBNL2A")

# Parallel test workers (pytest-xdist) each get their own Redis cache database (10, 11, …):
# a test that clears the cache or counts a rate limit must not see the other worker's keys;
# and their own broker database (2, 3, …): a real Celery worker one test starts must never take
# a task of the other worker's test (it would look for the job in the wrong test database).
# Set in the environment, so the processes a test starts (a real Celery worker) share them.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker.startswith("gw") and not os.environ.get("CACHE_URL"):
    _base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    os.environ["CACHE_URL"] = f"{_base}/{10 + int(_worker[2:])}"
    os.environ["REDIS_URL"] = f"{_base}/{2 + int(_worker[2:])}"

from buurtplatform.settings import *  # noqa: E402,F403
from buurtplatform.settings import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One media folder per pytest-xdist worker (a Celery worker a test starts inherits the variable,
# so it writes where its test reads): one worker's reports never mix with another's.
MEDIA_ROOT = BASE_DIR / ".test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
REPORTS_ROOT = MEDIA_ROOT / "reports"
# Tasks run eagerly in tests unless a test starts a real worker explicitly.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_REAL_WORKER") != "1"
# The public page cache (buurtplatform.pagecache) is off: pages render afresh in every test
# (the locmem cache outlives each test's rolled-back data); tests/perf switches it on.
PUBLIC_PAGE_CACHE_SECONDS = 0
# When a test switches it on, the data version read from the database is remembered for the
# whole test (tests/conftest.py forgets it between tests; a test's own changes show at once).
PUBLIC_PAGE_VERSION_SECONDS = 60
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
}
