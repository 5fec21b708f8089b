"""Display helpers: Dutch money (€ 1.234,56) and score numbers (2,5)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euro(value) -> str:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return "€ " + number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def scorenum(value) -> str:
    if value is None:
        return "–"
    return number_format(value, decimal_pos=1 if value != int(value) else 0, use_l10n=True)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def recognition_history(platform):
    """Published decisions about a platform, newest first, for its recognition history."""
    from recognition.models import Decision

    return list(
        Decision.objects.filter(application__platform=platform, status=Decision.Status.PUBLISHED)
        .select_related("round", "supersedes", "recognition")
        .order_by("-published_at", "-pk")
    )
