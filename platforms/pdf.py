"""The printable sheet of endorsement codes (WeasyPrint, no network or file access)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from platforms.models import EndorsementCode


def _refuse_all_urls(url: str, *args, **kwargs):
    """The sheet needs no external resources; refuse every fetch (no SSRF, no local files)."""
    raise ValueError(f"blocked resource: {url[:80]}")


def render_endorsement_codes_pdf(*, codes: list[EndorsementCode], lookup_url: str) -> bytes:
    from weasyprint import HTML

    with translation.override("nl"):
        html = render_to_string(
            "platforms/pdf/endorsement_codes.html", {"codes": codes, "lookup_url": lookup_url}
        )
    return HTML(string=html, url_fetcher=_refuse_all_urls, base_url=None).write_pdf()
