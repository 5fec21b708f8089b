"""Endorsements (draagvlak) and printed endorsement codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.ratelimits import over_limit_for_client
from platforms import pending, services
from platforms import permissions as perms
from platforms.forms import (
    CodeLookupForm,
    EndorsementCodeForm,
    EndorsementForm,
)
from platforms.models import (
    Endorsement,
    EndorsementCode,
)
from platforms.pdf import render_endorsement_codes_pdf
from platforms.views._common import show_errors


def endorsement_create(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug)
    if not request.user.is_authenticated:
        # Explain why an account is needed; after sign-up or login the form opens again.
        pending.remember(
            request,
            slug=platform.slug,
            then=reverse("platforms:endorsement_create", kwargs={"slug": platform.slug}),
        )
        return render(request, "platforms/endorsement_account_needed.html", {"platform": platform})
    if not perms.can_endorse_platform(request.user, platform):
        messages.warning(request, _("Bevestig eerst je e-mailadres; daarna kun je steunen."))
        return redirect("account_email")
    form = EndorsementForm(request.POST or None)
    form.fields["buurt"].queryset = form.fields["buurt"].queryset.select_related("wijk")
    if (
        request.method == "POST"
        and form.is_valid()
        and form.cleaned_data.get("code")
        and over_limit_for_client(
            request, "endorsement-code", limit=CODE_GUESSES, window=CODE_WINDOW
        )
    ):
        form.add_error("code", _("Te veel pogingen. Probeer het over een kwartier opnieuw."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.endorse_platform(platform=platform, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            pending.forget(request)
            messages.success(request, _("Dank je wel voor je steun!"))
            return redirect(platform)
    return render(request, "platforms/endorsement_form.html", {"form": form, "platform": platform})


@login_required
@require_POST
def endorsement_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug)
    endorsement = get_object_or_404(Endorsement, platform=platform, user=request.user)
    services.withdraw_endorsement(endorsement=endorsement)
    messages.success(request, _("Je steun is ingetrokken."))
    return redirect(platform)


CODE_GUESSES = 10  # letter codes one client may try per CODE_WINDOW: guessing them is useless
CODE_WINDOW = 900


def endorsement_code_lookup(request: HttpRequest) -> HttpResponse:
    """/steun/: enter the code from the letter and see the platforms in that buurt (POST, so
    the code never lands in a URL or a log)."""
    form = CodeLookupForm(request.POST or None)
    code = platforms = None
    remembered = pending.pending_code(request)
    if request.method != "POST" and remembered:
        # Back after sign-up or login: the code entered before is still here.
        code = EndorsementCode.objects.filter(code=remembered, used_at__isnull=True).first()
        if code is None:
            pending.forget(request)
        else:
            platforms = code.buurt.platforms.order_by("name")
    elif form.is_valid() and over_limit_for_client(
        request, "endorsement-code", limit=CODE_GUESSES, window=CODE_WINDOW
    ):
        form.add_error("code", _("Te veel pogingen. Probeer het over een kwartier opnieuw."))
    elif form.is_valid():
        value = "".join(ch for ch in form.cleaned_data["code"].upper() if ch.isalnum())
        code = (
            EndorsementCode.objects.filter(code=value, used_at__isnull=True)
            .select_related("buurt")
            .first()
        )
        if code is None:
            form.add_error("code", _("Deze steuncode bestaat niet of is al gebruikt."))
        else:
            platforms = code.buurt.platforms.order_by("name")
            if not request.user.is_authenticated:
                lookup = reverse("platforms:endorsement_code_lookup")
                pending.remember(request, code=code.code, then=lookup)
                chosen = platforms.filter(slug=request.POST.get("platform", "")).first()
                if chosen is not None:
                    # The visitor chose a platform: endorse it right after login.
                    pending.remember(request, slug=chosen.slug)
                    return render(
                        request,
                        "platforms/endorsement_account_needed.html",
                        {"platform": chosen, "with_code": True},
                    )
    return render(
        request,
        "platforms/endorsement_code_lookup.html",
        {"form": form, "code": code, "platforms": platforms},
    )


@login_required
def endorsement_code_list(request: HttpRequest) -> HttpResponse:
    perms.require_endorsement_code_manager(request.user)
    form = EndorsementCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch, _codes = services.create_endorsement_codes(by=request.user, **form.cleaned_data)
        messages.success(request, _("De codes zijn gemaakt. Download het vel om ze te printen."))
        return redirect("platforms:endorsement_code_list")
    batches = (
        EndorsementCode.objects.values("batch", "buurt__code", "buurt__name")
        .annotate(total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)))
        .order_by("-batch")
    )
    return render(
        request, "platforms/endorsementcode_list.html", {"form": form, "batches": batches}
    )


@login_required
def endorsement_code_pdf(request: HttpRequest, batch: str) -> HttpResponse:
    perms.require_endorsement_code_manager(request.user)
    codes = list(EndorsementCode.objects.filter(batch=batch).select_related("buurt").order_by("pk"))
    if not codes:
        raise Http404
    pdf = render_endorsement_codes_pdf(
        codes=codes,
        lookup_url=request.build_absolute_uri(reverse("platforms:endorsement_code_lookup")),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="steuncodes-{batch}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
