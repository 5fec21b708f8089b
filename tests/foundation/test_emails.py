"""The one e-mail path (buurtplatform.emails): absolute links from SITE_URL, the site name from
settings (never example.com), plain text without HTML entities, delivery after commit only,
and a failing mail server never breaks the action that sent the mail."""

import datetime
import re
import smtplib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse

from budgets.checks import run_ledger_check
from budgets.models import Entry, ExpenseClaim, Transaction
from budgets.services import approve_claim, book_grant, budget_account, reject_claim
from buurtplatform import emails
from buurtplatform.celery import app as celery_app
from buurtplatform.tasks import deliver_email
from platforms import services as platform_services
from platforms.models import Invitation, Membership
from recognition.services import _mail_outcome
from tests.budgets.conftest import make_claim
from tests.budgets.factories import granted_decision
from tests.factories import ActivityFactory, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db

TRICKY_NAME = 'Buurt & "Samen"'
ENTITIES = ("&amp;", "&quot;", "&#x27;", "&#39;", "&lt;", "&gt;")
URL = re.compile(r"https?://[^\s<>\"']+")


class FailingBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    calls = 0

    def send_messages(self, email_messages):
        FailingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def failing_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.calls = 0
    return FailingBackend


@pytest.fixture
def tricky_platform(db):
    return PlatformFactory(name=TRICKY_NAME, slug="buurt-samen", contact_email="")


@pytest.fixture
def tricky_coordinator(tricky_platform):
    user = UserFactory(email="coord.samen@example.org", name="Cor & Co")
    MembershipFactory(platform=tricky_platform, user=user, role=Membership.Role.COORDINATOR)
    return user


def assert_clean(message, *, expect: str | None = None) -> None:
    """Links absolute on SITE_URL, the site name, no example.com, no entities in plain text."""
    text = f"{message.subject}\n{message.body}"
    links = URL.findall(message.body)
    assert links, message.body
    for link in links:
        assert link.startswith(settings.SITE_URL + "/") or link == settings.SITE_URL, link
    assert settings.SITE_NAME in message.body
    everything = text + "".join(str(content) for content, _ in message.alternatives)
    assert "example.com" not in everything
    for entity in ENTITIES:
        assert entity not in text, (entity, text)
    assert "\n" not in message.subject
    if expect is not None:
        assert expect in message.body


# --- (a) real flows -----------------------------------------------------------------------


def test_invitation_via_the_view(
    tricky_platform, tricky_coordinator, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(tricky_coordinator).post(
            reverse("platforms:member_invite", args=[tricky_platform.slug]),
            {"email": "buur@example.org", "role": "member"},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["buur@example.org"]]
    message = mail.outbox[0]
    assert_clean(message, expect=TRICKY_NAME)
    assert TRICKY_NAME in message.subject
    assert f"{settings.SITE_URL}/" in message.body and "/uitnodiging/" in message.body


def test_partner_confirmation_request(
    tricky_platform, tricky_coordinator, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(platform=tricky_platform, title='Koffie & "koek"')
    with django_capture_on_commit_callbacks(execute=True):
        platform_services.request_partner_confirmation(
            activity=activity,
            partner_name="Buurthuis 't Anker",
            partner_email="anker@example.org",
            by=tricky_coordinator,
        )
    message = mail.outbox[0]
    assert_clean(message, expect='Koffie & "koek"')
    assert "Buurthuis 't Anker" in message.body
    assert TRICKY_NAME in message.subject


@pytest.fixture
def tricky_claim(tricky_platform, support_staff2):
    member = UserFactory(email="lid.samen@example.org")
    MembershipFactory(platform=tricky_platform, user=member)
    budget = book_grant(decision=granted_decision(platform=tricky_platform), by=support_staff2)
    return make_claim(budget, member, description='Koffie & "thee" voor de buren')


def test_claim_approved_mail(tricky_claim, support_staff, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_claim(claim=tricky_claim, by=support_staff)
    assert [m.to for m in mail.outbox] == [["lid.samen@example.org"]]
    message = mail.outbox[0]
    assert_clean(message, expect='Koffie & "thee" voor de buren')
    assert "goedgekeurd" in message.subject
    assert "100,00" in message.body
    assert reverse("budgets:claim_detail", args=[tricky_claim.pk]) in message.body
    assert " uw " not in message.body.lower() and "Je declaratie" in message.body


def test_claim_rejected_mail(tricky_claim, support_staff, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reject_claim(claim=tricky_claim, by=support_staff, reason='Bon\'s "kwijt" & <onleesbaar>')
    message = mail.outbox[0]
    assert_clean(message, expect='Bon\'s "kwijt" & <onleesbaar>')
    assert "afgewezen" in message.subject


def test_ledger_breach_mail(tricky_claim, support_staff, django_capture_on_commit_callbacks):
    budget = tricky_claim.budget
    bad = Transaction.objects.create(
        budget=budget, kind="grant", value_date=datetime.date(2026, 5, 1), description="a & b"
    )
    Entry.objects.create(
        transaction=bad, account=budget_account(budget), side="debit", amount=Decimal("5.00")
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        breaches = run_ledger_check()
    assert breaches
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert support_staff.email in message.to
    assert_clean(message, expect=f"Boeking {bad.pk}")


def test_decision_outcome_mail(
    tricky_platform, tricky_coordinator, django_capture_on_commit_callbacks
):
    decision = granted_decision(platform=tricky_platform, amount="1234.50", lines=())
    decision.motivation = 'Een sterk plan & "veel" draagvlak.'
    decision.save(update_fields=["motivation"])
    with django_capture_on_commit_callbacks(execute=True):
        _mail_outcome(decision)
    message = mail.outbox[0]
    assert message.to == [tricky_coordinator.email]
    assert_clean(message, expect='Een sterk plan & "veel" draagvlak.')
    assert "€ 1.234,50" in message.body
    link = f"{settings.SITE_URL}{reverse('recognition:round_decision', args=[decision.round.slug])}"
    assert link in message.body
    assert "kun je bezwaar maken" in message.body


def test_allauth_signup_mail_uses_site_name_and_site_url(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "signup.mail@example.org",
            "name": 'Nina & "Co"',
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert_clean(message)
    assert "/account/confirm-email/" in message.body
    assert "testserver" not in message.body


def test_the_site_row_comes_from_settings():
    from django.contrib.sites.models import Site

    site = Site.objects.get_current()
    assert site.name == settings.SITE_NAME
    assert site.domain in settings.SITE_URL
    assert "example.com" not in (site.name, site.domain)


# --- (b) a failing mail server ------------------------------------------------------------


def test_delivery_task_retries_smtp_failures():
    assert issubclass(smtplib.SMTPServerDisconnected, deliver_email.autoretry_for)
    assert smtplib.SMTPException in deliver_email.autoretry_for
    assert deliver_email.retry_backoff is True
    assert deliver_email.max_retries == 5
    assert deliver_email.name in celery_app.tasks


def test_smtp_failure_does_not_break_the_invitation(
    platform, coordinator, failing_smtp, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = platform_services.invite_member(
            platform=platform, email="buur@example.org", role="member", by=coordinator
        )
    assert callbacks
    assert Invitation.objects.filter(pk=invitation.pk, email="buur@example.org").exists()
    assert mail.outbox == []
    # Eager mode: Celery re-runs the retries in-process (without waiting) and the last error
    # surfaces in the on-commit callback, where it is logged.
    assert 2 <= failing_smtp.calls <= 1 + deliver_email.max_retries
    assert "could not be delivered" in caplog.text


def test_smtp_failure_does_not_break_a_claim_review(
    claim_for_member, support_staff, failing_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_claim(claim=claim_for_member, by=support_staff)
    assert approved.status == ExpenseClaim.Status.APPROVED
    assert ExpenseClaim.objects.get(pk=approved.pk).status == ExpenseClaim.Status.APPROVED
    assert failing_smtp.calls >= 1


@pytest.fixture
def claim_for_member(platform, member, support_staff2):
    budget = book_grant(decision=granted_decision(platform=platform), by=support_staff2)
    return make_claim(budget, member)


def test_smtp_failure_does_not_break_signup(client, failing_smtp):
    from accounts.models import User

    response = client.post(
        reverse("account_signup"),
        {
            "email": "signup.smtp@example.org",
            "name": "Nina",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="signup.smtp@example.org").exists()
    assert failing_smtp.calls >= 1


@pytest.fixture
def real_worker():
    """Dispatch as with Redis: apply_async instead of running in-process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def test_in_a_worker_an_smtp_failure_asks_for_a_retry_with_backoff(failing_smtp, monkeypatch):
    from celery.exceptions import Retry

    asked = []

    def retry(**kwargs):
        asked.append(kwargs)
        return Retry(exc=kwargs.get("exc"), when=kwargs.get("countdown"))

    monkeypatch.setattr(deliver_email, "retry", retry)
    deliver_email.apply(
        kwargs={"subject": "Test", "body": "Hallo", "to": ["a@example.org"]}, throw=False
    )
    assert failing_smtp.calls == 1
    (request,) = asked
    assert isinstance(request["exc"], smtplib.SMTPServerDisconnected)
    assert request["countdown"] >= 0  # retry_backoff: exponential, jittered


def test_broker_failure_with_a_real_worker_is_logged_not_raised(real_worker, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_email, "apply_async", broker_down)
    emails.send_rendered_email(
        subject="Test", body="Hallo", to=["a@example.org"], after_commit=False
    )
    assert "could not be delivered" in caplog.text


def test_with_a_real_worker_the_task_is_enqueued_with_strings_only(
    real_worker,
    monkeypatch,
    tricky_platform,
    tricky_coordinator,
    django_capture_on_commit_callbacks,
):
    sent = []
    monkeypatch.setattr(deliver_email, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        platform_services.invite_member(
            platform=tricky_platform, email="buur@example.org", role="member", by=tricky_coordinator
        )
    (call,) = sent
    message = call["kwargs"]
    assert message["to"] == ["buur@example.org"]
    assert all(isinstance(v, str) or v is None for k, v in message.items() if k != "to")
    assert all(isinstance(address, str) for address in message["to"])
    assert mail.outbox == []


# --- (c) rollback: nothing is sent ---------------------------------------------------------


def test_nothing_is_sent_when_the_transaction_rolls_back(
    platform, coordinator, django_capture_on_commit_callbacks
):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort), transaction.atomic():
            platform_services.invite_member(
                platform=platform, email="buur@example.org", role="member", by=coordinator
            )
            raise Abort
    assert callbacks == []
    assert mail.outbox == []
    assert not Invitation.objects.filter(email="buur@example.org").exists()


def test_nothing_is_sent_before_commit(platform, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        platform_services.invite_member(
            platform=platform, email="buur@example.org", role="member", by=coordinator
        )
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["buur@example.org"]]
