"""Shared constants of the recognition services: visibility levels and the transition tables."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from recognition.models import (
    Application,
    Round,
)

PUBLIC = AuditEntry.Visibility.PUBLIC
COMMISSION = AuditEntry.Visibility.COMMISSION
ADMIN = AuditEntry.Visibility.ADMIN

RS = Round.Status
AS = Application.Status

# Allowed transitions; anything not listed raises.
ROUND_TRANSITIONS: dict[str, set[str]] = {
    RS.DRAFT: {RS.OPEN},
    RS.OPEN: {RS.ASSESSMENT},
    RS.ASSESSMENT: {RS.DECIDED},
    RS.DECIDED: {RS.ASSESSMENT, RS.PUBLISHED},
    RS.PUBLISHED: set(),
}
APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    AS.DRAFT: {AS.SUBMITTED, AS.WITHDRAWN},
    AS.SUBMITTED: {AS.SUBMITTED, AS.WITHDRAWN, AS.GRANTED, AS.NOT_GRANTED},
    AS.WITHDRAWN: set(),
    AS.ASSESSED: {AS.GRANTED, AS.NOT_GRANTED},
    AS.GRANTED: {AS.NOT_GRANTED},
    AS.NOT_GRANTED: {AS.GRANTED},
}


def _check_transition(table: dict[str, set[str]], current: str, target: str) -> None:
    if target not in table.get(current, set()):
        # Name the states as people read them, never the codes ("published").
        labels = RS if table is ROUND_TRANSITIONS else AS
        raise ValidationError(
            _("Deze stap is niet toegestaan (van ‘%(a)s’ naar ‘%(b)s’).")
            % {"a": labels(current).label, "b": labels(target).label},
            code="transition",
        )


def _now() -> datetime.datetime:
    return timezone.now()
