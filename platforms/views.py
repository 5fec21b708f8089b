"""Thin views: parse, authorise (permissions getters), call a service, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platforms import permissions as perms
from platforms import services
from platforms.filters import PlatformFilter
from platforms.forms import (
    ActivityCreateForm,
    ActivityForm,
    CodeLookupForm,
    ConfirmationRequestForm,
    EndorsementCodeForm,
    EndorsementForm,
    InvitationForm,
    NameVisibilityForm,
    PartnerResponseForm,
    PhotoForm,
    PlatformForm,
    RoleChangeForm,
)
from platforms.models import (
    Activity,
    ActivityPhoto,
    Endorsement,
    EndorsementCode,
    Invitation,
    Membership,
    PartnerConfirmation,
    Platform,
)
from platforms.pdf import render_endorsement_codes_pdf

PAGE_SIZE = 20


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _timeline(user, platform: Platform):
    confirmed = PartnerConfirmation.objects.filter(
        status=PartnerConfirmation.Status.CONFIRMED
    ).order_by("partner_name")
    qs = Activity.objects.filter(platform=platform)
    if not perms.is_member(user, platform):
        qs = qs.public()
    return qs.select_related("platform").prefetch_related(
        "photos", Prefetch("partner_confirmations", queryset=confirmed, to_attr="confirmed")
    )


# --- public pages --------------------------------------------------------------------------


def platform_list(request: HttpRequest) -> HttpResponse:
    base = Platform.objects.prefetch_related("buurten").annotate(
        activity_count=Count(
            "activities", filter=Q(activities__visibility=Activity.Visibility.PUBLIC), distinct=True
        )
    )
    filterset = PlatformFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound else base
    page = Paginator(qs.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "platforms/platform_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


def platform_detail(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug)
    membership = perms.membership_of(request.user, platform)
    context = {
        "platform": platform,
        "membership": membership,
        "buurten": platform.buurten.select_related("wijk__gebied"),
        "activities": _timeline(request.user, platform)[:50],
        "public_members": platform.memberships.filter(show_name_publicly=True).select_related(
            "user"
        ),
        "endorsement_counts": services.endorsement_counts(platform),
        "named_endorsers": platform.endorsements.filter(show_name=True).select_related("user"),
        "my_endorsement": (
            platform.endorsements.filter(user=request.user).first()
            if request.user.is_authenticated
            else None
        ),
        "can_edit": perms.can_edit_platform(request.user, platform),
        "can_add_activity": perms.can_add_activity(request.user, platform),
    }
    return render(request, "platforms/platform_detail.html", context)


def activity_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk)
    return render(
        request,
        "platforms/activity_detail.html",
        {
            "activity": activity,
            "platform": activity.platform,
            "photos": activity.photos.all(),
            "confirmations": activity.partner_confirmations.filter(
                status=PartnerConfirmation.Status.CONFIRMED
            ),
            "requests": (
                activity.partner_confirmations.all()
                if perms.can_request_confirmation(request.user, activity)
                else []
            ),
            "can_edit": perms.can_edit_activity(request.user, activity),
            "can_request": perms.can_request_confirmation(request.user, activity),
            "photo_form": PhotoForm(),
            "confirm_form": ConfirmationRequestForm(),
        },
    )


# --- registration and editing --------------------------------------------------------------


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
            _error(request, exc)
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
            _error(request, exc)
        else:
            messages.success(request, _("De gegevens zijn opgeslagen."))
            return redirect(platform)
    return render(request, "platforms/platform_form.html", {"form": form, "platform": platform})


# --- members -------------------------------------------------------------------------------


@login_required
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_member(request.user, slug)
    can_manage = perms.can_manage_members(request.user, platform)
    membership = perms.membership_of(request.user, platform)
    return render(
        request,
        "platforms/member_list.html",
        {
            "platform": platform,
            "memberships": platform.memberships.select_related("user").order_by(
                "role", "joined_at"
            ),
            "invitations": (
                platform.invitations.filter(status=Invitation.Status.PENDING) if can_manage else []
            ),
            "can_manage": can_manage,
            "invite_form": InvitationForm(),
            "role_choices": Membership.Role.choices,
            "visibility_form": NameVisibilityForm(
                initial={"show_name_publicly": membership.show_name_publicly}
            ),
        },
    )


@login_required
@require_POST
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug, write=True)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invite_member(platform=platform, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("De uitnodiging is verstuurd."))
    else:
        messages.error(request, _("Controleer het e-mailadres."))
    return redirect("platforms:member_list", slug)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug, write=True)
    invitation = get_object_or_404(Invitation, platform=platform, pk=pk)
    services.revoke_invitation(invitation=invitation, by=request.user)
    messages.success(request, _("De uitnodiging is ingetrokken."))
    return redirect("platforms:member_list", slug)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = perms.get_membership_for_user(request.user, slug, pk)
    form = RoleChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_member_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("De rol is aangepast."))
    return redirect("platforms:member_list", slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = perms.get_membership_for_user(request.user, slug, pk)
    try:
        services.remove_member(membership=membership, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Het lid is verwijderd."))
    return redirect("platforms:member_list", slug)


@login_required
@require_POST
def member_visibility(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_member(request.user, slug)
    form = NameVisibilityForm(request.POST)
    form.is_valid()
    services.set_name_visibility(
        membership=perms.membership_of(request.user, platform),
        show=form.cleaned_data.get("show_name_publicly", False),
    )
    messages.success(request, _("Je keuze is opgeslagen."))
    return redirect("platforms:member_list", slug)


@login_required
@require_POST
def platform_leave(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_member(request.user, slug)
    try:
        services.leave_platform(membership=perms.membership_of(request.user, platform))
    except ValidationError as exc:
        _error(request, exc)
        return redirect("platforms:member_list", slug)
    messages.success(request, _("Je bent geen lid meer van dit platform."))
    return redirect("platforms:my_platforms")


def invitation_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: anonymous visitors are asked to sign up or log in first."""
    invitation = services.find_invitation(token)
    if invitation is None:
        raise Http404
    is_open = (
        invitation.status == Invitation.Status.PENDING and invitation.expires_at > timezone.now()
    )
    return render(
        request,
        "platforms/invitation_detail.html",
        {"invitation": invitation, "token": token, "is_open": is_open, "next": request.path},
    )


def _invitation_answer(request: HttpRequest, token: str, *, accept: bool) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None:
        raise Http404
    if not perms.has_verified_email(request.user):
        messages.warning(request, _("Bevestig eerst je e-mailadres."))
        return redirect("platforms:invitation_detail", token)
    try:
        if accept:
            services.accept_invitation(invitation=invitation, user=request.user)
        else:
            services.decline_invitation(invitation=invitation, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("platforms:invitation_detail", token)
    if accept:
        messages.success(request, _("Welkom bij %(name)s!") % {"name": invitation.platform.name})
        return redirect(invitation.platform)
    messages.info(request, _("Je hebt de uitnodiging afgeslagen."))
    return redirect("platforms:my_platforms")


@login_required
@require_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    return _invitation_answer(request, token, accept=True)


@login_required
@require_POST
def invitation_decline(request: HttpRequest, token: str) -> HttpResponse:
    return _invitation_answer(request, token, accept=False)


@login_required
def my_platforms(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("platform")
        .order_by("platform__name")
    )
    invitations = Invitation.objects.filter(
        email__iexact=request.user.email,
        status=Invitation.Status.PENDING,
        expires_at__gt=timezone.now(),
    ).select_related("platform")
    endorsements = Endorsement.objects.filter(user=request.user).select_related("platform", "buurt")
    return render(
        request,
        "platforms/my_platforms.html",
        {"memberships": memberships, "invitations": invitations, "endorsements": endorsements},
    )


@login_required
@require_POST
def my_invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept an invitation sent to the user's own (verified) address from /mijn/."""
    invitation = _own_invitation(request, pk)
    try:
        services.accept_invitation(invitation=invitation, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("platforms:my_platforms")
    messages.success(request, _("Welkom bij %(name)s!") % {"name": invitation.platform.name})
    return redirect(invitation.platform)


@login_required
@require_POST
def my_invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _own_invitation(request, pk)
    try:
        services.decline_invitation(invitation=invitation, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
    return redirect("platforms:my_platforms")


def _own_invitation(request: HttpRequest, pk: int) -> Invitation:
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=request.user, verified=True).values_list(
        "email", flat=True
    )
    invitation = get_object_or_404(Invitation.objects.select_related("platform"), pk=pk)
    if invitation.email.lower() not in {e.lower() for e in verified}:
        raise Http404
    return invitation


# --- activities ----------------------------------------------------------------------------


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
            _error(request, exc)
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
            _error(request, exc)
        else:
            messages.success(request, _("De activiteit is opgeslagen."))
            return redirect(activity)
    return render(
        request,
        "platforms/activity_form.html",
        {"form": form, "platform": activity.platform, "activity": activity},
    )


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
            _error(request, exc)
        else:
            messages.success(request, _("De foto is toegevoegd."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(activity)


@login_required
@require_POST
def activity_photo_delete(request: HttpRequest, slug: str, pk: int, photo_pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk, write=True)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_pk)
    services.delete_activity_photo(photo=photo, by=request.user)
    messages.success(request, _("De foto is verwijderd."))
    return redirect(activity)


@login_required
@require_POST
def confirmation_request(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    activity = perms.get_activity_for_user(request.user, slug, pk)
    if not perms.can_request_confirmation(request.user, activity):
        raise PermissionDenied
    form = ConfirmationRequestForm(request.POST)
    if form.is_valid():
        services.request_partner_confirmation(
            activity=activity, by=request.user, **form.cleaned_data
        )
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
            confirmation=confirmation, confirm=confirm, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Dank je wel, je antwoord is opgeslagen."))
    return redirect("platforms:partner_confirmation", token)


@require_POST
def partner_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _partner_answer(request, token, confirm=True)


@require_POST
def partner_decline(request: HttpRequest, token: str) -> HttpResponse:
    return _partner_answer(request, token, confirm=False)


# --- endorsements --------------------------------------------------------------------------


@login_required
def endorsement_create(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_user(request.user, slug)
    if not perms.can_endorse_platform(request.user, platform):
        messages.warning(request, _("Bevestig eerst je e-mailadres; daarna kun je steunen."))
        return redirect("account_email")
    form = EndorsementForm(request.POST or None)
    form.fields["buurt"].queryset = form.fields["buurt"].queryset.select_related("wijk")
    if request.method == "POST" and form.is_valid():
        try:
            services.endorse_platform(platform=platform, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
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


def endorsement_code_lookup(request: HttpRequest) -> HttpResponse:
    """/steun/: enter the code from the letter and see the platforms in that buurt (POST, so
    the code never lands in a URL or a log)."""
    form = CodeLookupForm(request.POST or None)
    code = platforms = None
    if form.is_valid():
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
