"""Benchmark settings: the production settings plus one bare view to compare against."""

import os

os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("HTTPS_ONLY", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SEPA_DEBTOR_NAME", "Ondersteuningsorganisatie Zuidoost (bench)")
os.environ.setdefault("SEPA_DEBTOR_IBAN", "NL81INGB0008675309")
os.environ.setdefault("SEPA_DEBTOR_BIC", "INGBNL2A")

from buurtplatform.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
