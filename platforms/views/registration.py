"""Registering a platform and editing its details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from platforms import permissions as perms
from platforms import services
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
    if request.method == "POST" and form.is_valid():
        try:
            platform = services.register_platform(
                by=request.user,
                fields=form.cleaned_data,
                buurten=form.cleaned_data["buurten"],
                logo=form.cleaned_data.get("logo_upload"),
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(
                request, _("Jullie platform staat online. Voeg nu een activiteit toe.")
            )
            return redirect(platform)
    return render(request, "platforms/platform_form.html", {"form": form, "platform": None})


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
