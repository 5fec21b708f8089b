"""Read side of areas: the map of the district's buurten (server-side SVG, no tiles)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from areas.geometry import M_PER_DEG_LAT, M_PER_DEG_LON
from areas.models import Buurt

MAP_WIDTH = 1000  # viewBox units; the height follows the district's shape
MAP_PADDING = 8


def _codes(values: Iterable[Any] | None) -> set[str]:
    return {getattr(v, "code", v) for v in (values or [])}


def buurt_map(
    highlight: Iterable[Any] | None = None,
    shade: Iterable[Any] | None = None,
    buurten: Iterable[Buurt] | None = None,
) -> dict[str, Any] | None:
    """The district's active buurten as SVG paths in one viewBox, or None without outlines.

    `highlight` and `shade` are buurten or buurt codes; each shape says whether it is in them.
    Shapes keep the order of `buurten` (by default the district's active buurten by code), so
    shape N belongs to the Nth choice of the registration form.
    """
    if buurten is None:
        buurten = Buurt.objects.active().in_district().select_related("wijk").order_by("code")
    buurten = list(buurten)
    points = [p for b in buurten for ring in b.geometry or [] for p in ring]
    if not points:
        return None
    min_lon = min(p[0] for p in points)
    max_lon = max(p[0] for p in points)
    min_lat = min(p[1] for p in points)
    max_lat = max(p[1] for p in points)
    width_m = (max_lon - min_lon) * M_PER_DEG_LON or 1.0
    height_m = (max_lat - min_lat) * M_PER_DEG_LAT or 1.0
    scale = (MAP_WIDTH - 2 * MAP_PADDING) / width_m
    height = round(height_m * scale + 2 * MAP_PADDING)
    highlighted, shaded = _codes(highlight), _codes(shade)

    def xy(lon: float, lat: float) -> str:
        x = MAP_PADDING + (lon - min_lon) * M_PER_DEG_LON * scale
        y = MAP_PADDING + (max_lat - lat) * M_PER_DEG_LAT * scale
        return f"{x:.1f} {y:.1f}"

    shapes = []
    for index, buurt in enumerate(buurten):
        if not buurt.geometry:
            continue
        d = " ".join(
            "M" + " L".join(xy(lon, lat) for lon, lat in ring[:-1]) + " Z"
            for ring in buurt.geometry
        )
        shapes.append(
            {
                "index": index,
                "code": buurt.code,
                "name": buurt.name,
                "wijk": buurt.wijk.name,
                "url": buurt.get_absolute_url(),
                "d": d,
                "highlighted": buurt.code in highlighted,
                "shaded": buurt.code in shaded,
            }
        )
    return {
        "viewbox": f"0 0 {MAP_WIDTH} {height}",
        "width": MAP_WIDTH,
        "height": height,
        "shapes": shapes,
    }


def buurten_with_recognised_platform() -> set[str]:
    """Codes of the buurten where at least one recognised platform works.

    The rule "recognised" is `Platform.objects.recognised()`; areas sits below platforms, so it
    reaches the model through the reverse relation instead of importing it.
    """
    platform_model = Buurt._meta.get_field("platforms").related_model
    recognised = platform_model.objects.recognised()  # type: ignore[attr-defined]
    if hasattr(recognised, "active"):  # archived platforms leave the map like the lists
        recognised = recognised.active()
    return set(
        Buurt.objects.filter(platforms__in=recognised).values_list("code", flat=True).distinct()
    )
