from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import RoleForm
from accounts.models import User
from accounts.permissions import can_manage_roles, require_role_manager, role_required
from accounts.roles import ROLES
from accounts.services import grant_role, revoke_role


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    require_role_manager(request.user)
    people = (
        User.objects.filter(groups__name__in=list(ROLES))
        .prefetch_related("groups")
        .distinct()
        .order_by("email")
    )
    return render(request, "accounts/role_list.html", {"people": people, "form": RoleForm()})


@login_required
@require_POST
@role_required(can_manage_roles)
@reauthentication_required
def role_grant(request: HttpRequest) -> HttpResponse:
    return _change_role(request, grant=True)


@login_required
@require_POST
@role_required(can_manage_roles)
@reauthentication_required
def role_revoke(request: HttpRequest) -> HttpResponse:
    return _change_role(request, grant=False)


def _change_role(request: HttpRequest, *, grant: bool) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Controleer het e-mailadres en de rol."))
        return redirect("accounts:role_list")
    user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    if user is None:
        messages.error(request, _("Er is geen account met dit e-mailadres."))
        return redirect("accounts:role_list")
    try:
        service = grant_role if grant else revoke_role
        changed = service(user=user, role=form.cleaned_data["role"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:role_list")
    if changed:
        messages.success(request, _("De rol is aangepast."))
    else:
        messages.info(request, _("Er veranderde niets: de rol was al zo."))
    return redirect("accounts:role_list")


@login_required
def management_home(request: HttpRequest) -> HttpResponse:
    """The administrators' landing page."""
    require_role_manager(request.user)
    return render(request, "management.html")
