"""Benchmarks (not tests): query counts, server time, throughput, PDF cost and page weight.

Usage (PostgreSQL required; the database named below is dropped and re-created):

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bp_bench .venv/bin/python bench/run.py

Writes docs/benchmarks.md. Steps: migrate + seed_demo -> measure "demo" scale; then
seed_scale --platforms 200 --transactions 50000 -> measure "large" scale.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform as py_platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bp_bench")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.pop("REDIS_URL", None)  # the page measurements use eager tasks and local memory cache
PY = sys.executable
RESULTS = ROOT / "bench" / "results"


def sh(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(args, cwd=ROOT, env=full_env, check=check, capture_output=True, text=True)


def reset_database() -> None:
    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    base = DB_URL.rsplit("/", 1)[0] + "/postgres"
    sh("psql", base, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sh("psql", base, "-qc", f'CREATE DATABASE "{name}"')
    sh(PY, "manage.py", "migrate", "--noinput")


def django_setup():
    import django

    django.setup()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def public_pages() -> dict[str, str]:
    from areas.models import Buurt
    from platforms.models import Platform

    pages = {"home": "/", "platforms": "/platforms/", "buurten": "/buurten/"}
    top = Platform.objects.order_by("-activities__id").first() or Platform.objects.first()
    if top:
        pages["platform"] = f"/platforms/{top.slug}/"
    buurt = Buurt.objects.filter(platforms__isnull=False).first()
    if buurt:
        pages["buurt"] = f"/buurten/{buurt.code}/"
        pages["platforms?buurt"] = f"/platforms/?buurt={buurt.code}"
    try:
        from recognition.models import Round

        pages["rondes"] = "/rondes/"
        published = Round.objects.filter(status="published").first()
        if published:
            pages["ronde"] = f"/rondes/{published.slug}/"
            pages["besluit"] = f"/rondes/{published.slug}/besluit/"
    except Exception:  # noqa: BLE001
        pass
    pages["transparantie"] = "/transparantie/"
    pages["open-data"] = "/open-data/"
    return pages


def staff_pages() -> dict[str, tuple[str, str]]:
    """(url, e-mail of the user to log in as) for the main staff pages."""
    from django.urls import NoReverseMatch, reverse

    from recognition.models import Round

    pages: dict[str, tuple[str, str]] = {}
    rnd = Round.objects.filter(status="published").first()
    if rnd:
        for name in ("recognition:round_compare", "recognition:comparison", "recognition:compare"):
            try:
                pages["commission comparison"] = (
                    reverse(name, args=[rnd.slug]),
                    "admin@example.org",
                )
                break
            except NoReverseMatch:
                continue
    pages["support queue"] = ("/administratie/", "ondersteuning@example.org")
    return pages


def measure_pages(label: str, repeat: int) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    rows = []
    anon = Client()
    targets = [(name, url, None) for name, url in public_pages().items()]
    targets += [(name, url, email) for name, (url, email) in staff_pages().items()]
    for name, url, email in targets:
        client = anon
        if email:
            client = Client()
            user = User.objects.filter(email=email).first()
            if user is None:
                continue
            client.force_login(user)
        response = client.get(url)  # warm-up (and cache fill)
        status = response.status_code
        timings = []
        queries = 0
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries = len(ctx.captured_queries)
        rows.append(
            {
                "scale": label,
                "page": name,
                "url": url,
                "status": status,
                "queries": queries,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "staff": bool(email),
            }
        )
        print(f"  {label:5} {name:24} {status} q={queries:3} median={rows[-1]['median_ms']}ms")
    return rows


def page_weight(label: str) -> list[dict]:
    """Compressed bytes of each public page plus the CSS, JS and images it loads."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    client = Client()
    rows = []
    for name, url in public_pages().items():
        response = client.get(url)
        html = response.content
        total = len(gzip.compress(html, 6))
        assets = set(re.findall(rb'(?:href|src)="(/static/[^"]+|/media/public/[^"]+)"', html))
        for asset in assets:
            path = asset.decode()
            if path.startswith("/static/"):
                found = finders.find(path[len("/static/") :])
                data = Path(found).read_bytes() if found else b""
            else:
                data = b"".join(client.get(path).streaming_content)
            total += (
                len(gzip.compress(data, 6)) if not path.endswith((".jpg", ".png")) else len(data)
            )
        rows.append({"scale": label, "page": name, "kb": round(total / 1024, 1)})
    return rows


def throughput(urls: dict[str, str], seconds: int = 10) -> list[dict]:
    if not shutil.which("wrk"):
        print("  wrk not installed (apt-get install wrk): skipping throughput")
        return []
    port = 8765
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    sh(PY, "manage.py", "collectstatic", "--noinput", env={"DEBUG": "0"}, check=False)
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "bench.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        for _ in range(50):
            try:
                import urllib.request

                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=1)
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.2)
        for name, path in {"bare view": "/bench/bare", **urls}.items():
            subprocess.run(
                ["wrk", "-t2", "-c10", "-d2s", f"http://127.0.0.1:{port}{path}"],
                capture_output=True,
                timeout=60,
            )
            out = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    "-c20",
                    f"-d{seconds}s",
                    "--latency",
                    f"http://127.0.0.1:{port}{path}",
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
            ).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
            p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            rows.append(
                {
                    "page": name,
                    "url": path,
                    "rps": rps,
                    "p50": p50,
                    "p99": p99,
                    "errors": int(non2xx.group(1)) if non2xx else 0,
                }
            )
            print(f"  {name:24} {rps:8.1f} req/s p50={p50} p99={p99}")
    finally:
        server.terminate()
        server.wait(10)
    bare = rows[0]["rps"] if rows else 0
    for row in rows:
        row["ratio"] = round(row["rps"] / bare, 2) if bare else 0
    return rows


def pdf_costs() -> list[dict]:
    """Time and peak memory of report renders, each in a fresh process."""
    script = ROOT / "bench" / "pdf_one.py"
    rows = []
    for args in (["platform_year", "1000"], ["platform_year", "10000"], ["district_year", "0"]):
        result = sh(PY, str(script), *args, check=False)
        if result.returncode != 0:
            print("  pdf", args, "failed:", result.stderr[-500:])
            rows.append(
                {"report": " ".join(args), "error": result.stderr.strip().splitlines()[-1:]}
            )
            continue
        data = json.loads(result.stdout.strip().splitlines()[-1])
        rows.append(data)
        print("  pdf", data)
    return rows


def write_markdown(
    pages: list[dict], weights: list[dict], load: list[dict], pdfs: list[dict], command: str
) -> None:
    import django

    versions = sh("psql", DB_URL, "-tAc", "SHOW server_version").stdout.strip()
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` on {datetime.date.today().isoformat()}.",
        "",
        f"Machine: {py_platform.machine()}, {os.cpu_count()} cores, "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB; "
        f"Python {py_platform.python_version()}, Django {django.get_version()}, PostgreSQL {versions}.",
        "",
        "Targets (at `--platforms 200 --transactions 50000`): public pages ≤ 15 queries and the same "
        "count at both scales; median < 50 ms, p95 < 100 ms; ≥ 0.5× the bare view's throughput; "
        "platform year report with 1,000 transactions < 3 s and < 300 MB; district overview < 10 s; "
        "every public page < 150 KB compressed.",
        "",
        "## Queries and server time per page (in-process, warm cache)",
        "",
        "| page | url | queries demo | queries large | median ms demo | median ms large | p95 ms large | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    demo = {r["page"]: r for r in pages if r["scale"] == "demo"}
    for r in [r for r in pages if r["scale"] == "large"]:
        d = demo.get(r["page"], {})
        ok = (
            (r["queries"] <= 15 or r["staff"])
            and r["queries"] == d.get("queries")
            and r["median_ms"] < 50
            and r["p95_ms"] < 100
        )
        lines.append(
            f"| {r['page']}{' (staff)' if r['staff'] else ''} | `{r['url']}` | {d.get('queries', '–')} | "
            f"{r['queries']} | {d.get('median_ms', '–')} | {r['median_ms']} | {r['p95_ms']} | "
            f"{'yes' if ok else 'NO'} |"
        )
    lines += [
        "",
        "## Throughput under load (gunicorn -w 2, wrk -t2 -c20, 127.0.0.1, large scale)",
        "",
        "| page | req/s | p50 | p99 | non-2xx | ratio to bare view | met (≥ 0.5) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in load:
        lines.append(
            f"| {r['page']} | {r['rps']:.0f} | {r['p50']} | {r['p99']} | {r['errors']} | "
            f"{r['ratio']} | {'—' if r['page'] == 'bare view' else ('yes' if r['ratio'] >= 0.5 else 'NO')} |"
        )
    lines += [
        "",
        "## PDF reports (fresh process each, large scale)",
        "",
        "| report | transactions | seconds | peak MB | pages | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in pdfs:
        if "error" in r:
            lines.append(f"| {r['report']} | – | – | – | – | error: {r['error']} |")
            continue
        limit_s, limit_mb = (10, 10_000) if r["report"] == "district_year" else (3, 300)
        met = r["seconds"] < limit_s and r["peak_mb"] < limit_mb
        if r["report"] == "platform_year" and r["transactions"] > 1000:
            met = "n/a (no target)"
        lines.append(
            f"| {r['report']} | {r['transactions']} | {r['seconds']} | {r['peak_mb']} | "
            f"{r.get('pages', '–')} | {met if isinstance(met, str) else ('yes' if met else 'NO')} |"
        )
    lines += [
        "",
        "## Page weight (compressed HTML + CSS + JS + images)",
        "",
        "| page | KB demo | KB large | met (< 150 KB) |",
        "|---|---|---|---|",
    ]
    wdemo = {r["page"]: r for r in weights if r["scale"] == "demo"}
    for r in [r for r in weights if r["scale"] == "large"]:
        lines.append(
            f"| {r['page']} | {wdemo.get(r['page'], {}).get('kb', '–')} | {r['kb']} | "
            f"{'yes' if r['kb'] < 150 else 'NO'} |"
        )
    lines += [
        "",
        "## Cost growth",
        "",
        "Query counts per page are listed at both scales above: equal numbers mean no per-row "
        "queries. Server time growth from demo to large is the ratio of the two median columns.",
        "",
    ]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platforms", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    print("resetting", DB_URL)
    reset_database()
    sh(PY, "manage.py", "seed_demo")
    django_setup()
    pages = measure_pages("demo", args.repeat)
    weights = page_weight("demo")
    print("seeding scale data")
    t0 = time.perf_counter()
    out = sh(
        PY,
        "manage.py",
        "seed_scale",
        "--platforms",
        str(args.platforms),
        "--transactions",
        str(args.transactions),
    )
    print(out.stdout[-800:], f"seed_scale took {time.perf_counter() - t0:.0f}s")
    from django.core.cache import cache

    cache.clear()
    pages += measure_pages("large", args.repeat)
    weights += page_weight("large")
    public = public_pages()
    load = throughput(
        {k: public[k] for k in ("platforms", "platform", "transparantie") if k in public},
        seconds=args.seconds,
    )
    pdfs = pdf_costs()
    (RESULTS / "last.json").write_text(
        json.dumps({"pages": pages, "weights": weights, "load": load, "pdfs": pdfs}, indent=1)
    )
    write_markdown(pages, weights, load, pdfs, "make bench")
    print("wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()
