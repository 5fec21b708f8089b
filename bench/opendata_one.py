"""Time every open data export in this (fresh) process; print the figures as JSON.

    python bench/opendata_one.py

Called by bench/opendata.py. Each export is requested anonymously through Django's test
client (the whole middleware stack): *cold* is the first request after a data change (the
public data version bumped, nothing built yet: CSV and JSON are streamed while written,
XLSX is built first), *warm* the median of the next requests (the built file from disk).
Time to first byte is until the first chunk of the body; total until the last. Peak memory
is this process's ru_maxrss (the web process's high-water mark) after each export.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

WARM_REPEAT = 5


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(client, url: str, headers: dict | None = None) -> dict:
    started = time.perf_counter()
    response = client.get(url, headers=headers or {})
    size = 0
    first = None
    if response.streaming:
        for chunk in response.streaming_content:
            if first is None:
                first = time.perf_counter()
            size += len(chunk)
    else:
        first = time.perf_counter()
        size = len(response.content)
    end = time.perf_counter()
    response.close()
    return {
        "status": response.status_code,
        "ttfb_ms": round(((first or end) - started) * 1000, 1),
        "total_ms": round((end - started) * 1000, 1),
        "bytes": size,
        "etag": response.get("ETag", ""),
    }


def main() -> None:
    import django

    django.setup()
    from django.test import Client

    from budgets.models import Entry, Transaction
    from buurtplatform import pagecache
    from reports.opendata import DATASETS

    client = Client()
    client.get("/open-data/")  # imports and first-request set-up out of the way
    baseline = peak_mb()
    urls = [f"/open-data/{name}.{fmt}" for name in DATASETS for fmt in ("csv", "json", "xlsx")]
    urls += ["/en/open-data/entries.xlsx", "/open-data/datapackage.json"]
    rows = []
    for url in urls:
        pagecache.new_version()  # a data change: nothing built yet
        cold = timed(client, url)
        warm = [timed(client, url) for _ in range(WARM_REPEAT)]
        not_modified = timed(client, url, {"If-None-Match": cold["etag"]})
        rows.append(
            {
                "url": url,
                "status": cold["status"],
                "bytes": cold["bytes"],
                "cold_ttfb_ms": cold["ttfb_ms"],
                "cold_total_ms": cold["total_ms"],
                "warm_ttfb_ms": statistics.median(w["ttfb_ms"] for w in warm),
                "warm_total_ms": statistics.median(w["total_ms"] for w in warm),
                "not_modified_status": not_modified["status"],
                "not_modified_ms": not_modified["total_ms"],
                "peak_mb": peak_mb(),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(
        json.dumps(
            {
                "entries": Entry.objects.count(),
                "transactions": Transaction.objects.count(),
                "baseline_mb": baseline,
                "peak_mb": peak_mb(),
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
