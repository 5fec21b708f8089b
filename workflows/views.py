"""Views of the use cases that span apps: publishing a round (and booking its grants),
answering an objection, a person's own data. Guarded by the owning app's permission getters."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import AccountDeleteForm
from buurtplatform.feedback import show_errors
from platforms import permissions as platform_perms
from recognition import permissions as recognition_perms
from recognition import selectors as recognition_selectors
from recognition import services as recognition_services
from recognition.forms import ObjectionAnswerForm, ObjectionHearingForm
from recognition.models import Objection
from workflows import decisions, my_platform, privacy


@login_required
def round_publish(request: HttpRequest, slug: str) -> HttpResponse:
    # The chair check comes before re-authentication: outsiders get a plain 403.
    rnd = recognition_perms.get_round_for_chair(request.user, slug)
    return _round_publish_confirmed(request, rnd)


@reauthentication_required
def _round_publish_confirmed(request: HttpRequest, rnd) -> HttpResponse:
    if request.method != "POST":
        return render(request, "recognition/round_publish.html", {"round": rnd})
    try:
        decisions.publish_round(round=rnd, by=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("recognition:commission_round", slug=rnd.slug)
    messages.success(request, _("De ronde is gepubliceerd."))
    return redirect("recognition:round_decision", slug=rnd.slug)


@login_required
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair's page for one objection: the application, its scores, statements and the
    contested decision; the hearing (recognition:objection_hearing); then the decision on it."""
    objection = recognition_perms.get_objection_for_chair(request.user, pk)
    form = ObjectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["result"] == ObjectionAnswerForm.UPHELD:
                decisions.answer_objection(
                    objection=objection,
                    by=request.user,
                    outcome=data["outcome"],
                    granted_amount=data["granted_amount"] or 0,
                    motivation=data["motivation"],
                )
            else:
                recognition_services.reject_objection(
                    objection=objection, by=request.user, motivation=data["motivation"]
                )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            if data["result"] == ObjectionAnswerForm.UPHELD:
                messages.success(
                    request, _("Het bezwaar is gegrond verklaard met een nieuw besluit.")
                )
            else:
                messages.success(request, _("Het bezwaar is ongegrond verklaard."))
            return redirect("recognition:round_decision", slug=objection.decision.round.slug)
    decision = objection.decision
    application = decision.application
    statements = {s.criterion_id: s for s in application.statements.select_related("criterion")}
    criteria = application.round.criteria_version.criteria.order_by("number")
    return render(
        request,
        "recognition/objection_answer.html",
        {
            "objection": objection,
            "decision": decision,
            "application": application,
            "table": recognition_selectors.score_table(application),
            "criteria_rows": [
                (c, statements.get(c.pk), recognition_selectors.motivation_for(decision, c))
                for c in criteria
            ],
            "hearings": objection.hearings.select_related("recorded_by"),
            "hearing_form": ObjectionHearingForm(initial={"held_on": timezone.localdate()}),
            "may_decide": recognition_perms.can_decide_objection(request.user, objection),
            "is_open": objection.status == Objection.Status.OPEN,
            "form": form,
        },
    )


@login_required
@reauthentication_required
def data_export(request: HttpRequest) -> HttpResponse:
    """Download everything we hold about you as JSON (AVG: right of access and portability)."""
    data = privacy.export_personal_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    blocking = privacy.platforms_blocking_deletion(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.delete_account(user=request.user, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            logout(request)
            messages.success(request, _("Je account is verwijderd. Bedankt voor je inzet."))
            return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form, "blocking": blocking})


@login_required
def my_platform_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Mijn platform" page: what needs doing, the budget, claims, the application and the members
    of one platform, for its members only (403 for others, 404 for an unknown platform)."""
    platform = platform_perms.get_platform_for_member(request.user, slug)
    return render(
        request, "workflows/my_platform.html", my_platform.overview(request.user, platform)
    )
