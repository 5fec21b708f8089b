"""Render one report in this (fresh) process; print time and peak memory as JSON.

    python bench/pdf_one.py platform_year <slug>/<year>
    python bench/pdf_one.py district_year <year>

Called by bench/run.py, one process per report, so ru_maxrss is the peak of that render
alone (plus Django's import footprint, which is reported separately as "baseline_mb").
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def peak_mb() -> float:
    # ru_maxrss is in KiB on Linux. It survives exec, so bench/run.py starts this script
    # through a forking shell: otherwise it would report the parent's peak.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def hwm_mb() -> float | None:
    """VmHWM: the peak resident size of this process's own address space (a cross-check)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def page_count(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    kind, key = sys.argv[1], sys.argv[2]
    import django

    django.setup()
    import weasyprint  # noqa: F401  (imported before the clock starts, like a warm worker)

    from budgets.models import Transaction
    from platforms.models import Platform
    from reports.rendering import parse_platform_key, render_report

    baseline = peak_mb()
    if kind == "platform_year":
        slug, year = parse_platform_key(key)
        transactions = Transaction.objects.filter(
            budget__platform=Platform.objects.get(slug=slug), value_date__year=year
        ).count()
    else:
        transactions = Transaction.objects.filter(value_date__year=int(key)).count()
    start = time.perf_counter()
    pdf = render_report(kind, key)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "report": kind,
                "key": key,
                "transactions": transactions,
                "seconds": round(seconds, 2),
                "peak_mb": peak_mb(),
                "hwm_mb": hwm_mb(),
                "baseline_mb": baseline,
                "kb": round(len(pdf) / 1024, 1),
                "pages": page_count(pdf),
            }
        )
    )


if __name__ == "__main__":
    main()
