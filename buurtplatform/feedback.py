"""How a view tells the user that a service refused: each message of the ValidationError, in
the user's language, as an error message on the next page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    happens: str,
    button: str,
    back: str,
    kept: str = "",
) -> HttpResponse:
    """The page of its own that a destructive action shows on GET: what happens, what is kept,
    one button that POSTs to the same URL (where the service and its rules decide)."""
    return render(
        request,
        "confirm.html",
        {
            "confirm_title": title,
            "confirm_happens": happens,
            "confirm_kept": kept,
            "confirm_button": button,
            "confirm_back": back,
        },
    )
