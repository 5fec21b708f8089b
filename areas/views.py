"""Public pages for the official division: all buurten, and one buurt with its platforms."""

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from areas.models import Buurt, Wijk
from buurtplatform.pagecache import public_page


@public_page
def buurt_list(request: HttpRequest) -> HttpResponse:
    buurten = Buurt.objects.active().annotate(platform_count=Count("platforms")).order_by("code")
    wijken = (
        Wijk.objects.active()
        .select_related("gebied", "stadsdeel")
        .prefetch_related(Prefetch("buurten", queryset=buurten, to_attr="active_buurten"))
        .order_by("stadsdeel__code", "gebied__name", "code")
    )
    return render(request, "areas/buurt_list.html", {"wijken": wijken})


@public_page
def buurt_detail(request: HttpRequest, code: str) -> HttpResponse:
    buurt = get_object_or_404(
        Buurt.objects.select_related("wijk__gebied", "wijk__stadsdeel"), code=code.upper()
    )
    platforms = (
        buurt.platforms.filter(archived_at__isnull=True)  # archived ones leave the lists
        .prefetch_related("buurten")
        .annotate(
            activity_count=Count(
                "activities", filter=Q(activities__visibility="public"), distinct=True
            )
        )
        .order_by("name")
    )
    return render(request, "areas/buurt_detail.html", {"buurt": buurt, "platforms": platforms})
