from django import template

from budgets.money import format_money

register = template.Library()


@register.filter
def euro(value) -> str:
    """{{ amount|euro }} -> € 1.234,56"""
    return format_money(value)
