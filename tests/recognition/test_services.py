from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from platforms.models import Platform
from recognition import permissions as rperms
from recognition import selectors, services
from recognition.models import (
    Application,
    ConflictDeclaration,
    Criterion,
    Decision,
    Objection,
    Recognition,
    Round,
    Scoresheet,
)
from tests.recognition.conftest import complete_application, make_round, pass_deadline, score
from workflows import decisions as workflows_decisions

pytestmark = pytest.mark.django_db


def test_round_copies_current_criteria_into_frozen_version(admin_user):
    rnd = make_round(admin_user)
    assert rnd.criteria_version.frozen
    assert rnd.criteria_version.criteria.count() == 10
    current = services.current_criteria_version()
    Criterion.objects.filter(version=current, number=1).update(title_nl="Gewijzigd")
    assert rnd.criteria_version.criteria.get(number=1).title_nl == "Daadkracht"


def test_only_admin_creates_round(commission_member):
    with pytest.raises(ValidationError):
        make_round(commission_member)


def test_round_transitions_are_guarded(admin_user):
    rnd = make_round(admin_user)
    with pytest.raises(ValidationError):
        services.start_assessment(round=rnd, by=admin_user)  # draft -> assessment
    with pytest.raises(ValidationError):
        workflows_decisions.publish_round(round=rnd, by=admin_user)
    services.open_round(round=rnd, by=admin_user)
    with pytest.raises(ValidationError):
        services.start_assessment(round=rnd, by=admin_user)  # before the deadline
    with pytest.raises(ValidationError):
        services.open_round(round=rnd, by=admin_user)  # open -> open
    rnd = pass_deadline(rnd)
    services.start_assessment(round=rnd, by=admin_user)
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.ASSESSMENT
    actions = set(AuditEntry.objects.for_object(rnd).values_list("action", flat=True))
    assert {"recognition.round.open", "recognition.round.assessment"} <= actions


def test_transition_table_refuses_unlisted_steps():
    with pytest.raises(ValidationError):
        services._check_transition(services.ROUND_TRANSITIONS, "published", "open")
    with pytest.raises(ValidationError):
        services._check_transition(services.APPLICATION_TRANSITIONS, "withdrawn", "submitted")


def test_submit_lists_exactly_what_is_missing(draft_application, coordinator):
    with pytest.raises(ValidationError) as exc:
        services.submit_application(application=draft_application, by=coordinator)
    messages = exc.value.messages
    assert sum("de toelichting ontbreekt" in m for m in messages) == 10
    assert any("begrotingsregel" in m for m in messages)


def test_requested_amount_is_the_sum_of_the_plan_lines(open_round, platform, coordinator):
    app = complete_application(open_round, platform, coordinator, Decimal("5000"))
    assert app.requested_amount == Decimal("5000")
    line = services.add_plan_line(
        application=app, by=coordinator, category="Extra", description="x", amount=Decimal("1")
    )
    app.refresh_from_db()
    assert app.requested_amount == Decimal("5001")
    assert not any("som van de begroting" in m for m in services.missing_for_submission(app))
    services.remove_plan_line(line=line, by=coordinator)
    app.refresh_from_db()
    assert app.requested_amount == Decimal("5000")


def test_a_plan_line_is_at_most_the_round_total(open_round, platform, coordinator):
    app = complete_application(open_round, platform, coordinator, Decimal("5000"))
    too_much = open_round.total_budget + 1
    with pytest.raises(ValidationError):
        services.add_plan_line(
            application=app, by=coordinator, category="x", description="y", amount=too_much
        )


def test_submit_makes_immutable_revisions(open_round, platform, coordinator):
    app = complete_application(open_round, platform, coordinator)
    r1 = services.submit_application(application=app, by=coordinator)
    stmt = app.statements.first()
    services.save_statement(
        application=app,
        criterion=stmt.criterion,
        by=coordinator,
        statement="Nieuwe tekst",
        links="",
        activities=[],
    )
    r2 = services.submit_application(application=app, by=coordinator)
    r1.refresh_from_db()
    assert (r1.number, r2.number) == (1, 2)
    assert r1.snapshot["statements"][0]["statement"] != "Nieuwe tekst"
    assert r2.snapshot["statements"][0]["statement"] == "Nieuwe tekst"


def test_no_applications_after_deadline(open_round, platform, coordinator):
    rnd = pass_deadline(open_round)
    with pytest.raises(ValidationError):
        services.start_application(round=rnd, platform=platform, by=coordinator)


def test_no_edits_or_withdrawal_after_deadline(open_round, platform, coordinator):
    app = complete_application(open_round, platform, coordinator)
    services.submit_application(application=app, by=coordinator)
    pass_deadline(open_round)
    app = Application.objects.get(pk=app.pk)
    with pytest.raises(ValidationError):
        services.withdraw_application(application=app, by=coordinator)
    with pytest.raises(ValidationError):
        services.submit_application(application=app, by=coordinator)


def test_withdraw_before_deadline(open_round, platform, coordinator):
    app = complete_application(open_round, platform, coordinator)
    services.withdraw_application(application=app, by=coordinator)
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN


def test_only_coordinators_apply(open_round, platform, member):
    with pytest.raises(ValidationError):
        services.start_application(round=open_round, platform=platform, by=member)


def test_member_of_applicant_gets_automatic_conflict(assessment, commission_member_conflicted):
    # Derived when read, never written into a row by a page view or a service.
    assert not ConflictDeclaration.objects.filter(
        application=assessment["a"], member=commission_member_conflicted
    ).exists()
    assert rperms.is_conflicted(commission_member_conflicted, assessment["a"])
    with pytest.raises(ValidationError):
        services.declare_conflict(
            application=assessment["a"], by=commission_member_conflicted, has_conflict=False
        )


def test_conflicted_member_cannot_score(assessment, commission_member_conflicted):
    with pytest.raises(ValidationError):
        score(assessment["a"], commission_member_conflicted)


def test_scoring_requires_declaration(assessment, commission_member):
    crit = assessment["a"].round.criteria_version.criteria.first()
    with pytest.raises(ValidationError):
        services.save_scores(
            application=assessment["a"], member=commission_member, scores={crit.pk: (3, "")}
        )


def test_pinned_conflict_cannot_be_cleared(assessment, commission_member, admin_user):
    services.pin_conflict(
        application=assessment["c"], member=commission_member, by=admin_user, reason="buur"
    )
    with pytest.raises(ValidationError):
        services.declare_conflict(
            application=assessment["c"], by=commission_member, has_conflict=False
        )
    with pytest.raises(ValidationError):
        score(assessment["c"], commission_member)


def test_no_scoring_before_deadline(open_round, platform, coordinator, commission_member):
    app = complete_application(open_round, platform, coordinator)
    services.submit_application(application=app, by=coordinator)
    services.declare_conflict(application=app, by=commission_member, has_conflict=False)
    with pytest.raises(ValidationError):
        score(app, commission_member)


def test_submitted_scoresheet_is_locked(assessment, commission_member):
    score(assessment["a"], commission_member, 3)
    with pytest.raises(ValidationError):
        score(assessment["a"], commission_member, 1, submit=False)
    sheet = Scoresheet.objects.get(application=assessment["a"], member=commission_member)
    assert sheet.revision == assessment["a"].current_revision
    assert AuditEntry.objects.filter(action="recognition.score.submitted").exists()


def test_submit_scoresheet_needs_every_criterion(assessment, commission_member):
    app = assessment["a"]
    services.declare_conflict(application=app, by=commission_member, has_conflict=False)
    first = app.round.criteria_version.criteria.first()
    services.save_scores(application=app, member=commission_member, scores={first.pk: (2, "")})
    with pytest.raises(ValidationError) as exc:
        services.submit_scoresheet(application=app, member=commission_member)
    assert len(exc.value.messages) == 9


def test_area_groups_join_overlapping_buurten(assessment):
    groups = selectors.competition_groups(assessment["round"])
    names = sorted(sorted(a.platform.slug for a in g) for g in groups)
    assert names == [["gein-groen"], ["k-buurt-verbindt", "samen-k-buurt"]]


def test_score_table_statistics_and_discuss_flag(assessment, commission_member, commission_member2):
    app = assessment["a"]
    score(app, commission_member, 4)
    score(app, commission_member2, 1)
    table = selectors.score_table(app)
    row = table["rows"][0]
    assert [s["value"] for s in row["scores"]] == [4, 1]
    assert row["median"] == 2.5 and row["mean"] == 2.5 and row["spread"] == 3
    assert row["discuss"] is True
    assert table["total_median"] == 25.0


def test_conflicted_scores_never_count(assessment, commission_member, commission_member2):
    app = assessment["c"]
    score(app, commission_member, 3)
    score(app, commission_member2, 3)
    services.declare_conflict(
        application=app, by=commission_member2, has_conflict=True, kind="family"
    )
    assert [s.member for s in selectors.counting_sheets(app)] == [commission_member]


def test_decision_needs_quorum(assessment, commission_member, admin_user):
    score(assessment["a"], commission_member, 3)
    with pytest.raises(ValidationError, match="quorum"):
        services.record_decision(
            application=assessment["a"],
            by=admin_user,
            outcome="granted",
            granted_amount=Decimal("100"),
            motivation="m",
        )


def test_only_chair_decides(scored, commission_member):
    with pytest.raises(ValidationError):
        services.record_decision(
            application=scored["a"],
            by=commission_member,
            outcome="not_granted",
            granted_amount=0,
            motivation="m",
        )
    Round.objects.filter(pk=scored["round"].pk).update(chair=commission_member)
    app = Application.objects.get(pk=scored["a"].pk)
    d = services.record_decision(
        application=app,
        by=commission_member,
        outcome="not_granted",
        granted_amount=0,
        motivation="m",
    )
    assert d.status == Decision.Status.PENDING


def test_conflicted_chair_cannot_decide(scored, commission_member_conflicted):
    Round.objects.filter(pk=scored["round"].pk).update(chair=commission_member_conflicted)
    app = Application.objects.get(pk=scored["a"].pk)
    with pytest.raises(ValidationError):
        services.record_decision(
            application=app,
            by=commission_member_conflicted,
            outcome="not_granted",
            granted_amount=0,
            motivation="m",
        )


def test_granted_not_above_requested(scored, admin_user):
    with pytest.raises(ValidationError, match="hoger dan het gevraagde"):
        services.record_decision(
            application=scored["a"],
            by=admin_user,
            outcome="granted",
            granted_amount=Decimal("6000.01"),
            motivation="m",
        )


def test_round_total_budget_enforced(scored, admin_user):
    Round.objects.filter(pk=scored["round"].pk).update(total_budget=Decimal("9000"))
    a = Application.objects.get(pk=scored["a"].pk)
    c = Application.objects.get(pk=scored["c"].pk)
    services.record_decision(
        application=a,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("6000"),
        motivation="m",
    )
    with pytest.raises(ValidationError, match="totale budget"):
        services.record_decision(
            application=c,
            by=admin_user,
            outcome="granted",
            granted_amount=Decimal("3001"),
            motivation="m",
        )
    services.record_decision(
        application=c,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("3000"),
        motivation="m",
    )


def test_max_per_area_enforced(scored, admin_user):
    Round.objects.filter(pk=scored["round"].pk).update(max_per_area=Decimal("10000"))
    a = Application.objects.get(pk=scored["a"].pk)
    b = Application.objects.get(pk=scored["b"].pk)
    c = Application.objects.get(pk=scored["c"].pk)
    services.record_decision(
        application=a,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("6000"),
        motivation="m",
    )
    with pytest.raises(ValidationError, match="maximum per gebied"):
        services.record_decision(
            application=b,
            by=admin_user,
            outcome="granted",
            granted_amount=Decimal("4001"),
            motivation="m",
        )
    # another area has its own maximum
    services.record_decision(
        application=c,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("4000"),
        motivation="m",
    )


def test_motivation_required(scored, admin_user):
    with pytest.raises(ValidationError):
        services.record_decision(
            application=scored["a"],
            by=admin_user,
            outcome="not_granted",
            granted_amount=0,
            motivation="  ",
        )


def test_no_publication_without_every_decision(scored, admin_user):
    services.record_decision(
        application=scored["a"],
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("6000"),
        motivation="m",
    )
    with pytest.raises(ValidationError, match="Nog geen besluit"):
        services.conclude_round(round=scored["round"], by=admin_user)
    with pytest.raises(ValidationError):
        workflows_decisions.publish_round(round=scored["round"], by=admin_user)


def test_decisions_pending_until_publication(decided):
    assert not Decision.objects.filter(status=Decision.Status.PUBLISHED).exists()
    platform = decided["a"].platform
    platform.refresh_from_db()
    assert platform.recognition_status == Platform.RecognitionStatus.NOT_RECOGNISED


def test_publish_round_whole_workflow(decided, admin_user, django_capture_on_commit_callbacks):
    from budgets.models import Budget

    with django_capture_on_commit_callbacks(execute=True):
        workflows_decisions.publish_round(round=decided["round"], by=admin_user)
    published = decided
    rnd = Round.objects.get(pk=decided["round"].pk)
    assert rnd.status == Round.Status.PUBLISHED
    assert Decision.objects.filter(round=rnd, status=Decision.Status.PUBLISHED).count() == 3
    a = Application.objects.get(pk=published["a"].pk)
    b = Application.objects.get(pk=published["b"].pk)
    assert a.status == Application.Status.GRANTED and b.status == Application.Status.NOT_GRANTED
    a.platform.refresh_from_db()
    assert a.platform.recognition_status == Platform.RecognitionStatus.RECOGNISED
    assert a.platform.recognised_until is not None
    assert Recognition.objects.filter(platform=a.platform).count() == 1
    assert Budget.objects.filter(round=rnd).count() == 2
    recipients = {addr for m in mail.outbox for addr in m.to}
    assert {"coord@example.org", "rival@example.org", "othercoord@example.org"} <= recipients
    assert any("De commissie koos voor een ander platform" in m.body for m in mail.outbox)
    assert AuditEntry.objects.filter(action="recognition.decision.published").count() == 3


def test_published_round_cannot_go_back(published, admin_user):
    with pytest.raises(ValidationError):
        services.reopen_assessment(round=published["round"], by=admin_user)
    with pytest.raises(ValidationError):
        services.record_decision(
            application=Application.objects.get(pk=published["a"].pk),
            by=admin_user,
            outcome="not_granted",
            granted_amount=0,
            motivation="m",
        )


def test_objection_answered_by_superseding_decision(published, rival_coordinator, admin_user):
    from budgets.models import Budget

    old = Decision.objects.get(application=published["b"])
    objection = services.lodge_objection(decision=old, by=rival_coordinator, text="Onterecht.")
    with pytest.raises(ValidationError):
        services.lodge_objection(decision=old, by=rival_coordinator, text="Nog een.")
    services.record_hearing(
        objection=objection,
        by=admin_user,
        held_on=timezone.localdate(),
        heard="De coördinator",
        notes="Toegelicht.",
    )
    new = workflows_decisions.answer_objection(
        objection=objection,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("2000"),
        motivation="Bij nader inzien toch.",
    )
    old.refresh_from_db()
    objection.refresh_from_db()
    assert new.supersedes == old and old.outcome == "not_granted"
    assert objection.status == Objection.Status.ANSWERED and objection.answer == new
    assert Budget.objects.filter(decision=new).exists()
    new.application.platform.refresh_from_db()
    assert new.application.platform.recognition_status == "recognised"


def test_objection_only_within_period(published, rival_coordinator):
    import datetime

    old = Decision.objects.get(application=published["b"])
    Decision.objects.filter(pk=old.pk).update(
        published_at=old.published_at - datetime.timedelta(weeks=7)
    )
    old.refresh_from_db()
    with pytest.raises(ValidationError, match="bezwaartermijn"):
        services.lodge_objection(decision=old, by=rival_coordinator, text="Te laat.")


def test_only_applicant_coordinator_objects(published, other_coordinator):
    old = Decision.objects.get(application=published["b"])
    with pytest.raises(ValidationError):
        services.lodge_objection(decision=old, by=other_coordinator, text="x")


def test_suspension_and_withdrawal(published, admin_user):
    rec = Recognition.objects.get(platform=published["a"].platform)
    services.change_recognition(
        recognition=rec, by=admin_user, outcome="suspended", motivation="Onderzoek loopt."
    )
    rec.refresh_from_db()
    platform = Platform.objects.get(pk=published["a"].platform_id)
    assert rec.status == Recognition.Status.SUSPENDED
    assert platform.recognition_status == Platform.RecognitionStatus.SUSPENDED
    with pytest.raises(ValidationError):
        services.change_recognition(
            recognition=rec, by=admin_user, outcome="withdrawn", motivation="x"
        )
    chain = Decision.objects.filter(application=published["a"]).order_by("pk")
    assert [d.kind for d in chain] == ["round", "suspension"]
    assert chain[0].outcome == "granted"  # the published decision itself never changed


def test_suspension_needs_admin(published, commission_member):
    rec = Recognition.objects.get(platform=published["a"].platform)
    with pytest.raises(ValidationError):
        services.change_recognition(
            recognition=rec, by=commission_member, outcome="suspended", motivation="x"
        )


def test_expired_recognition(published):
    import datetime

    platform = Platform.objects.get(pk=published["a"].platform_id)
    later = platform.recognised_until + datetime.timedelta(days=1)
    assert services.expire_recognitions(today=later) == 2
    platform.refresh_from_db()
    assert platform.recognition_status == Platform.RecognitionStatus.EXPIRED
