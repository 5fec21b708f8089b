"""Public pages: the directory, a platform, an activity."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buurtplatform.pagecache import public_page
from platforms import permissions as perms
from platforms import selectors
from platforms.filters import PlatformFilter
from platforms.forms import (
    ConfirmationRequestForm,
    PhotoForm,
)
from platforms.models import (
    Activity,
    PartnerConfirmation,
    Platform,
)
from platforms.views._common import PAGE_SIZE, timeline_for

LIST_PARAMS = ("q", "gebied", "wijk", "buurt", "status", "page")


@public_page(params=LIST_PARAMS)
def platform_list(request: HttpRequest) -> HttpResponse:
    base = (
        Platform.objects.active()
        .prefetch_related("buurten")
        .annotate(
            activity_count=Count(
                "activities",
                filter=Q(activities__visibility=Activity.Visibility.PUBLIC),
                distinct=True,
            )
        )
    )
    filterset = PlatformFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound else base
    page = Paginator(qs.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Paging links keep the filters only (never unknown parameters: see pagecache).
    query = request.GET.copy()
    for name in list(query):
        if name not in LIST_PARAMS or name == "page":
            query.pop(name)
    return render(
        request,
        "platforms/platform_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@public_page
def platform_detail(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug)
    membership = perms.membership_of(request.user, platform)
    context = {
        "platform": platform,
        "membership": membership,
        "buurten": platform.buurten.select_related("wijk__gebied"),
        "activities": timeline_for(request.user, platform)[:50],
        "public_members": platform.memberships.filter(show_name_publicly=True).select_related(
            "user"
        ),
        "endorsements": selectors.endorsement_summary(platform),
        "named_endorsers": platform.endorsements.filter(show_name=True)
        .exclude(user__name="")
        .select_related("user"),
        "my_endorsement": (
            platform.endorsements.filter(user=request.user).first()
            if request.user.is_authenticated
            else None
        ),
        "can_edit": perms.can_edit_platform(request.user, platform),
        "can_archive": perms.can_archive_platform(request.user, platform),
        "can_add_activity": perms.can_add_activity(request.user, platform),
    }
    return render(request, "platforms/platform_detail.html", context)


@public_page
def activity_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk)
    return render(
        request,
        "platforms/activity_detail.html",
        {
            "activity": activity,
            "platform": activity.platform,
            "photos": activity.photos.all(),
            "confirmations": activity.partner_confirmations.filter(
                status=PartnerConfirmation.Status.CONFIRMED
            ),
            "requests": (
                activity.partner_confirmations.all()
                if perms.can_request_confirmation(request.user, activity)
                else []
            ),
            "can_edit": perms.can_edit_activity(request.user, activity),
            "can_delete": perms.can_delete_activity(request.user, activity),
            "can_request": perms.can_request_confirmation(request.user, activity),
            "photo_form": PhotoForm(),
            "confirm_form": ConfirmationRequestForm(),
        },
    )
