"""Fixtures for the trust tests: a clean rate-limit cache, TOTP per RFC 6238, time travel."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth counts rate limits in the cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _dutch():
    # A request to /en/ leaves English active in this thread; reverse() would follow it.
    with translation.override("nl"):
        yield


def totp_code(secret: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) computed independently of allauth."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def age_authentication(client, seconds: int) -> None:
    """Pretend the session's last (re)authentication happened ``seconds`` ago."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    for record in records:
        record["at"] = record["at"] - seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
