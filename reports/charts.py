"""Server-side SVG bar charts: geometry here, markup in reports/_bar_chart.svg.html.

Used both on the web pages (inline SVG, no JavaScript) and in the PDFs (WeasyPrint draws SVG).
The chart is narrow (each label on its own line above its bars) and drawn at its natural size
in CSS pixels, so on a 390 px phone it is hardly scaled and every label is at least 12 px
tall; on wider screens and in the PDF it keeps that size instead of growing.
"""

from __future__ import annotations

from decimal import Decimal

from buurtplatform.formatting import format_money as euro

SERIES_COLOURS = ["#0b4f6c", "#e07a1f", "#6a994e"]
WIDTH = 350
BAR_AREA = 230  # the rest of the width holds the value after the longest bar
FONT_SIZE = 13  # user units; at 390 px the chart is drawn at >= 0.95 scale: >= 12 px
LABEL_HEIGHT = 18
BAR_HEIGHT = 17
GAP = 10
LEGEND_HEIGHT = 24
LABEL_CHARS = 40


def bar_chart(rows: list[tuple[str, list[Decimal]]], series: list[str], title: str) -> dict:
    """Horizontal grouped bars; rows are (label, [value per series])."""
    peak = max((v for _, values in rows for v in values), default=Decimal(0)) or Decimal(1)
    groups = []
    y = LEGEND_HEIGHT
    for label, values in rows:
        label_y = y + LABEL_HEIGHT - 5
        y += LABEL_HEIGHT
        bars = []
        for i, value in enumerate(values):
            width = max(0.0, float(value) / float(peak) * BAR_AREA)
            bars.append(
                {
                    "x": 0,
                    "y": y + i * BAR_HEIGHT,
                    "width": round(width, 1),
                    "height": BAR_HEIGHT - 3,
                    "colour": SERIES_COLOURS[i % len(SERIES_COLOURS)],
                    "text_x": round(width, 1) + 4,
                    "text_y": y + i * BAR_HEIGHT + BAR_HEIGHT - 5,
                    "text": euro(value),
                    "series": series[i],
                }
            )
        text = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        groups.append({"label": text, "label_y": label_y, "bars": bars})
        y += len(values) * BAR_HEIGHT + GAP
    legend = [
        {"x": i * 130, "colour": SERIES_COLOURS[i % 3], "name": name}
        for i, name in enumerate(series)
    ]
    return {
        "title": title,
        "width": WIDTH,
        "height": max(y, 40),
        "font_size": FONT_SIZE,
        "groups": groups,
        "legend": legend,
    }
