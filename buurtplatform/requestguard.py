"""Refuse requests whose path or query carries a NUL byte: no view, form or database (PostgreSQL
text cannot hold NUL) should ever see one. 400, never 500."""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponseBadRequest


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote(raw_query):
            return HttpResponseBadRequest("Bad request", content_type="text/plain")
        return self.get_response(request)
