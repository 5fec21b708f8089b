from django import template

from budgets.reporting import public_budget_summary

register = template.Library()


@register.inclusion_tag("budgets/_platform_budget.html")
def platform_budget_summary(platform) -> dict:
    """The public budget summary on a platform page: granted, spent per line, remaining."""
    return {"budget_items": public_budget_summary(platform) if platform else []}
