"""Decisions that move money: recognition decides and publishes, budgets books, in one
transaction. The only place where the two apps meet."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from budgets.selectors import budget_of_decision
from budgets.services import adjust_grant, book_grant
from recognition import services as recognition
from recognition.models import Decision, Objection, Round


@transaction.atomic
def publish_round(*, round: Round, by: User) -> Round:
    """Publish every pending decision of the round and book a budget for each grant."""
    rnd = recognition.publish_round(round=round, by=by)
    for decision in Decision.objects.filter(
        round=rnd, status=Decision.Status.PUBLISHED, outcome=Decision.Outcome.GRANTED
    ).order_by("pk"):
        book_grant(decision=decision, by=by)
    return rnd


@transaction.atomic
def answer_objection(
    *, objection: Objection, by: User, outcome: str, granted_amount: Decimal, motivation: str
) -> Decision:
    """Uphold an objection with a new decision and book its money in the same transaction:
    where the contested decision had a budget, the difference is booked on it (refused, and
    nothing decided, when that would go below what is already approved or paid); a grant the
    new decision newly gives becomes a budget."""
    old = objection.decision
    decision = recognition.answer_objection(
        objection=objection,
        by=by,
        outcome=outcome,
        granted_amount=granted_amount,
        motivation=motivation,
    )
    budget = budget_of_decision(old)
    if budget is not None:
        adjust_grant(budget=budget, new_amount=decision.granted_amount, decision=decision, by=by)
    elif decision.outcome == Decision.Outcome.GRANTED:
        book_grant(decision=decision, by=by)
    return decision
