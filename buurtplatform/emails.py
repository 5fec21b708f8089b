"""The one e-mail path: render a template pair and hand the strings to Celery after commit.

``send_templated_email(to=..., template="app/email/name", context=...)`` renders

* ``<template>_subject.txt`` – one line, autoescape off;
* ``<template>_body.txt`` – plain text, autoescape off (no ``&amp;`` in a plain-text mail);
* ``<template>_body.html`` – optional, autoescaped as usual;

with ``site_name`` and ``site_url`` from settings added to the context, under
``translation.override(language)``. Build links with ``absolute_url(reverse(...))``.

Delivery is ``buurtplatform.tasks.deliver_email``, enqueued in ``transaction.on_commit``: nothing
is sent when the surrounding transaction rolls back, and a failing mail server (retried by the
task) or broker is logged and never breaks the action that sent the mail.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from django.template.backends.django import Template as DjangoTemplate

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """``/pad/`` -> ``<SITE_URL>/pad/``; an already absolute URL is returned as is."""
    path = str(path)
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def _render_text(name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template with autoescaping off (whatever the template says)."""
    # the engine's Template, not the backend wrapper
    template = cast("DjangoTemplate", get_template(name)).template
    return template.render(Context(context, autoescape=False))


def send_templated_email(
    *, to: list[str], template: str, context: dict[str, Any], language: str = "nl"
) -> None:
    """Render ``<template>_subject.txt``/``_body.txt`` (and ``_body.html`` if it exists) and send
    it to ``to`` after the current transaction commits."""
    recipients = [str(address) for address in to if address]
    if not recipients:
        return
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(_render_text(f"{template}_subject.txt", context).split())
        body = _render_text(f"{template}_body.txt", context)
        try:
            html = render_to_string(f"{template}_body.html", context)
        except TemplateDoesNotExist:
            html = None
    send_rendered_email(subject=subject, body=body, html=html, to=recipients)


def send_rendered_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    from_email: str | None = None,
    after_commit: bool = True,
) -> None:
    """Deliver an already rendered message (for allauth, which renders its own templates).
    Application code uses ``send_templated_email``."""
    message = {
        "subject": str(subject),
        "body": str(body).strip() + "\n",
        "html": str(html) if html is not None else None,
        "to": [str(address) for address in to if address],
        "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
    }
    if not message["to"]:
        return
    if after_commit:
        transaction.on_commit(lambda: _dispatch(message))
    else:
        _dispatch(message)


def _dispatch(message: dict[str, Any]) -> None:
    """Enqueue the delivery task; in eager mode run it here. Never raises: log instead."""
    from buurtplatform.tasks import deliver_email

    try:
        if deliver_email.app.conf.task_always_eager:
            # Eager mode re-runs the task's retries in-process (without the back-off wait) and
            # raises the last error (or a Retry) even with throw=False: caught below.
            result = deliver_email.apply(kwargs=message, throw=False)
            if result.failed():
                raise result.result
        else:
            deliver_email.apply_async(kwargs=message)
    except Exception:
        logger.exception(
            "E-mail %r to %s recipient(s) could not be delivered",
            message["subject"],
            len(message["to"]),
        )
