"""Thin views: parse, authorise through budgets.permissions, call a service, respond."""

from __future__ import annotations

from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from budgets import permissions as perms
from budgets import selectors as reporting
from budgets import services
from budgets.filters import ClaimQueueFilter
from budgets.forms import (
    ApproveForm,
    BatchForm,
    BulkActionForm,
    ChangesForm,
    ClaimForm,
    ReasonForm,
    YearCloseForm,
)
from budgets.models import Budget, ExpenseClaim, PaymentBatch, ReversalRequest, Transaction
from budgets.services import bulk
from buurtplatform.csvfiles import csv_lines
from buurtplatform.feedback import show_errors
from buurtplatform.paging import paginate
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
    budgets = reporting.platform_budgets(platform)
    return render(
        request,
        "budgets/platform_budget.html",
        {
            "platform": platform,
            "budgets": budgets,
            # Re-budgeting: the coordinator proposes a new plan (budgets:plan_propose).
            "can_rebudget": perms.is_platform_coordinator(request.user, platform),
            "open_plans": reporting.open_plan_versions(budgets),
            "claims": claims,
            "can_export": perms.can_export_ledger(request.user, platform),
            "is_member": perms.is_platform_member(request.user, platform),
        },
    )


@login_required
def claim_create(request: HttpRequest, slug: str, budget_pk: int) -> HttpResponse:
    budget = perms.get_budget_for_claim_submission(request.user, slug, budget_pk)
    form = ClaimForm(
        request.POST or None, request.FILES or None, budget=budget, session=request.session
    )
    if request.method == "POST" and not form.is_valid():
        form.keep_receipts()
    elif request.method == "POST":
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
            form.keep_receipts()
        else:
            form.forget_kept_receipts()
            messages.success(request, _("Je declaratie is ingediend."))
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
            "show_private": perms.can_view_claim_private(request.user, claim),
            "receipts": claim.receipts.all(),
            "can_edit": perms.can_edit_claim(request.user, claim),
            "can_review": perms.can_review_claim(request.user, claim),
        },
    )


@login_required
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = perms.get_claim_for_user(request.user, pk, write=True)
    form = ClaimForm(
        request.POST or None,
        request.FILES or None,
        instance=claim,
        budget=claim.budget,
        session=request.session,
    )
    if request.method == "POST" and not form.is_valid():
        form.keep_receipts()
    elif request.method == "POST":
        data = dict(form.cleaned_data)
        data.pop("kept_receipts", None)
        receipts = data.pop("receipts")
        activities = data.pop("activities")
        try:
            services.resubmit_claim(
                claim=claim, by=request.user, fields=data, activities=activities, receipts=receipts
            )
        except ValidationError as exc:
            show_errors(request, exc)
            form.keep_receipts()
        else:
            form.forget_kept_receipts()
            messages.success(request, _("Je declaratie is opnieuw ingediend."))
            return redirect("budgets:claim_detail", claim.pk)
    return render(
        request, "budgets/claim_form.html", {"form": form, "budget": claim.budget, "claim": claim}
    )


@login_required
def receipt_download(request: HttpRequest, claim_pk: int, pk: int) -> HttpResponse:
    """A receipt as a download; with ?inline=1 an image or PDF opens in the (sandboxed)
    browser view the review page embeds."""
    receipt = perms.get_receipt_for_user(request.user, claim_pk, pk)
    return private_file_response(
        receipt.file,
        content_type=receipt.content_type,
        original_name=receipt.original_name,
        inline=request.GET.get("inline") == "1",
    )


@login_required
def ledger_csv(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_ledger_export(request.user, slug)
    private = perms.can_view_ledger_private(request.user, platform)
    rows = csv_lines(
        reporting.LEDGER_COLUMNS, reporting.platform_ledger_rows(platform, private=private)
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
    """The bookkeeper's workbench: filter, search, sort and page the claims, select many and
    act on them at once (claim_bulk_*). A fixed number of queries, whatever the size."""
    filterset = ClaimQueueFilter(request.GET, queryset=reporting.claim_queue())
    page = Paginator(filterset.qs, reporting.QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "budgets/admin_queue.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "batches": PaymentBatch.objects.exclude(
                status__in=[PaymentBatch.Status.PAID, PaymentBatch.Status.CANCELLED]
            )
            .annotate(n=Count("claims"))
            .order_by("-created_at"),
        },
    )


def _bulk_confirm(request: HttpRequest, action: str) -> HttpResponse:
    """GET: the confirmation page, what will happen to each selected claim. POST: do it, each
    claim through its own service, and report per claim what happened."""
    ids = _claim_ids(request.POST if request.method == "POST" else request.GET)
    if request.method != "POST":
        claims = bulk.selected_claims(ids)
        return render(
            request,
            "budgets/claim_bulk_confirm.html",
            {
                "action": action,
                "preview": services.preview_claims(action=action, claims=claims, by=request.user),
                "form": BulkActionForm(action=action),
                "confirm_url": request.path,
            },
        )
    form = BulkActionForm(request.POST, action=action)
    if not ids or not form.is_valid():
        messages.error(request, _("Kies declaraties en vul in wat er nodig is."))
        return redirect("budgets:admin_queue")
    try:
        if action == bulk.BATCH:
            result = services.batch_claims(claim_ids=ids, by=request.user)
        else:
            result = services.review_claims(
                action=action,
                claim_ids=ids,
                by=request.user,
                text=form.cleaned_data.get("text", ""),
                accept_statement=form.cleaned_data.get("accept_statement", False),
            )
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("budgets:admin_queue")
    _report(request, result)
    if result.batch is not None:
        return redirect("budgets:batch_detail", result.batch.pk)
    return redirect("budgets:admin_queue")


def _claim_ids(data) -> list[int]:
    return [int(v) for v in data.getlist("claims") if v.isdigit()][: bulk.MAX_CLAIMS]


def _report(request: HttpRequest, result: bulk.BulkResult) -> None:
    """One line for the whole action, then one per claim that was refused, with the reason."""
    level = messages.warning if result.refused else messages.success
    level(request, result.summary())
    for outcome in result.refused:
        messages.error(
            request,
            _("Declaratie %(pk)s: %(reason)s")
            % {"pk": outcome.claim_id, "reason": outcome.message},
        )


@login_required
@role_required(perms.can_administer)
@_busy_means_retry
def claim_bulk_approve(request: HttpRequest) -> HttpResponse:
    return _bulk_confirm(request, bulk.APPROVE)


@login_required
@role_required(perms.can_administer)
@_busy_means_retry
def claim_bulk_reject(request: HttpRequest) -> HttpResponse:
    return _bulk_confirm(request, bulk.REJECT)


@login_required
@role_required(perms.can_administer)
@_busy_means_retry
def claim_bulk_request_changes(request: HttpRequest) -> HttpResponse:
    return _bulk_confirm(request, bulk.CHANGES)


@login_required
@role_required(perms.can_administer)
@_busy_means_retry
def claim_bulk_batch(request: HttpRequest) -> HttpResponse:
    return _bulk_confirm(request, bulk.BATCH)


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
            # Negative when more was approved than granted (an allowed overspend).
            "available": reporting.available_to_approve(budget),
            "receipts": claim.receipts.all(),
            "history": reporting.claim_history(claim),
            "can_review": perms.can_review_claim(request.user, claim),
            # Four eyes: a first approval waits for a different person ("wacht op tweede akkoord").
            "can_approve": perms.can_approve_claim(request.user, claim),
            "needs_second": perms.needs_second_approval("claim", amount=claim.amount),
            "four_eyes_threshold": settings.FOUR_EYES_THRESHOLD,
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
        done = services.approve_claim(
            claim=claim,
            by=request.user,
            override_reason=data["override_reason"],
            accept_statement=data["accept_statement"],
            confirm_override=data["confirm_override"],
        )
        if done.status == ExpenseClaim.Status.APPROVED:
            messages.success(request, _("Declaratie %(pk)s is goedgekeurd.") % {"pk": claim.pk})
        else:
            messages.success(
                request,
                _("Je eerste akkoord op declaratie %(pk)s staat; die wacht op tweede akkoord.")
                % {"pk": claim.pk},
            )

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
    batches = PaymentBatch.objects.annotate(n=Count("claims")).order_by("-created_at", "-pk")
    page, query = paginate(request, batches)
    return render(
        request,
        "budgets/batch_list.html",
        {"batches": page, "page": page, "query": query, "form": BatchForm()},
    )


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
    claims = batch.claims.select_related(
        "budget__platform", "approved_by", "second_approved_by"
    ).order_by("pk")
    return render(
        request,
        "budgets/batch_detail.html",
        {
            "batch": batch,
            "claims": claims,
            "total": sum(c.amount for c in claims),
            "payments": batch.transactions.filter(kind=Transaction.Kind.PAYMENT)
            .select_related("claim", "reversed_by")
            .order_by("pk"),
            "can_release": perms.can_release_batch(request.user, batch),
            "can_pay": perms.can_pay_batch(request.user, batch),
            "can_cancel": perms.can_cancel_batch(request.user, batch),
            "outsiders": perms.batch_outsiders(batch),
        },
    )


@login_required
@role_required(perms.can_administer)
def batch_sepa(request: HttpRequest, pk: int) -> HttpResponse:
    batch = perms.get_batch_for_user(request.user, pk)
    try:
        data = services.sepa_file_bytes(batch)  # the bytes made at release, every time
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("budgets:batch_detail", batch.pk)
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
        {
            "summaries": [reporting.round_summary(r) for r in rounds],
            # Four eyes: what waits for a second support person.
            "pending_plans": reporting.pending_plan_versions(),
            "pending_closes": reporting.pending_year_closes(),
        },
    )


@login_required
@role_required(perms.can_administer)
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = perms.get_budget_for_administration(request.user, pk)
    budget = reporting.budgets_with_totals(Budget.objects.filter(pk=budget.pk)).get()
    pending = ReversalRequest.objects.filter(
        transaction=OuterRef("pk"), status=ReversalRequest.Status.PENDING
    )
    transactions = (
        Transaction.objects.filter(budget=budget)
        .select_related("booked_by", "reverses")
        .prefetch_related("entries__account")
        .annotate(n_reversed=Count("reversed_by"))
        # Four eyes on corrections: a pending request, who asked, waiting for a colleague.
        .annotate(
            pending_reversal=Subquery(pending.values("pk")[:1]),
            pending_reversal_by=Subquery(pending.values("requested_by")[:1]),
            pending_reversal_reason=Subquery(pending.values("reason")[:1]),
        )
    )
    return render(
        request,
        "budgets/budget_detail.html",
        {
            "budget": budget,
            "lines": reporting.plan_vs_actual(budget),
            "plan_matches": reporting.plan_matches_grant(budget),
            "open_plan": reporting.open_plan_version(budget),
            "transactions": transactions,
            "closed": services.is_budget_closed(budget),
            **_year_close_context(request, budget),
            "close_form": YearCloseForm(),
            "reverse_form": ReasonForm(),
        },
    )


def _year_close_context(request: HttpRequest, budget: Budget) -> dict:
    """The year close section of the budget page: the closes so far, and for the one pending or
    in force what this person may do (four eyes) with a fresh preview."""
    active = reporting.active_year_close(budget)
    user = request.user
    return {
        "year_closes": reporting.year_closes_of(budget),
        "active_close": active,
        "close_preview": reporting.year_close_preview(budget) if active else None,
        "can_confirm_close": bool(active and perms.can_confirm_year_close(user, active)),
        "can_cancel_close": bool(active and perms.can_cancel_year_close(user, active)),
        "can_propose_reversal": bool(
            active and perms.can_propose_year_close_reversal(user, active)
        ),
        "can_confirm_reversal": bool(
            active and perms.can_confirm_year_close_reversal(user, active)
        ),
        "close_reversible": bool(active and perms.year_close_reversible(active)),
    }


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
            # Four eyes: this asks for the reversal; a colleague confirms it (reversal_confirm).
            services.request_reversal(
                original=original, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                _("Tegenboeking aangevraagd; die wacht op tweede akkoord van een collega."),
            )
        except ValidationError as exc:
            show_errors(request, exc)
    return redirect("budgets:budget_detail", original.budget_id)


@login_required
@role_required(perms.can_administer)
@_busy_means_retry
def budget_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The year close: a preview first (GET), then the first person's proposal (POST); a
    different support person confirms it on the budget page (year_close_confirm)."""
    budget = perms.get_budget_for_administration(request.user, pk)
    form = YearCloseForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Kies wat er met het geld gebeurt en geef een reden."))
            return redirect("budgets:budget_close", budget.pk)
        try:
            services.propose_year_close(budget=budget, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
            return redirect("budgets:budget_close", budget.pk)
        messages.success(
            request,
            _("De afsluiting is voorgesteld; een collega van de ondersteuning bevestigt haar."),
        )
        return redirect("budgets:budget_detail", budget.pk)
    return render(
        request,
        "budgets/budget_close.html",
        {
            "budget": budget,
            "preview": reporting.year_close_preview(budget),
            "allowed": perms.can_close_year_yet(budget),
            "early": settings.YEAR_CLOSE_EARLY_WHEN_SPENT,
            "active_close": reporting.active_year_close(budget),
            "form": form,
        },
    )
