"""Benchmarks (not tests): query counts, server time, throughput, PDF cost and page weight.

    make bench          # = .venv/bin/python bench/run.py

Needs PostgreSQL (the database in BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bp_bench, is DROPPED and re-created) and wrk for the
load test (skipped with a note when missing). Runs with production-like settings
(bench/settings.py: DEBUG off, compressed manifest static files, CONN_MAX_AGE=60, local
memory cache per process; Redis only as the cache of one load-test server) and writes
docs/benchmarks.md plus the raw numbers in
bench/results/last.json.

Steps: migrate, collectstatic, seed_demo -> measure at "demo" scale (1, 2, 4); then
seed_scale --platforms N --transactions M -> measure again at "large" scale. At each scale:
1. every public page and the main staff pages in-process through Django's test client
   (warm cache: one request first, then --repeat timed requests): queries, median, p95;
2. page weight: gzip-compressed HTML plus every stylesheet, script, font and image it loads;
3. throughput (large scale only): gunicorn -w 2 on 127.0.0.1, wrk (or ab when wrk is missing)
   against a static file (WhiteNoise), the bare view (bench/urls.py, a fixed string under the
   same middleware) and every public page warm (page cache) and 304 (If-None-Match: its ETag),
   with Redis as the cache (BENCH_CACHE_URL, default redis://127.0.0.1:6379/9) and with the
   local-memory cache, and cold (page cache off); ratios to static and bare;
4. PDF reports, each rendered in a fresh process (bench/pdf_one.py): seconds and ru_maxrss;
then at large scale: 5. bench/cold.py (fresh renders, page cache off, public and staff pages);
6. bench/opendata_one.py (open data exports: first byte, total, peak memory).
`uptime` is recorded before each part. Options: --platforms, --transactions, --repeat,
--cold-repeat, --seconds (per load test), --skip-load, --skip-demo, --skip-pdfs, --skip-cold,
--skip-opendata, --throughput-only (the load test on the existing database), --report-only.
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
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bp_bench")
WORK = ROOT / "bench" / ".work"  # static files and media of the benchmark, not the dev site's
os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        # Staff pages are measured logged in with force_login, without a second factor.
        "STAFF_MFA_REQUIRED": "0",
    }
)
os.environ.pop("REDIS_URL", None)  # tasks eager, cache in local memory (per gunicorn worker)
PY = sys.executable
RESULTS = ROOT / "bench" / "results"
PORT = 8765

TARGET_QUERIES = 15
# The platform page also draws its map and the sections the budgets and recognition apps add:
# a constant 18, as tests/perf/test_query_counts.py guards (PLATFORM_PAGE_QUERIES).
TARGET_PLATFORM_QUERIES = 18
TARGET_MEDIAN_MS = 50
TARGET_P95_MS = 100
TARGET_RATIO = 0.5
TARGET_KB = 150


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=os.environ, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def reset_database() -> None:
    name = urlparse(DB_URL).path.lstrip("/")
    base = DB_URL.rsplit("/", 1)[0] + "/postgres"
    sh("psql", base, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sh("psql", base, "-qc", f'CREATE DATABASE "{name}"')
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    sh(PY, "manage.py", "migrate", "--noinput")
    sh(PY, "manage.py", "collectstatic", "--noinput")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- what to measure ------------------------------------------------------------------------


def biggest_round():
    from django.db.models import Count

    from recognition.models import Round

    return (
        Round.objects.filter(status=Round.Status.PUBLISHED)
        .annotate(n=Count("applications"))
        .order_by("-n", "pk")
        .first()
    )


def public_pages() -> dict[str, str]:
    """The public pages, each with the largest object of its kind at this scale."""
    from django.db.models import Count

    from areas.models import Buurt
    from platforms.models import Activity, Platform

    pages = {"home": "/", "platforms": "/platforms/"}
    buurt = Buurt.objects.annotate(n=Count("platforms")).order_by("-n", "code").first()
    pages["platforms?buurt"] = f"/platforms/?buurt={buurt.code}"
    pages["buurten"] = "/buurten/"
    pages["buurt"] = f"/buurten/{buurt.code}/"
    top = (
        Platform.objects.annotate(n=Count("activities", distinct=True)).order_by("-n", "pk").first()
    )
    pages["platform"] = f"/platforms/{top.slug}/"
    paying = (
        Platform.objects.annotate(n=Count("budgets__transactions")).order_by("-n", "pk").first()
    )
    if paying and paying.pk != top.pk:
        pages["platform (most payments)"] = f"/platforms/{paying.slug}/"
    activity = Activity.objects.public().filter(platform=top).order_by("-start_date").first()
    if activity:
        pages["activity"] = f"/platforms/{top.slug}/activiteiten/{activity.pk}/"
    pages["rondes"] = "/rondes/"
    rnd = biggest_round()
    if rnd:
        pages["ronde"] = f"/rondes/{rnd.slug}/"
        pages["besluit"] = f"/rondes/{rnd.slug}/besluit/"
        # ... and its fullest page (the most applications on one page of the decision page)
        from recognition.views.public import DECISION_APPLICATIONS_PER_PAGE

        fullest = fullest_page(rnd, DECISION_APPLICATIONS_PER_PAGE)
        if fullest > 1:
            pages["besluit (fullest page)"] = f"/rondes/{rnd.slug}/besluit/?page={fullest}"
    pages["transparantie"] = "/transparantie/"
    pages["open-data"] = "/open-data/"
    return pages


def fullest_page(rnd, per_page: int) -> int:
    """The number of the page with the most applications when the round's competition groups
    are paged ``per_page`` applications a page (the decision page, the comparison)."""
    from recognition import selectors

    pages = selectors.group_pages(selectors.competition_groups(rnd), per_page)
    return 1 + max(range(len(pages)), key=lambda i: sum(map(len, pages[i])), default=0)


def staff_pages() -> dict[str, tuple[str, str]]:
    """(url, e-mail of the user to log in as) for the main staff pages."""
    pages: dict[str, tuple[str, str]] = {}
    rnd = biggest_round()
    if rnd and rnd.chair:
        pages["commission comparison"] = (
            f"/commissie/rondes/{rnd.slug}/vergelijking/",
            rnd.chair.email,
        )
        from recognition.views.commission import COMPARE_APPLICATIONS_PER_PAGE

        fullest = fullest_page(rnd, COMPARE_APPLICATIONS_PER_PAGE)
        if fullest > 1:
            pages["commission comparison (fullest page)"] = (
                f"/commissie/rondes/{rnd.slug}/vergelijking/?page={fullest}",
                rnd.chair.email,
            )
    pages["support queue"] = ("/administratie/", "ondersteuning@example.org")
    pages["audit log"] = ("/beheer/audit/", "admin@example.org")
    return pages


# --- 1. queries and server time -------------------------------------------------------------


def measure_pages(label: str, repeat: int) -> list[dict]:
    from django.test.utils import override_settings

    # The data version is read from the database once per PUBLIC_PAGE_VERSION_SECONDS (1 s in
    # production) in each process, not per request: remembered here for the whole part, so
    # the warm query counts are those of a request, not of a clock tick.
    with override_settings(PUBLIC_PAGE_VERSION_SECONDS=3600):
        return _measure_pages(label, repeat)


def _measure_pages(label: str, repeat: int) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    rows = []
    targets = [(name, url, None) for name, url in public_pages().items()]
    targets += [(name, url, email) for name, (url, email) in staff_pages().items()]
    for name, url, email in targets:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        status = client.get(url).status_code  # warm-up (and cache fill)
        timings, queries = [], []
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries.append(len(ctx.captured_queries))
        # Cold: the first request after a data change (which bumps the data version: every
        # cached copy, in the shared cache and in this process, is out of reach).
        from buurtplatform import pagecache

        pagecache.bump()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            client.get(url)
            cold_ms = (time.perf_counter() - start) * 1000
        rows.append(
            {
                "scale": label,
                "page": name,
                "url": url,
                "status": status,
                "queries": max(queries),
                "cold_queries": len(ctx.captured_queries),
                "cold_ms": round(cold_ms, 1),
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "staff": bool(email),
            }
        )
        r = rows[-1]
        print(
            f"  {label:5} {name:22} {status} q={r['queries']:3} (cold {r['cold_queries']:3}) "
            f"median={r['median_ms']}ms p95={r['p95_ms']}ms cold={r['cold_ms']}ms"
        )
    return rows


# --- 2. page weight -------------------------------------------------------------------------

ASSET_RE = re.compile(
    rb'<(?:script|img|source|link)\b[^>]*?\s(?:src|href|srcset)="([^"]+)"', re.IGNORECASE
)
CSS_URL_RE = re.compile(rb"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _asset_bytes(url: str) -> bytes:
    from django.conf import settings

    path = url.split("?")[0].split("#")[0].split(" ")[0]
    if path.startswith(settings.STATIC_URL):
        file = Path(settings.STATIC_ROOT) / path[len(settings.STATIC_URL) :]
    elif path.startswith("/media/"):
        file = Path(settings.MEDIA_ROOT) / path[len("/media/") :]
    else:
        return b""
    return file.read_bytes() if file.is_file() else b""


def _transfer(url: str, data: bytes) -> int:
    if url.split("?")[0].endswith((".jpg", ".jpeg", ".png", ".webp", ".gif", ".woff", ".woff2")):
        return len(data)  # already compressed; sent as is
    return len(gzip.compress(data, 6))


def page_weight(label: str) -> list[dict]:
    """Compressed bytes of each public page plus every CSS, JS, font and image it loads."""
    from django.test import Client

    client = Client()
    rows = []
    for name, url in public_pages().items():
        html = client.get(url).content
        total = html_kb = len(gzip.compress(html, 6))
        seen: set[str] = set()
        queue = [u.decode() for u in ASSET_RE.findall(html)]
        while queue:
            asset = queue.pop()
            for part in asset.split(","):  # srcset
                src = part.strip().split(" ")[0]
                if not src.startswith("/") or src in seen:
                    continue
                seen.add(src)
                data = _asset_bytes(src)
                if not data:
                    continue
                total += _transfer(src, data)
                if src.endswith(".css"):
                    base = src.rsplit("/", 1)[0]
                    for ref in CSS_URL_RE.findall(data):
                        ref = ref.decode()
                        if ref.startswith("data:"):
                            continue
                        queue.append(ref if ref.startswith("/") else f"{base}/{ref}")
        rows.append(
            {
                "scale": label,
                "page": name,
                "html_kb": round(html_kb / 1024, 1),
                "kb": round(total / 1024, 1),
                "assets": len(seen),
            }
        )
    return rows


# --- 3. throughput ----------------------------------------------------------------------------

REDIS_CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/9")
LOAD_HISTORY: list[dict] = []  # `uptime` before each part of the run, for the report


def uptime(part: str) -> str:
    """Record (and return) the load average before a part of the run: the machine is shared."""
    out = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    LOAD_HISTORY.append({"part": part, "uptime": out, "loadavg": list(os.getloadavg())})
    print(f"  [{part}] {out}")
    return out


def load_tool() -> str | None:
    """wrk when installed, else ApacheBench (ab)."""
    return "wrk" if shutil.which("wrk") else ("ab" if shutil.which("ab") else None)


def _ab_time(value: str) -> str:
    return f"{value}ms"


def _load(path: str, seconds: int, headers: dict[str, str] | None = None) -> dict:
    """Requests per second against path: wrk -t2 -c16 (or ab -c16) after a 1 s warm-up."""
    url = f"http://127.0.0.1:{PORT}{path}"
    hdrs: list[str] = []
    for key, value in {"Accept-Encoding": "gzip, deflate, br", **(headers or {})}.items():
        hdrs += ["-H", f"{key}: {value}"]  # gzip as every browser sends
    if load_tool() == "wrk":
        subprocess.run(["wrk", *hdrs, "-t1", "-c4", "-d1s", url], capture_output=True, timeout=60)
        out = subprocess.run(
            ["wrk", *hdrs, "-t2", "-c16", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": re.search(r"50%\s+([\d.]+\w+)", out).group(1),
            "p99": re.search(r"99%\s+([\d.]+\w+)", out).group(1),
            "errors": int(non2xx.group(1)) if non2xx else 0,
        }
    # ab: -t stops after `seconds` (the -n cap is never reached); no keep-alive, like gunicorn's
    # sync workers answer anyway. Its "Non-2xx responses" count 304s too.
    subprocess.run(["ab", *hdrs, "-q", "-c4", "-t1", "-n", "1000000", url], capture_output=True)
    out = subprocess.run(
        ["ab", *hdrs, "-q", "-c16", f"-t{seconds}", "-n", "1000000", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    rps = re.search(r"Requests per second:\s+([\d.]+)", out)
    if not rps:
        return {"rps": 0.0, "p50": "–", "p99": "–", "errors": -1, "output": out[-500:]}
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    return {
        "rps": float(rps.group(1)),
        "p50": _ab_time(re.search(r"^\s*50%\s+(\d+)", out, re.M).group(1)),
        "p99": _ab_time(re.search(r"^\s*99%\s+(\d+)", out, re.M).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": int(failed.group(1)) if failed else 0,
    }


def _get(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        headers={"Accept-Encoding": "gzip, deflate, br", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:  # 304 arrives as an HTTPError
        return error.code, dict(error.headers)


def static_css() -> str:
    """The URL of the site's stylesheet as the pages link it (hashed name, via WhiteNoise)."""
    from django.templatetags.static import static

    return static("css/site.css")


class Server:
    """gunicorn -w 2 (sync) on 127.0.0.1 with extra environment (cache backend, page cache)."""

    def __init__(self, env: dict[str, str]):
        self.env = {**os.environ, **env}

    def __enter__(self):
        self.proc = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "bench.wsgi:application",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def _flush_redis_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_CACHE_URL).flushdb()


def throughput(label: str, urls: dict[str, str], seconds: int) -> list[dict]:
    """Side by side on the same server settings: a static file (WhiteNoise), the bare view, and
    every public page from the page cache (warm), answered 304 to its own ETag, and freshly
    rendered (page cache off, cold); warm and 304 once with Redis as the cache (as in
    production, BENCH_CACHE_URL) and once with the local-memory cache (one per worker)."""
    if not load_tool():
        print("  neither wrk nor ab installed (apt-get install wrk): skipping throughput")
        return []
    css = static_css()
    rows: list[dict] = []

    def add(cache: str, mode: str, name: str, path: str, headers=None) -> dict:
        row = {"scale": label, "cache": cache, "mode": mode, "page": name, "url": path}
        row.update(_load(path, seconds, headers))
        rows.append(row)
        print(
            f"  {label:5} {cache:6} {mode:6} {name:24} {row['rps']:8.1f} req/s "
            f"p50={row['p50']} p99={row['p99']} non-2xx={row.get('non2xx', row['errors'])}"
        )
        return row

    backends = [("redis", {"CACHE_URL": REDIS_CACHE_URL}), ("locmem", {"CACHE_URL": ""})]
    for cache, env in backends:
        uptime(f"throughput, {label}, {cache} cache")
        if cache == "redis":
            _flush_redis_cache()
        with Server(env):
            add(cache, "static", "static file (css)", css)
            add(cache, "bare", "bare view", "/bench/bare")
            for name, path in urls.items():
                # The static file again right before each page: the machine is shared, and
                # its speed drifts by ±20 % over a server's run (the ratios below).
                add(cache, "static", f"static file (before {name})", css)
                _get(path)  # fill the cache
                status, headers = _get(path)
                add(cache, "warm", name, path)["status"] = status
                etag = headers.get("ETag")
                if etag:
                    status304, _ = _get(path, {"If-None-Match": etag})
                    add(cache, "304", name, path, {"If-None-Match": etag})["status"] = status304
            add(cache, "bare", "bare view (again)", "/bench/bare")
            add(cache, "static", "static file (again)", css)
    uptime(f"throughput, {label}, page cache off")
    with Server({"CACHE_URL": "", "PUBLIC_PAGE_CACHE_SECONDS": "0"}):
        add("off", "static", "static file (css)", css)
        add("off", "bare", "bare view", "/bench/bare")
        for name, path in urls.items():
            add("off", "cold", name, path)["status"] = _get(path)[0]
        add("off", "bare", "bare view (again)", "/bench/bare")
        add("off", "static", "static file (again)", css)
    # Static and bare are measured first and last on each server, the static file also before
    # each page: a change in the machine's load during the run weighs on both sides alike.
    for cache in ("redis", "locmem", "off"):
        own = [r for r in rows if r["cache"] == cache]
        statics = [r["rps"] for r in own if r["mode"] == "static"]
        bares = [r["rps"] for r in own if r["mode"] == "bare"]
        static_rps = sum(statics) / len(statics) if statics else 0
        bare_rps = sum(bares) / len(bares) if bares else 0
        at = [k for k, r in enumerate(own) if r["mode"] == "static"]
        for k, r in enumerate(own):
            # ÷ static: against the static file measured just before and just after this row
            # on the same server (the mean of all of them for the static rows themselves).
            near = [
                max((s for s in at if s < k), default=None),
                min((s for s in at if s > k), default=None),
            ]
            refs = [own[s]["rps"] for s in near if s is not None] if r["mode"] != "static" else []
            reference = sum(refs) / len(refs) if refs else static_rps
            r["static_rps"] = round(reference, 1)
            r["bare_rps"] = round(bare_rps, 1)
            r["ratio_static"] = round(r["rps"] / reference, 2) if reference else 0
            r["ratio"] = round(r["rps"] / bare_rps, 2) if bare_rps else 0
    return rows


# --- 4. PDF reports ---------------------------------------------------------------------------


def report_targets(label: str) -> list[tuple[str, str, str]]:
    """(name, kind, key): platform years with ~1,000 and ~10,000 transactions at large scale
    (the demo's K-buurt platform at demo scale) and the district overview of the current year."""
    from django.db.models import Count

    from budgets.models import Budget

    targets = []
    if label == "demo":
        budget = Budget.objects.order_by("pk").select_related("platform").first()
        if budget:
            targets.append(
                ("platform year", "platform_year", f"{budget.platform.slug}/{budget.year}")
            )
    else:
        sized = list(
            Budget.objects.annotate(n=Count("transactions"))
            .select_related("platform")
            .order_by("-n")[:40]
        )
        for wanted in (1000, 10000):
            budget = min(sized, key=lambda b: abs(b.n - wanted), default=None)
            if budget:
                targets.append(
                    (
                        f"platform year ({wanted:,} tx)",
                        "platform_year",
                        f"{budget.platform.slug}/{budget.year}",
                    )
                )
    year = datetime.date.today().year
    targets.append(("district overview", "district_year", str(year)))
    return targets


def pdf_costs(label: str) -> list[dict]:
    rows = []
    for name, kind, key in report_targets(label):
        # Through a shell that forks (the trailing `exit`): a fresh process whose ru_maxrss
        # does not inherit this (large) process's peak across exec.
        result = sh(
            "/bin/sh",
            "-c",
            '"$0" "$@"; exit $?',
            PY,
            str(ROOT / "bench" / "pdf_one.py"),
            kind,
            key,
            check=False,
        )
        if result.returncode != 0:
            print("  pdf", name, "failed:", result.stderr[-800:])
            rows.append({"scale": label, "name": name, "key": key, "error": result.stderr[-200:]})
            continue
        data = {"scale": label, "name": name, **json.loads(result.stdout.strip().splitlines()[-1])}
        rows.append(data)
        print(f"  {label:5} pdf {name:24} {data['seconds']}s {data['peak_mb']} MB")
    return rows


# --- the report -----------------------------------------------------------------------------


def _yes(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def _growth(a, b) -> str:
    try:
        return f"× {float(b) / float(a):.2f}" if float(a) else "–"
    except (TypeError, ValueError):
        return "–"


TARGET_CACHED_STATIC = 0.8
TARGET_304_STATIC = 0.9
TARGET_COLD_PUBLIC_MS = 100
TARGET_COLD_STAFF_MS = 200


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def targets_section(results: dict) -> list[str]:
    """Issue 17's targets, each marked met / not met from this run's figures."""
    load = [r for r in results.get("load", []) if r["scale"] == "large"]
    cold = results.get("cold") or []
    lines = [
        "## Targets",
        "",
        "| target | measured | status |",
        "|---|---|---|",
    ]

    def ratios(cache: str, mode: str) -> list[dict]:
        return [r for r in load if r["cache"] == cache and r["mode"] == mode]

    for cache in ("redis", "locmem"):
        for mode, target, what in (
            ("warm", TARGET_CACHED_STATIC, "cached anonymous public pages"),
            ("304", TARGET_304_STATIC, "304 answers to `If-None-Match`"),
        ):
            rows = ratios(cache, mode)
            if not rows:
                lines.append(f"| {what} ≥ {target} × static req/s ({cache}) | not measured | – |")
                continue
            worst = min(rows, key=lambda r: r["ratio_static"])
            bad = [r["page"] for r in rows if r["ratio_static"] < target]
            lines.append(
                f"| {what} ≥ {target} × static req/s ({cache} cache) | "
                f"{min(r['ratio_static'] for r in rows)}–{max(r['ratio_static'] for r in rows)} × "
                f"(static {worst['static_rps']:.0f} req/s; lowest: {worst['page']})"
                + (f"; below: {', '.join(bad)}" if bad else "")
                + f" | {_met(not bad)} |"
            )
    public = [r for r in cold if r["target_ms"] == TARGET_COLD_PUBLIC_MS]
    staff = [r for r in cold if r["target_ms"] == TARGET_COLD_STAFF_MS]
    for rows, target, what in (
        (public, TARGET_COLD_PUBLIC_MS, "every public page cold (page cache off)"),
        (staff, TARGET_COLD_STAFF_MS, "commission comparison and support queue"),
    ):
        if not rows:
            lines.append(f"| {what} < {target} ms median | not measured | – |")
            continue
        bad = [f"{r['page']} {r['median_ms']} ms" for r in rows if not r["ok"]]
        slowest = max(rows, key=lambda r: r["median_ms"])
        lines.append(
            f"| {what} < {target} ms median | slowest {slowest['page']} "
            f"{slowest['median_ms']} ms"
            + (f"; over: {', '.join(bad)}" if bad else "")
            + f" | {_met(not bad)} |"
        )
    return lines


def load_history_section(results: dict) -> list[str]:
    history = results.get("meta", {}).get("load_history") or LOAD_HISTORY
    lines = [
        "### Machine load during the run",
        "",
        "`uptime` before each part (2 cores, shared with other people's test runs: a load "
        "average above 2 means the benchmark had less than the whole machine).",
        "",
        "| part | uptime |",
        "|---|---|",
    ]
    lines += [f"| {h['part']} | `{h['uptime']}` |" for h in history]
    return lines


def cold_section(rows: list[dict]) -> list[str]:
    if not rows:
        return ["## Cold pages (page cache off)", "", "Not measured in this run."]
    from bench import cold

    return [
        "## Cold pages (page cache off)",
        "",
        "`bench/cold.py` in the same process at large scale: every public page (the largest "
        "object of its kind), the decision page of the largest round and the staff pages "
        "rendered afresh with `PUBLIC_PAGE_CACHE_SECONDS=0`, one warm-up request and then "
        "the median and p95 of `--cold-repeat` timed renders (CPU median: this "
        "process's CPU time, less disturbed by other load on the machine).",
        "",
        cold.markdown(rows),
    ]


def throughput_section(load: list[dict], args) -> list[str]:
    tool = load_tool() or "–"
    command = (
        f"`wrk -H 'Accept-Encoding: gzip, deflate, br' -t2 -c16 -d{args.seconds}s --latency`"
        if tool == "wrk"
        else f"`ab -H 'Accept-Encoding: gzip, deflate, br' -c16 -t{args.seconds}` "
        "(ApacheBench; no keep-alive)"
    )
    lines = [
        "## Throughput under load",
        "",
        f"gunicorn -w 2 (sync workers) on 127.0.0.1, {command} after a 1 s warm-up, on the "
        "same 2 cores (the load tool competes with the server for them), at large scale. "
        "Three servers, one after the other: the page cache in **Redis** (as in production), "
        "in **local memory** (one per worker; the data version, and with it every ETag, is the "
        "one row all workers share in the database), and **off** (every request renders the page: "
        "*cold*). On each: a static file (the site's stylesheet via WhiteNoise), the bare view "
        "(a fixed string through the same middleware stack), then every public page from the "
        "page cache (*warm*) and answered *304* to `If-None-Match` with the page's own ETag, "
        "then static file and bare view again. The static file is measured again right before "
        "each page: *÷ static* divides by the mean of the static-file measurements just before "
        "and just after that row on the same server (the machine is shared and its speed drifts "
        "by up to ±20 % over a server's run); *÷ bare* by the mean of the two bare-view "
        "measurements. Anonymous visitors without cookies, like a traffic spike of new readers.",
        "",
        "| cache | mode | page | status | req/s | p50 | p99 | non-2xx | ÷ static | ÷ bare |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in load:
        if r["scale"] != "large":
            continue
        lines.append(
            f"| {r['cache']} | {r['mode']} | {r['page']} (`{r['url']}`) | {r.get('status', '')} "
            f"| {r['rps']:.0f} | {r['p50']} | {r['p99']} | {r.get('non2xx', r['errors'])} | "
            f"{r.get('ratio_static', '–')} | {r.get('ratio', '–')} |"
        )
    return lines


def write_markdown(
    results: dict, args, elapsed: float, seed_seconds: float, finished: str | None = None
) -> None:
    import django

    pg = sh("psql", DB_URL, "-tAc", "SHOW server_version").stdout.strip()
    tool = load_tool()
    if tool == "wrk":
        wrk = sh("wrk", "--version", check=False).stdout.split("\n")[0]
    elif tool == "ab":
        wrk = sh("ab", "-V", check=False).stdout.split("\n")[0]
    else:
        wrk = "no load tool"
    try:
        import redis

        redis_version = "Redis " + redis.Redis.from_url(REDIS_CACHE_URL).info()["redis_version"]
    except Exception:  # noqa: BLE001 - only for the report
        redis_version = "Redis unavailable"
    gunicorn = sh(str(Path(PY).parent / "gunicorn"), "--version", check=False).stdout.strip()
    weasy = sh(PY, "-c", "import weasyprint; print(weasyprint.__version__)", check=False)
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    large = f"--platforms {args.platforms} --transactions {args.transactions}"
    when = (
        datetime.datetime.fromisoformat(finished)
        if finished
        else datetime.datetime.now(datetime.UTC)
    )
    pages, weights, load, pdfs = (results[k] for k in ("pages", "weights", "load", "pdfs"))
    meta_command = results.get("meta", {}).get("command", "bench/run.py")
    by = lambda rows, scale: {r["page"]: r for r in rows if r["scale"] == scale}  # noqa: E731
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` (`.venv/bin/python bench/run.py {large}`) on "
        f"{when:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} minutes "
        f"(of which `seed_scale {large}`: {seed_seconds:.0f} s).",
        "",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {mem} GiB RAM, {py_platform.system()} "
        f"{py_platform.release()}; shared with other work while measuring, so timings are noisy.",
        f"- Software: Python {py_platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {pg}, {redis_version}, {gunicorn}, {wrk.strip()}, "
        f"WeasyPrint {weasy.stdout.strip()}.",
        "- Settings: `bench/settings.py` = the production settings (DEBUG off, compressed "
        "manifest static files via WhiteNoise) with `CONN_MAX_AGE=60`; the in-process parts "
        "use the local-memory cache, the load test runs the server once with Redis as the "
        f"cache (`CACHE_URL={REDIS_CACHE_URL}`, as in production) and once with the "
        "local-memory cache (one per worker, the data version shared in the database); tasks eager.",
        f"- Command: `.venv/bin/python {meta_command}`"
        + (" (not the full default: parts skipped)" if meta_command != "bench/run.py" else "")
        + ".",
        f"- Scales: **demo** = `seed_demo`; **large** = `seed_demo` + `seed_scale {large}`, "
        "then `VACUUM ANALYZE` (the statistics and visibility map autovacuum keeps in production).",
        "",
        *targets_section(results),
        "",
        *load_history_section(results),
        "",
        "Targets at large scale: public pages ≤ 15 queries and the same count at both scales; "
        "median < 50 ms and p95 < 100 ms; ≥ 0.5 × the bare view's throughput; platform year "
        "report with 1,000 transactions < 3 s and < 300 MB; district overview < 10 s; every "
        "public page < 150 KB compressed.",
        "",
        "## Queries and server time per page",
        "",
        f"In-process through Django's test client as an anonymous visitor (staff pages logged "
        f"in), {args.repeat} requests after one warm-up request: *warm* numbers are what "
        "visitors get from the public page cache (`buurtplatform/pagecache.py`); *cold* "
        "(in brackets) is the first request after the cache was emptied, i.e. a freshly "
        "rendered page, which is what the first visitor after a data change pays. Each page "
        "is measured with the largest object of its kind at that scale (the platform with most "
        "activities, the platform with most payments, the buurt with most platforms, the round "
        "with most applications). *met*: public pages ≤ 15 queries warm and cold (the platform page, with its map "
        "and the budget and recognition sections: ≤ 18), the same "
        "counts at both scales (a fullest page: as the first page at demo scale), warm median "
        "< 50 ms and p95 < 100 ms; staff pages (never cached) median < 200 ms.",
        "",
        "| page | url (large) | queries demo (cold) | queries large (cold) | "
        "median ms demo | median ms large | p95 ms large | cold ms demo | cold ms large | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    demo, big = by(pages, "demo"), by(pages, "large")
    for name, r in big.items():
        d = demo.get(name, {})
        # A page only the large scale has (the fullest page of a paged list) is compared with
        # the same view's first page at demo scale.
        base = demo.get(name.removesuffix(" (fullest page)"), {})
        if r["staff"]:  # not cached: every request is rendered afresh (issue 17: < 200 ms)
            ok = r["median_ms"] < TARGET_COLD_STAFF_MS
        else:
            ok = r["median_ms"] < TARGET_MEDIAN_MS and r["p95_ms"] < TARGET_P95_MS
        if not r["staff"]:
            # Both the cached (warm) and the freshly rendered (cold) page count.
            limit = (
                TARGET_PLATFORM_QUERIES
                if name.startswith("platform (") or name == "platform"
                else TARGET_QUERIES
            )
            ok = ok and max(r["queries"], r["cold_queries"]) <= limit
            ok = ok and r["cold_queries"] == (d or base).get("cold_queries")
            ok = ok and r["queries"] == (d or base).get("queries")
        met = _yes(ok)
        if r["status"] != 200:
            met = f"status {r['status']}"
        lines.append(
            f"| {name}{' (staff)' if r['staff'] else ''} | `{r['url']}` | "
            f"{d.get('queries', '–')} ({d.get('cold_queries', '–')}) | "
            f"{r['queries']} ({r['cold_queries']}) | "
            f"{d.get('median_ms', '–')} | {r['median_ms']} | {r['p95_ms']} | "
            f"{d.get('cold_ms', '–')} | {r['cold_ms']} | {met} |"
        )
    lines += [
        "",
    ]
    lines += cold_section(results.get("cold") or [])
    lines += ["", *throughput_section(load, args)]
    lines += [
        "",
        "## PDF reports",
        "",
        "Each rendered in a fresh process (`bench/pdf_one.py`): seconds of `render_report` "
        "(queries, template, WeasyPrint), peak resident memory of the process (ru_maxrss, "
        "including Django and WeasyPrint imports: *baseline*).",
        "",
        "| report | scale | key | transactions | seconds | peak MB | baseline MB | pages | KB | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in pdfs:
        if "error" in r:
            lines.append(f"| {r['name']} | {r['scale']} | {r['key']} | | | | | | | error |")
            continue
        met = "—"
        if r["scale"] == "large" and "1,000" in r["name"]:
            met = _yes(r["seconds"] < 3 and r["peak_mb"] < 300)
        elif r["scale"] == "large" and r["report"] == "district_year":
            met = _yes(r["seconds"] < 10)
        elif r["scale"] == "large":
            met = "no target"
        lines.append(
            f"| {r['name']} | {r['scale']} | `{r['key']}` | {r['transactions']} | {r['seconds']} | "
            f"{r['peak_mb']} | {r['baseline_mb']} | {r['pages']} | {r['kb']} | {met} |"
        )
    lines += [
        "",
        "## Page weight",
        "",
        "Bytes a first-time visitor transfers: the HTML and every stylesheet, script, font and "
        "image the page loads (also those referenced from CSS), gzip level 6 for text, images "
        "and fonts as stored. WhiteNoise serves Brotli where the browser accepts it, which is "
        "smaller still.",
        "",
        "| page | HTML KB demo | total KB demo | HTML KB large | total KB large | files | met |",
        "|---|---|---|---|---|---|---|",
    ]
    wdemo, wbig = by(weights, "demo"), by(weights, "large")
    for name, r in wbig.items():
        d = wdemo.get(name, {})
        lines.append(
            f"| {name} | {d.get('html_kb', '–')} | {d.get('kb', '–')} | {r['html_kb']} | "
            f"{r['kb']} | {r['assets']} | {_yes(r['kb'] < TARGET_KB)} |"
        )
    lines += [
        "",
        "## Cost growth from demo to large scale",
        "",
        "Factor large / demo for each figure (queries: equal counts mean no per-row queries).",
        "",
        "| page | queries warm (cold) | median ms | cold ms | page KB |",
        "|---|---|---|---|---|",
    ]
    for name, r in big.items():
        d = demo.get(name, {})
        lines.append(
            f"| {name} | {d.get('queries', '–')} ({d.get('cold_queries', '–')}) → "
            f"{r['queries']} ({r['cold_queries']}) | "
            f"{_growth(d.get('median_ms'), r['median_ms'])} | "
            f"{_growth(d.get('cold_ms'), r['cold_ms'])} | "
            f"{_growth(wdemo.get(name, {}).get('kb'), wbig.get(name, {}).get('kb'))} |"
        )
    pdemo = {r["report"]: r for r in pdfs if r["scale"] == "demo" and "error" not in r}
    for r in [r for r in pdfs if r["scale"] == "large" and "error" not in r]:
        d = pdemo.get(r["report"])
        if d:
            lines.append(
                f"| PDF {r['name']} | – | seconds {_growth(d['seconds'], r['seconds'])}, "
                f"MB {_growth(d['peak_mb'], r['peak_mb'])} | – | – |"
            )
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    doc = ROOT / "docs" / "benchmarks.md"
    # The "## Open data" section is written by bench/opendata.py: keep it.
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    kept = re.search(r"^## Open data\n.*?(?=^## |\Z)", old, re.S | re.M)
    if results.get("opendata"):
        from bench import opendata

        lines += ["", opendata.markdown(results["opendata"], args, 0).strip()]
        lines += [
            "",
            "(Measured in this `make bench` run on its large-scale database, "
            f"`seed_scale {large}`.)",
        ]
    elif kept:
        lines += ["", kept.group(0).strip()]
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(label: str, args) -> dict:
    from django.core.cache import cache

    from buurtplatform import cachemiddleware, pagecache

    cache.clear()
    cachemiddleware.local_pages.clear()
    pagecache.forget_version()
    print(f"measuring at {label} scale")
    results: dict = {"pages": [], "weights": [], "load": [], "pdfs": []}
    if not args.throughput_only:
        uptime(f"pages, {label}")
        results["pages"] = measure_pages(label, args.repeat)
        results["weights"] = page_weight(label)
    if label == "large" and not args.skip_load:
        # Only at large scale: every public page three ways on two caches takes minutes.
        results["load"] = throughput(label, public_pages(), args.seconds)
    if not (args.skip_pdfs or args.throughput_only):
        uptime(f"PDFs, {label}")
        results["pdfs"] = pdf_costs(label)
    return results


def cold_pages(args) -> list[dict]:
    """bench/cold.py in this process: fresh renders with the page cache off."""
    from bench import cold

    uptime("cold pages")
    rows = cold.run(DB_URL, args.cold_repeat)
    for r in rows:
        print(f"  cold {r['page']:24} {r['status']} median={r['median_ms']}ms p95={r['p95_ms']}ms")
    return rows


def open_data() -> dict | None:
    """bench/opendata_one.py on this database in a fresh process (through a forking shell, so
    ru_maxrss is its own)."""
    uptime("open data")
    result = sh(
        "/bin/sh",
        "-c",
        '"$0" "$@"; exit $?',
        PY,
        str(ROOT / "bench" / "opendata_one.py"),
        check=False,
    )
    if result.returncode != 0:
        print("  open data failed:", result.stderr[-800:])
        return None
    data = json.loads(result.stdout.strip().splitlines()[-1])
    for r in data["rows"]:
        print(
            f"  open data {r['url']:34} first byte {r['cold_ttfb_ms']} ms, total "
            f"{r['cold_total_ms']} ms, peak {r['peak_mb']} MB"
        )
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--platforms", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--cold-repeat", type=int, default=20, help="fresh renders per page")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each load test")
    parser.add_argument("--skip-load", action="store_true", help="no load test")
    parser.add_argument("--skip-demo", action="store_true", help="measure the large scale only")
    parser.add_argument("--skip-pdfs", action="store_true", help="no PDF reports")
    parser.add_argument("--skip-cold", action="store_true", help="no bench/cold.py pages")
    parser.add_argument("--skip-opendata", action="store_true", help="no open data exports")
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="no seeding: the load test on the existing bench database, merged into last.json",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="only rewrite the report from the last run"
    )
    args = parser.parse_args()
    if args.report_only:
        report_only()
        return
    started = time.perf_counter()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.throughput_only:
        import django

        django.setup()
        results = json.loads((RESULTS / "last.json").read_text())
        results["load"] = measure("large", args)["load"]
        results["meta"]["load_history"] = results["meta"].get("load_history", []) + LOAD_HISTORY
        (RESULTS / "last.json").write_text(json.dumps(results, indent=1, default=str))
        report_only()
        return
    uptime("start")
    print("resetting", DB_URL)
    reset_database()
    sh(PY, "manage.py", "seed_demo")
    import django

    django.setup()
    results = {"pages": [], "weights": [], "load": [], "pdfs": []}
    if not args.skip_demo:
        results = measure("demo", args)
    print("seeding scale data")
    uptime("seed_scale")
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
    seed_seconds = time.perf_counter() - t0
    print(out.stdout[-1500:], f"seed_scale took {seed_seconds:.0f}s")
    ledger = sh(PY, "manage.py", "check_ledger", "--no-mail", check=False)
    print("check_ledger:", (ledger.stdout + ledger.stderr).strip()[-500:])
    # Planner statistics and the visibility map for the new rows, as autovacuum keeps them in
    # production (measuring right after a bulk load would time plans made for empty tables,
    # and autovacuum would then take a core in the middle of the load test).
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    large = measure("large", args)
    for key, rows in large.items():
        results[key] += rows
    results["cold"] = [] if args.skip_cold else cold_pages(args)
    results["opendata"] = None if args.skip_opendata else open_data()
    if results["opendata"]:
        (RESULTS / "opendata.json").write_text(json.dumps(results["opendata"], indent=1))
    results["check_ledger"] = ledger.returncode
    results["meta"] = {
        **vars(args),
        "elapsed": time.perf_counter() - started,
        "seed_seconds": seed_seconds,
        "finished": datetime.datetime.now(datetime.UTC).isoformat(),
        "load_history": LOAD_HISTORY,
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
    }
    (RESULTS / "last.json").write_text(json.dumps(results, indent=1, default=str))
    write_markdown(results, args, results["meta"]["elapsed"], seed_seconds)
    print("wrote docs/benchmarks.md")


def report_only() -> None:
    """Rewrite docs/benchmarks.md from bench/results/last.json (after editing bench/NOTES.md)."""
    import django

    django.setup()
    results = json.loads((RESULTS / "last.json").read_text())
    meta = results["meta"]
    args = argparse.Namespace(**meta)
    write_markdown(results, args, meta["elapsed"], meta["seed_seconds"], meta.get("finished"))
    print("wrote docs/benchmarks.md from", RESULTS / "last.json")


if __name__ == "__main__":
    main()
