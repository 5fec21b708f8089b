"""Buurt outlines: read from the municipality's GeoJSON, simplified once on import.

Stored as lon/lat rings (`Buurt.geometry`: a list of closed rings, each a list of [lon, lat]),
simplified with Douglas–Peucker in a local metric projection and rounded to 5 decimals (about
1 m). Drawing them (projection, viewBox, SVG paths) is `areas.selectors.buurt_map`.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from django.conf import settings

# Where the shared municipal data lives (next to the repository; never copied into it).
SHARED_GEOJSON = Path("amsterdam-gebieden") / "vl09-amsterdam" / "buurten.geojson"
TOLERANCE_M = 8.0  # Douglas–Peucker tolerance in metres
LAT0 = 52.31  # Zuidoost; the scale of a degree of longitude there
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))

Ring = list[list[float]]


def shared_geojson_path() -> Path:
    """The shared buurten.geojson in ../shared/data, next to the repository."""
    return Path(settings.BASE_DIR).parent / "shared" / "data" / SHARED_GEOJSON


def _perpendicular(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[int]:
    """Indices of the points kept (first and last always), iteratively."""
    if len(points) < 3:
        return list(range(len(points)))
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        best, index = 0.0, None
        for i in range(start + 1, end):
            d = _perpendicular(points[i], points[start], points[end])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep.add(index)
            stack.extend([(start, index), (index, end)])
    return sorted(keep)


def simplify_ring(ring: Ring, tolerance_m: float = TOLERANCE_M) -> Ring:
    """A closed ring with fewer points; never fewer than 4 (a triangle, closed)."""
    if len(ring) < 4:
        return ring
    closed = ring[0] == ring[-1]
    body = ring[:-1] if closed else ring
    metric = [(lon * M_PER_DEG_LON, lat * M_PER_DEG_LAT) for lon, lat in body]
    # Split the ring at its farthest point from the start so both halves are open lines.
    far = max(range(len(metric)), key=lambda i: math.dist(metric[0], metric[i]))
    first = douglas_peucker(metric[: far + 1], tolerance_m)
    second = [far + i for i in douglas_peucker(metric[far:] + [metric[0]], tolerance_m)]
    indices = sorted(set(first) | {i for i in second if i < len(body)})
    if len(indices) < 3:
        step = max(1, len(body) // 3)
        indices = list(range(0, len(body), step))[:3]
    out = [[round(body[i][0], 5), round(body[i][1], 5)] for i in indices]
    out.append(list(out[0]))
    return out


def rings_of(geometry: dict | None) -> list[Ring]:
    """Outer rings of a GeoJSON Polygon or MultiPolygon (holes are dropped for the map)."""
    if not isinstance(geometry, dict):
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    rings = []
    for polygon in polygons:
        if polygon and len(polygon[0]) >= 4:
            rings.append([[float(p[0]), float(p[1])] for p in polygon[0]])
    return rings


def simplify(geometry: dict | None) -> list[Ring]:
    return [simplify_ring(ring) for ring in rings_of(geometry)]


def read_shared_geometry(path: Path | None = None) -> dict[str, list[Ring]]:
    """{buurt code: simplified rings} from the shared GeoJSON; {} when the file is absent.
    Parsed and simplified once per file version in a process (the whole city's file: every
    reload of the reference data, as after each transactional test, would redo it)."""
    path = path or shared_geojson_path()
    if not path.is_file():
        return {}
    stat = path.stat()
    return dict(_parsed_geometry(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _parsed_geometry(path: str, _mtime_ns: int, _size: int) -> dict[str, list[Ring]]:
    doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    result = {}
    for feature in doc.get("features") or []:
        props = feature.get("properties") or {}
        if props.get("eindGeldigheid"):
            continue
        code = str(props.get("code") or "").strip()
        rings = simplify(feature.get("geometry"))
        if code and rings:
            result[code] = rings
    return result
