"""Typed readers for settings from the environment; they fail loudly on bad values."""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_decimal(name: str, default: str, *, minimum: str | None = None) -> Decimal:
    """A decimal amount such as 500 or 500.00 (a Dutch comma is accepted: 500,00)."""
    value = os.environ.get(name)
    text = default if value is None or value.strip() == "" else value.strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a decimal amount, got {value!r}") from exc
    if not number.is_finite() or (minimum is not None and number < Decimal(minimum)):
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_iban(name: str, default: str | None = None) -> str | None:
    """An IBAN, checked (country, length, checksum) and returned compact; blank means unset."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ImproperlyConfigured(f"{name} must be a valid IBAN, got {value!r}: {exc}") from exc


def env_bic(name: str, default: str | None = None) -> str | None:
    """A BIC (SWIFT code), checked and returned compact; blank means unset."""
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return BIC(value).compact
    except SchwiftyException as exc:
        raise ImproperlyConfigured(f"{name} must be a valid BIC, got {value!r}: {exc}") from exc


def env_matching(name: str, default: str, pattern: str, what: str) -> str:
    """A text that must match a regular expression (a code or identifier); blank means default."""
    import re

    value = os.environ.get(name)
    text = default if value is None or value.strip() == "" else value.strip()
    if not re.fullmatch(pattern, text):
        raise ImproperlyConfigured(f"{name} must be {what}, got {text!r}")
    return text


_STORAGE_QUERY_KEYS = {"endpoint_url", "region", "public_url", "addressing_style"}


def env_bucket(name: str) -> dict[str, str] | None:
    """A bucket for uploads and reports, ``s3://bucket?endpoint_url=...&region=...&public_url=...``
    (every query part optional); blank means unset (files stay on the local disk)."""
    from urllib.parse import parse_qs, urlparse

    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    parts = urlparse(value.strip())
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - _STORAGE_QUERY_KEYS)
    if parts.scheme != "s3" or not parts.netloc or parts.path.strip("/") or unknown:
        raise ImproperlyConfigured(
            f"{name} must look like s3://bucket?endpoint_url=https://s3.example&region=eu-west-1"
            f" (optional: public_url=, addressing_style=), got {value!r}"
        )
    return {"bucket": parts.netloc, **query}
