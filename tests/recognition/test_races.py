"""Races at the deadline and at the chair's table, on PostgreSQL (threads, row locks)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from recognition import services
from recognition.models import Round, Scoresheet
from tests.budgets.test_concurrency import run_concurrently
from tests.recognition.conftest import score

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
    ),
]


@pytest.fixture(autouse=True)
def _reference(reference_data):
    """Transactional tests flush the migration data (buurten, criteria): load it first."""


def test_two_members_submitting_in_the_same_second_both_count(
    assessment, commission_member, commission_member2
):
    app = assessment["a"]
    members = [commission_member, commission_member2]
    for m in members:
        score(app, m, 3, submit=False)
    results = run_concurrently(
        2, lambda i: services.submit_scoresheet(application=app, member=members[i])
    )
    assert [r[0] for r in results] == ["ok", "ok"]
    assert Scoresheet.objects.filter(status=Scoresheet.Status.SUBMITTED).count() == 2


def test_submissions_after_the_deadline_second_are_all_refused(
    assessment, commission_member, commission_member2
):
    app = assessment["a"]
    members = [commission_member, commission_member2]
    for m in members:
        score(app, m, 3, submit=False)
    Round.objects.filter(pk=app.round_id).update(
        assessment_deadline=timezone.now() - datetime.timedelta(seconds=1)
    )
    app.refresh_from_db()
    results = run_concurrently(
        2, lambda i: services.submit_scoresheet(application=app, member=members[i])
    )
    assert [r[0] for r in results] == ["refused", "refused"]
    assert not Scoresheet.objects.filter(status=Scoresheet.Status.SUBMITTED).exists()


def test_chair_concluding_while_a_member_scores_never_takes_a_late_score(
    scored, admin_user, commission_member_conflicted
):
    rnd, c = scored["round"], scored["c"]  # the conflicted member may score Gein (group c)
    for app, outcome, amount in (
        (scored["a"], "granted", Decimal("6000")),
        (scored["b"], "not_granted", Decimal("0")),
        (c, "granted", Decimal("3000")),
    ):
        services.record_decision(
            application=app, by=admin_user, outcome=outcome, granted_amount=amount, motivation="M"
        )
    score(c, commission_member_conflicted, 4, submit=False)

    def act(i: int):
        if i == 0:
            return services.conclude_round(round=rnd, by=admin_user)
        return services.submit_scoresheet(application=c, member=commission_member_conflicted)

    results = run_concurrently(2, act)
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.DECIDED
    submitted = AuditEntry.objects.filter(action="recognition.score.submitted").order_by("pk")
    decided = AuditEntry.objects.get(action="recognition.round.decided")
    late = [e for e in submitted if e.pk > decided.pk]
    assert late == []  # a score either landed before the round moved on, or was refused
    assert sorted(r[0] for r in results) in (["ok", "ok"], ["ok", "refused"])
