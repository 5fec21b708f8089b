"""Every view for every role: allowed and denied paths (404 out of scope, 403 not allowed)."""

import pytest
from django.urls import reverse

from areas.models import Buurt
from buurtplatform.uploads import clean_image
from platforms import services
from platforms.models import Activity, Invitation, Membership, PartnerConfirmation
from tests.factories import ActivityFactory, cast
from tests.platforms.conftest import png_upload

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "member",
    "coordinator",
    "other_coordinator",
    "commission_member",
    "support_staff",
    "admin_user",
]
ALL = dict.fromkeys(ROLES, 200)
LOGIN = dict.fromkeys(ROLES, 200) | {"anonymous": "login"}
MEMBERS_ONLY = dict.fromkeys(ROLES, 403) | {"anonymous": "login", "member": 200, "coordinator": 200}
COORDINATOR_ONLY = dict.fromkeys(ROLES, 403) | {"anonymous": "login", "coordinator": 200}
COORDINATOR_POST = COORDINATOR_ONLY | {"coordinator": 302}
MEMBER_POST = MEMBERS_ONLY | {"member": 302, "coordinator": 302}
ADMIN_ONLY = dict.fromkeys(ROLES, 403) | {"anonymous": "login", "admin_user": 200}
LOGIN_POST = dict.fromkeys(ROLES, 302) | {"anonymous": "login"}
ANYONE_POST = dict.fromkeys(ROLES, 302)
RESIDENT_POST = dict.fromkeys(ROLES, 404) | {"anonymous": "login", "resident": 302}
HIDDEN = dict.fromkeys(ROLES, 404) | {"member": 200, "coordinator": 200}


@pytest.fixture(scope="module")
def world(module_db):
    """One world for the module (about 340 requests read it; each test's changes are rolled
    back): the personas, a public and a members-only activity with photos, codes, an
    invitation and a partner confirmation with known tokens."""
    people = cast()
    platform, coordinator, member = people["platform"], people["coordinator"], people["member"]
    admin_user = people["admin_user"]
    # The resident endorses the platform, so withdrawing is in scope for them only.
    services.endorse_platform(
        platform=platform, user=people["resident"], buurt=Buurt.objects.get(code="TH01")
    )
    public = ActivityFactory(platform=platform, created_by=coordinator)
    hidden = ActivityFactory(platform=platform, visibility=Activity.Visibility.MEMBERS)
    batch, _codes = services.create_endorsement_codes(
        buurt=Buurt.objects.get(code="TH01"), count=2, by=admin_user
    )
    member_ship = Membership.objects.get(platform=platform, user=member)
    invitation = services.invite_member(
        platform=platform, email="resident@example.org", role="member", by=coordinator
    )
    invitation_token, token_hash = services.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token=token_hash)
    confirmation = services.request_partner_confirmation(
        activity=public, partner_name="School", partner_email="s@example.org", by=coordinator
    )
    partner_token, token_hash = services.new_token()
    PartnerConfirmation.objects.filter(pk=confirmation.pk).update(token=token_hash)
    photo = services.add_activity_photo(
        activity=public, image=clean_image(png_upload()), alt_text="Foto", by=coordinator
    )
    hidden_photo = services.add_activity_photo(
        activity=hidden, image=clean_image(png_upload()), alt_text="Foto", by=coordinator
    )
    return {
        "people": people,
        "hidden_photo": hidden_photo,
        "slug": platform.slug,
        "public": public,
        "hidden": hidden,
        "batch": batch,
        "member_ship": member_ship,
        "invitation": invitation,
        "invitation_token": invitation_token,
        "partner_token": partner_token,
        "photo": photo,
    }


CASES = [
    ("get", "platforms:platform_list", lambda w: [], ALL),
    ("get", "platforms:platform_detail", lambda w: [w["slug"]], ALL),
    ("get", "platforms:activity_detail", lambda w: [w["slug"], w["public"].pk], ALL),
    ("get", "platforms:activity_detail", lambda w: [w["slug"], w["hidden"].pk], HIDDEN),
    ("get", "areas:buurt_list", lambda w: [], ALL),
    ("get", "areas:buurt_detail", lambda w: ["TH01"], ALL),
    ("get", "platforms:endorsement_code_lookup", lambda w: [], ALL),
    ("get", "platforms:platform_create", lambda w: [], LOGIN),
    ("get", "platforms:my_platforms", lambda w: [], LOGIN),
    ("get", "platforms:endorsement_create", lambda w: [w["slug"]], ALL),
    ("get", "platforms:platform_edit", lambda w: [w["slug"]], COORDINATOR_ONLY),
    ("get", "platforms:member_list", lambda w: [w["slug"]], MEMBERS_ONLY),
    ("get", "platforms:activity_create", lambda w: [w["slug"]], MEMBERS_ONLY),
    ("get", "platforms:activity_edit", lambda w: [w["slug"], w["public"].pk], COORDINATOR_ONLY),
    ("get", "platforms:platform_archive", lambda w: [w["slug"]], COORDINATOR_ONLY),
    ("post", "platforms:platform_archive", lambda w: [w["slug"]], COORDINATOR_POST),
    ("get", "platforms:activity_delete", lambda w: [w["slug"], w["public"].pk], COORDINATOR_ONLY),
    ("post", "platforms:activity_delete", lambda w: [w["slug"], w["public"].pk], COORDINATOR_POST),
    ("get", "platforms:platform_leave", lambda w: [w["slug"]], MEMBERS_ONLY),
    (
        "get",
        "platforms:member_remove",
        lambda w: [w["slug"], w["member_ship"].pk],
        COORDINATOR_ONLY,
    ),
    ("post", "platforms:member_invite", lambda w: [w["slug"]], COORDINATOR_POST),
    ("post", "platforms:member_role", lambda w: [w["slug"], w["member_ship"].pk], COORDINATOR_POST),
    (
        "post",
        "platforms:member_remove",
        lambda w: [w["slug"], w["member_ship"].pk],
        COORDINATOR_POST,
    ),
    ("post", "platforms:member_visibility", lambda w: [w["slug"]], MEMBER_POST),
    ("post", "platforms:platform_leave", lambda w: [w["slug"]], MEMBER_POST),
    (
        "post",
        "platforms:activity_photo_add",
        lambda w: [w["slug"], w["public"].pk],
        COORDINATOR_POST,
    ),
    (
        "post",
        "platforms:confirmation_request",
        lambda w: [w["slug"], w["public"].pk],
        COORDINATOR_POST,
    ),
    (
        "post",
        "platforms:invitation_revoke",
        lambda w: [w["slug"], w["invitation"].pk],
        COORDINATOR_POST,
    ),
    (
        "post",
        "platforms:activity_photo_delete",
        lambda w: [w["slug"], w["public"].pk, w["photo"].pk],
        COORDINATOR_POST,
    ),
    (
        "get",
        "platforms:activity_photo_file",
        lambda w: [w["slug"], w["hidden"].pk, w["hidden_photo"].pk, "image"],
        HIDDEN,
    ),
    ("get", "platforms:invitation_detail", lambda w: [w["invitation_token"]], ALL),
    ("post", "platforms:invitation_accept", lambda w: [w["invitation_token"]], LOGIN_POST),
    ("post", "platforms:invitation_decline", lambda w: [w["invitation_token"]], LOGIN_POST),
    ("post", "platforms:my_invitation_accept", lambda w: [w["invitation"].pk], RESIDENT_POST),
    ("post", "platforms:my_invitation_decline", lambda w: [w["invitation"].pk], RESIDENT_POST),
    ("get", "platforms:partner_confirmation", lambda w: [w["partner_token"]], ALL),
    ("post", "platforms:partner_confirm", lambda w: [w["partner_token"]], ANYONE_POST),
    ("post", "platforms:partner_decline", lambda w: [w["partner_token"]], ANYONE_POST),
    ("post", "platforms:endorsement_withdraw", lambda w: [w["slug"]], RESIDENT_POST),
    ("post", "platforms:endorsement_create", lambda w: [w["slug"]], ALL),
    ("get", "platforms:endorsement_code_list", lambda w: [], ADMIN_ONLY),
    ("get", "platforms:endorsement_code_pdf", lambda w: [w["batch"]], ADMIN_ONLY),
]
POST_DATA = {
    "platforms:member_invite": {"email": "nieuw@example.org", "role": "member"},
    "platforms:member_role": {"role": "coordinator"},
    "platforms:confirmation_request": {"partner_name": "School", "partner_email": "s@example.org"},
    "platforms:member_visibility": {"show_name_publicly": "on"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "name", "args", "expected"), CASES, ids=lambda c: c if isinstance(c, str) else None
)
def test_view_permissions(world, client_for, role, method, name, args, expected):
    user = world["people"].get(role)
    client = client_for(user)
    url = reverse(name, args=args(world))
    response = getattr(client, method)(url, POST_DATA.get(name, {}))
    want = expected[role]
    if want == "login":
        assert response.status_code == 302
        assert "/account/login/" in response["Location"]
    else:
        assert response.status_code == want, (name, role)
        if want == 302:
            assert "/account/login/" not in response["Location"]


def test_out_of_scope_membership_is_404(world, client_for):
    """A coordinator of another platform cannot touch this platform's members (403 on slug)."""
    client = client_for(world["people"]["other_coordinator"])
    other_slug = world["people"]["other_platform"].slug
    url = reverse("platforms:member_role", args=[other_slug, world["member_ship"].pk])
    assert client.post(url, {"role": "member"}).status_code == 404


def test_unverified_user_cannot_register_platform(db, client_for):
    from tests.factories import UserFactory

    client = client_for(UserFactory(verified=False))
    response = client.get(reverse("platforms:platform_create"))
    assert response.status_code == 302
    assert "/account/email/" in response["Location"]


def test_state_changes_need_post(world, client_for):
    client = client_for(world["people"]["coordinator"])
    url = reverse("platforms:member_invite", args=[world["slug"]])
    assert client.get(url).status_code == 405


def test_csrf_enforced_on_posts(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"]["coordinator"])
    url = reverse("platforms:member_invite", args=[world["slug"]])
    assert client.post(url, {"email": "x@example.org", "role": "member"}).status_code == 403


def test_every_platforms_and_areas_url_is_in_the_matrix():
    from django.urls import get_resolver

    covered = {name for _method, name, _args, _expected in CASES}
    resolver = get_resolver()
    names = set()
    for namespace in ("platforms", "areas"):
        _prefix, sub = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{key}" for key in sub.reverse_dict if isinstance(key, str)}
    assert names - covered == set()
