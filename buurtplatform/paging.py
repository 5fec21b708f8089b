"""Paging of staff lists: 50 rows a page, page numbers in links that keep the filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


class NumberedPage(Page):
    """A page that knows which page numbers its navigation shows (None: an ellipsis)."""

    @property
    def numbers(self) -> list[int | None]:
        elided = self.paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1)
        return [n if isinstance(n, int) else None for n in elided]


class NumberedPaginator(Paginator):
    def _get_page(self, *args: Any, **kwargs: Any) -> Page:
        return NumberedPage(*args, **kwargs)


def paginate(
    request: HttpRequest, rows: Sequence[Any] | Any, *, per_page: int = PAGE_SIZE
) -> tuple[Page, str]:
    """The requested page of `rows` (an ordered queryset or a list; out of range: the last
    page) and the other GET parameters, urlencoded, for the links of the page navigation."""
    page = NumberedPaginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
