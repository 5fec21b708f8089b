from django import template

from platforms.fragments import platform_fragments

register = template.Library()


@register.simple_tag
def platform_sections(platform) -> list[dict]:
    """The sections higher apps add to the platform page (budget, recognition history):
    [{"template": ..., "data": {...}}], included in order by platform_detail.html."""
    return [{"template": f.template, "data": f.context(platform)} for f in platform_fragments()]
