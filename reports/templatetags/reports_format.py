from django import template

from reports.formatting import dutch_number, euro

register = template.Library()


@register.filter(name="euro")
def euro_filter(value) -> str:
    return euro(value)


@register.filter(name="nlnum")
def nlnum_filter(value, decimals: int = 0) -> str:
    return dutch_number(value, int(decimals))
