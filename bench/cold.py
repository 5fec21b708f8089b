"""Cold pages: the server time of freshly rendered pages (the public page cache off).

    .venv/bin/python bench/cold.py [--repeat 20] [--profile besluit]

Renders every public page (each with the largest object of its kind, as bench/run.py picks
them), the decision page of the largest round, the commission comparison and the support queue
N times with PUBLIC_PAGE_CACHE_SECONDS=0 (so every request renders the page afresh, as the
first visitor after a data change gets it) and prints median and p95 as a markdown table.
The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bp_cold), seeded
beforehand (migrate, seed_demo, seed_scale --platforms 200 --transactions 50000); this script
only reads it. `run(db_url)` returns the rows, for `make bench`; it also works inside a
process that already set Django up (bench/run.py), in which case db_url must be that database.

Targets (issue 17): public pages under 100 ms median, the commission comparison and the support
queue under 200 ms median. `--profile NAME` prints the cProfile top of one page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bp_cold")
WORK = ROOT / "bench" / ".work"
PUBLIC_TARGET_MS = 100
STAFF_TARGET_MS = 200


def _setup(db_url: str) -> None:
    """Django with the benchmark settings (production-like) on db_url, page cache off."""
    from django.apps import apps

    if apps.ready:  # inside bench/run.py: its settings, its database
        return
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "STATIC_ROOT": str(WORK / "static"),
            "MEDIA_ROOT": str(WORK / "media"),
            "PUBLIC_PAGE_CACHE_SECONDS": "0",
            # The staff pages are measured logged in with force_login, without a second factor.
            "STAFF_MFA_REQUIRED": "0",
        }
    )
    os.environ.pop("REDIS_URL", None)
    if not (WORK / "static" / "staticfiles.json").exists():  # the manifest the pages link to
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=os.environ,
            check=True,
        )
    import django

    django.setup()


def pages() -> list[tuple[str, str, str | None, int]]:
    """(name, url, e-mail to log in as or None, target median in ms)."""
    saved = dict(os.environ)
    try:  # bench/run.py sets its own environment when imported; keep ours
        from bench.run import public_pages, staff_pages
    finally:
        os.environ.clear()
        os.environ.update(saved)
    rows: list[tuple[str, str, str | None, int]] = [
        (name, url, None, PUBLIC_TARGET_MS) for name, url in public_pages().items()
    ]
    staff = staff_pages()
    for name in ("commission comparison", "commission comparison (fullest page)", "support queue"):
        if name in staff:
            url, email = staff[name]
            rows.append((name, url, email, STAFF_TARGET_MS))
    return rows


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def run(db_url: str = DB_URL, repeat: int = 20, only: str | None = None) -> list[dict]:
    """Median and p95 (ms) of `repeat` fresh renders of each page (one warm-up request first:
    imports, template compilation and the database connection are not what is measured)."""
    _setup(db_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from accounts.models import User

    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0, STAFF_MFA_REQUIRED=False):
        return _measure(repeat, only, Client, User, connection, CaptureQueriesContext)


def _measure(repeat, only, Client, User, connection, CaptureQueriesContext) -> list[dict]:  # noqa: N803
    rows = []
    for name, url, email, target in pages():
        if only and name != only:
            continue
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        status = client.get(url).status_code
        timings, cpu = [], []
        with CaptureQueriesContext(connection) as ctx:
            for _ in range(repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        median = statistics.median(timings)
        rows.append(
            {
                "page": name,
                "url": url,
                "status": status,
                "queries": len(ctx.captured_queries) // max(repeat, 1),
                "median_ms": round(median, 1),
                "p95_ms": round(percentile(timings, 95), 1),
                # CPU time of this process: less disturbed by other load on the machine
                "cpu_median_ms": round(statistics.median(cpu), 1),
                "target_ms": target,
                "ok": status == 200 and median < target,
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| page | status | queries | median (ms) | p95 (ms) | CPU median (ms) | target median | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['status']} | {r['queries']} | {r['median_ms']} | {r['p95_ms']} "
            f"| {r['cpu_median_ms']} "
            f"| < {r['target_ms']} | {'yes' if r['ok'] else '**no**'} |"
        )
    return "\n".join(lines)


def profile(db_url: str, name: str, repeat: int) -> None:
    _setup(db_url)
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User

    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0, STAFF_MFA_REQUIRED=False):
        _profile(name, repeat, Client, User)


def _profile(name, repeat, Client, User) -> None:  # noqa: N803
    import cProfile
    import pstats

    for page, url, email, _target in pages():
        if page != name:
            continue
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        client.get(url)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(repeat):
            client.get(url)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    sys.exit(f"no page named {name!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=DB_URL)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="measure one page (its name in the table)")
    parser.add_argument("--profile", metavar="NAME", help="cProfile one page instead")
    args = parser.parse_args()
    if args.profile:
        profile(args.db, args.profile, args.repeat)
        return
    print(markdown(run(args.db, args.repeat, args.only)))


if __name__ == "__main__":
    main()
