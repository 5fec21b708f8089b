"""One validation for every upload: type by content, size limit, images re-encoded, random names.

Allowed: JPEG and PNG images (re-encoded by Pillow, which drops EXIF and GPS data) and PDF
documents (magic bytes, no JavaScript, launch actions or embedded files, page cap). SVG, HTML,
archives and anything else are refused with a message in the user's language.
"""

from __future__ import annotations

import io
import mimetypes
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_IMAGE_SIDE = 2400
THUMBNAIL_SIDE = 480
MAX_PDF_PAGES = 100
_PDF_FORBIDDEN = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")

# Markup inside an image makes it a polyglot (HTML-in-PNG, a trailing <script>). Re-encoding
# would drop it, but such a file is refused outright so a hostile upload never looks accepted.
_MARKUP = re.compile(
    rb"<(?:script|html|body|svg|iframe|object|embed|!doctype|\?php)[\s>/]", re.IGNORECASE
)

IMAGE_TYPES = {"image/jpeg", "image/png"}
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}


@dataclass
class CleanUpload:
    """A validated upload, ready to assign to a FileField (``content`` has a random name)."""

    content: ContentFile
    content_type: str
    original_name: str
    size: int


def _read_limited(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(_too_big(max_bytes), code="too_big")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_too_big(max_bytes), code="too_big")
    if not data:
        raise ValidationError(_("Het bestand is leeg."), code="empty")
    return data


def _too_big(max_bytes: int) -> str:
    return _("Het bestand is te groot (maximaal %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)}


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _safe_original_name(name: str) -> str:
    name = Path(str(name or "bestand").replace("\x00", "").replace("\\", "/")).name
    return name[:200] or "bestand"


def _pixels_only(image: Image.Image, mode: str) -> Image.Image:
    """A new image holding nothing but the pixels: no EXIF (GPS), XMP, ICC profile, comments
    or text chunks survive, whatever the encoder would otherwise copy from ``image.info``."""
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _reencode_image(data: bytes, *, max_side: int = MAX_IMAGE_SIDE) -> tuple[bytes, str]:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG"):
                raise ValidationError(_("Alleen JPEG- en PNG-afbeeldingen zijn toegestaan."))
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("De afbeelding is te groot (te veel pixels)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format
            image.thumbnail((max_side, max_side))
            out = io.BytesIO()
            if fmt == "PNG":
                mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
                _pixels_only(image, mode).save(out, format="PNG", optimize=True)
                return out.getvalue(), "image/png"
            _pixels_only(image, "RGB").save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("Dit bestand is geen geldige afbeelding."), code="invalid_image"
        ) from exc


def _check_pdf(data: bytes) -> None:
    lowered = data
    for marker in _PDF_FORBIDDEN:
        if marker in lowered:
            raise ValidationError(
                _("Deze PDF bevat scripts of ingesloten bestanden en wordt niet geaccepteerd."),
                code="pdf_active_content",
            )
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ValidationError(
                _("De PDF heeft te veel pagina's (maximaal %(n)s).") % {"n": MAX_PDF_PAGES}
            )
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a valid PDF"
        raise ValidationError(_("Dit bestand is geen geldige PDF."), code="invalid_pdf") from exc


def clean_upload(
    upload, *, allowed: set[str] = DOCUMENT_TYPES, max_bytes: int | None = None
) -> CleanUpload:
    """Validate an uploaded file by its content; re-encode images; return a renamed copy."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    data = _read_limited(upload, max_bytes)
    kind = _sniff(data)
    if kind is None or kind not in allowed:
        names = ", ".join(sorted(_label(t) for t in allowed))
        raise ValidationError(
            _("Dit soort bestand is niet toegestaan. Toegestaan: %(types)s.") % {"types": names},
            code="file_type",
        )
    if kind in IMAGE_TYPES:
        if _MARKUP.search(data):
            raise ValidationError(
                _("Dit bestand bevat HTML- of scriptcode en wordt niet geaccepteerd."),
                code="polyglot",
            )
        data, kind = _reencode_image(data)
    else:
        _check_pdf(data)
    ext = mimetypes.guess_extension(kind) or ""
    ext = ".jpg" if kind == "image/jpeg" else ext
    return CleanUpload(
        content=ContentFile(data, name=f"{uuid.uuid4().hex}{ext}"),
        content_type=kind,
        original_name=_safe_original_name(getattr(upload, "name", "")),
        size=len(data),
    )


def clean_image(upload, *, max_bytes: int | None = None) -> CleanUpload:
    return clean_upload(upload, allowed=IMAGE_TYPES, max_bytes=max_bytes)


def make_thumbnail(clean: CleanUpload, *, side: int = THUMBNAIL_SIDE) -> ContentFile:
    data, kind = _reencode_image(clean.content.read(), max_side=side)
    clean.content.seek(0)
    ext = ".png" if kind == "image/png" else ".jpg"
    return ContentFile(data, name=f"{uuid.uuid4().hex}{ext}")


def _label(content_type: str) -> str:
    return {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}[content_type]


def private_file_response(
    field_file, *, content_type: str, original_name: str, inline: bool = False
) -> FileResponse:
    """Serve a private file as a download, after the caller has checked permission.

    With ``inline`` an image or PDF (our own re-encoded or checked uploads) is shown in the
    browser instead, for our own pages to embed: still sandboxed (no scripts, no forms, no
    plugins of its own, a unique origin), nosniff, and framable only by this site. Any other
    type stays a download."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    known = content_type in DOCUMENT_TYPES
    inline = inline and known
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=_safe_original_name(original_name),
        content_type=content_type if known else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def public_media(request: HttpRequest, path: str) -> FileResponse:
    """Serve re-encoded public images (logos, activity photos) from the public/ part of the
    storage only (the local MEDIA_ROOT/public folder, or the bucket's public/ prefix)."""
    from django.core.files.storage import default_storage

    from buurtplatform.storage import PUBLIC_PREFIX, is_local

    parts = path.replace("\\", "/").split("/")
    if not path or "\x00" in path or any(part in ("", ".", "..") for part in parts):
        raise Http404
    name = PUBLIC_PREFIX + "/".join(parts)
    kind = mimetypes.guess_type(parts[-1])[0]
    if kind not in IMAGE_TYPES:
        raise Http404
    if is_local(default_storage):
        root = (Path(settings.MEDIA_ROOT) / "public").resolve()
        target = (root / path).resolve()
        if root not in target.parents or not target.is_file():
            raise Http404
        handle = target.open("rb")
    else:
        try:
            handle = default_storage.open(name, "rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
    response = FileResponse(handle, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    # Short: a photo moved out of the public folder (its activity made members-only) must not
    # live on in shared caches for a day.
    response["Cache-Control"] = "public, max-age=600"
    return response
