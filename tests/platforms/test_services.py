import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from areas.models import Buurt
from buurtplatform.uploads import clean_image
from platforms import selectors, services
from platforms.models import (
    Activity,
    Endorsement,
    EndorsementCode,
    Invitation,
    Membership,
    PartnerConfirmation,
)
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(name="Buurt Doet Het"):
    return {"name": name, "area_name": "De K", "description": "We doen dingen."}


def test_registering_resident_becomes_coordinator_and_platform_is_not_recognised(resident):
    platform = services.register_platform(
        by=resident, fields=_fields(), buurten=Buurt.objects.filter(code="TH01")
    )
    assert platform.slug == "buurt-doet-het"
    assert platform.recognition_status == "not_recognised"
    assert Membership.objects.get(platform=platform, user=resident).role == "coordinator"
    assert list(platform.buurten.values_list("code", flat=True)) == ["TH01"]


def test_slugs_are_unique_and_stable(resident):
    first = services.register_platform(by=resident, fields=_fields(), buurten=[])
    # another person, a name that differs only in punctuation (the same name is refused:
    # tests/platforms/test_similar_names.py)
    second = services.register_platform(
        by=UserFactory(), fields=_fields("Buurt Doet Het!"), buurten=[]
    )
    assert (first.slug, second.slug) == ("buurt-doet-het", "buurt-doet-het-2")
    services.update_platform(
        platform=first, by=resident, fields=_fields("Nieuwe Naam"), buurten=[], logo=None
    )
    first.refresh_from_db()
    assert first.slug == "buurt-doet-het" and first.name == "Nieuwe Naam"


def test_kvk_number_must_have_eight_digits(resident):
    with pytest.raises(ValidationError):
        services.register_platform(
            by=resident, fields={**_fields(), "kvk_number": "1234"}, buurten=[]
        )


def test_invitation_is_mailed_and_works_once(
    platform, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(
            platform=platform, email="New@Example.org", role="member", by=coordinator
        )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    token = body.split("/uitnodiging/")[1].split("/")[0]
    assert invitation.token != token  # only the hash is stored
    assert services.find_invitation(token) == invitation
    with pytest.raises(ValidationError):  # a forwarded link gives another account nothing
        services.accept_invitation(invitation=invitation, user=UserFactory())
    newcomer = UserFactory(email="new@example.org")  # the invited address, verified
    services.accept_invitation(invitation=invitation, user=newcomer)
    assert Membership.objects.filter(platform=platform, user=newcomer, role="member").exists()
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=UserFactory())


def test_expired_invitation_cannot_be_accepted(platform, coordinator):
    invitation = services.invite_member(
        platform=platform, email="x@example.org", role="member", by=coordinator
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=UserFactory())


def test_declined_invitation_is_used_up(platform, coordinator, resident):
    invitation = services.invite_member(
        platform=platform, email=resident.email, role="member", by=coordinator
    )
    services.decline_invitation(invitation=invitation, user=resident)
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=resident)


def test_inviting_an_existing_member_is_refused(platform, coordinator, member):
    with pytest.raises(ValidationError):
        services.invite_member(platform=platform, email=member.email, role="member", by=coordinator)


def test_platform_always_keeps_a_coordinator(platform, coordinator, member):
    own = Membership.objects.get(platform=platform, user=coordinator)
    with pytest.raises(ValidationError):
        services.change_member_role(membership=own, role="member", by=coordinator)
    with pytest.raises(ValidationError):
        services.leave_platform(membership=own)
    with pytest.raises(ValidationError):
        services.remove_member(membership=own, by=coordinator)
    other = Membership.objects.get(platform=platform, user=member)
    services.change_member_role(membership=other, role="coordinator", by=coordinator)
    services.leave_platform(membership=own)
    assert list(platform.memberships.values_list("role", flat=True)) == ["coordinator"]


def test_member_can_be_removed(platform, coordinator, member):
    services.remove_member(
        membership=Membership.objects.get(platform=platform, user=member), by=coordinator
    )
    assert not Membership.objects.filter(user=member).exists()


def test_activity_with_photo_gets_thumbnail_and_needs_alt_text(platform, member, png):
    fields = {
        "title": "Buurtfeest",
        "start_date": datetime.date(2026, 6, 1),
        "description": "Feest",
        "criteria": ["verbinding"],
    }
    activity = services.add_activity(
        platform=platform,
        by=member,
        fields=fields,
        photos=[(clean_image(png()), "Buren aan lange tafels")],
    )
    photo = activity.photos.get()
    assert photo.thumbnail.name.startswith("public/thumbs/")
    assert photo.image.name.startswith("public/photos/")
    with pytest.raises(ValidationError):
        services.add_activity_photo(
            activity=activity, image=clean_image(png()), alt_text=" ", by=member
        )


def test_unknown_criterion_is_refused(platform, member):
    with pytest.raises(ValidationError):
        services.add_activity(
            platform=platform,
            by=member,
            fields={
                "title": "X",
                "start_date": datetime.date(2026, 1, 1),
                "description": "Y",
                "criteria": ["geld"],
            },
        )


def test_partner_confirms_once_without_account(
    platform, coordinator, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(platform=platform)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_partner_confirmation(
            activity=activity,
            partner_name="Basisschool De Polsstok",
            partner_email="juf@school.example",
            by=coordinator,
        )
    token = mail.outbox[0].body.split("/partner/")[1].split("/")[0]
    confirmation = services.find_confirmation(token)
    services.respond_partner_confirmation(confirmation=confirmation, confirm=True, note="Klopt")
    confirmation.refresh_from_db()
    assert confirmation.status == PartnerConfirmation.Status.CONFIRMED
    with pytest.raises(ValidationError):
        services.respond_partner_confirmation(confirmation=confirmation, confirm=False)


def test_endorse_once_and_withdraw(platform, resident):
    buurt = Buurt.objects.get(code="TH01")
    endorsement = services.endorse_platform(
        platform=platform, user=resident, buurt=buurt, postcode4="1103"
    )
    assert endorsement.verified is False
    with pytest.raises(ValidationError):
        services.endorse_platform(platform=platform, user=resident, buurt=buurt)
    services.withdraw_endorsement(endorsement=endorsement)
    assert not Endorsement.objects.exists()


def test_unverified_email_cannot_endorse(platform):
    user = UserFactory(verified=False)
    with pytest.raises(ValidationError):
        services.endorse_platform(platform=platform, user=user, buurt=Buurt.objects.first())


def test_postcode_must_be_four_digits(platform, resident):
    with pytest.raises(ValidationError):
        services.endorse_platform(
            platform=platform, user=resident, buurt=Buurt.objects.first(), postcode4="1103AB"
        )


def test_code_endorsement_is_verified_and_code_single_use(platform, admin_user, resident):
    buurt = Buurt.objects.get(code="TH02")
    batch, codes = services.create_endorsement_codes(buurt=buurt, count=3, by=admin_user)
    assert EndorsementCode.objects.filter(batch=batch).count() == 3
    code = codes[0].code
    endorsement = services.endorse_platform(
        platform=platform, user=resident, buurt=None, code=code.lower()
    )
    assert endorsement.verified and endorsement.buurt == buurt
    other = UserFactory()
    with pytest.raises(ValidationError):
        services.endorse_platform(platform=platform, user=other, buurt=None, code=code)
    counts = selectors.endorsement_counts(platform)
    assert counts == [
        {"buurt__code": "TH02", "buurt__name": buurt.name, "verified_count": 1, "declared_count": 0}
    ]


def test_members_only_activity_hidden_from_outsiders(platform, member, resident):
    ActivityFactory(platform=platform, visibility=Activity.Visibility.MEMBERS)
    assert Activity.objects.visible_to(resident).count() == 0
    assert Activity.objects.visible_to(member).count() == 1


def test_reserved_words_never_become_slugs(resident):
    platform = services.register_platform(by=resident, fields=_fields("Aanmelden"), buurten=[])
    assert platform.slug == "aanmelden-2"


def test_photo_quota_per_activity(platform, member, png):
    activity = ActivityFactory(platform=platform)
    for n in range(services.MAX_PHOTOS_PER_ACTIVITY):
        services.add_activity_photo(
            activity=activity, image=clean_image(png()), alt_text=f"foto {n}", by=member
        )
    with pytest.raises(ValidationError):
        services.add_activity_photo(
            activity=activity, image=clean_image(png()), alt_text="één te veel", by=member
        )


def test_mail_budget_per_platform_per_day(platform, coordinator):
    for n in range(services.MAX_MAILS_PER_PLATFORM_PER_DAY):
        services.invite_member(
            platform=platform, email=f"p{n}@example.org", role="member", by=coordinator
        )
    with pytest.raises(ValidationError):
        services.invite_member(
            platform=platform, email="een.te.veel@example.org", role="member", by=coordinator
        )
