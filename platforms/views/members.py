"""Members, invitations and the personal overview (/mijn/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buurtplatform.feedback import confirm_page
from platforms import permissions as perms
from platforms import services
from platforms.forms import (
    InvitationForm,
    NameVisibilityForm,
    RoleChangeForm,
)
from platforms.models import (
    Endorsement,
    Invitation,
    Membership,
)
from platforms.selectors import platform_history
from platforms.views._common import show_errors


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
            "entries": platform_history(platform) if can_manage else [],
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
            show_errors(request, exc)
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
            show_errors(request, exc)
        else:
            messages.success(request, _("De rol is aangepast."))
    return redirect("platforms:member_list", slug)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = perms.get_membership_for_user(request.user, slug, pk)
    if request.method == "GET":
        who = membership.user.get_full_name() or membership.user.email
        return confirm_page(
            request,
            title=_("%(who)s verwijderen uit %(platform)s?")
            % {"who": who, "platform": membership.platform.name},
            happens=_(
                "%(who)s is dan geen lid meer: geen toegang meer tot de ledenpagina, "
                "aanvragen en declaraties van dit platform. Je kunt later opnieuw uitnodigen."
            )
            % {"who": who},
            kept=_(
                "Activiteiten, declaraties en besluiten waaraan %(who)s meewerkte blijven "
                "bewaard, net als de geschiedenis van het platform."
            )
            % {"who": who},
            button=_("Ja, lid verwijderen"),
            back=reverse("platforms:member_list", args=[slug]),
        )
    try:
        services.remove_member(membership=membership, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
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
@require_http_methods(["GET", "POST"])
def platform_leave(request: HttpRequest, slug: str) -> HttpResponse:
    platform = perms.get_platform_for_member(request.user, slug)
    if request.method == "GET":
        return confirm_page(
            request,
            title=_("%(platform)s verlaten?") % {"platform": platform.name},
            happens=_(
                "Je bent dan geen lid meer en ziet de ledenpagina, aanvragen en declaraties "
                "van dit platform niet meer. Terugkomen kan alleen met een nieuwe uitnodiging."
            ),
            kept=_(
                "Wat je voor het platform deed (activiteiten, declaraties, besluiten) blijft "
                "bewaard, net als de geschiedenis van het platform."
            ),
            button=_("Ja, platform verlaten"),
            back=reverse("platforms:member_list", args=[slug]),
        )
    try:
        services.leave_platform(membership=perms.membership_of(request.user, platform))
    except ValidationError as exc:
        show_errors(request, exc)
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
        show_errors(request, exc)
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
        show_errors(request, exc)
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
        show_errors(request, exc)
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
