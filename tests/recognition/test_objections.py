"""The objection procedure, through the views: lodged once per decision within the period,
mailed to objector, commission (without the conflicted) and support organisation, shown as
pending to the applicant, heard, then upheld (a new decision, money re-booked by the
difference) or rejected (the decision stays); a decision on an objection cannot be objected to
again; the decision page and PDF say which decision replaced which and who can still object."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from budgets.models import Budget, Transaction
from budgets.selectors import ledger_breaches
from budgets.services import (
    approve_claim,
    budget_remaining,
    request_reversal,
    reverse_transaction,
    submit_claim,
)
from buurtplatform.formatting import format_date
from buurtplatform.uploads import clean_upload
from recognition import permissions, selectors, services
from recognition.models import Decision, Objection, ObjectionHearing
from reports.rendering import render_report
from tests.budgets.conftest import png_upload
from tests.budgets.factories import granted_decision
from tests.factories import MembershipFactory, PlatformFactory, UserFactory
from tests.reports.conftest import pdf_text

NO_FURTHER = (
    "Tegen dit besluit op bezwaar is geen nieuw bezwaar mogelijk; "
    "je kunt in beroep gaan bij de rechtbank."
)


def _urls(decision: Decision) -> dict[str, str]:
    return {
        "detail": reverse("recognition:application_detail", args=[decision.application_id]),
        "create": reverse("recognition:objection_create", args=[decision.pk]),
        "page": reverse("recognition:round_decision", args=[decision.round.slug]),
    }


def _lodge(client, decision, capture, text="Het plan is verkeerd gelezen.") -> Objection:
    with capture(execute=True):
        response = client.post(_urls(decision)["create"], {"text": text})
    assert response.status_code == 302
    return decision.objections.get()


def _hear(client, objection, **data):
    url = reverse("recognition:objection_hearing", args=[objection.pk])
    fields = {
        "held_on": timezone.localdate().isoformat(),
        "heard": "Twee coördinatoren van het platform",
        "notes": "Het platform lichtte de activiteiten in de K-buurt toe.",
    }
    fields.update(data)
    return client.post(url, fields)


def _answer(client, objection, capture=None, **data):
    url = reverse("workflows:objection_answer", args=[objection.pk])
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def _texts(message) -> str:
    return message.subject + "\n" + message.body


# --- the full journey: upheld with a lower amount -------------------------------------------------


@pytest.mark.django_db
def test_objection_journey_upheld_lower_amount(
    published,
    coordinator,
    admin_user,
    commission_member,
    commission_member2,
    commission_member_conflicted,
    support_staff,
    client_for,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    old = Decision.objects.get(application=published["a"])  # granted € 6.000, budget booked
    budget = Budget.objects.get(decision=old)
    assert budget.granted_amount == Decimal("6000.00")
    urls = _urls(old)
    applicant = client_for(coordinator)
    page = applicant.get(urls["detail"]).content.decode()
    assert urls["create"] in page and "Bezwaar maken" in page
    deadline = selectors.objection_deadline(old)
    assert f"Je kunt tot {format_date(deadline)} bezwaar maken" in page

    # lodge: e-mails to the objector, the commission without the conflicted, the support org.
    mail.outbox.clear()
    objection = _lodge(applicant, old, capture)
    assert objection.status == Objection.Status.OPEN and objection.submitted_by == coordinator
    by_recipient = {address: m for m in mail.outbox for address in m.to}
    assert "Je bezwaar is ontvangen" in by_recipient[coordinator.email].subject
    commission_mail = by_recipient[commission_member.email]
    assert set(commission_mail.to) == {commission_member.email, commission_member2.email}
    assert commission_member_conflicted.email not in by_recipient  # member of the platform
    assert reverse("workflows:objection_answer", args=[objection.pk]) in commission_mail.body
    support_mail = by_recipient[support_staff.email]
    assert "Samen K-buurt" in support_mail.subject and urls["page"] in support_mail.body
    assert AuditEntry.objects.filter(action="recognition.objection.lodged").exists()

    # the applicant page: pending, no second button; a forged second objection is refused
    page = applicant.get(urls["detail"]).content.decode()
    today = format_date(timezone.localdate())
    assert f"Bezwaar ingediend op {today}, in behandeling." in page
    assert urls["create"] not in page
    assert applicant.post(urls["create"], {"text": "Nog een keer."}).status_code == 403
    assert Objection.objects.filter(decision=old).count() == 1

    # the chair's page shows the application, scores, statements and the contested decision
    chair = client_for(admin_user)
    answer_url = reverse("workflows:objection_answer", args=[objection.pk])
    html = chair.get(answer_url).content.decode()
    first = published["round"].criteria_version.criteria.order_by("number").first()
    for expected in (
        "Het plan is verkeerd gelezen.",  # the objection
        f"Zo laten wij {first.title} zien.",  # a statement per criterion
        "Mediaan",  # the score table
        "Sterk trackrecord in de K-buurt.",  # the contested decision's motivation
        "Overtuigend.",  # its per-criterion motivation
        "Nog geen hoorzitting vastgelegd",
    ):
        assert expected in html, expected

    # no decision without a hearing (service-level: the POST reaches it and is refused)
    decide = {
        "result": "upheld",
        "outcome": "granted",
        "granted_amount": "5000.00",
        "motivation": "Het gevraagde materiaal is elders al betaald.",
    }
    response = _answer(chair, objection, **decide)
    assert response.status_code == 200
    assert "Leg eerst de hoorzitting vast" in response.content.decode()
    assert not Decision.objects.filter(supersedes=old).exists()
    with pytest.raises(ValidationError, match="hoorzitting"):
        services.reject_objection(objection=objection, by=admin_user, motivation="x")

    # the hearing, recorded by the chair (audited); a future date is refused
    assert _hear(chair, objection, held_on="2099-01-01").status_code == 302
    assert not objection.hearings.exists()
    assert _hear(chair, objection).status_code == 302
    hearing = ObjectionHearing.objects.get(objection=objection)
    assert hearing.recorded_by == admin_user and hearing.held_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="recognition.objection.hearing_recorded").exists()
    assert "Twee coördinatoren van het platform" in chair.get(answer_url).content.decode()

    # upheld with a lower amount: a new decision; the budget is re-booked by the difference
    mail.outbox.clear()
    response = _answer(chair, objection, capture, **decide)
    assert response.status_code == 302
    objection.refresh_from_db()
    new = Decision.objects.get(supersedes=old)
    assert objection.status == Objection.Status.ANSWERED and objection.answer == new
    assert new.kind == Decision.Kind.OBJECTION and new.granted_amount == Decimal("5000.00")
    budget.refresh_from_db()
    assert budget.granted_amount == Decimal("5000.00")
    adjustment = Transaction.objects.get(decision=new, kind=Transaction.Kind.ADJUSTMENT)
    assert {(e.account.code, e.side, e.amount) for e in adjustment.entries.all()} == {
        (f"B{budget.pk}-BUDGET", "credit", Decimal("1000.00")),
        ("SYS-GRANT-SOURCE", "debit", Decimal("1000.00")),
    }
    assert budget_remaining(budget) == Decimal("5000.00")
    assert ledger_breaches() == []
    assert Transaction.objects.filter(budget=budget, kind="grant").count() == 1  # untouched

    # mailed to the objector and the platform's coordinators (and its contact address)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert coordinator.email in message.to
    assert "gegrond" in message.subject and "€ 5.000,00" in message.body
    assert NO_FURTHER in " ".join(message.body.split())

    # the applicant page shows the outcome and offers no objection against the new decision
    page = applicant.get(urls["detail"]).content.decode()
    assert "gegrond verklaard" in page and NO_FURTHER in page
    assert reverse("recognition:objection_create", args=[new.pk]) not in page

    # the decision page marks the superseded decision and names the new one
    html = client_for(None).get(urls["page"]).content.decode()
    published_on = format_date(timezone.localdate())
    assert f"Vervangen door het besluit van {published_on}" in html
    assert f'href="#besluit-{new.pk}"' in html and f'id="besluit-{new.pk}"' in html
    assert f"Vervangt het besluit van {format_date(old.published_at)}" in html
    assert "gegrond verklaard" in html and NO_FURTHER in html

    # ... and so does the PDF, with the round, publication date, version and right to object
    text = " ".join(pdf_text(render_report("round_decision", old.round.slug)).split())
    assert published["round"].title in text
    assert f"Gepubliceerd op {format_date(published['round'].published_at)}" in text
    assert f"Versie van {published_on} (4 gepubliceerde besluiten)" in text
    assert f"Vervangen door het besluit van {published_on}" in text
    assert "gegrond verklaard" in text
    assert "geen nieuw bezwaar mogelijk" in text
    assert "binnen 6 weken na de publicatie van een besluit één keer bezwaar maken" in text
    assert f"kan de aanvrager tot {format_date(deadline)} bezwaar maken" in text  # b and c


@pytest.mark.django_db
def test_upheld_with_a_higher_amount_books_the_difference(
    published, other_coordinator, admin_user, client_for, django_capture_on_commit_callbacks
):
    old = Decision.objects.get(application=published["c"])  # € 3.500 of € 4.000 requested
    budget = Budget.objects.get(decision=old)
    objection = _lodge(client_for(other_coordinator), old, django_capture_on_commit_callbacks)
    chair = client_for(admin_user)
    _hear(chair, objection)
    response = _answer(
        chair,
        objection,
        result="upheld",
        outcome="granted",
        granted_amount="4000.00",
        motivation="Het volledige plan past binnen het budget.",
    )
    assert response.status_code == 302
    new = Decision.objects.get(supersedes=old)
    budget.refresh_from_db()
    assert budget.granted_amount == Decimal("4000.00")
    tx = Transaction.objects.get(decision=new, kind=Transaction.Kind.ADJUSTMENT)
    assert {(e.account.code, e.side, e.amount) for e in tx.entries.all()} == {
        (f"B{budget.pk}-BUDGET", "debit", Decimal("500.00")),
        ("SYS-GRANT-SOURCE", "credit", Decimal("500.00")),
    }
    assert budget_remaining(budget) == Decimal("4000.00")
    assert selectors.granted_total(published["round"]) == Decimal("10000.00")  # 6000 + 4000
    assert ledger_breaches() == []


@pytest.mark.django_db
def test_lowering_below_what_is_committed_is_refused_and_nothing_is_decided(
    published,
    coordinator,
    member,
    admin_user,
    support_staff,
    client_for,
    django_capture_on_commit_callbacks,
):
    old = Decision.objects.get(application=published["a"])
    budget = Budget.objects.get(decision=old)
    claim = submit_claim(
        budget=budget,
        budget_line=budget.lines.first(),
        by=member,
        amount=Decimal("5500.00"),
        expense_date=datetime.date(2027, 2, 1),
        payee_name="Buurthuis De Kern",
        payee_is_organisation=True,
        iban="NL91ABNA0417164300",
        description="Zaalhuur",
        receipts=[clean_upload(png_upload())],
    )
    approve_claim(claim=claim, by=support_staff)  # four eyes: above the threshold, two people
    approve_claim(claim=claim, by=UserFactory(roles=["ondersteuning"]))
    objection = services.lodge_objection(decision=old, by=coordinator, text="Te laag.")
    chair = client_for(admin_user)
    _hear(chair, objection)
    mail.outbox.clear()
    response = _answer(
        chair,
        objection,
        django_capture_on_commit_callbacks,
        result="upheld",
        outcome="granted",
        granted_amount="5000.00",
        motivation="Minder.",
    )
    assert response.status_code == 200
    assert "lager dan wat al is goedgekeurd of betaald" in response.content.decode()
    assert mail.outbox == []  # rolled back with the decision: nobody is told of it
    objection.refresh_from_db()
    budget.refresh_from_db()
    assert objection.status == Objection.Status.OPEN
    assert not Decision.objects.filter(supersedes=old).exists()
    assert budget.granted_amount == Decimal("6000.00")
    assert not Transaction.objects.filter(kind=Transaction.Kind.ADJUSTMENT).exists()
    assert ledger_breaches() == []


@pytest.mark.django_db
def test_upheld_to_not_granted_lowers_the_budget_to_zero(published, coordinator, admin_user):
    from workflows import decisions as workflows_decisions

    old = Decision.objects.get(application=published["a"])
    budget = Budget.objects.get(decision=old)
    objection = services.lodge_objection(decision=old, by=coordinator, text="x")
    services.record_hearing(
        objection=objection, by=admin_user, held_on=timezone.localdate(), heard="a", notes="b"
    )
    workflows_decisions.answer_objection(
        objection=objection,
        by=admin_user,
        outcome="not_granted",
        granted_amount=Decimal("0"),
        motivation="Bij nader inzien niet.",
    )
    budget.refresh_from_db()
    assert budget.granted_amount == Decimal("0.00") and budget_remaining(budget) == 0
    assert ledger_breaches() == []
    # the adjustment follows a decision: support staff cannot reverse it by hand
    adjustment = Transaction.objects.get(kind=Transaction.Kind.ADJUSTMENT)
    request_reversal(original=adjustment, by=UserFactory(roles=["ondersteuning"]), reason="x")
    with pytest.raises(ValidationError, match="volgt uit een besluit"):
        reverse_transaction(
            original=adjustment, by=UserFactory(roles=["ondersteuning"]), reason="x"
        )


# --- rejected ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rejected_objection_keeps_the_decision_and_is_published(
    published,
    rival_coordinator,
    admin_user,
    client_for,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    old = Decision.objects.get(application=published["b"])  # not granted
    applicant = client_for(rival_coordinator)
    objection = _lodge(applicant, old, capture, text="Wij zijn het oneens.")
    chair = client_for(admin_user)
    assert _hear(chair, objection).status_code == 302
    mail.outbox.clear()
    motivation = "De commissie blijft bij haar oordeel: het andere plan bereikt meer bewoners."
    response = _answer(chair, objection, capture, result="rejected", motivation=motivation)
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.REJECTED and objection.answer is None
    assert objection.answer_motivation == motivation and objection.answered_by == admin_user
    assert not Decision.objects.filter(supersedes=old).exists()  # the old decision stays
    assert not Budget.objects.filter(decision__application=old.application).exists()
    assert AuditEntry.objects.filter(action="recognition.objection.rejected").exists()

    (message,) = mail.outbox
    assert rival_coordinator.email in message.to
    assert "ongegrond" in message.subject and motivation in message.body

    page = applicant.get(_urls(old)["detail"]).content.decode()
    assert "ongegrond verklaard: dit besluit blijft staan" in page and motivation in page
    assert _urls(old)["create"] not in page
    # one objection per decision: after a rejection none can follow (forged POST, service)
    assert applicant.post(_urls(old)["create"], {"text": "Opnieuw."}).status_code == 403
    with pytest.raises(ValidationError, match="al beslist"):
        services.lodge_objection(decision=old, by=rival_coordinator, text="Opnieuw.")
    assert Objection.objects.filter(decision=old).count() == 1

    html = client_for(None).get(_urls(old)["page"]).content.decode()
    assert "ongegrond verklaard: dit besluit blijft van kracht" in html
    assert motivation in html and NO_FURTHER in html
    # the decided objection can no longer be heard or decided
    assert _hear(chair, objection).status_code == 302
    assert objection.hearings.count() == 1
    with pytest.raises(ValidationError, match="al beslist"):
        services.reject_objection(objection=objection, by=admin_user, motivation="Nogmaals.")


# --- no objection against the decision on an objection --------------------------------------------


@pytest.mark.django_db
def test_no_objection_against_the_decision_on_an_objection(
    published, rival_coordinator, admin_user, client_for
):
    from workflows import decisions as workflows_decisions

    old = Decision.objects.get(application=published["b"])
    objection = services.lodge_objection(decision=old, by=rival_coordinator, text="Onterecht.")
    services.record_hearing(
        objection=objection, by=admin_user, held_on=timezone.localdate(), heard="a", notes="b"
    )
    new = workflows_decisions.answer_objection(
        objection=objection,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("2000"),
        motivation="Toch.",
    )
    assert Budget.objects.get(decision=new).granted_amount == Decimal("2000.00")
    assert not permissions.can_object(rival_coordinator, new)
    assert permissions.objection_refusal(rival_coordinator, new) == NO_FURTHER
    # a forged POST to the objection form of the new decision
    url = reverse("recognition:objection_create", args=[new.pk])
    client = client_for(rival_coordinator)
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": "Nog een bezwaar."}).status_code == 403
    # and the service refuses on its own
    with pytest.raises(ValidationError, match="geen nieuw bezwaar mogelijk"):
        services.lodge_objection(decision=new, by=rival_coordinator, text="Nog een bezwaar.")
    # the superseded decision is not open to an objection either
    with pytest.raises(ValidationError):
        services.lodge_objection(decision=old, by=rival_coordinator, text="Alsnog.")
    assert Objection.objects.count() == 1


@pytest.mark.django_db
def test_objection_only_by_coordinator_within_the_window_and_with_a_text(
    published, rival_coordinator, coordinator, client_for
):
    old = Decision.objects.get(application=published["b"])
    with pytest.raises(ValidationError, match="waarom je bezwaar maakt"):
        services.lodge_objection(decision=old, by=rival_coordinator, text="  ")
    # another platform's coordinator gets 404 on the form, and the service refuses
    assert client_for(coordinator).post(_urls(old)["create"], {"text": "x"}).status_code == 404
    with pytest.raises(ValidationError):
        services.lodge_objection(decision=old, by=coordinator, text="x")
    # after the window (Round.objection_weeks after publication): no button, no objection
    old.round.objection_weeks = 2
    old.round.save(update_fields=["objection_weeks"])
    Decision.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - datetime.timedelta(weeks=2, hours=1)
    )
    old.refresh_from_db()
    assert selectors.objection_block(old) == "expired"
    page = client_for(rival_coordinator).get(_urls(old)["detail"]).content.decode()
    assert _urls(old)["create"] not in page
    assert (
        client_for(rival_coordinator).post(_urls(old)["create"], {"text": "x"}).status_code == 403
    )
    with pytest.raises(ValidationError, match="bezwaartermijn"):
        services.lodge_objection(decision=old, by=rival_coordinator, text="Te laat.")


@pytest.mark.django_db
def test_only_the_unconflicted_chair_hears_and_decides(
    published, rival_coordinator, commission_member, admin_user, client_for
):
    old = Decision.objects.get(application=published["b"])
    objection = services.lodge_objection(decision=old, by=rival_coordinator, text="x")
    for user in (commission_member, rival_coordinator):
        assert _hear(client_for(user), objection).status_code == 403
        with pytest.raises(ValidationError, match="voorzitter"):
            services.record_hearing(
                objection=objection,
                by=user,
                held_on=timezone.localdate(),
                heard="a",
                notes="b",
            )
    assert not objection.hearings.exists()
    # the round's chair who is a member of a competing platform is conflicted: refused too
    round_ = old.round
    chair = UserFactory(roles=["commissie"])
    MembershipFactory(platform=published["a"].platform, user=chair)
    round_.chair = chair
    round_.save(update_fields=["chair"])
    assert _hear(client_for(chair), objection).status_code == 403
    with pytest.raises(ValidationError, match="voorzitter"):
        services.record_hearing(
            objection=objection, by=chair, held_on=timezone.localdate(), heard="a", notes="b"
        )


@pytest.mark.django_db
def test_support_address_when_the_support_organisation_has_no_staff(
    published, rival_coordinator, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_EMAIL = "ondersteuning@zuidoost.example"
    old = Decision.objects.get(application=published["b"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.lodge_objection(decision=old, by=rival_coordinator, text="x")
    recipients = {address for m in mail.outbox for address in m.to}
    assert "ondersteuning@zuidoost.example" in recipients


@pytest.mark.django_db
def test_decision_page_states_the_right_to_object_while_it_lasts(published, client):
    html = client.get(_urls(Decision.objects.first())["page"]).content.decode()
    deadline = selectors.objection_deadline(Decision.objects.first())
    right = f"Tegen dit besluit kan de aanvrager tot {format_date(deadline)} bezwaar maken"
    assert html.count(right) == 3  # all three decisions of the round
    Decision.objects.update(published_at=timezone.now() - datetime.timedelta(weeks=7))
    assert right[:40] not in client.get(_urls(Decision.objects.first())["page"]).content.decode()


# --- a double click: one objection (row lock on the decision, and the constraint) -----------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises writers",
)
def test_two_objections_at_once_lodge_one():
    platform = PlatformFactory(slug="race-platform")
    coordinator = UserFactory(email="race@example.org")
    MembershipFactory(platform=platform, user=coordinator, role="coordinator")
    decision = granted_decision(platform=platform)
    Decision.objects.filter(pk=decision.pk).update(published_at=timezone.now())
    barrier = threading.Barrier(4, timeout=20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def lodge(i: int) -> None:
        try:
            barrier.wait()
            services.lodge_objection(decision=decision, by=coordinator, text=f"Bezwaar {i}")
            outcome = "ok"
        except ValidationError:
            outcome = "refused"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=lodge, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Objection.objects.filter(decision=decision).count() == 1


@pytest.mark.django_db
def test_the_constraint_holds_one_objection_per_decision(published, rival_coordinator):
    from django.db import IntegrityError, transaction

    old = Decision.objects.get(application=published["b"])
    Objection.objects.create(decision=old, submitted_by=rival_coordinator, text="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.create(decision=old, submitted_by=rival_coordinator, text="y")
