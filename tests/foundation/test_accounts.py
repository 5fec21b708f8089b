"""Sign up, verify by e-mail, log in, through the real allauth views; roles."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from accounts.roles import COMMISSION, SUPPORT, is_commission, is_support
from accounts.services import grant_role, revoke_role
from audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_verify_and_login(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nieuw@example.org",
            "name": "Nina",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert user.name == "Nina"
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://[^/\s]+(/\S*/account/confirm-email/\S+/|/account/confirm-email/\S+/)",
        mail.outbox[0].body,
    )
    assert link, mail.outbox[0].body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    # Not verified yet: login is refused (redirected to the "verify your e-mail" page).
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nieuw@example.org", "password": "een-lang-wachtwoord-42"},
    )
    assert "_auth_user_id" not in client.session

    response = client.post(path)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified

    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nieuw@example.org", "password": "een-lang-wachtwoord-42"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_page_is_dutch_and_english(client):
    assert "Wachtwoord" in client.get("/account/signup/").content.decode()
    assert "Password" in client.get("/en/account/signup/").content.decode()


def test_grant_and_revoke_roles_are_audited(admin_user, resident):
    assert grant_role(user=resident, role=COMMISSION, by=admin_user) is True
    assert grant_role(user=resident, role=COMMISSION, by=admin_user) is False
    resident = User.objects.get(pk=resident.pk)
    assert is_commission(resident)
    assert revoke_role(user=resident, role=COMMISSION, by=admin_user) is True
    resident = User.objects.get(pk=resident.pk)
    assert not is_commission(resident)
    actions = list(
        AuditEntry.objects.filter(object_id=str(resident.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["accounts.role.granted", "accounts.role.revoked"]


def test_grant_role_command(resident):
    call_command("grant_role", resident.email, SUPPORT)
    assert is_support(User.objects.get(pk=resident.pk))
    call_command("grant_role", resident.email, SUPPORT, "--revoke")
    assert not is_support(User.objects.get(pk=resident.pk))
    with pytest.raises(CommandError):
        call_command("grant_role", "nobody@example.org", SUPPORT)


@pytest.mark.parametrize(
    "who,status", [("anonymous", 302), ("resident", 403), ("commission", 403), ("admin", 200)]
)
def test_role_screen_only_for_admins(
    client_for, who, status, resident, commission_member, admin_user
):
    user = {
        "anonymous": None,
        "resident": resident,
        "commission": commission_member,
        "admin": admin_user,
    }[who]
    response = client_for(user).get(reverse("accounts:role_list"))
    assert response.status_code == status


def test_admin_grants_role_through_the_screen(client, admin_user, resident):
    # Sensitive action: the admin confirms the password first (allauth reauthentication).
    client.force_login(admin_user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    c = client
    response = c.post(reverse("accounts:role_grant"), {"email": resident.email, "role": COMMISSION})
    assert response.status_code == 302
    assert is_commission(User.objects.get(pk=resident.pk))


def test_resident_cannot_grant_roles(client_for, resident):
    response = client_for(resident).post(
        reverse("accounts:role_grant"), {"email": resident.email, "role": COMMISSION}
    )
    assert response.status_code == 403
    assert not is_commission(User.objects.get(pk=resident.pk))


def test_navigation_shows_what_roles_allow(client_for, resident, commission_member, support_staff):
    html = client_for(resident).get("/").content.decode()
    assert "/commissie/" not in html and "/administratie/" not in html
    assert "/commissie/" in client_for(commission_member).get("/").content.decode()
    assert "/administratie/" in client_for(support_staff).get("/").content.decode()


def test_role_change_needs_recent_authentication(client_for, admin_user, resident):
    response = client_for(admin_user).post(
        reverse("accounts:role_grant"), {"email": resident.email, "role": COMMISSION}
    )
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not is_commission(User.objects.get(pk=resident.pk))


def test_login_page_says_inloggen_not_aanmelden(client):
    """ "Platform aanmelden" registers a platform; signing in is "Inloggen" (issue 15)."""
    html = client.get("/account/login/").content.decode()
    assert re.search(r"<title>\s*Inloggen", html)
    h1 = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", html, re.S).group(1)
    assert h1 == "Inloggen"
    assert "Aanmelden" not in re.sub(r"Platform aanmelden", "", html)
    english = client.get("/en/account/login/").content.decode()
    assert re.search(r"<h1[^>]*>\s*Log in\s*</h1>", english)
