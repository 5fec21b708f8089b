"""The chair handles an objection: records the hearing (the decision itself is a use case that
may move money: workflows.views.objection_answer, whose page holds the hearing form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buurtplatform.feedback import show_errors
from recognition import permissions as perms
from recognition import services
from recognition.forms import ObjectionHearingForm


@login_required
@require_POST
def objection_hearing(request: HttpRequest, pk: int) -> HttpResponse:
    objection = perms.get_objection_for_chair(request.user, pk)
    form = ObjectionHearingForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Vul de hoorzitting volledig in: datum, wie zijn gehoord en het verslag.")
        )
    else:
        try:
            services.record_hearing(objection=objection, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("De hoorzitting is vastgelegd."))
    return redirect("workflows:objection_answer", pk=objection.pk)
