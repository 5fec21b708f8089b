"""Server-side SVG bar charts: geometry here, markup in reports/_bar_chart.svg.html.

Used both on the web pages (inline SVG, no JavaScript) and in the PDFs (WeasyPrint draws SVG).
"""

from __future__ import annotations

from decimal import Decimal

from buurtplatform.formatting import format_money as euro

SERIES_COLOURS = ["#0b4f6c", "#e07a1f", "#6a994e"]
LABEL_WIDTH = 190
BAR_AREA = 330
VALUE_WIDTH = 110
BAR_HEIGHT = 12
GAP = 10


def bar_chart(rows: list[tuple[str, list[Decimal]]], series: list[str], title: str) -> dict:
    """Horizontal grouped bars; rows are (label, [value per series])."""
    peak = max((v for _, values in rows for v in values), default=Decimal(0)) or Decimal(1)
    groups = []
    y = 24
    for label, values in rows:
        bars = []
        for i, value in enumerate(values):
            width = max(0.0, float(value) / float(peak) * BAR_AREA)
            bars.append(
                {
                    "x": LABEL_WIDTH,
                    "y": y + i * BAR_HEIGHT,
                    "width": round(width, 1),
                    "height": BAR_HEIGHT - 2,
                    "colour": SERIES_COLOURS[i % len(SERIES_COLOURS)],
                    "text_x": LABEL_WIDTH + round(width, 1) + 4,
                    "text_y": y + i * BAR_HEIGHT + BAR_HEIGHT - 3,
                    "text": euro(value),
                    "series": series[i],
                }
            )
        groups.append(
            {
                "label": label[:32],
                "label_y": y + len(values) * BAR_HEIGHT / 2 + 3,
                "bars": bars,
            }
        )
        y += len(values) * BAR_HEIGHT + GAP
    legend = [
        {"x": LABEL_WIDTH + i * 110, "colour": SERIES_COLOURS[i % 3], "name": name}
        for i, name in enumerate(series)
    ]
    return {
        "title": title,
        "width": LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        "height": max(y + 4, 40),
        "groups": groups,
        "legend": legend,
        "label_x": LABEL_WIDTH - 6,
    }
