"""Public pages: rounds, the published decision, a platform's recognition history."""

import datetime
import uuid

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from buurtplatform import pagecache
from buurtplatform.pagecache import public_page
from buurtplatform.paging import paginate
from buurtplatform.uploads import private_file_response
from recognition import permissions as perms
from recognition import selectors
from recognition.models import Application, Round


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
    if not selectors.is_before_deadline(rnd) or rnd.status != Round.Status.OPEN:
        applicants = selectors.applicant_list(rnd)
    response = render(
        request,
        "recognition/round_detail.html",
        {
            "round": rnd,
            "applicants": applicants,
            "criteria": rnd.criteria_version.criteria.all(),
            "before_deadline": selectors.is_before_deadline(rnd),
        },
    )
    if rnd.status == Round.Status.OPEN and selectors.is_before_deadline(rnd):
        pagecache.skip(response)  # the page changes by itself when the deadline passes
    return response


# About this many applications a page (a competition group is never split, one larger is a
# page of its own): the cost of the page is its score cells, about 70 per application.
DECISION_APPLICATIONS_PER_PAGE = 12


@public_page(params=("page",))
def round_decision(request: HttpRequest, slug: str) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, slug)
    if not perms.can_view_decisions(request.user, rnd):
        raise Http404
    # Paged by competition group: a round with 141 applications renders about 12 at a time
    # (the whole record stays in the decision PDF and decisions.csv); the index lists all.
    # The index of every group from plain values; only the shown page's applications loaded.
    groups = selectors.competition_outline(rnd)
    pages = selectors.group_pages(groups, DECISION_APPLICATIONS_PER_PAGE)
    page, query = paginate(request, pages, per_page=1)
    shown_outline = page.object_list[0] if page.object_list else []
    shown = selectors.applications_in_groups(rnd, shown_outline) if shown_outline else []
    areas = selectors.published_record(rnd, shown)
    index = [
        {
            "name": selectors.group_name(group),
            "key": selectors.area_key(group),
            "page": number,
            "platforms": ", ".join(member.platform_name for member in group),
        }
        for number, on_page in enumerate(pages, start=1)
        for group in on_page
    ]
    deadline = None
    if rnd.published_at:
        deadline = rnd.published_at + datetime.timedelta(weeks=rnd.objection_weeks)
    return render(
        request,
        "recognition/round_decision.html",
        {
            "round": rnd,
            "areas": areas,
            "index": index if page.has_other_pages() else [],
            "page": page,
            "query": query,
            "rows_total": sum(len(group) for group in groups),
            "objection_deadline": deadline,
            "show_names": rnd.publish_member_names,
        },
    )


def decision_evidence(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    """An evidence file published with the decision (consented and judged), by its public_id."""
    evidence = perms.get_public_evidence_file(slug, public_id)
    return private_file_response(
        evidence.file, content_type=evidence.content_type, original_name=evidence.original_name
    )
