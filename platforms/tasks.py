"""E-mails for invitations and partner confirmations. The services call these inside their
transaction; ``send_templated_email`` delivers after commit. The link token is passed along
because only its hash is stored."""

from django.urls import reverse
from django.utils import translation

from buurtplatform.emails import absolute_url, send_templated_email
from platforms.models import Invitation, PartnerConfirmation


def send_invitation_email(invitation: Invitation, token: str) -> None:
    with translation.override("nl"):
        link = absolute_url(reverse("platforms:invitation_detail", args=[token]))
    send_templated_email(
        to=[invitation.email],
        template="platforms/email/invitation",
        context={"invitation": invitation, "platform": invitation.platform, "link": link},
    )


def send_confirmation_request_email(confirmation: PartnerConfirmation, token: str) -> None:
    with translation.override("nl"):
        link = absolute_url(reverse("platforms:partner_confirmation", args=[token]))
    send_templated_email(
        to=[confirmation.partner_email],
        template="platforms/email/confirmation",
        context={"confirmation": confirmation, "activity": confirmation.activity, "link": link},
    )
