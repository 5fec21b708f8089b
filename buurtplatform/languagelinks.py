"""The language switch: a plain link to the same page in the other language.

A link, not a form: a public page then carries no per-visitor CSRF token, so it is the same
for every anonymous visitor and can be cached whole (buurtplatform.pagecache). The site's
language comes from the address alone (i18n_patterns: Dutch at /, English at /en/), so the
link is all a switch needs. On a public page the link keeps only the query parameters the
page reads, so a cached copy never repeats one visitor's junk parameters.
"""

from __future__ import annotations

from django import template
from django.urls import reverse, translate_url
from django.utils import translation

from buurtplatform import pagecache

register = template.Library()


def other_language_url_for(request, language: str) -> str:
    """This page's address in ``language``; that language's home when there is none."""
    if request is not None:
        path = pagecache.canonical_path(request)
        url = translate_url(path, language)
        if url != path or translation.get_language() == language:
            return url
    with translation.override(language):
        return reverse("home")


@register.simple_tag(takes_context=True)
def other_language_url(context, language: str) -> str:
    return other_language_url_for(context.get("request"), language)
