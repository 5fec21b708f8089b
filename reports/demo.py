"""Demo data for reports: nothing to seed.

Reports are made on first request (eagerly in-process without REDIS_URL, by the worker
otherwise) and regenerated when their data fingerprint changes, so the demo needs no
pre-generated files. Safe to run any number of times.
"""


def seed(stdout=None) -> None:
    if stdout is not None:
        stdout.write("reports: nothing to seed; reports are made on first request.\n")
