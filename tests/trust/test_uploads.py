"""Hostile upload corpus (threats 19-21): refused with a Dutch message, nothing stored.

Every file is generated here. Tested on buurtplatform/uploads.py directly and through the three
upload paths people use: an activity photo, application evidence and expense receipts.
"""

from __future__ import annotations

import datetime
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from areas.models import Buurt
from budgets.models import Receipt
from budgets.services import book_grant
from buurtplatform.uploads import clean_image, clean_upload
from platforms.models import ActivityPhoto, Platform
from recognition import services as rec
from recognition.models import EvidenceFile
from tests.budgets.factories import granted_decision
from tests.factories import ActivityFactory
from tests.recognition.conftest import make_round

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|pdf)$")


# --- the corpus -----------------------------------------------------------------------------


def png_bytes(size=(40, 30), color=(10, 120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def html_in_png() -> bytes:
    """A valid PNG whose text chunk is an HTML page (renders as HTML if sniffed)."""
    png = png_bytes()
    html = b"Comment\x00<html><body><script>alert(document.cookie)</script></body></html>"
    return png[:33] + _chunk(b"tEXt", html) + png[33:]


def png_with_trailing_script() -> bytes:
    return png_bytes() + b"<script>alert(1)</script>"


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )


def html_page() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def pdf(extra_objects: bytes = b"", catalog_extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        + extra_objects
        + b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
        b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n160\n%%EOF\n"
    )


def pdf_with_javascript() -> bytes:
    return pdf(
        b"4 0 obj<</S/JavaScript/JS(app.alert('x'))>>endobj\n", catalog_extra=b"/OpenAction 4 0 R"
    )


def pdf_with_embedded_file() -> bytes:
    return pdf(
        b"4 0 obj<</Type/EmbeddedFile/Length 5>>stream\nhello\nendstream endobj\n"
        b"5 0 obj<</Type/Filespec/F(x.exe)/EF<</F 4 0 R>>>>endobj\n",
        catalog_extra=b"/Names<</EmbeddedFiles<</Names[(x.exe) 5 0 R]>>>>",
    )


def pixel_bomb(side: int = 60_000) -> bytes:
    """A tiny PNG that claims side x side pixels (a decompression bomb when decoded)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    idat = zlib.compress(row * 64, 9)  # far too little data; the header alone must refuse it
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("foto.png", png_bytes())
    return buffer.getvalue()


def windows_exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"


def oversized() -> bytes:
    return b"%PDF-1.4\n" + b"0" * settings.UPLOAD_MAX_BYTES


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "Telefoonmerk"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 18.0, 30.0)
    gps[3] = "E"
    gps[4] = (4.0, 57.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


# name, file name, bytes, a fragment of the Dutch message
HOSTILE = [
    ("html-in-png", "foto.png", html_in_png, "HTML- of scriptcode"),
    ("png-trailing-script", "foto.png", png_with_trailing_script, "HTML- of scriptcode"),
    ("svg-script", "logo.svg", svg_with_script, "niet toegestaan"),
    ("pdf-dot-html", "x.pdf.html", html_page, "niet toegestaan"),
    ("null-byte-name", "foto.png\x00.html", html_page, "niet toegestaan"),
    ("pdf-javascript", "bon.pdf", pdf_with_javascript, "scripts of ingesloten bestanden"),
    ("pdf-embedded-file", "bon.pdf", pdf_with_embedded_file, "scripts of ingesloten bestanden"),
    ("oversized", "groot.pdf", oversized, "te groot"),
    ("wrong-extension-exe", "bon.pdf", windows_exe, "niet toegestaan"),
    ("zip-archive", "bonnen.zip", zip_archive, "niet toegestaan"),
    ("pixel-bomb", "foto.png", pixel_bomb, "afbeelding"),
    ("empty", "leeg.png", lambda: b"", "leeg"),
]
# Only images are allowed here: any PDF is refused by type (a valid one named .jpg too).
HOSTILE_FOR_IMAGES = [
    (case, name, make, "niet toegestaan" if case.startswith("pdf") else message)
    for case, name, make, message in HOSTILE
] + [("pdf-as-jpg", "foto.jpg", pdf, "niet toegestaan")]


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# --- uploads.py directly --------------------------------------------------------------------


@pytest.mark.parametrize(("case", "name", "make", "message"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_clean_upload_refuses_hostile_files(case, name, make, message):
    with pytest.raises(ValidationError) as info:
        clean_upload(upload(name, make()))
    text = " ".join(info.value.messages)
    assert message in text, text


@pytest.mark.parametrize(
    ("case", "name", "make", "message"), HOSTILE_FOR_IMAGES, ids=[c[0] for c in HOSTILE_FOR_IMAGES]
)
def test_clean_image_refuses_hostile_files(case, name, make, message):
    with pytest.raises(ValidationError) as info:
        clean_image(upload(name, make()))
    assert message in " ".join(info.value.messages)


def test_messages_are_dutch_and_english_under_en():
    from django.utils import translation

    with pytest.raises(ValidationError) as nl:
        clean_upload(upload("x.svg", svg_with_script()))
    with translation.override("en"), pytest.raises(ValidationError) as en:
        clean_upload(upload("x.svg", svg_with_script()))
    assert "Dit soort bestand is niet toegestaan" in nl.value.messages[0]
    assert en.value.messages[0] != nl.value.messages[0]


def test_jpeg_gps_is_stripped_but_the_photo_accepted():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the corpus has GPS
    result = clean_image(upload("vakantie.jpg", original, "image/jpeg"))
    assert result.content_type == "image/jpeg"
    cleaned = Image.open(io.BytesIO(result.content.read()))
    exif = cleaned.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert GPS_IFD not in exif
    assert b"Telefoonmerk" not in result.content.open().read()


def test_accepted_names_are_random_and_originals_sanitised():
    for hostile_name in ("../../x.png", "..\\..\\x.png", "foto\x00.png", "/etc/passwd.png"):
        result = clean_upload(upload(hostile_name, png_bytes()))
        assert RANDOM_NAME.match(result.content.name), result.content.name
        assert "\x00" not in result.original_name
        assert "/" not in result.original_name and "\\" not in result.original_name
        assert ".." not in result.original_name.replace("..png", "")


def test_a_plain_png_and_pdf_pass():
    assert clean_upload(upload("foto.png", png_bytes())).content_type == "image/png"
    assert clean_upload(upload("bon.pdf", pdf(), "application/pdf")).content_type == (
        "application/pdf"
    )


# --- through the forms and views ------------------------------------------------------------


@pytest.fixture
def upload_world(platform, coordinator, member, admin_user, support_staff2):
    activity = ActivityFactory(platform=platform, created_by=coordinator)
    rnd = rec.open_round(round=make_round(admin_user, slug="ronde-uploads"), by=admin_user)
    draft = rec.start_application(round=rnd, platform=platform, by=coordinator)
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff2)
    return {"activity": activity, "draft": draft, "budget": budget}


def _messages(response) -> str:
    """Flash messages and form errors of a response, as one text."""
    parts = [str(m) for m in response.context["messages"]] if response.context else []
    if response.context and response.context.get("form") is not None:
        parts += [str(e) for errs in response.context["form"].errors.values() for e in errs]
    return " ".join(parts)


def _post_photo(client, w, name, data):
    a = w["activity"]
    url = reverse("platforms:activity_photo_add", args=[a.platform.slug, a.pk])
    return client.post(url, {"photo": upload(name, data), "alt_text": "Een foto"}, follow=True)


def _post_evidence(client, w, name, data):
    url = reverse("recognition:statement_edit", args=[w["draft"].pk, 1])
    body = {"statement": "Zo doen wij het.", "links": "", "file": upload(name, data)}
    return client.post(url, body)


def _claim_body(w, files):
    return {
        "budget_line": w["budget"].lines.first().pk,
        "amount": "12.50",
        "expense_date": datetime.date(2026, 4, 1).isoformat(),
        "payee_name": "Jan Jansen",
        "iban": "NL91ABNA0417164300",
        "description": "Koffie voor de buurtbijeenkomst",
        "receipts": files,
    }


def _post_receipt(client, w, name, data):
    b = w["budget"]
    url = reverse("budgets:claim_create", args=[b.platform.slug, b.pk])
    return client.post(url, _claim_body(w, [upload(name, data)]))


def _post_logo(client, w, name, data):
    body = {
        "name": f"Logo Platform {name[:10]}",
        "area_name": "De K-buurt",
        "buurten": list(Buurt.objects.filter(code="TH01").values_list("pk", flat=True)),
        "description": "Wij doen dingen voor de buurt.",
        "contact_email": "info@logo.example",
        "legal_form": "informal",
        "logo_upload": upload(name, data),
    }
    return client.post(reverse("platforms:platform_create"), body, follow=True)


PATHS = {
    "platform logo": (_post_logo, "resident", Platform, HOSTILE_FOR_IMAGES),
    "activity photo": (_post_photo, "coordinator", ActivityPhoto, HOSTILE_FOR_IMAGES),
    "evidence": (_post_evidence, "coordinator", EvidenceFile, HOSTILE),
    "receipt": (_post_receipt, "member", Receipt, HOSTILE),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_hostile_files_are_refused_through_the_views(request, client_for, upload_world, path):
    post, role, model, corpus = PATHS[path]
    client = client_for(request.getfixturevalue(role))
    before_files = stored_files()
    failures = []
    for case, name, make, message in corpus:
        before = model.objects.count()
        response = post(client, upload_world, name, make())
        text = _messages(response)
        if response.status_code != 200 or message not in text:
            failures.append((case, response.status_code, text[:200]))
        if model.objects.count() != before:
            failures.append((case, "stored a record"))
    assert failures == []
    assert stored_files() == before_files, "a refused upload left a file behind"


@pytest.mark.parametrize("path", list(PATHS))
def test_good_files_are_stored_under_random_names(request, client_for, upload_world, path):
    post, role, model, _corpus = PATHS[path]
    client = client_for(request.getfixturevalue(role))
    post(client, upload_world, "../../x.png", png_bytes())
    obj = model.objects.order_by("-pk").first()
    assert obj is not None
    field = {ActivityPhoto: "image", Platform: "logo"}.get(model, "file")
    field = getattr(obj, field)
    stored = Path(field.name)
    assert RANDOM_NAME.match(stored.name), field.name
    assert ".." not in field.name and "x.png" not in field.name
    assert Path(field.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_exif_gps_is_gone_from_a_stored_activity_photo(client_for, coordinator, upload_world):
    _post_photo(client_for(coordinator), upload_world, "vakantie.jpg", jpeg_with_gps())
    photo = ActivityPhoto.objects.get()
    with photo.image.open("rb") as handle:
        assert not Image.open(handle).getexif().get_ifd(GPS_IFD)


def test_21_files_in_one_request_is_a_400(client_for, member, upload_world):
    b = upload_world["budget"]
    url = reverse("budgets:claim_create", args=[b.platform.slug, b.pk])
    files = [upload(f"bon{i}.png", png_bytes()) for i in range(21)]
    response = client_for(member).post(url, _claim_body(upload_world, files))
    assert response.status_code == 400
    assert Receipt.objects.count() == 0


# --- serving private files ------------------------------------------------------------------


@pytest.fixture
def private_files(client_for, coordinator, member, upload_world):
    _post_evidence(client_for(coordinator), upload_world, "bewijs.pdf", pdf())
    _post_receipt(client_for(member), upload_world, "bon.png", png_bytes())
    return {"evidence": EvidenceFile.objects.get(), "receipt": Receipt.objects.get()}


def test_private_media_has_no_public_address(client, private_files):
    for obj in private_files.values():
        assert obj.file.name.startswith("private/")
        assert Path(obj.file.path).is_file()
        assert client.get(f"/media/{obj.file.name}").status_code == 404
        assert client.get(f"/media/public/../{obj.file.name}").status_code == 404
        assert client.get(f"/media/public/%2e%2e/{obj.file.name}").status_code == 404


def test_downloads_are_attachments_with_nosniff_and_sandbox(
    client_for, coordinator, member, private_files
):
    ev, receipt = private_files["evidence"], private_files["receipt"]
    responses = [
        client_for(coordinator).get(
            reverse("recognition:evidence_download", args=[ev.application_id, ev.pk])
        ),
        client_for(member).get(
            reverse("budgets:receipt_download", args=[receipt.claim_id, receipt.pk])
        ),
    ]
    for response in responses:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["Content-Type"] in ("application/pdf", "image/png")


def test_public_media_serves_only_images_under_public(client, tmp_path):
    root = Path(settings.MEDIA_ROOT)
    (root / "public").mkdir(parents=True, exist_ok=True)
    (root / "public" / "page.html").write_bytes(html_page())
    (root / "secret.png").write_bytes(png_bytes())
    assert client.get("/media/public/page.html").status_code == 404
    assert client.get("/media/public/../secret.png").status_code == 404
    (root / "public" / "ok.png").write_bytes(png_bytes())
    response = client.get("/media/public/ok.png")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_reencoded_images_keep_pixels_only(fmt):
    """No EXIF, XMP, ICC profile or comment survives re-encoding (an address can hide there)."""
    import io

    from PIL import Image, ImageCms, PngImagePlugin

    from buurtplatform.uploads import _reencode_image

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010E] = "Sentinelstraat 77"  # ImageDescription
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, format="JPEG", exif=exif, icc_profile=icc, comment=b"Sentinelstraat 77")
    else:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "Sentinelstraat 77")
        info.add_itxt("XML:com.adobe.xmp", "<x>Sentinelstraat 77</x>")
        image.save(out, format="PNG", pnginfo=info, icc_profile=icc, exif=exif)
    cleaned, _type = _reencode_image(out.getvalue())
    assert b"Sentinelstraat" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as result:
        assert "icc_profile" not in result.info
        assert "exif" not in result.info
        assert not result.getexif()
        assert result.size == (40, 30)
