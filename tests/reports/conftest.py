import io

import pytest

from tests.reports.factories import granted_scenario


@pytest.fixture
def scenario(db):
    return granted_scenario()


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text.replace("\xa0", " ")
