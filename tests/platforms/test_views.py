import pytest
from django.core import mail
from django.urls import reverse

from areas.models import Buurt
from platforms import services
from platforms.models import Activity, Endorsement, Invitation, Membership, Platform
from tests.factories import ActivityFactory, MembershipFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_register_platform_in_browser_form(client_for, resident, png):
    client = client_for(resident)
    buurten = Buurt.objects.filter(code__in=["TH01", "TH02"])
    response = client.post(
        reverse("platforms:platform_create"),
        {
            "name": "Kelbergen Kookt",
            "area_name": "Kelbergen",
            "buurten": [b.pk for b in buurten],
            "description": "Samen koken.",
            "legal_form": "stichting",
            "kvk_number": "12345678",
            "website": "https://kelbergen.example",
            "social_links": "https://social.example/kk",
            "logo_upload": png("logo.png"),
        },
    )
    platform = Platform.objects.get(slug="kelbergen-kookt")
    assert response.status_code == 302 and response["Location"] == platform.get_absolute_url()
    assert platform.logo.name.startswith("public/logos/")
    assert platform.memberships.get().user == resident
    page = client_for(None).get(platform.get_absolute_url())
    assert b"Nog niet erkend" in page.content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk_number", "1234567"),
        ("website", "javascript:alert(1)"),
        ("social_links", "javascript:x"),
    ],
)
def test_register_rejects_bad_input(client_for, resident, field, value):
    data = {
        "name": "X",
        "area_name": "Y",
        "buurten": [Buurt.objects.first().pk],
        "description": "Z",
        "legal_form": "informal",
        field: value,
    }
    response = client_for(resident).post(reverse("platforms:platform_create"), data)
    assert response.status_code == 200
    assert not Platform.objects.filter(name="X").exists()


def test_logo_must_be_an_image(client_for, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "name": "X",
        "area_name": "Y",
        "buurten": [Buurt.objects.first().pk],
        "description": "Z",
        "legal_form": "informal",
        "logo_upload": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
    }
    response = client_for(resident).post(reverse("platforms:platform_create"), data)
    assert response.status_code == 200 and not Platform.objects.exists()


def test_member_adds_activity_with_photo_and_public_sees_it(platform, member, client_for, png):
    client = client_for(member)
    response = client.post(
        reverse("platforms:activity_create", args=[platform.slug]),
        {
            "title": "Plein schoongemaakt",
            "start_date": "2026-04-12",
            "description": "Met 20 buren.",
            "category": "green",
            "criteria": ["daadkracht", "betrekken"],
            "visibility": "public",
            "photo": png(),
            "alt_text": "Buren met vuilniszakken",
        },
    )
    activity = Activity.objects.get(title="Plein schoongemaakt")
    assert response.status_code == 302
    assert activity.criteria == ["daadkracht", "betrekken"]
    page = client_for(None).get(platform.get_absolute_url())
    assert b"Plein schoongemaakt" in page.content
    assert b'alt="Buren met vuilniszakken"' in page.content
    thumb = client_for(None).get(activity.photos.get().thumbnail.url)
    assert thumb.status_code == 200


def test_photo_without_alt_text_is_refused(platform, member, client_for, png):
    response = client_for(member).post(
        reverse("platforms:activity_create", args=[platform.slug]),
        {
            "title": "Zonder alt",
            "start_date": "2026-04-12",
            "description": "x",
            "category": "green",
            "visibility": "public",
            "photo": png(),
        },
    )
    assert response.status_code == 200 and not Activity.objects.exists()


def test_members_only_activity_not_on_public_timeline(platform, member, client_for):
    ActivityFactory(platform=platform, title="Geheim overleg", visibility="members")
    assert b"Geheim overleg" not in client_for(None).get(platform.get_absolute_url()).content
    assert b"Geheim overleg" in client_for(member).get(platform.get_absolute_url()).content


def test_member_edits_own_activity_not_others(platform, member, coordinator, client_for):
    own = ActivityFactory(platform=platform, created_by=member)
    theirs = ActivityFactory(platform=platform, created_by=coordinator)
    client = client_for(member)
    assert (
        client.get(reverse("platforms:activity_edit", args=[platform.slug, own.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("platforms:activity_edit", args=[platform.slug, theirs.pk])).status_code
        == 403
    )


def test_invitation_link_journey(
    platform, coordinator, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            reverse("platforms:member_invite", args=[platform.slug]),
            {"email": "buur@example.org", "role": "member"},
        )
    link = mail.outbox[0].body.split("http://127.0.0.1:8000")[1].split()[0]
    anonymous = client_for(None).get(link)
    assert b"Account maken" in anonymous.content
    newcomer = UserFactory(email="buur@example.org")
    client = client_for(newcomer)
    assert b"Uitnodiging aannemen" in client.get(link).content
    response = client.post(link + "accepteren/")
    assert response.status_code == 302
    assert Membership.objects.filter(platform=platform, user=newcomer).exists()
    again = client_for(UserFactory()).post(link + "accepteren/")
    assert again.status_code == 302
    assert Membership.objects.filter(platform=platform).count() == 2  # coordinator + newcomer


def test_unknown_invitation_token_is_404(client_for):
    assert client_for(None).get("/uitnodiging/nope/").status_code == 404
    assert client_for(None).get("/partner/nope/").status_code == 404


def test_my_page_lists_invitations_for_my_address(platform, coordinator, resident, client_for):
    invitation = services.invite_member(
        platform=platform, email=resident.email, role="member", by=coordinator
    )
    client = client_for(resident)
    assert platform.name.encode() in client.get(reverse("platforms:my_platforms")).content
    client.post(reverse("platforms:my_invitation_accept", args=[invitation.pk]))
    assert Membership.objects.filter(platform=platform, user=resident).exists()


def test_someone_elses_invitation_cannot_be_accepted_from_my_page(
    platform, coordinator, client_for
):
    invitation = services.invite_member(
        platform=platform, email="someone@example.org", role="member", by=coordinator
    )
    response = client_for(UserFactory()).post(
        reverse("platforms:my_invitation_accept", args=[invitation.pk])
    )
    assert response.status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


def test_partner_confirms_via_link_and_timeline_shows_partner(
    platform, coordinator, client_for, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(platform=platform, title="Voorleesochtend")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(
            reverse("platforms:confirmation_request", args=[platform.slug, activity.pk]),
            {"partner_name": "Bibliotheek Reigersbos", "partner_email": "bieb@example.org"},
        )
    link = mail.outbox[0].body.split("http://127.0.0.1:8000")[1].split()[0]
    partner = client_for(None)
    assert b"Voorleesochtend" in partner.get(link).content
    partner.post(link + "bevestigen/", {"note": "Wij waren erbij"})
    page = client_for(None).get(platform.get_absolute_url())
    assert b"Bibliotheek Reigersbos" in page.content
    second = partner.post(link + "afwijzen/")
    assert second.status_code == 302
    assert activity.partner_confirmations.get().status == "confirmed"


def test_endorsement_counts_per_buurt_without_names(platform, client_for):
    th01 = Buurt.objects.get(code="TH01")
    hidden = UserFactory(name="Verborgen Persoon")
    shown = UserFactory(name="Zichtbare Buur")
    services.endorse_platform(platform=platform, user=hidden, buurt=th01)
    services.endorse_platform(platform=platform, user=shown, buurt=th01, show_name=True)
    content = client_for(None).get(platform.get_absolute_url()).content.decode()
    assert "Verborgen" not in content
    assert "Zichtbare" in content
    assert "Gooise Kant" in content


def test_endorse_and_withdraw_through_views(platform, resident, client_for):
    client = client_for(resident)
    buurt = Buurt.objects.get(code="TH02")
    client.post(
        reverse("platforms:endorsement_create", args=[platform.slug]),
        {"buurt": buurt.pk, "postcode4": "1103"},
    )
    assert Endorsement.objects.get().postcode4 == "1103"
    client.post(reverse("platforms:endorsement_withdraw", args=[platform.slug]))
    assert not Endorsement.objects.exists()


def test_code_lookup_and_endorse_with_code(platform, resident, admin_user, client_for):
    _batch, codes = services.create_endorsement_codes(
        buurt=Buurt.objects.get(code="TH01"), count=1, by=admin_user
    )
    client = client_for(resident)
    page = client.post(reverse("platforms:endorsement_code_lookup"), {"code": codes[0].code})
    assert platform.name.encode() in page.content
    client.post(
        reverse("platforms:endorsement_create", args=[platform.slug]), {"code": codes[0].code}
    )
    assert Endorsement.objects.get().verified


def test_admin_creates_codes_and_downloads_pdf(admin_user, client_for):
    client = client_for(admin_user)
    client.post(
        reverse("platforms:endorsement_code_list"),
        {"buurt": Buurt.objects.get(code="TM01").pk, "count": 3},
    )
    from platforms.models import EndorsementCode

    batch = EndorsementCode.objects.first().batch
    response = client.get(reverse("platforms:endorsement_code_pdf", args=[batch]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_directory_filters(client_for):
    a = PlatformFactory(name="Alpha Groen", buurten=["TH03"])
    b = PlatformFactory(name="Beta Jeugd", buurten=["TM01"])
    b.recognition_status = Platform.RecognitionStatus.RECOGNISED
    b.save()
    client = client_for(None)
    url = reverse("platforms:platform_list")

    def names(params):
        return [p.name for p in client.get(url, params).context["page"]]

    assert names({"buurt": "TH03"}) == [a.name]
    assert names({"buurt": "th03"}) == [a.name]
    assert names({"wijk": "TM"}) == [b.name]
    assert names({"q": "groen"}) == [a.name]
    assert names({"status": "recognised"}) == [b.name]
    from areas.models import Gebied

    gaasperdam = Gebied.objects.get(name="Gaasperdam")
    assert names({"gebied": gaasperdam.pk}) == [b.name]


def test_directory_paginates(client_for):
    for n in range(25):
        PlatformFactory(name=f"P{n:02d}")
    client = client_for(None)
    first = client.get(reverse("platforms:platform_list"))
    assert len(first.context["page"]) == 20
    second = client.get(reverse("platforms:platform_list"), {"page": 2})
    assert len(second.context["page"]) == 5


def test_buurt_pages(platform, client_for):
    client = client_for(None)
    assert b"Gooise Kant" in client.get(reverse("areas:buurt_list")).content
    detail = client.get(reverse("areas:buurt_detail", args=["TH01"]))
    assert platform.name.encode() in detail.content
    assert client.get(reverse("areas:buurt_detail", args=["XX99"])).status_code == 404


def test_xss_payload_is_escaped(client_for):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    platform = PlatformFactory(name=payload, description=payload, area_name=payload)
    ActivityFactory(platform=platform, title=payload, description=payload)
    for url in [reverse("platforms:platform_list"), platform.get_absolute_url()]:
        content = client_for(None).get(url).content.decode()
        assert "<script>alert(1)" not in content
        assert "&lt;script&gt;" in content


def test_english_pages_render(platform, client_for):
    response = client_for(None).get("/en" + reverse("platforms:platform_list"))
    assert response.status_code == 200


def test_role_change_and_remove_through_views(platform, coordinator, member, client_for):
    client = client_for(coordinator)
    ms = Membership.objects.get(user=member)
    client.post(
        reverse("platforms:member_role", args=[platform.slug, ms.pk]), {"role": "coordinator"}
    )
    assert Membership.objects.get(user=member).role == "coordinator"
    own = Membership.objects.get(user=coordinator)
    client.post(reverse("platforms:member_remove", args=[platform.slug, own.pk]))
    assert not Membership.objects.filter(user=coordinator).exists()
    extra = MembershipFactory(platform=platform)
    assert extra.role == "member"


def test_registration_form_in_english(client_for, resident):
    content = client_for(resident).get("/en/platforms/aanmelden/").content.decode()
    assert "Register a platform" in content
    assert "In which official neighbourhoods do you work?" in content


def test_coordinator_edits_platform_and_replaces_logo(platform, coordinator, client_for, png):
    client = client_for(coordinator)
    response = client.post(
        reverse("platforms:platform_edit", args=[platform.slug]),
        {
            "name": "Nieuwe naam",
            "area_name": "K",
            "buurten": [Buurt.objects.get(code="TH05").pk],
            "description": "Anders",
            "legal_form": "vereniging",
            "logo_upload": png("nieuw.png"),
        },
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.name == "Nieuwe naam" and platform.slug == "samen-k-buurt"
    assert list(platform.buurten.values_list("code", flat=True)) == ["TH05"]
    assert platform.logo.name.startswith("public/logos/")


def test_photo_added_to_existing_activity(platform, coordinator, client_for, png):
    activity = ActivityFactory(platform=platform)
    client_for(coordinator).post(
        reverse("platforms:activity_photo_add", args=[platform.slug, activity.pk]),
        {"photo": png(), "alt_text": "Kinderen lezen"},
    )
    assert activity.photos.get().alt_text == "Kinderen lezen"


def test_fake_image_is_refused(platform, coordinator, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    activity = ActivityFactory(platform=platform)
    client_for(coordinator).post(
        reverse("platforms:activity_photo_add", args=[platform.slug, activity.pk]),
        {"photo": SimpleUploadedFile("x.png", b"<html>nope</html>", "image/png"), "alt_text": "x"},
    )
    assert not activity.photos.exists()


def test_member_name_public_only_when_opted_in(platform, member, client_for):
    client = client_for(member)
    assert b"Mo (" not in client_for(None).get(platform.get_absolute_url()).content
    client.post(
        reverse("platforms:member_visibility", args=[platform.slug]), {"show_name_publicly": "on"}
    )
    assert b"Mo (" in client_for(None).get(platform.get_absolute_url()).content


def test_coordinator_edits_activity_of_someone_gone(platform, coordinator, client_for):
    activity = ActivityFactory(platform=platform, created_by=None)
    response = client_for(coordinator).post(
        reverse("platforms:activity_edit", args=[platform.slug, activity.pk]),
        {
            "title": "Nieuwe titel",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
            "description": "x",
            "category": "other",
            "visibility": "members",
        },
    )
    assert response.status_code == 200  # end before start is refused
    response = client_for(coordinator).post(
        reverse("platforms:activity_edit", args=[platform.slug, activity.pk]),
        {
            "title": "Nieuwe titel",
            "start_date": "2026-05-01",
            "description": "x",
            "category": "other",
            "visibility": "members",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.visibility) == ("Nieuwe titel", "members")


def test_coordinators_see_the_platform_history(platform, coordinator, member, client_for):
    services.invite_member(platform=platform, email="x@example.org", role="member", by=coordinator)
    url = reverse("platforms:member_list", args=[platform.slug])
    html = client_for(coordinator).get(url).content.decode()
    assert "Uitnodiging verstuurd door Cora Coördinator" in html  # in words, not codes
    assert "platforms.invitation.sent" not in html
    assert "Uitnodiging verstuurd" not in client_for(member).get(url).content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("participants", "1000000000", "hoogstens 100.000"),
        ("start_date", "1900-05-01", "vanaf 1 januari 2000"),
        ("start_date", "2999-05-01", "in de toekomst"),
    ],
)
def test_implausible_activity_is_refused_next_to_the_field(
    field, value, message, platform, member, client_for
):
    data = {
        "title": "Plein schoongemaakt",
        "start_date": "2026-04-12",
        "description": "Met 20 buren.",
        "category": "green",
        "visibility": "public",
    }
    data[field] = value
    response = client_for(member).post(
        reverse("platforms:activity_create", args=[platform.slug]), data
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Activity.objects.filter(title="Plein schoongemaakt").exists()
    start = html.index(f'id="div_id_{field}"')
    assert message in html[start : html.find('id="div_id_', start + 10)]
