import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _dutch():
    """reverse() follows the active language; an earlier test may have left English active."""
    with translation.override("nl"):
        yield
