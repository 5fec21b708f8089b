"""Helpers for year-close and re-budgeting tests: a budget of a year that has ended, and the
two-person close (one proposes, another confirms)."""

from django.utils import timezone

from budgets.services import book_grant, confirm_year_close, propose_year_close
from tests.budgets.factories import granted_decision


def last_year() -> int:
    """A budget year that has ended whenever the tests run."""
    return timezone.localdate().year - 1


def this_year() -> int:
    """A budget year that has not ended yet."""
    return timezone.localdate().year


def past_budget(platform, by, **kwargs):
    """A €1000 budget of last year (two lines of €500), booked by ``by``."""
    kwargs.setdefault("year", last_year())
    return book_grant(decision=granted_decision(platform=platform, **kwargs), by=by)


def close_budget(budget, *, first, second, outcome="returned", reason="Jaar voorbij"):
    """Four eyes: ``first`` proposes the close, ``second`` confirms it."""
    close = propose_year_close(budget=budget, outcome=outcome, reason=reason, by=first)
    return confirm_year_close(close=close, by=second)
