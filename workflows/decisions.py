"""Decisions that move money: recognition decides and publishes, budgets books, in one
transaction. The only place where the two apps meet."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from budgets.services import book_grant
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
    """Answer an objection with a new decision; a grant it newly gives is booked at once."""
    old = objection.decision
    decision = recognition.answer_objection(
        objection=objection,
        by=by,
        outcome=outcome,
        granted_amount=granted_amount,
        motivation=motivation,
    )
    if decision.outcome == Decision.Outcome.GRANTED and old.outcome != Decision.Outcome.GRANTED:
        book_grant(decision=decision, by=by)
    return decision
