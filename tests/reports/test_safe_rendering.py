"""The PDF renderer never reads local files or the network, and public reports hold no personal data."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from buurtplatform import pdf
from platforms.models import Platform
from reports.models import ReportJob
from reports.rendering import render_report
from tests.reports.conftest import pdf_text
from tests.reports.factories import (
    SENTINEL_EMAIL,
    SENTINEL_IBAN,
    SENTINEL_PAYEE,
    SENTINEL_PHONE,
    granted_scenario,
)


@pytest.fixture
def canary():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def hostile_texts(port: int) -> str:
    return "\n".join(
        [
            '<img src="file:///etc/hostname">',
            f'<img src="http://127.0.0.1:{port}/canary-img">',
            '<link rel="attachment" href="file:///etc/passwd">',
            f'<style>@import url("http://127.0.0.1:{port}/canary-css"); '
            "body { background: url(file:///dev/urandom) }</style>",
            '<svg><image xlink:href="file:///etc/hostname"/></svg>',
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "{{ 7*7 }}",
        ]
    )


def test_hostile_platform_texts_fetch_nothing(db, canary):
    port, hits = canary
    payload = hostile_texts(port)
    s = granted_scenario(platform_kw={"description": payload})
    Platform.objects.filter(pk=s.platform.pk).update(area_name=payload[:150])
    s.decision.__class__.objects.filter(pk=s.decision.pk).update(motivation=payload)
    fetcher = pdf.make_url_fetcher()
    started = time.monotonic()
    content = render_report(ReportJob.Kind.PLATFORM_YEAR, "samen-sterk-test/2026", fetcher=fetcher)
    assert time.monotonic() - started < 10
    assert hits == []  # (a) the canary never hears from us
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(content)).attachments == {}  # (b) nothing embedded
    text = pdf_text(content)
    assert '<img src="file:///etc/hostname">' in text  # shown as text, escaped
    assert "<script>alert(1)</script>" in text
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if hostname:
        assert hostname not in text.replace('<img src="file:///etc/hostname">', "")
    assert "root:x:0:0" not in text


def test_fetcher_refuses_foreign_urls_directly(db, canary):
    port, hits = canary
    fetcher = pdf.make_url_fetcher()
    refused = [
        "file:///etc/passwd",
        "file:///etc/hostname",
        f"http://127.0.0.1:{port}/canary",
        f"https://127.0.0.1:{port}/canary",
        "ftp://127.0.0.1/x",
        "static:../../../../etc/passwd",
        "media:private/receipts/x.pdf",
        "media:public/../private/x.pdf",
        f"file://{settings.BASE_DIR}/db.sqlite3",
        "gopher://127.0.0.1/",
    ]
    for url in refused:
        with pytest.raises(pdf.BlockedURL):
            fetcher.fetch(url)
    assert fetcher.blocked == refused  # (d) every refusal is recorded and logged
    assert hits == []


def test_fetcher_serves_own_static_and_public_media(db, settings):
    fetcher = pdf.make_url_fetcher()
    css = fetcher.fetch("static:css/site.css")
    assert css.read()
    public = Path(settings.MEDIA_ROOT) / "public" / "logos"
    public.mkdir(parents=True)
    (public / "logo.png").write_bytes(b"\x89PNG fake")
    assert fetcher.fetch("media:public/logos/logo.png").read() == b"\x89PNG fake"
    assert fetcher.fetch((public / "logo.png").as_uri()).read() == b"\x89PNG fake"
    assert fetcher.fetch("data:text/plain,hallo").read() == b"hallo"
    # a symlink inside public media that points outside is refused
    (public / "evil.png").symlink_to("/etc/passwd")
    with pytest.raises(pdf.BlockedURL):
        fetcher.fetch("media:public/logos/evil.png")


def test_attachment_links_are_never_embedded(db):
    from pypdf import PdfReader

    own_file = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").as_uri()
    html = (
        f'<html><head><link rel="attachment" href="{own_file}">'
        '<link rel="attachment" href="file:///etc/passwd"></head><body><p>x</p></body></html>'
    )
    assert PdfReader(io.BytesIO(pdf.html_to_pdf(html))).attachments == {}


@pytest.mark.parametrize(
    "kind,key",
    [
        ("platform_year", "samen-sterk-test/2026"),
        ("round_decision", "samen-sterk-test-ronde-2026"),
        ("district_year", "2026"),
    ],
)
def test_public_reports_hold_no_personal_data(scenario, kind, key):
    text = pdf_text(render_report(kind, key))
    for sentinel in (SENTINEL_EMAIL, SENTINEL_IBAN, SENTINEL_PAYEE, SENTINEL_PHONE):
        assert sentinel not in text
    for user in scenario.decision.application.scoresheets.select_related("member"):
        assert user.member.email not in text


def test_platform_logo_is_read_from_public_media(db, settings):
    from django.core.files.base import ContentFile
    from PIL import Image

    s = granted_scenario()
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "orange").save(buf, "PNG")
    s.platform.logo.save("logo.png", ContentFile(buf.getvalue()), save=True)
    assert s.platform.logo.name.startswith("public/logos/")
    fetcher = pdf.make_url_fetcher()
    content = render_report(ReportJob.Kind.PLATFORM_YEAR, "samen-sterk-test/2026", fetcher=fetcher)
    assert fetcher.blocked == []
    from pypdf import PdfReader

    images = [img for page in PdfReader(io.BytesIO(content)).pages for img in page.images]
    assert images  # the logo made it into the PDF
