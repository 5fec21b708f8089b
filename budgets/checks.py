"""The nightly ledger check: run the invariant queries and tell the support organisation."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import SUPPORT
from audit.services import record
from budgets.reporting import ledger_breaches


def support_addresses() -> list[str]:
    emails = list(
        User.objects.filter(groups__name=SUPPORT, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    return emails or [settings.SUPPORT_EMAIL]


def run_ledger_check(*, notify: bool = True) -> list[str]:
    """Return the breaches; if there are any, e-mail them to support staff and audit it."""
    breaches = ledger_breaches()
    if breaches and notify:
        send_mail(
            _("Boekhouding: %(n)s afwijking(en) gevonden") % {"n": len(breaches)},
            _("De nachtelijke controle van het grootboek vond:\n\n")
            + "\n".join(f"- {b}" for b in breaches),
            settings.DEFAULT_FROM_EMAIL,
            support_addresses(),
        )
        record(actor=None, action="budgets.ledger.breach", data={"breaches": breaches[:50]})
    return breaches
