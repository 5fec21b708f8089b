"""Render a Django template to PDF bytes with WeasyPrint and a fetcher that never leaves the box.

The fetcher serves only ``data:`` URLs, the project's own static files and public media
(``static:css/x.css``, ``media:public/logos/x.png`` or ``file://`` paths that resolve inside
those folders), straight from disk. It follows no redirects, refuses http(s), ftp, any
``file:`` outside those folders and ``..`` tricks, and every refusal is logged. Attachments
(``<link rel=attachment>``) are dropped before the PDF is written.

Every PDF is PDF/UA-1: tagged (a structure tree, ``/MarkInfo``), with the document language
(``<html lang>`` → ``/Lang``), its title (``<title>`` → ``/Title`` and the XMP ``dc:title``,
shown by the viewer) and a creation date (``<meta name="dcterms.created">``, else now).
"""

from __future__ import annotations

import logging
import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger("buurtplatform.pdf")

BASE_URL = "static:"


class BlockedURL(ValueError):
    """The renderer asked for a URL outside the allowed folders."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] + [Path(d) for d in settings.STATICFILES_DIRS]
    return [r.resolve() for r in roots]


def _media_root() -> Path:
    return (Path(settings.MEDIA_ROOT) / "public").resolve()


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def resolve_url(url: str) -> Path:
    """Map an allowed URL to a file on disk or raise BlockedURL."""
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme in ("static", "media"):
        rel = unquote(rest.split("?")[0].split("#")[0]).lstrip("/")
        if not rel or ".." in Path(rel).parts or "\x00" in rel:
            raise BlockedURL(url)
        if scheme == "static":
            found = finders.find(rel)
            candidates = [Path(found)] if found else []
            candidates.append(Path(settings.STATIC_ROOT) / rel)
            roots = _static_roots()
        else:
            candidates = [Path(settings.MEDIA_ROOT) / rel]
            roots = [_media_root()]
    elif scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise BlockedURL(url)
        candidates = [Path(unquote(parts.path))]
        roots = _static_roots() + [_media_root()]
    else:
        raise BlockedURL(url)
    for candidate in candidates:
        path = candidate.resolve()  # follows symlinks, so a link out of the folder is caught
        if _inside(path, roots) and path.is_file():
            return path
    raise BlockedURL(url)


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """Only data: URLs and our own static/public media files, read from disk."""

        def __init__(self) -> None:
            super().__init__(timeout=2, allowed_protocols={"data"}, allow_redirects=False)
            self.blocked: list[str] = []

        def fetch(self, url, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            if url.lower().startswith("media:"):  # public media in the bucket (STORAGE_URL)
                from buurtplatform.storage import read_public_media

                data = read_public_media(url[len("media:") :])
                if data is not None:
                    kind = mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"
                    return URLFetcherResponse(url, data, headers={"Content-Type": kind})
            try:
                path = resolve_url(url)
            except BlockedURL:
                self.blocked.append(url)
                logger.warning("pdf: blocked URL %r", url[:200])
                raise
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    return SafeURLFetcher


def make_url_fetcher():
    return _fetcher_class()()


def render_pdf(template_name: str, context: dict, *, fetcher=None) -> bytes:
    """Render a template (extending pdf/base.html) to PDF bytes, safely."""
    return html_to_pdf(render_to_string(template_name, context), fetcher=fetcher)


# Tagged, with language, title and XMP metadata (WeasyPrint's PDF/UA-1 variant).
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    from weasyprint import HTML

    fetcher = fetcher or make_url_fetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        pdf_variant=PDF_VARIANT
    )
    # A <link rel=attachment> can never embed a file in a public report.
    document.metadata.attachments = []
    if not document.metadata.created:
        document.metadata.created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return document.write_pdf(pdf_variant=PDF_VARIANT)
