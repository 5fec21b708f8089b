"""The nightly ledger check: run the invariant queries and tell the support organisation."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from accounts.roles import support_addresses
from audit.services import record
from budgets.selectors import ledger_breaches
from buurtplatform.emails import absolute_url, send_templated_email


def run_ledger_check(*, notify: bool = True) -> list[str]:
    """Return the breaches; if there are any, e-mail them to support staff and audit it."""
    breaches = ledger_breaches()
    if breaches and notify:
        with translation.override("nl"):
            link = absolute_url(reverse("budgets:budget_list"))
        send_templated_email(
            to=support_addresses(),
            template="budgets/email/ledger_breach",
            context={"breaches": breaches, "count": len(breaches), "link": link},
        )
        record(actor=None, action="budgets.ledger.breach", data={"breaches": breaches[:50]})
    return breaches
