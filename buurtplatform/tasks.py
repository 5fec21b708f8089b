"""Celery tasks of the project package (not an app: buurtplatform/celery.py includes this module).

``deliver_email`` takes an already rendered message (strings only) and sends it; a failing mail
server is retried with back-off. Use ``buurtplatform.emails.send_templated_email`` to send mail.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


# Acknowledged early, unlike the other tasks (CELERY_TASK_ACKS_LATE): sending is not
# idempotent. A worker killed after the mail server took the message but before the ack would
# have it delivered again; early ack loses at most the one message in hand instead.
@shared_task(
    bind=True,
    name="buurtplatform.tasks.deliver_email",
    acks_late=False,
    reject_on_worker_lost=False,
    autoretry_for=(smtplib.SMTPException, OSError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def deliver_email(
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    from_email: str | None = None,
) -> None:
    message = EmailMultiAlternatives(subject, body, from_email or None, to)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.warning(
            "E-mail %r to %s recipient(s) failed (attempt %s of %s)",
            subject,
            len(to),
            self.request.retries + 1,
            self.max_retries + 1,
            exc_info=True,
        )
        raise


@shared_task(name="buurtplatform.tasks.heartbeat", ignore_result=True, acks_late=False)
def heartbeat() -> None:
    """Sent by beat every minute; the Celery signals record it (buurtplatform/status.py)."""
