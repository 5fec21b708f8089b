"""Administrators manage rounds, see the audit trail, suspend or withdraw recognition."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from audit.models import AuditEntry
from buurtplatform.feedback import show_errors
from buurtplatform.paging import paginate
from recognition import permissions as perms
from recognition import services
from recognition.forms import RecognitionChangeForm, RoundForm
from recognition.models import (
    Application,
    Decision,
    Objection,
    Recognition,
    Round,
    Scoresheet,
)


@login_required
@role_required(perms.can_manage_rounds)
def round_manage_list(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.select_related("district", "chair").order_by(
        "-budget_year", "-application_deadline", "pk"
    )
    page, query = paginate(request, rounds)
    recognitions = Recognition.objects.filter(status=Recognition.Status.ACTIVE).select_related(
        "platform"
    )
    return render(
        request,
        "recognition/round_manage_list.html",
        {"rounds": page, "page": page, "query": query, "recognitions": recognitions},
    )


@login_required
@role_required(perms.can_manage_rounds)
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items()}
        try:
            rnd = services.create_round(by=request.user, **fields)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De ronde is aangemaakt als concept."))
            return redirect("recognition:round_manage", slug=rnd.slug)
    return render(request, "recognition/round_form.html", {"form": form})


@login_required
@role_required(perms.can_manage_rounds)
def round_manage(request: HttpRequest, slug: str) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, slug, manage=True)
    editable = rnd.status in (Round.Status.DRAFT, Round.Status.OPEN)
    form = RoundForm(request.POST or None, instance=rnd) if editable else None
    if request.method == "POST" and form is not None and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in services.EDITABLE_ROUND_FIELDS}
        try:
            services.update_round(round=rnd, by=request.user, **fields)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De ronde is opgeslagen."))
            return redirect("recognition:round_manage", slug=rnd.slug)
    return render(
        request,
        "recognition/round_manage.html",
        {
            "round": Round.objects.get(pk=rnd.pk) if request.method == "POST" else rnd,
            "form": form,
            "criteria": rnd.criteria_version.criteria.all(),
            "applications": rnd.applications.select_related("platform"),
        },
    )


def _transition(service, success: str):
    @login_required
    @require_POST
    @role_required(perms.can_manage_rounds)
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        rnd = perms.get_round_for_user(request.user, slug, manage=True)
        try:
            service(round=rnd, by=request.user)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, success)
        return redirect("recognition:round_manage", slug=rnd.slug)

    return view


round_open = _transition(services.open_round, _("De ronde is open voor aanvragen."))
round_start_assessment = _transition(services.start_assessment, _("De beoordeling is begonnen."))


@login_required
@role_required(perms.can_manage_rounds)
def round_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything recorded about the round, its applications, sheets, decisions, objections."""
    rnd = perms.get_round_for_user(request.user, slug, manage=True)
    ct = ContentType.objects.get_for_models(Round, Application, Scoresheet, Decision, Objection)
    ids = {
        Round: [rnd.pk],
        Application: list(rnd.applications.values_list("pk", flat=True)),
        Scoresheet: list(
            Scoresheet.objects.filter(application__round=rnd).values_list("pk", flat=True)
        ),
        Decision: list(rnd.decisions.values_list("pk", flat=True)),
        Objection: list(Objection.objects.filter(decision__round=rnd).values_list("pk", flat=True)),
    }
    query = Q(pk__in=[])
    for model, pks in ids.items():
        query |= Q(content_type=ct[model], object_id__in=[str(pk) for pk in pks])
    entries = (
        AuditEntry.objects.filter(query).select_related("actor").order_by("-created_at", "-id")
    )
    page, query_string = paginate(request, entries)
    return render(
        request,
        "recognition/round_audit.html",
        {"round": rnd, "entries": page, "page": page, "query": query_string},
    )


@login_required
def recognition_change(request: HttpRequest, pk: int) -> HttpResponse:
    recognition = perms.get_recognition_for_admin(request.user, pk)
    form = RecognitionChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_recognition(
                recognition=recognition, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Het besluit is vastgelegd en gepubliceerd."))
            return redirect("recognition:round_manage_list")
    return render(
        request, "recognition/recognition_change.html", {"recognition": recognition, "form": form}
    )
