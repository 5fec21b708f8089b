"""Dutch number formats for reports and pages: € 1.234,56 and 1.234."""

from decimal import ROUND_HALF_UP, Decimal


def dutch_number(value, decimals: int = 2) -> str:
    if value is None:
        value = 0
    q = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    d = Decimal(value).quantize(q, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{frac}" if decimals else f"{sign}{text}"


def euro(value) -> str:
    """€ 1.234,56 (negative: € -1.234,56)."""
    return f"€\u00a0{dutch_number(value)}"
