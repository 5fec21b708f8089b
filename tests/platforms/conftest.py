import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_upload(name: str = "foto.png", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def png():
    return png_upload
