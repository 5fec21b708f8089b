"""Thin views: parse, authorise through budgets.permissions, call a service, respond."""

from __future__ import annotations

import csv
from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from budgets import permissions as perms
from budgets import selectors as reporting
from budgets import services
from budgets.forms import (
    ApproveForm,
    BatchForm,
    ChangesForm,
    ClaimForm,
    ReasonForm,
    YearCloseForm,
)
from budgets.models import Budget, ExpenseClaim, PaymentBatch, Transaction
from buurtplatform.feedback import show_errors
from buurtplatform.uploads import private_file_response
from recognition.models import Round

# --- platform side ---------------------------------------------------------------------------


@login_required
def platform_budget(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_books_for_user(request.user, slug)
    claims = ExpenseClaim.objects.filter(budget__platform=platform).select_related("budget_line")
    if not (
        perms.is_platform_coordinator(request.user, platform) or perms.can_administer(request.user)
    ):
        claims = claims.filter(submitted_by=request.user)
    return render(
        request,
        "budgets/platform_budget.html",
        {
            "platform": platform,
            "budgets": reporting.platform_budgets(platform),
            "claims": claims,
            "can_export": perms.can_export_ledger(request.user, platform),
            "is_member": perms.is_platform_member(request.user, platform),
        },
    )


@login_required
def claim_create(request: HttpRequest, slug: str, budget_pk: int) -> HttpResponse:
    budget = perms.get_budget_for_claim_submission(request.user, slug, budget_pk)
    form = ClaimForm(request.POST or None, request.FILES or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.submit_claim(
                budget=budget,
                by=request.user,
                budget_line=data["budget_line"],
                amount=data["amount"],
                expense_date=data["expense_date"],
                payee_name=data["payee_name"],
                payee_is_organisation=data["payee_is_organisation"],
                iban=data["iban"],
                description=data["description"],
                private_notes=data["private_notes"],
                no_receipt_statement=data["no_receipt_statement"],
                activities=data["activities"],
                receipts=data["receipts"],
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Uw declaratie is ingediend."))
            return redirect("budgets:claim_detail", claim.pk)
    return render(
        request, "budgets/claim_form.html", {"form": form, "budget": budget, "claim": None}
    )


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = perms.get_claim_for_user(request.user, pk)
    return render(
        request,
        "budgets/claim_detail.html",
        {
            "claim": claim,
            "receipts": claim.receipts.all(),
            "can_edit": perms.can_edit_claim(request.user, claim),
            "can_review": perms.can_review_claim(request.user, claim),
        },
    )


@login_required
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = perms.get_claim_for_user(request.user, pk, write=True)
    form = ClaimForm(
        request.POST or None, request.FILES or None, instance=claim, budget=claim.budget
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        receipts = data.pop("receipts")
        activities = data.pop("activities")
        try:
            services.resubmit_claim(
                claim=claim, by=request.user, fields=data, activities=activities, receipts=receipts
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Uw declaratie is opnieuw ingediend."))
            return redirect("budgets:claim_detail", claim.pk)
    return render(
        request, "budgets/claim_form.html", {"form": form, "budget": claim.budget, "claim": claim}
    )


@login_required
def receipt_download(request: HttpRequest, claim_pk: int, pk: int) -> HttpResponse:
    receipt = perms.get_receipt_for_user(request.user, claim_pk, pk)
    return private_file_response(
        receipt.file, content_type=receipt.content_type, original_name=receipt.original_name
    )


@login_required
def ledger_csv(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_ledger_export(request.user, slug)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    rows = (
        writer.writerow(row)
        for row in [reporting.LEDGER_COLUMNS, *[]] + list(reporting.platform_ledger_rows(platform))
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grootboek-{platform.slug}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- administration (support organisation) -----------------------------------------------


def _busy_means_retry(view):
    """A lock wait that timed out (someone else is changing the same money) is not an error
    page: roll back, say so, and let the user try again."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except OperationalError:
            messages.error(
                request,
                _("Iemand anders werkt tegelijk aan dezelfde gegevens; probeer het opnieuw."),
            )
            return redirect("budgets:admin_queue")

    return wrapper


@login_required
@role_required(perms.can_administer)
def admin_queue(request: HttpRequest) -> HttpResponse:
    base = ExpenseClaim.objects.select_related("budget__platform", "submitted_by").annotate(
        n_receipts=Count("receipts")
    )
    return render(
        request,
        "budgets/admin_queue.html",
        {
            "waiting": base.filter(status=ExpenseClaim.Status.SUBMITTED).order_by("submitted_at"),
            "changes": base.filter(status=ExpenseClaim.Status.CHANGES_REQUESTED),
            "approved": base.filter(status=ExpenseClaim.Status.APPROVED, batch=None),
            "batches": PaymentBatch.objects.exclude(status=PaymentBatch.Status.PAID)
            .annotate(n=Count("claims"))
            .order_by("-created_at"),
        },
    )


@login_required
@role_required(perms.can_administer)
def claim_review(request: HttpRequest, pk: int) -> HttpResponse:
    claim = perms.get_claim_for_review(request.user, pk)
    budget = reporting.budgets_with_totals(Budget.objects.filter(pk=claim.budget_id)).get()
    return render(
        request,
        "budgets/claim_review.html",
        {
            "claim": claim,
            "budget": budget,
            "available": budget.granted_amount + budget.overspend_allowance - budget.committed,
            "receipts": claim.receipts.all(),
            "can_review": perms.can_review_claim(request.user, claim),
            "approve_form": ApproveForm(),
            "reject_form": ReasonForm(),
            "changes_form": ChangesForm(),
        },
    )


def _review_action(request: HttpRequest, pk: int, form_class, action) -> HttpResponse:
    claim = perms.get_claim_for_review(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul het formulier volledig in."))
        return redirect("budgets:claim_review", claim.pk)
    try:
        action(claim, form.cleaned_data)
    except ValidationError as exc:
        show_errors(request, exc)
        status = 409 if getattr(exc, "code", "") in ("insufficient_budget",) else None
        if status:
            response = claim_review(request, claim.pk)
            response.status_code = status
            return response
        return redirect("budgets:claim_review", claim.pk)
    return redirect("budgets:admin_queue")


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(claim, data):
        services.approve_claim(
            claim=claim,
            by=request.user,
            override_reason=data["override_reason"],
            accept_statement=data["accept_statement"],
        )
        messages.success(request, _("Declaratie %(pk)s is goedgekeurd.") % {"pk": claim.pk})

    return _review_action(request, pk, ApproveForm, act)


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def act(claim, data):
        services.reject_claim(claim=claim, by=request.user, reason=data["reason"])
        messages.success(request, _("Declaratie %(pk)s is afgewezen.") % {"pk": claim.pk})

    return _review_action(request, pk, ReasonForm, act)


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def claim_request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    def act(claim, data):
        services.request_claim_changes(claim=claim, by=request.user, message=data["message"])
        messages.success(request, _("Er is om een aanpassing gevraagd."))

    return _review_action(request, pk, ChangesForm, act)


@login_required
@role_required(perms.can_administer)
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = PaymentBatch.objects.annotate(n=Count("claims")).order_by("-created_at")
    return render(request, "budgets/batch_list.html", {"batches": batches, "form": BatchForm()})


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def batch_create(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies minstens één goedgekeurde declaratie."))
        return redirect("budgets:batch_list")
    try:
        batch = services.create_batch(claims=form.cleaned_data["claims"], by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("budgets:batch_list")
    messages.success(request, _("Betaalbatch %(ref)s is gemaakt.") % {"ref": batch.reference})
    return redirect("budgets:batch_detail", batch.pk)


@login_required
@role_required(perms.can_administer)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = perms.get_batch_for_user(request.user, pk)
    claims = batch.claims.select_related("budget__platform", "reviewed_by")
    return render(
        request,
        "budgets/batch_detail.html",
        {"batch": batch, "claims": claims, "can_pay": perms.can_pay_batch(request.user, batch)},
    )


@login_required
@role_required(perms.can_administer)
def batch_sepa(request: HttpRequest, pk: int) -> HttpResponse:
    batch = perms.get_batch_for_user(request.user, pk)
    data = services.export_batch_sepa(batch=batch, by=request.user)
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.xml"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
@role_required(perms.can_administer)
@reauthentication_required
@_busy_means_retry
def batch_pay(request: HttpRequest, pk: int) -> HttpResponse:
    batch = perms.get_batch_for_user(request.user, pk)
    try:
        services.pay_batch(batch=batch, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        response = redirect("budgets:batch_detail", batch.pk)
        return response
    messages.success(request, _("Batch %(ref)s is betaald en geboekt.") % {"ref": batch.reference})
    return redirect("budgets:batch_detail", batch.pk)


@login_required
@role_required(perms.can_administer)
def budget_list(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.filter(budgets__isnull=False).distinct().select_related("district")
    return render(
        request,
        "budgets/budget_list.html",
        {"summaries": [reporting.round_summary(r) for r in rounds]},
    )


@login_required
@role_required(perms.can_administer)
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = perms.get_budget_for_administration(request.user, pk)
    budget = reporting.budgets_with_totals(Budget.objects.filter(pk=budget.pk)).get()
    transactions = (
        Transaction.objects.filter(budget=budget)
        .select_related("booked_by", "reverses")
        .prefetch_related("entries__account")
        .annotate(n_reversed=Count("reversed_by"))
    )
    return render(
        request,
        "budgets/budget_detail.html",
        {
            "budget": budget,
            "lines": reporting.plan_vs_actual(budget),
            "transactions": transactions,
            "closed": services.is_budget_closed(budget),
            "close_form": YearCloseForm(),
            "reverse_form": ReasonForm(),
        },
    )


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def transaction_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    original = perms.get_transaction_for_administration(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Geef een reden voor de correctie."))
    else:
        try:
            services.reverse_transaction(
                original=original, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("De boeking is gecorrigeerd."))
        except ValidationError as exc:
            show_errors(request, exc)
    return redirect("budgets:budget_detail", original.budget_id)


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def budget_close(request: HttpRequest, pk: int) -> HttpResponse:
    budget = perms.get_budget_for_administration(request.user, pk)
    form = YearCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies wat er met het geld gebeurt en geef een reden."))
    else:
        try:
            services.close_year(budget=budget, by=request.user, **form.cleaned_data)
            messages.success(request, _("Het jaar is afgesloten."))
        except ValidationError as exc:
            show_errors(request, exc)
    return redirect("budgets:budget_detail", budget.pk)
