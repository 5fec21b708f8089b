"""Money display in Dutch notation (€ 1.234,56), from Decimal only."""

from decimal import ROUND_HALF_UP, Decimal


def format_money(value) -> str:
    """Format euros the Dutch way: thousands with a dot, cents with a comma."""
    if value is None:
        value = Decimal("0")
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"€ {sign}{'.'.join(groups)},{cents}"
