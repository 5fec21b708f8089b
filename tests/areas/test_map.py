"""The buurt map: outlines imported and simplified, drawn as server-side SVG (issue 15, part 4)."""

import datetime
import json
import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from areas.geometry import read_shared_geometry, shared_geojson_path, simplify_ring
from areas.importing import import_file, read_file
from areas.models import Buurt
from platforms.models import Platform
from tests.factories import PlatformFactory

SVG = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture
def shared_geojson():
    path = shared_geojson_path()
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the shared municipal geometry at {path}")
        pytest.skip(f"no shared municipal geometry at {path}")
    return path


@pytest.fixture
def outlines(db, shared_geojson):
    """The migration fills the outlines from the shared data; make sure they are there."""
    assert Buurt.objects.in_district().exclude(geometry=[]).count() == 46
    return shared_geojson


def svgs(response) -> list[str]:
    return SVG.findall(response.content.decode())


def test_simplify_keeps_a_closed_ring_with_fewer_points():
    # A square with many collinear points on each side, in lon/lat around Zuidoost.
    side = [i / 100 * 0.01 for i in range(100)]
    ring = (
        [[4.95 + d, 52.30] for d in side]
        + [[4.96, 52.30 + d] for d in side]
        + [[4.96 - d, 52.31] for d in side]
        + [[4.95, 52.31 - d] for d in side]
    )
    ring.append(ring[0])
    out = simplify_ring(ring)
    assert out[0] == out[-1]
    assert len(out) == 5  # four corners, closed


def test_import_stores_simplified_closed_rings(db, shared_geojson):
    source = json.loads(shared_geojson.read_text(encoding="utf-8"))
    points = {
        f["properties"]["code"]: sum(len(r) for r in f["geometry"]["coordinates"])
        for f in source["features"]
    }
    rows = {row.code: row for row in read_file(shared_geojson)}
    zuidoost = [code for code in rows if code.startswith("T")]
    assert len(zuidoost) == 46
    assert sum(len(r) for c in zuidoost for r in rows[c].rings) < sum(points[c] for c in zuidoost)
    for code in zuidoost:
        for ring in rows[code].rings:
            assert ring[0] == ring[-1] and len(ring) >= 4
    Buurt.objects.filter(code="TH01").update(geometry=[])
    import_file(shared_geojson)
    assert Buurt.objects.get(code="TH01").geometry == rows["TH01"].rings


def test_loader_reads_outlines_from_shared_data(outlines):
    shapes = read_shared_geometry(outlines)
    assert Buurt.objects.get(code="TM01").geometry == shapes["TM01"]


def test_buurt_list_map_links_every_buurt_and_shades_recognised(client, outlines):
    recognised = PlatformFactory(buurten=["TM01", "TM02"])
    Platform.objects.filter(pk=recognised.pk).update(
        recognition_status=Platform.RecognitionStatus.RECOGNISED,
        recognised_until=timezone.localdate() + datetime.timedelta(days=100),
    )
    PlatformFactory(buurten=["TH01"])  # not recognised: not shaded
    response = client.get(reverse("areas:buurt_list"))
    assert response.status_code == 200
    (svg,) = svgs(response)
    links = re.findall(r'<a href="(/buurten/T[A-Z]\d\d/)"', svg)
    assert len(links) == len(set(links)) == Buurt.objects.active().in_district().count() == 46
    shaded = set(re.findall(r'is-shaded" data-code="(\w+)"', svg))
    assert shaded == {"TM01", "TM02"}
    assert "<title" in svg
    # The list of buurten stays next to the map as the text alternative.
    assert response.content.decode().count('class="buurt-list"') >= 12


def test_platform_page_highlights_its_buurten(client, platform, outlines):
    response = client.get(platform.get_absolute_url())
    (svg,) = svgs(response)
    assert set(re.findall(r'is-highlighted" data-code="(\w+)"', svg)) == {"TH01", "TH02"}


def test_home_shows_the_map(client, outlines):
    assert len(svgs(client.get("/"))) == 1


def test_registration_picker_labels_the_checkboxes_grouped_by_wijk(client_for, resident, outlines):
    response = client_for(resident).get(reverse("platforms:platform_create"))
    html = response.content.decode()
    boxes = dict(re.findall(r'value="(\d+)"[^>]*id="(id_buurten_\d+)"', html))
    assert len(boxes) == 46
    labels = re.findall(r'<label for="(id_buurten_\d+)" class="buurt-picker__label">', html)
    assert sorted(labels) == sorted(boxes.values())
    th01 = Buurt.objects.get(code="TH01")
    label = re.search(
        r'<label for="(id_buurten_\d+)" class="buurt-picker__label"><svg[^>]*><path[^>]*'
        r'data-code="TH01"',
        html,
    )
    assert label and label.group(1) == boxes[str(th01.pk)]
    assert "<strong>K-buurt</strong>" in html and "TH01 Gooise Kant" not in html


def test_no_external_urls_in_the_map_and_csp_unchanged(client, platform, outlines):
    for url in ("/", reverse("areas:buurt_list"), platform.get_absolute_url()):
        response = client.get(url)
        for svg in svgs(response):
            assert not re.search(r"https?://(?!www\.w3\.org/2000/svg\")", svg)
            assert "style=" not in svg and "<script" not in svg and "url(" not in svg
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


def test_without_outlines_there_is_no_map_but_the_list_works(client, db):
    Buurt.objects.update(geometry=[])
    response = client.get(reverse("areas:buurt_list"))
    assert response.status_code == 200
    assert not svgs(response)
    assert "Gooise Kant" in response.content.decode()
