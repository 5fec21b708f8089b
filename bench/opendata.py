"""Open data benchmark (not a test): time to first byte, total time and peak memory of every
open data export at scale, written into the "Open data" section of docs/benchmarks.md.

    .venv/bin/python bench/opendata.py --transactions 50000     # about 100,000 entries
    .venv/bin/python bench/opendata.py --reuse                  # measure the existing bench DB

Needs PostgreSQL like bench/run.py (the database in BENCH_DATABASE_URL is DROPPED and
re-created unless --reuse): migrate, seed_demo, seed_scale --transactions M, then
bench/opendata_one.py in a fresh process (through a forking shell, so ru_maxrss is its own).
Only the "## Open data" section of docs/benchmarks.md is replaced; bench/run.py keeps it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PY, RESULTS, ROOT, reset_database, sh  # noqa: E402  (sets the env)

TARGET_TTFB_MS = 200
TARGET_MB = 200
SECTION = "## Open data"


def markdown(results: dict, args, seed_seconds: float) -> str:
    when = datetime.datetime.now(datetime.UTC)
    lines = [
        SECTION,
        "",
        f"Produced by `.venv/bin/python bench/opendata.py --platforms {args.platforms} "
        f"--transactions {args.transactions}` on {when:%Y-%m-%d %H:%M} UTC "
        f"({results['entries']:,} ledger entries in {results['transactions']:,} transactions"
        + (f"; seeding took {seed_seconds:.0f} s" if seed_seconds else "")
        + "). Each export requested anonymously through "
        "Django's test client in one fresh process (`bench/opendata_one.py`, production "
        "settings, PostgreSQL, local-memory cache): *cold* = the first request after a data "
        "change (CSV and JSON are streamed to that visitor while being written to disk, XLSX "
        "is built first: here always, since without Redis tasks run in the request; with a "
        "Celery worker a visitor gets the previous XLSX while the worker builds the new one), "
        "*warm* = the median of 5 later requests (the built file from disk), "
        "*304* = a request with the matching `If-None-Match`. Peak MB is the process's "
        f"ru_maxrss after that export (baseline after start-up: {results['baseline_mb']} MB). "
        f"Targets: warm first byte < {TARGET_TTFB_MS} ms, process < {TARGET_MB} MB.",
        "",
        "| export | KB | cold first byte ms | cold total ms | warm first byte ms | "
        "warm total ms | 304 ms | peak MB | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["rows"]:
        ok = (
            r["status"] == 200
            and r["not_modified_status"] == 304
            and r["warm_ttfb_ms"] < TARGET_TTFB_MS
            and r["peak_mb"] < TARGET_MB
        )
        lines.append(
            f"| `{r['url']}` | {r['bytes'] / 1024:,.0f} | {r['cold_ttfb_ms']} | "
            f"{r['cold_total_ms']} | {r['warm_ttfb_ms']} | {r['warm_total_ms']} | "
            f"{r['not_modified_ms']} | {r['peak_mb']} | {'yes' if ok else '**NO**'} |"
        )
    return "\n".join(lines) + "\n"


def replace_section(text: str, section: str) -> str:
    """docs/benchmarks.md with its "## Open data" section replaced (or appended)."""
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        return pattern.sub(lambda _m: section + "\n", text, count=1).rstrip() + "\n"
    return text.rstrip() + "\n\n" + section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--platforms", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=50000)
    parser.add_argument("--reuse", action="store_true", help="measure the existing bench DB")
    args = parser.parse_args()
    seed_seconds = 0.0
    if not args.reuse:
        print("resetting and seeding")
        reset_database()
        sh(PY, "manage.py", "seed_demo")
        t0 = time.perf_counter()
        sh(
            PY,
            "manage.py",
            "seed_scale",
            "--platforms",
            str(args.platforms),
            "--transactions",
            str(args.transactions),
        )
        seed_seconds = time.perf_counter() - t0
        print(f"seed_scale took {seed_seconds:.0f}s")
    result = sh("/bin/sh", "-c", '"$0" "$@"; exit $?', PY, str(ROOT / "bench" / "opendata_one.py"))
    results = json.loads(result.stdout.strip().splitlines()[-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "opendata.json").write_text(json.dumps(results, indent=1))
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    doc.write_text(replace_section(text, markdown(results, args, seed_seconds)), encoding="utf-8")
    print("wrote the Open data section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
