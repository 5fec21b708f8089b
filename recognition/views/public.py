"""Public pages: rounds, the published decision, a platform's recognition history."""

import datetime

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from buurtplatform import pagecache
from buurtplatform.pagecache import public_page
from recognition import permissions as perms
from recognition import services
from recognition.models import Application, Decision, Round


@public_page
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = (
        Round.objects.exclude(status=Round.Status.DRAFT)
        .select_related("district")
        .annotate(
            submitted=Count(
                "applications",
                filter=~Q(
                    applications__status__in=[
                        Application.Status.DRAFT,
                        Application.Status.WITHDRAWN,
                    ]
                ),
            )
        )
    )
    return render(request, "recognition/round_list.html", {"rounds": rounds})


@public_page
def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, slug)
    applicants = []
    if not services.is_before_deadline(rnd) or rnd.status != Round.Status.OPEN:
        applicants = (
            rnd.applications.exclude(status__in=[Application.Status.DRAFT])
            .select_related("platform")
            .prefetch_related("buurten")
        )
    response = render(
        request,
        "recognition/round_detail.html",
        {
            "round": rnd,
            "applicants": applicants,
            "criteria": rnd.criteria_version.criteria.all(),
            "before_deadline": services.is_before_deadline(rnd),
        },
    )
    if rnd.status == Round.Status.OPEN and services.is_before_deadline(rnd):
        pagecache.skip(response)  # the page changes by itself when the deadline passes
    return response


@public_page
def round_decision(request: HttpRequest, slug: str) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, slug)
    if not perms.can_view_decisions(request.user, rnd):
        raise Http404
    areas = []
    decisions = {}
    for d in (
        Decision.objects.filter(round=rnd, status=Decision.Status.PUBLISHED)
        .select_related("supersedes", "superseded_by", "application", "recognition")
        .prefetch_related("criterion_motivations__criterion", "objections")
        .order_by("decided_at", "pk")
    ):
        decisions.setdefault(d.application_id, []).append(d)
    groups = services.area_groups(rnd)
    tables = services.score_tables([a for group in groups for a in group])
    for group in groups:
        entries = [
            {
                "application": app,
                "decisions": decisions.get(app.pk, []),
                "table": tables[app.pk],
                "recusals": tables[app.pk]["recusals"],
            }
            for app in group
        ]
        areas.append({"name": " / ".join(sorted({a.area_name for a in group})), "entries": entries})
    deadline = None
    if rnd.published_at:
        deadline = rnd.published_at + datetime.timedelta(weeks=rnd.objection_weeks)
    return render(
        request,
        "recognition/round_decision.html",
        {
            "round": rnd,
            "areas": areas,
            "objection_deadline": deadline,
            "show_names": rnd.publish_member_names,
        },
    )
