"""The track record: activities, photos and partner confirmations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import require
from buurtplatform.feedback import confirm_page
from buurtplatform.uploads import private_file_response
from platforms import permissions as perms
from platforms import services
from platforms.forms import (
    ActivityCreateForm,
    ActivityForm,
    ConfirmationRequestForm,
    PartnerResponseForm,
    PhotoForm,
)
from platforms.models import (
    ActivityPhoto,
    PartnerConfirmation,
)
from platforms.views._common import show_errors


@login_required
def activity_create(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_member(request.user, slug)
    form = ActivityCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        photos = [(photo, form.cleaned_data["alt_text"])] if photo else []
        try:
            activity = services.add_activity(
                platform=platform, by=request.user, fields=form.cleaned_data, photos=photos
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De activiteit is toegevoegd."))
            return redirect(activity)
    return render(
        request,
        "platforms/activity_form.html",
        {"form": form, "platform": platform, "activity": None},
    )


@login_required
def activity_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk, write=True)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(activity=activity, by=request.user, fields=form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De activiteit is opgeslagen."))
            return redirect(activity)
    return render(
        request,
        "platforms/activity_form.html",
        {"form": form, "platform": activity.platform, "activity": activity},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: what deleting means; POST: delete (kept when money or a decision refers to it)."""
    activity = perms.get_activity_for_user(request.user, slug, pk)
    require(perms.can_delete_activity(request.user, activity))
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Activiteit ‘%(title)s’ verwijderen?") % {"title": activity.title},
            happens=_(
                "De activiteit verdwijnt van de tijdlijn, met haar foto's en "
                "partnerbevestigingen. Dit kun je niet ongedaan maken. Verwijst een declaratie "
                "of een aanvraag ernaar, dan blijft ze staan."
            ),
            kept=_("In de geschiedenis van het platform blijft staan wie haar verwijderde."),
            button=_("Ja, activiteit verwijderen"),
            back=activity.get_absolute_url(),
        )
    try:
        services.delete_activity(activity=activity, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(activity)
    messages.success(request, _("De activiteit is verwijderd."))
    return redirect(activity.platform)


@login_required
@require_POST
def activity_photo_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk, write=True)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_activity_photo(
                activity=activity,
                image=form.cleaned_data["photo"],
                alt_text=form.cleaned_data["alt_text"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De foto is toegevoegd."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(activity)


def activity_photo_file(
    request: HttpRequest, slug: str, pk: int, photo_pk: int, kind: str
) -> HttpResponse:
    """A photo of a members-only activity: members only (404 for everyone else), never cached
    by a shared cache. Public photos are served as media and never reach this view."""
    activity = perms.get_activity_for_user(request.user, slug, pk)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_pk)
    if kind not in ("image", "thumb") or photo.is_public:
        raise Http404
    field = photo.image if kind == "image" else photo.thumbnail
    content_type = "image/png" if field.name.endswith(".png") else "image/jpeg"
    response = private_file_response(
        field, content_type=content_type, original_name=field.name.rsplit("/", 1)[-1], inline=True
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def activity_photo_delete(request: HttpRequest, slug: str, pk: int, photo_pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk, write=True)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_pk)
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("Foto verwijderen bij %(activity)s?") % {"activity": activity.title},
            happens=_(
                "De foto (%(alt)s) en het verkleinde voorbeeld worden verwijderd en zijn "
                "niet meer te zien op de activiteit. Dit kun je niet ongedaan maken."
            )
            % {"alt": photo.alt_text},
            kept=_("De activiteit zelf en de andere foto's blijven staan."),
            button=_("Ja, foto verwijderen"),
            back=activity.get_absolute_url(),
        )
    services.delete_activity_photo(photo=photo, by=request.user)
    messages.success(request, _("De foto is verwijderd."))
    return redirect(activity)


@login_required
@require_POST
def confirmation_request(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk)
    require(perms.can_request_confirmation(request.user, activity))
    form = ConfirmationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_partner_confirmation(
                activity=activity, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("We hebben de partner een e-mail gestuurd."))
    else:
        messages.error(request, _("Vul de naam en het e-mailadres van de partner in."))
    return redirect(activity)


def partner_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """The partner's page: no account needed, the link itself is the key (single use)."""
    confirmation = services.find_confirmation(token)
    if confirmation is None:
        raise Http404
    is_open = (
        confirmation.status == PartnerConfirmation.Status.REQUESTED
        and confirmation.expires_at > timezone.now()
    )
    return render(
        request,
        "platforms/partner_confirmation.html",
        {
            "confirmation": confirmation,
            "activity": confirmation.activity,
            "token": token,
            "is_open": is_open,
            "form": PartnerResponseForm(),
        },
    )


def _partner_answer(request: HttpRequest, token: str, *, confirm: bool) -> HttpResponse:
    confirmation = services.find_confirmation(token)
    if confirmation is None:
        raise Http404
    form = PartnerResponseForm(request.POST)
    form.is_valid()
    try:
        services.respond_partner_confirmation(
            confirmation=confirmation,
            confirm=confirm,
            note=form.cleaned_data.get("note", ""),
            by=request.user if request.user.is_authenticated else None,
        )
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Dank je wel, je antwoord is opgeslagen."))
    return redirect("platforms:partner_confirmation", token)


@require_POST
def partner_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _partner_answer(request, token, confirm=True)


@require_POST
def partner_decline(request: HttpRequest, token: str) -> HttpResponse:
    return _partner_answer(request, token, confirm=False)
