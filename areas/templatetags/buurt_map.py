"""{% buurt_map %}: the district map as inline SVG (areas.selectors.buurt_map)."""

import logging

from django import template
from django.db import DatabaseError, transaction

from areas.selectors import buurt_map as buurt_map_data
from areas.selectors import buurten_with_recognised_platform

register = template.Library()
log = logging.getLogger(__name__)


def _safe_map(**kwargs):
    """The map data, or None: a page never breaks over its map (e.g. a database not yet
    migrated); the list next to it is the same information."""
    try:
        with transaction.atomic():
            shade = kwargs.pop("shade", None)
            if kwargs.pop("recognised", False):
                shade = buurten_with_recognised_platform()
            return buurt_map_data(shade=shade, **kwargs)
    except DatabaseError:
        log.warning("buurt map not drawn: database not available", exc_info=True)
        return None


@register.inclusion_tag("areas/_buurt_map.html")
def buurt_map(highlight=None, shade=None, title="", links=True, legend="", recognised=False):
    """Draw the map; each shape links to its buurt page unless links is False.

    recognised=True shades the buurten where a recognised platform works.
    """
    return {
        "map": _safe_map(highlight=highlight, shade=shade, recognised=recognised),
        "title": title,
        "links": links,
        "legend": legend,
    }


@register.inclusion_tag("areas/_buurt_picker.html")
def buurt_picker(field):
    """The map as a picker for a buurten checkbox field: each shape is a <label for> its box.

    One small SVG per buurt, stacked in the same viewBox, so every shape can sit inside its own
    HTML <label> (no script needed). The checkboxes stay the accessible control; the map is a
    pointing aid and hidden from assistive technology.
    """
    options = [(w.data["value"], w.id_for_label) for w in field.subwidgets]
    buurten = [getattr(value, "instance", None) for value, _ in options]
    ids = {b.code: option_id for b, (_, option_id) in zip(buurten, options, strict=True) if b}
    data = buurt_map_data(buurten=[b for b in buurten if b is not None])
    if data:
        for shape in data["shapes"]:
            shape["for_id"] = ids[shape["code"]]
            shape["pick"] = shape["for_id"].rsplit("_", 1)[-1]
    return {"map": data}
