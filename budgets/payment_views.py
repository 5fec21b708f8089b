"""Thin views for where money leaves: releasing and cancelling batches, confirming reversals
(four eyes) and importing bank statements. Authorised through budgets.permissions."""

from __future__ import annotations

from pathlib import Path

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import role_required
from budgets import permissions as perms
from budgets import services
from budgets.forms import StatementUploadForm
from budgets.models import BankStatement, BankStatementEntry, ReversalRequest
from budgets.services.statements import CSV_COLUMNS
from budgets.views import _busy_means_retry
from buurtplatform.feedback import confirm_page, show_errors
from buurtplatform.paging import paginate

DEMO_STATEMENT = Path(__file__).resolve().parent / "demo_data" / "statement-demo.xml"

# --- batches ---------------------------------------------------------------------------------


@login_required
@require_POST
@role_required(perms.can_administer)
@reauthentication_required
@_busy_means_retry
def batch_release(request: HttpRequest, pk: int) -> HttpResponse:
    batch = perms.get_batch_for_user(request.user, pk)
    try:
        batch = services.release_batch(batch=batch, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            _("Batch %(ref)s is vrijgegeven; het betaalbestand staat klaar.")
            % {"ref": batch.reference},
        )
    return redirect("budgets:batch_detail", batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
@role_required(perms.can_administer)
@_busy_means_retry
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = perms.get_batch_for_user(request.user, pk)
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Batch %(ref)s annuleren?") % {"ref": batch.reference},
            happens=_(
                "De batch wordt geannuleerd en niet betaald. De %(n)s declaraties erin zijn "
                "weer goedgekeurd en vrij voor een nieuwe batch."
            )
            % {"n": batch.claims.count()},
            kept=_(
                "De batch blijft zichtbaar als geannuleerd, met wie hem annuleerde en wanneer; "
                "de goedkeuringen van de declaraties blijven staan."
            ),
            button=_("Ja, batch annuleren"),
            back=reverse("budgets:batch_detail", args=[batch.pk]),
        )
    try:
        services.cancel_batch(batch=batch, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("budgets:batch_detail", batch.pk)
    messages.success(
        request,
        _("Batch %(ref)s is geannuleerd; de declaraties zijn weer goedgekeurd en vrij.")
        % {"ref": batch.reference},
    )
    return redirect("budgets:batch_list")


# --- reversals (four eyes) -------------------------------------------------------------------


@login_required
@role_required(perms.can_administer)
def reversal_list(request: HttpRequest) -> HttpResponse:
    requests = ReversalRequest.objects.select_related(
        "transaction__budget__platform", "requested_by", "decided_by"
    )
    page, query = paginate(
        request,
        requests.exclude(status=ReversalRequest.Status.PENDING).order_by("-requested_at", "-pk"),
    )
    return render(
        request,
        "budgets/reversal_list.html",
        {
            "pending": requests.filter(status=ReversalRequest.Status.PENDING),
            "done": page,
            "page": page,
            "query": query,
        },
    )


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def reversal_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    pending = perms.get_reversal_request_for_user(request.user, pk)
    try:
        # The four-eyes gate at the start of reverse_transaction checks and confirms the request.
        services.reverse_transaction(
            original=pending.transaction, by=request.user, reason=pending.reason
        )
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Tegenboeking bevestigd en geboekt."))
    return redirect("budgets:budget_detail", pending.transaction.budget_id)


@login_required
@require_POST
@role_required(perms.can_administer)
@_busy_means_retry
def reversal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    pending = perms.get_reversal_request_for_user(request.user, pk)
    try:
        services.withdraw_reversal(request=pending, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("De aanvraag voor de tegenboeking is ingetrokken."))
    return redirect("budgets:budget_detail", pending.transaction.budget_id)


# --- bank statements -------------------------------------------------------------------------


@login_required
@role_required(perms.can_administer)
@_busy_means_retry
def statement_list(request: HttpRequest) -> HttpResponse:
    """Upload a statement (camt.053 or CSV); a malformed one is refused next to the field."""
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_statement(
                data=upload.read(), original_name=upload.name or "", by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            if result.created:
                messages.success(request, _("Het afschrift is ingelezen."))
            else:
                messages.info(
                    request,
                    _("Dit afschrift was al ingelezen; er is niets veranderd."),
                )
            return redirect("budgets:statement_detail", result.statement.pk)
    outcome = BankStatementEntry.Outcome
    statements = (
        BankStatement.objects.select_related("imported_by")
        .annotate(
            n=Count("entries"),
            n_paid=Count("entries", filter=Q(entries__outcome=outcome.PAID)),
            n_returned=Count("entries", filter=Q(entries__outcome=outcome.RETURNED)),
            n_unmatched=Count("entries", filter=Q(entries__outcome=outcome.UNMATCHED)),
        )
        .order_by("-imported_at", "-pk")
    )
    page, query = paginate(request, statements)
    return render(
        request,
        "budgets/statement_list.html",
        {
            "form": form,
            "statements": page,
            "page": page,
            "query": query,
            "csv_columns": [names[0] for names in CSV_COLUMNS.values()],
            "demo_statement": (
                DEMO_STATEMENT.relative_to(settings.BASE_DIR)
                if settings.DEBUG and DEMO_STATEMENT.exists()
                else None
            ),
        },
    )


@login_required
@role_required(perms.can_administer)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = perms.get_statement_for_user(request.user, pk)
    entries = statement.entries.select_related("claim__budget__platform", "booked")
    outcome = BankStatementEntry.Outcome
    return render(
        request,
        "budgets/statement_detail.html",
        {
            "statement": statement,
            "paid": [e for e in entries if e.outcome in (outcome.PAID, outcome.ALREADY_PAID)],
            "returned": [e for e in entries if e.outcome == outcome.RETURNED],
            "unmatched": [e for e in entries if e.outcome == outcome.UNMATCHED],
        },
    )
