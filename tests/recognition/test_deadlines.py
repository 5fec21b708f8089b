"""Deadlines are hard: no score or declaration after the assessment deadline, whatever the path;
the pages show the deadline; who has not scored is listed; reminders go out (by the chair, and
once automatically 48 hours before the deadline)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from recognition import services
from recognition.models import ConflictDeclaration, Round, Scoresheet
from recognition.services import send_due_reminders
from tests.recognition.conftest import score

pytestmark = pytest.mark.django_db


def _deadline(rnd: Round, delta: datetime.timedelta) -> Round:
    Round.objects.filter(pk=rnd.pk).update(assessment_deadline=timezone.now() + delta)
    rnd.refresh_from_db()
    return rnd


def test_submission_one_second_after_the_deadline_is_refused(
    assessment, commission_member, client_for
):
    app = assessment["a"]
    score(app, commission_member, 3, submit=False)
    _deadline(assessment["round"], -datetime.timedelta(seconds=1))
    c = client_for(commission_member)
    r = c.post(reverse("recognition:scoresheet_submit", args=[app.pk]), follow=True)
    # The getter already refuses (403: scoring is closed), or the service explains.
    assert r.status_code in (200, 403)
    assert not Scoresheet.objects.filter(
        application=app, member=commission_member, status=Scoresheet.Status.SUBMITTED
    ).exists()
    with pytest.raises(ValidationError):
        services.submit_scoresheet(application=app, member=commission_member)


def test_service_message_names_the_deadline(assessment, commission_member):
    app = assessment["a"]
    services.declare_conflict(application=app, by=commission_member, has_conflict=False)
    _deadline(assessment["round"], -datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        services.save_scores(application=app, member=commission_member, scores={})
    assert "deadline voor beoordelen is verstreken" in " ".join(exc.value.messages)


def test_scores_are_accepted_until_the_last_second(assessment, commission_member):
    _deadline(assessment["round"], datetime.timedelta(seconds=30))
    score(assessment["a"], commission_member, 3)
    assert Scoresheet.objects.filter(status=Scoresheet.Status.SUBMITTED).count() == 1


def test_no_declaration_after_the_deadline(assessment, commission_member, client_for):
    _deadline(assessment["round"], -datetime.timedelta(seconds=1))
    c = client_for(commission_member)
    c.post(
        reverse("recognition:conflict_declare", args=[assessment["a"].pk]),
        {"has_conflict": "0"},
    )
    assert not ConflictDeclaration.objects.filter(member=commission_member).exists()


def test_pages_show_the_deadline_and_time_left(assessment, commission_member, client_for):
    c = client_for(commission_member)
    html = c.get(
        reverse("recognition:commission_round", args=[assessment["round"].slug])
    ).content.decode()
    assert "Deadline beoordelen" in html and "nog " in html
    _deadline(assessment["round"], -datetime.timedelta(minutes=1))
    html = c.get(
        reverse("recognition:commission_round", args=[assessment["round"].slug])
    ).content.decode()
    assert "er worden geen scores meer aangenomen" in html


def test_board_lists_who_has_not_scored_and_the_chair_reminds_them(
    assessment,
    commission_member,
    commission_member2,
    admin_user,
    client_for,
    django_capture_on_commit_callbacks,
):
    for key in ("a", "b", "c"):
        score(assessment[key], commission_member, 3)
    url = reverse("recognition:commission_round", args=[assessment["round"].slug])
    board = client_for(admin_user).get(url)
    names = [m.pk for m, _apps in board.context["outstanding"]]
    assert commission_member2.pk in names and commission_member.pk not in names
    mail.outbox.clear()
    remind = reverse("recognition:round_remind", args=[assessment["round"].slug])
    assert client_for(commission_member).post(remind).status_code == 403  # not the chair
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(admin_user).post(remind, follow=True)
    assert "herinnering" in r.content.decode()
    recipients = {a for m in mail.outbox for a in m.to}
    assert commission_member2.email in recipients
    assert commission_member.email not in recipients


def test_automatic_reminder_once_48_hours_before(
    assessment, commission_member, commission_member2, django_capture_on_commit_callbacks
):
    _deadline(assessment["round"], datetime.timedelta(hours=47))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() >= 2
    first = len(mail.outbox)
    assert first >= 2 and all("Herinnering" in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 0  # once per round
    assert len(mail.outbox) == first


def test_no_automatic_reminder_long_before_the_deadline(assessment):
    _deadline(assessment["round"], datetime.timedelta(days=5))
    assert send_due_reminders() == 0
