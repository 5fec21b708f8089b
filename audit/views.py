from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.filters import AuditEntryFilter
from audit.models import AuditEntry
from audit.permissions import require_audit_reader

PAGE_SIZE = 50


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    require_audit_reader(request.user)
    entries = AuditEntry.objects.select_related("actor", "content_type")
    filterset = AuditEntryFilter(request.GET or None, queryset=entries)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "audit/entry_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )
