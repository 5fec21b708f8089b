"""Links bound to their purpose, support that counts, history that names nobody it must not
(issue 14: invitations, partner confirmations, endorsements, the platform history)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from areas.models import Buurt
from platforms import selectors, services
from platforms.models import Membership, PartnerConfirmation
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _token(outbox_index: int, marker: str) -> str:
    return mail.outbox[outbox_index].body.split(marker)[1].split("/")[0]


def test_invitation_link_works_only_for_the_invited_verified_address(
    platform, coordinator, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            platform=platform, email="nieuw@example.org", role="coordinator", by=coordinator
        )
    token = _token(-1, "/uitnodiging/")
    stranger = UserFactory(email="iemand-anders@example.org")
    r = client_for(stranger).post(reverse("platforms:invitation_accept", args=[token]), follow=True)
    assert "ander e-mailadres" in r.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()  # the books stay closed
    invited = UserFactory(email="Nieuw@Example.org")
    client_for(invited).post(reverse("platforms:invitation_accept", args=[token]))
    assert Membership.objects.get(user=invited).role == Membership.Role.COORDINATOR


def test_unverified_invited_address_is_not_enough(platform, coordinator):
    from allauth.account.models import EmailAddress

    invitation = services.invite_member(
        platform=platform, email="half@example.org", role="member", by=coordinator
    )
    user = UserFactory(email="half@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=user)


def test_partner_address_of_a_member_is_refused(platform, coordinator, member, client_for):
    activity = ActivityFactory(platform=platform, start_date=datetime.date(2026, 3, 1))
    url = reverse("platforms:confirmation_request", args=[platform.slug, activity.pk])
    r = client_for(coordinator).post(
        url, {"partner_name": "Eigen adres", "partner_email": member.email.upper()}, follow=True
    )
    assert "hoort bij een lid van het platform" in r.content.decode()
    assert not PartnerConfirmation.objects.exists()


def test_a_member_holding_the_link_cannot_confirm(
    platform, coordinator, member, client_for, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(platform=platform, start_date=datetime.date(2026, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.request_partner_confirmation(
            activity=activity,
            partner_name="Buurthuis",
            partner_email="buurthuis@example.org",
            by=coordinator,
        )
    token = _token(-1, "/partner/")
    client_for(member).post(reverse("platforms:partner_confirm", args=[token]))
    assert PartnerConfirmation.objects.get().status == PartnerConfirmation.Status.REQUESTED
    client_for(None).post(reverse("platforms:partner_confirm", args=[token]))
    assert PartnerConfirmation.objects.get().status == PartnerConfirmation.Status.CONFIRMED


def test_own_members_and_outsiders_do_not_count_as_support(platform, member, client_for):
    inside, outside = Buurt.objects.get(code="TH01"), Buurt.objects.get(code="TM01")
    services.endorse_platform(platform=platform, user=member, buurt=inside)  # own member
    services.endorse_platform(platform=platform, user=UserFactory(), buurt=outside)  # elsewhere
    services.endorse_platform(platform=platform, user=UserFactory(), buurt=inside)  # counts
    summary = selectors.endorsement_summary(platform)
    assert (summary["declared"], summary["by_members"], summary["outside_area"]) == (1, 1, 1)
    assert [row["buurt__code"] for row in summary["per_buurt"]] == ["TH01"]
    html = client_for(None).get(platform.get_absolute_url()).content.decode()
    assert "Niet meegeteld: 1 van eigen leden, 1 zelf opgegeven van buiten het gebied." in html


def test_history_for_coordinators_names_no_endorser(platform, coordinator, client_for):
    endorser = UserFactory(name="Geheime Steuner")
    services.endorse_platform(
        platform=platform, user=endorser, buurt=Buurt.objects.get(code="TH01")
    )
    html = (
        client_for(coordinator)
        .get(reverse("platforms:member_list", args=[platform.slug]))
        .content.decode()
    )
    assert "Steunbetuiging ontvangen" in html
    assert "Geheime" not in html and endorser.email not in html


def test_a_nameless_resident_is_never_published_by_address(platform, client_for):
    nameless = UserFactory(name="", email="zonder-naam@example.org")
    services.endorse_platform(
        platform=platform, user=nameless, buurt=Buurt.objects.get(code="TH01"), show_name=True
    )
    html = client_for(None).get(platform.get_absolute_url()).content.decode()
    assert "zonder-naam" not in html
    assert nameless.get_short_name() == nameless.get_full_name() == "een bewoner"


def test_endorsement_code_guesses_are_throttled(client_for, resident, settings):
    from django.core.cache import cache

    cache.clear()
    c = client_for(resident)
    url = reverse("platforms:endorsement_code_lookup")
    answers = [c.post(url, {"code": f"GUESS{i:05d}"}).content.decode() for i in range(12)]
    assert "bestaat niet" in answers[0]
    assert "Te veel pogingen" in answers[-1]


def test_platform_creation_is_limited_per_day(resident):
    from platforms.services import MAX_PLATFORMS_PER_USER_PER_DAY, register_platform

    th01 = Buurt.objects.get(code="TH01")
    names = ["Moestuin Noord", "Schaakclub De Toren", "Taalcafé Kraaiennest", "Klussenteam"]
    for name in names[:MAX_PLATFORMS_PER_USER_PER_DAY]:
        register_platform(
            by=resident,
            fields={"name": name, "area_name": "K", "description": "Wij doen dit."},
            buurten=[th01],
        )
    with pytest.raises(ValidationError):
        register_platform(
            by=resident,
            fields={"name": "Buurtorkest Zuidoost", "area_name": "K", "description": "En dit."},
            buurten=[th01],
        )


def test_one_person_cannot_mail_unlimited_addresses(platform, coordinator):
    from platforms.services import MAX_MAILS_PER_USER_PER_DAY
    from tests.factories import PlatformFactory

    others = [PlatformFactory(name=f"Ander {i}") for i in range(2)]
    for p in others:
        Membership.objects.create(platform=p, user=coordinator, role=Membership.Role.COORDINATOR)
    sent = 0
    with pytest.raises(ValidationError):
        for i in range(MAX_MAILS_PER_USER_PER_DAY + 1):
            target = [platform, *others][i % 3]
            services.invite_member(
                platform=target, email=f"x{i}@example.org", role="member", by=coordinator
            )
            sent += 1
    assert sent == MAX_MAILS_PER_USER_PER_DAY


def test_mail_about_a_platform_quotes_its_name_and_never_links_it(
    coordinator, django_capture_on_commit_callbacks
):
    from tests.factories import PlatformFactory

    spam = PlatformFactory(name="WIN GELD NU op http://evil.example/prijs www.spam.nl " + "x" * 80)
    Membership.objects.create(platform=spam, user=coordinator, role=Membership.Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            platform=spam, email="slachtoffer@example.org", role="member", by=coordinator
        )
    message = mail.outbox[-1]
    assert not message.subject.startswith("WIN")
    assert "http://evil" not in message.subject + message.body
    assert "www.spam.nl" not in message.body
    assert "‘WIN GELD NU" in message.body
