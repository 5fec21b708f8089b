"""A platform's coordinators write, submit and withdraw applications and lodge objections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import require
from buurtplatform.feedback import confirm_page, show_errors
from buurtplatform.uploads import private_file_response
from platforms.models import Membership, Platform
from recognition import permissions as perms
from recognition import selectors, services
from recognition.forms import ApplicationForm, ObjectionForm, PlanLineForm, StatementForm
from recognition.models import Application, Round


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user).select_related("platform")
    platform_ids = [m.platform_id for m in memberships]
    applications = (
        Application.objects.filter(platform_id__in=platform_ids)
        .select_related("round", "platform")
        .order_by("-round__budget_year", "platform__name")
    )
    open_rounds = Round.objects.filter(status=Round.Status.OPEN)
    existing = {(a.round_id, a.platform_id) for a in applications}
    can_start = [
        (rnd, m.platform)
        for rnd in open_rounds
        for m in memberships
        if (rnd.pk, m.platform_id) not in existing
        and perms.can_start_application(request.user, m.platform, rnd)
    ]
    return render(
        request,
        "recognition/application_list.html",
        {"applications": applications, "can_start": can_start},
    )


@login_required
@require_POST
def application_start(request: HttpRequest, round_slug: str, platform_slug: str) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, round_slug)
    platform = get_object_or_404(Platform, slug=platform_slug)
    require(perms.is_coordinator(request.user, platform))
    try:
        app = services.start_application(round=rnd, platform=platform, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("recognition:application_list")
    return redirect("recognition:application_detail", pk=app.pk)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk)
    return _render_detail(request, app, PlanLineForm(round=app.round))


def _render_detail(request: HttpRequest, app, plan_form: PlanLineForm) -> HttpResponse:
    statements = app.statements.select_related("criterion").prefetch_related("activities")
    files = selectors.evidence_publicity(app, app.files.select_related("criterion"))
    decisions = (
        app.decisions.filter(status="published")
        .select_related("round", "supersedes", "superseded_by")
        .prefetch_related("objections")
        .order_by("decided_at", "pk")
    )
    return render(
        request,
        "recognition/application_detail.html",
        {
            "application": app,
            "statements": statements,
            "files": files,
            "plan_lines": app.plan_lines.all(),
            "missing": services.missing_for_submission(app),
            "can_edit": perms.can_edit_application(request.user, app),
            "can_restart": perms.can_restart_application(request.user, app),
            "revisions": app.revisions.order_by("-number"),
            "decisions": [
                (d, perms.can_object(request.user, d), selectors.objection_deadline(d))
                for d in decisions
            ],
            "plan_form": plan_form,
        },
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    initial = {
        "area_name": app.area_name,
        "buurten": app.buurten.all(),
        "plan_summary": app.plan_summary,
    }
    form = ApplicationForm(request.POST or None, initial=initial, district=app.round.district)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(application=app, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De aanvraag is opgeslagen."))
            return redirect("recognition:application_detail", pk=app.pk)
    return render(request, "recognition/application_edit.html", {"application": app, "form": form})


@login_required
def statement_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    criterion = get_object_or_404(app.round.criteria_version.criteria, number=number)
    stmt = app.statements.filter(criterion=criterion).first()
    initial = {}
    if stmt:
        initial = {
            "statement": stmt.statement,
            "links": stmt.links,
            "activities": stmt.activities.all(),
        }
    form = StatementForm(
        request.POST or None, request.FILES or None, initial=initial, platform=app.platform
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_statement(
                application=app,
                criterion=criterion,
                by=request.user,
                statement=data["statement"],
                links=data["links"],
                activities=list(data["activities"]),
            )
            if data.get("file"):
                services.add_evidence_file(
                    application=app,
                    criterion=criterion,
                    upload=data["file"],
                    by=request.user,
                    publishable=data["publishable"],
                )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Het criterium is opgeslagen."))
            return redirect("recognition:application_detail", pk=app.pk)
    files = app.files.filter(criterion=criterion)
    return render(
        request,
        "recognition/statement_edit.html",
        {
            "application": app,
            "criterion": criterion,
            "form": form,
            "files": files,
            "rubric": [(i, criterion.rubric_text(i)) for i in range(5)],
        },
    )


@login_required
@require_POST
def planline_add(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    form = PlanLineForm(request.POST, round=app.round)
    if not form.is_valid():
        # Shown again with each error next to its field.
        return _render_detail(request, app, form)
    else:
        try:
            services.add_plan_line(application=app, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
    return redirect("recognition:application_detail", pk=app.pk)


@login_required
@require_POST
def planline_delete(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    plan_line = get_object_or_404(app.plan_lines, pk=line)
    try:
        services.remove_plan_line(line=plan_line, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("recognition:application_detail", pk=app.pk)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    evidence = get_object_or_404(app.files, pk=file)
    try:
        services.remove_evidence_file(evidence=evidence, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("recognition:application_detail", pk=app.pk)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    try:
        revision = services.submit_application(application=app, by=request.user)
    except ValidationError as exc:
        if getattr(exc, "code", None) != "archived":
            messages.error(request, _("De aanvraag is nog niet compleet:"))
        show_errors(request, exc)
    else:
        messages.success(
            request, _("De aanvraag is ingediend (versie %(n)s).") % {"n": revision.number}
        )
    return redirect("recognition:application_detail", pk=app.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = perms.get_application_for_user(request.user, pk, write=True)
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Aanvraag van %(platform)s voor %(round)s intrekken?")
            % {"platform": app.platform.name, "round": app.round.title},
            happens=_(
                "De commissie beoordeelt de aanvraag dan niet. Tot de deadline van "
                "%(deadline)s kan een coördinator de aanvraag weer openen als concept en "
                "opnieuw indienen; daarna niet meer."
            )
            % {
                "deadline": date_format(
                    timezone.localtime(app.round.application_deadline), "DATETIME_FORMAT"
                )
            },
            kept=_(
                "Je teksten, bewijsstukken, begroting en eerder ingediende versies blijven bewaard."
            ),
            button=_("Ja, aanvraag intrekken"),
            back=reverse("recognition:application_detail", args=[app.pk]),
        )
    try:
        services.withdraw_application(application=app, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("De aanvraag is ingetrokken."))
    return redirect("recognition:application_detail", pk=app.pk)


@login_required
@require_POST
def application_restart(request: HttpRequest, pk: int) -> HttpResponse:
    """A withdrawn application becomes a draft again (before the deadline, by a coordinator)."""
    app = perms.get_application_for_user(request.user, pk)
    require(perms.can_restart_application(request.user, app))
    try:
        services.restart_application(application=app, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request, _("De aanvraag is weer een concept. Dien haar opnieuw in voor de deadline.")
        )
    return redirect("recognition:application_detail", pk=app.pk)


def evidence_download(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    """Private evidence: platform members, allowed commission members and administrators."""
    evidence = perms.get_evidence_file_for_user(request.user, pk, file)
    return private_file_response(
        evidence.file, content_type=evidence.content_type, original_name=evidence.original_name
    )


@login_required
def objection_create(request: HttpRequest, decision: int) -> HttpResponse:
    dec = perms.get_decision_for_objection(request.user, decision)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lodge_objection(decision=dec, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Je bezwaar is ontvangen. De commissie hoort je en beslist daarna over het bezwaar."
                ),
            )
            return redirect("recognition:application_detail", pk=dec.application_id)
    return render(
        request,
        "recognition/objection_create.html",
        {"decision": dec, "form": form, "deadline": selectors.objection_deadline(dec)},
    )
