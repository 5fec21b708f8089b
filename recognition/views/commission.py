"""The commission: declare conflicts, score blind, compare, decide, publish, answer objections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import require, role_required
from accounts.roles import COMMISSION
from buurtplatform.feedback import show_errors
from buurtplatform.paging import paginate
from recognition import permissions as perms
from recognition import selectors, services
from recognition.forms import (
    ConflictForm,
    DecisionForm,
    PinConflictForm,
    ScoreForm,
)
from recognition.models import Application, Decision, Objection, Round, Scoresheet

ASSESSED = [
    Application.Status.SUBMITTED,
    Application.Status.GRANTED,
    Application.Status.NOT_GRANTED,
]


@login_required
@role_required(perms.can_use_commission)
def commission_home(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.exclude(status=Round.Status.DRAFT).select_related("district")
    open_objections = Objection.objects.filter(status=Objection.Status.OPEN).select_related(
        "decision__application__platform", "decision__round"
    )
    return render(
        request,
        "recognition/commission_home.html",
        {"rounds": rounds, "objections": open_objections},
    )


@login_required
def commission_round(request: HttpRequest, slug: str) -> HttpResponse:
    """Progress board: who declared and scored what, never the scores themselves."""
    rnd = perms.get_commission_round_for_user(request.user, slug)
    members = list(User.objects.filter(groups__name=COMMISSION).order_by("name"))
    apps = list(
        rnd.applications.filter(status__in=ASSESSED)
        .select_related("platform")
        .prefetch_related("conflicts", "scoresheets")
    )
    for app in apps:
        app.round = rnd
    selectors.remember_conflicts(apps)  # one set of queries for the whole board
    outstanding = selectors.outstanding_scores(rnd) if selectors.scoring_open(rnd) else {}
    board = []
    for app in apps:
        conflicted = selectors.conflicted_member_ids(app)
        declared = {d.member_id: d for d in app.conflicts.all()}
        sheets = {s.member_id: s for s in app.scoresheets.all()}
        cells = []
        for m in members:
            if m.pk in conflicted:
                state = "conflict"
            elif m.pk not in declared:
                state = "undeclared"
            elif m.pk in sheets:
                state = sheets[m.pk].status
            else:
                state = "declared"
            cells.append(state)
        mine = cells[members.index(request.user)] if request.user in members else None
        # A conflicted member sees nothing of a pending decision in that group (publication
        # shows it to everyone).
        decision = None
        if not perms.is_conflicted(request.user, app):
            decision = app.decisions.filter(kind=Decision.Kind.ROUND).order_by("-pk").first()
        board.append(
            {
                "application": app,
                "cells": cells,
                "mine": mine,
                "counting": len(selectors.counting_sheets(app)),
                "decision": decision,
                "can_decide": perms.can_decide(request.user, app),
            }
        )
    return render(
        request,
        "recognition/commission_round.html",
        {
            "round": rnd,
            "members": members,
            "board": board,
            "is_chair": perms.can_chair(request.user, rnd),
            "scoring_open": selectors.scoring_open(rnd),
            "deadline_passed": selectors.assessment_deadline_passed(rnd),
            "outstanding": [(m, outstanding[m.pk]) for m in members if m.pk in outstanding],
            "undecided": selectors.undecided_applications(rnd),
            "pin_form": PinConflictForm(),
        },
    )


@login_required
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_commission(request.user, pk, need="declare")
    decl = selectors.declaration_for(request.user, app)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(application=app, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Je verklaring is vastgelegd."))
            if form.cleaned_data["has_conflict"]:
                return redirect("recognition:commission_round", slug=app.round.slug)
            return redirect("recognition:application_review", pk=app.pk)
    return render(
        request,
        "recognition/conflict_declare.html",
        {
            "application": app,
            "form": form,
            "declaration": decl,
            "auto": perms.is_conflicted(request.user, app),
        },
    )


@login_required
@require_POST
def conflict_pin(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_commission(request.user, pk, need="declare_any")
    require(perms.can_chair(request.user, app.round))
    form = PinConflictForm(request.POST)
    if form.is_valid():
        try:
            services.pin_conflict(
                application=app,
                member=form.cleaned_data["member"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Het belang is vastgezet."))
    return redirect("recognition:commission_round", slug=app.round.slug)


@login_required
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence of the judged revision, the member's own (blind) scores, others' only after."""
    app = perms.get_application_for_commission(request.user, pk, need="declare_any")
    if perms.needs_declaration(request.user, app):
        return redirect("recognition:conflict_declare", pk=app.pk)
    app = perms.get_application_for_commission(request.user, pk, need="evidence")
    revision = app.current_revision
    criteria = list(app.round.criteria_version.criteria.all())
    sheet = Scoresheet.objects.filter(application=app, member=request.user).first()
    initial = {}
    if sheet:
        initial = {s.criterion_id: (s.value, s.comment) for s in sheet.scores.all()}
    form = ScoreForm(criteria=criteria, initial_scores=initial)
    statements = {s["number"]: s for s in (revision.snapshot["statements"] if revision else [])}
    files = {}
    for f in revision.snapshot.get("files", []) if revision else []:
        files.setdefault(f["criterion"], []).append(f)
    evidence = [(c, statements.get(c.number), files.get(c.key, [])) for c in criteria]
    see_scores = perms.can_see_scores(request.user, app)
    return render(
        request,
        "recognition/application_review.html",
        {
            "application": app,
            "revision": revision,
            "evidence": evidence,
            "form": form,
            "sheet": sheet,
            "can_score": perms.can_score(request.user, app),
            "see_scores": see_scores,
            "round": app.round,
            "deadline_passed": selectors.assessment_deadline_passed(app.round),
            "table": selectors.score_table(app) if see_scores else None,
        },
    )


@login_required
@require_POST
def scoresheet_save(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_commission(request.user, pk, need="score")
    form = ScoreForm(request.POST, criteria=app.round.criteria_version.criteria.all())
    if form.is_valid():
        try:
            services.save_scores(application=app, member=request.user, scores=form.scores())
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Je scores zijn opgeslagen als concept."))
    else:
        messages.error(request, _("Een score ligt tussen 0 en 4."))
    return redirect("recognition:application_review", pk=app.pk)


@login_required
@require_POST
def scoresheet_submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_commission(request.user, pk, need="score")
    form = ScoreForm(request.POST, criteria=app.round.criteria_version.criteria.all())
    try:
        if form.is_valid() and any(v is not None for v, _c in form.scores().values()):
            services.save_scores(application=app, member=request.user, scores=form.scores())
        services.submit_scoresheet(application=app, member=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request, _("Je beoordeling is ingediend; je ziet nu ook de andere scores.")
        )
    return redirect("recognition:application_review", pk=app.pk)


# About this many applications a page of the comparison (whole competition groups).
COMPARE_APPLICATIONS_PER_PAGE = 20


@login_required
def round_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Competing applications side by side per criterion; groups the viewer may not see are
    left out (conflict) or held back until the viewer has submitted their own scores. A large
    round is paged (whole groups, about 20 applications a page) with an index of every group;
    the meeting pack PDF holds them all."""
    rnd = perms.get_commission_round_for_user(request.user, slug)
    area_groups = selectors.competition_groups(rnd)
    applications = [a for group in area_groups for a in group]
    for app in applications:
        app.round = rnd  # one round for all: no query per application
    selectors.remember_conflicts(applications, area_groups)  # the checks below cost no queries
    pages = selectors.group_pages(area_groups, COMPARE_APPLICATIONS_PER_PAGE)
    page, query = paginate(request, pages, per_page=1)
    on_page = page.object_list[0] if page.object_list else []
    groups, visible, index = [], [], []
    for number, groups_on_page in enumerate(pages, start=1):
        for group in groups_on_page:
            item = {"page": number, "key": selectors.area_key(group)}
            if any(perms.is_conflicted(request.user, a) for a in group):
                entry: dict = {"hidden": True, "size": len(group)}
                item["key"] = f"hidden-{len(index) + 1}"  # not even the applications' ids
            elif not all(perms.can_see_scores(request.user, a) for a in group):
                entry = {"blind": True, "applications": group}
                item["name"] = selectors.group_name(group)
            else:
                entry = {"applications": group, "name": None}
                item["name"] = selectors.group_name(group)
            entry["key"] = item["key"]
            index.append(item | {"hidden": "hidden" in entry, "blind": "blind" in entry})
            if groups_on_page is on_page:
                groups.append(entry)
                if "name" in entry:
                    visible += group
    by_app = selectors.score_tables(visible, groups=area_groups)
    shown = [entry for entry in groups if "name" in entry]
    dossiers = selectors.group_dossiers([entry["applications"] for entry in shown], by_app)
    for entry, dossier in zip(shown, dossiers, strict=True):
        entry.update(dossier)
    agenda = [point for entry in groups for point in entry.get("agenda", [])]
    return render(
        request,
        "recognition/round_compare.html",
        {
            "round": rnd,
            "groups": groups,
            "agenda": agenda,
            "index": index if page.has_other_pages() else [],
            "page": page,
            "query": query,
            "rows_total": len(applications),
            "is_chair": perms.can_chair(request.user, rnd),
        },
    )


@login_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_commission(request.user, pk, need="scores")
    require(perms.can_decide(request.user, app))
    criteria = app.round.criteria_version.criteria.all()
    pending = app.decisions.filter(status=Decision.Status.PENDING).first()
    initial = {}
    if pending:
        initial = {
            "outcome": pending.outcome,
            "granted_amount": pending.granted_amount,
            "motivation": pending.motivation,
        }
        initial.update(
            {f"reason_{m.criterion_id}": m.text for m in pending.criterion_motivations.all()}
        )
    form = DecisionForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_decision(
                application=app,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                granted_amount=form.cleaned_data["granted_amount"] or 0,
                motivation=form.cleaned_data["motivation"],
                criterion_motivations=form.criterion_reasons(),
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Het besluit is vastgelegd (nog niet gepubliceerd)."))
            return redirect("recognition:commission_round", slug=app.round.slug)
    return render(
        request,
        "recognition/decision_record.html",
        {"application": app, "form": form, "table": selectors.score_table(app)},
    )


@login_required
@require_POST
def round_remind(request: HttpRequest, slug: str) -> HttpResponse:
    """The chair reminds every member who has not yet submitted all their scores."""
    rnd = perms.get_round_for_chair(request.user, slug)
    try:
        n = services.send_scoring_reminders(round=rnd, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s commissielid kreeg een herinnering.",
                "%(n)s commissieleden kregen een herinnering.",
                n,
            )
            % {"n": n},
        )
    return redirect("recognition:commission_round", slug=rnd.slug)


@login_required
@require_POST
def round_conclude(request: HttpRequest, slug: str) -> HttpResponse:
    rnd = perms.get_round_for_chair(request.user, slug)
    try:
        services.conclude_round(round=rnd, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request, _("Alle besluiten zijn vastgelegd; de ronde kan worden gepubliceerd.")
        )
    return redirect("recognition:commission_round", slug=rnd.slug)


@login_required
@require_POST
def round_reopen(request: HttpRequest, slug: str) -> HttpResponse:
    rnd = perms.get_round_for_chair(request.user, slug)
    try:
        services.reopen_assessment(round=rnd, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("recognition:commission_round", slug=rnd.slug)
