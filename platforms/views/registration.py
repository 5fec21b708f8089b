"""Registering a platform and editing its details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from buurtplatform.feedback import confirm_page
from platforms import permissions as perms
from platforms import selectors, services
from platforms.forms import (
    PlatformForm,
)
from platforms.views._common import show_errors


@login_required
def platform_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_register_platform(request.user):
        messages.warning(
            request, _("Bevestig eerst je e-mailadres; daarna kun je een platform aanmelden.")
        )
        return redirect("account_email")
    form = PlatformForm(request.POST or None, request.FILES or None)
    same_name, similar = None, []
    if request.method == "POST" and form.is_valid():
        try:
            platform = services.register_platform(
                by=request.user,
                fields=form.cleaned_data,
                buurten=form.cleaned_data["buurten"],
                logo=form.cleaned_data.get("logo_upload"),
                confirm_similar=request.POST.get("confirm_similar") == "1",
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "same_name":
                same_name = selectors.platform_with_same_name(form.cleaned_data["name"])
            elif getattr(exc, "code", None) == "similar":
                similar = selectors.similar_platforms(
                    form.cleaned_data["name"], form.cleaned_data["buurten"]
                )
            else:
                show_errors(request, exc)
        else:
            messages.success(
                request, _("Jullie platform staat online. Voeg nu een activiteit toe.")
            )
            return redirect(platform)
    return render(
        request,
        "platforms/platform_form.html",
        {"form": form, "platform": None, "same_name": same_name, "similar": similar},
    )


@login_required
def platform_edit(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug, write=True)
    form = PlatformForm(request.POST or None, request.FILES or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_platform(
                platform=platform,
                by=request.user,
                fields=form.cleaned_data,
                buurten=form.cleaned_data["buurten"],
                logo=form.cleaned_data.get("logo_upload"),
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De gegevens zijn opgeslagen."))
            return redirect(platform)
    return render(request, "platforms/platform_form.html", {"form": form, "platform": platform})


@login_required
@require_http_methods(["GET", "POST"])
def platform_archive(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what archiving means; POST: archive (the service checks the coordinator again)."""
    platform = perms.get_platform_for_user(request.user, slug, write=True)
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("%(platform)s archiveren?") % {"platform": platform.name},
            happens=_(
                "Het platform verdwijnt uit de openbare lijst en uit de buurtpagina's en "
                "krijgt het label ‘gearchiveerd’. Nieuwe aanvragen en declaraties zijn er "
                "niet meer voor bedoeld."
            ),
            kept=_(
                "De pagina van het platform blijft bestaan, met de activiteiten, de "
                "geschiedenis, het geld en de besluiten. De leden blijven lid."
            ),
            button=_("Ja, platform archiveren"),
            back=platform.get_absolute_url(),
        )
    try:
        services.archive_platform(platform=platform, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Het platform is gearchiveerd."))
    return redirect(platform)
