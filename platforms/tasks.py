"""E-mails for invitations and partner confirmations (tasks take ids; the link token is passed
along because only its hash is stored)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from platforms.models import Invitation, PartnerConfirmation


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@shared_task
def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("platform", "invited_by").get(pk=invitation_id)
    with translation.override("nl"):
        context = {
            "invitation": invitation,
            "link": _absolute(reverse("platforms:invitation_detail", args=[token])),
        }
        subject = render_to_string("platforms/email/invitation_subject.txt", context).strip()
        body = render_to_string("platforms/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


@shared_task
def send_confirmation_request_email(confirmation_id: int, token: str) -> None:
    confirmation = PartnerConfirmation.objects.select_related("activity__platform").get(
        pk=confirmation_id
    )
    with translation.override("nl"):
        context = {
            "confirmation": confirmation,
            "activity": confirmation.activity,
            "link": _absolute(reverse("platforms:partner_confirmation", args=[token])),
        }
        subject = render_to_string("platforms/email/confirmation_subject.txt", context).strip()
        body = render_to_string("platforms/email/confirmation_body.txt", context)
    send_mail(subject, body, None, [confirmation.partner_email])
