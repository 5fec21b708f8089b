"""Thin views for the budget year: re-budgeting after the grant (the coordinator proposes a
plan version, a different support person approves it) and the steps of the year close after
its proposal (confirm, withdraw, reverse; four eyes). The preview and the proposal are
budgets.views.budget_close. Authorised through budgets.permissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from budgets import permissions as perms
from budgets import selectors as reporting
from budgets import services
from budgets.forms import PlanVersionForm, ReasonForm
from budgets.models import Budget, PlanVersion
from budgets.views import _busy_means_retry
from buurtplatform.feedback import show_errors

# --- year close: confirm, withdraw, reverse (four eyes) ----------------------------------------


def _year_close_step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    close = perms.get_year_close_for_administration(request.user, pk)
    try:
        step(close)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("budgets:budget_detail", close.budget_id)


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def year_close_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _year_close_step(
        request,
        pk,
        lambda close: services.confirm_year_close(close=close, by=request.user),
        _("Het jaar is afgesloten; het platform heeft bericht gekregen."),
    )


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def year_close_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _year_close_step(
        request,
        pk,
        lambda close: services.cancel_year_close(close=close, by=request.user),
        _("Het voorstel is ingetrokken."),
    )


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def year_close_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _year_close_step(
        request,
        pk,
        lambda close: services.propose_year_close_reversal(
            close=close, by=request.user, reason=reason
        ),
        _("Terugdraaien voorgesteld; een collega van de ondersteuning bevestigt het."),
    )


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def year_close_reverse_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _year_close_step(
        request,
        pk,
        lambda close: services.confirm_year_close_reversal(close=close, by=request.user),
        _("De afsluiting is teruggedraaid; het budget is weer open."),
    )


# --- re-budgeting: the coordinator proposes, support approves (four eyes) ----------------------


@login_required
def plan_propose(request: HttpRequest, slug: str, budget_pk: int) -> HttpResponse:
    """The coordinator's new plan for a budget: lines that add up to the grant."""
    budget = perms.get_budget_for_plan_proposal(request.user, slug, budget_pk)
    budget = reporting.budgets_with_totals(Budget.objects.filter(pk=budget.pk)).get()
    open_version = reporting.open_plan_version(budget)
    draft = (
        open_version if open_version and open_version.status == PlanVersion.Status.DRAFT else None
    )
    form = PlanVersionForm(
        request.POST or None,
        lines=reporting.plan_vs_actual(budget),
        facts=reporting.plan_line_facts(budget),
        version=draft,
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.save_plan_version(
                budget=budget,
                by=request.user,
                lines=form.proposed_lines(),
                note=form.cleaned_data["note"],
                submit=submit,
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            if submit:
                messages.success(
                    request,
                    _("Je nieuwe begroting is ingediend; de ondersteuning beoordeelt haar."),
                )
            else:
                messages.success(request, _("Je concept is bewaard."))
            return redirect("budgets:platform_budget", budget.platform.slug)
    return render(
        request,
        "budgets/plan_propose.html",
        {
            "budget": budget,
            "platform": budget.platform,
            "form": form,
            "open_version": open_version,
            "plan_matches": reporting.plan_matches_grant(budget),
            "planned": reporting.planned_total(budget),
        },
    )


@login_required
@role_required(perms.can_administer)
def plan_version_review(request: HttpRequest, pk: int) -> HttpResponse:
    version = perms.get_plan_version_for_review(request.user, pk)
    budget = reporting.budgets_with_totals(Budget.objects.filter(pk=version.budget_id)).get()
    return render(
        request,
        "budgets/plan_version_review.html",
        {
            "version": version,
            "budget": budget,
            "rows": reporting.plan_version_rows(version),
            "total": reporting.plan_version_total(version),
            "can_review": perms.can_review_plan_version(request.user, version),
            "reject_form": ReasonForm(),
        },
    )


def _plan_step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    version = perms.get_plan_version_for_review(request.user, pk)
    try:
        step(version)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("budgets:plan_version_review", version.pk)
    messages.success(request, done)
    return redirect("budgets:budget_detail", version.budget_id)


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def plan_version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_step(
        request,
        pk,
        lambda version: services.approve_plan_version(version=version, by=request.user),
        _("De nieuwe begroting is goedgekeurd; de posten zijn aangepast."),
    )


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def plan_version_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _plan_step(
        request,
        pk,
        lambda version: services.reject_plan_version(
            version=version, by=request.user, reason=reason
        ),
        _("Het voorstel is afgewezen; de coördinator heeft bericht gekregen."),
    )
