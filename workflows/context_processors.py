"""The menu's "Mijn platform" link: one membership leads to that platform's page, several to
the list of the user's platforms (platforms:my_platforms)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from platforms import selectors as platform_selectors


def my_platform_link(request: HttpRequest) -> dict[str, Any]:
    def url() -> str:
        user = getattr(request, "user", None)
        slugs = list(
            platform_selectors.memberships_of_user(user).values_list("platform__slug", flat=True)[
                :2
            ]
        )
        if len(slugs) == 1:
            return reverse("workflows:my_platform", kwargs={"slug": slugs[0]})
        return ""

    # Called by the template only where the menu shows it (logged-in users): no query otherwise.
    return {"my_platform_url": url}
