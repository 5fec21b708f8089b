"""Accounts: enumeration, rate limits, admin login, next=, two-factor, reauthentication, sessions."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.middleware import LAST_SEEN_KEY
from accounts.models import User
from accounts.roles import COMMISSION, is_commission
from tests.factories import PASSWORD, UserFactory
from tests.trust.conftest import age_authentication, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


# --- enumeration and verification (threats 14, 15) ---------------------------------------


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, resident):
    known = client.post(reverse("account_reset_password"), {"email": resident.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page_known = client.get(known["Location"]).content.decode()
    page_unknown = client.get(unknown["Location"]).content.decode()
    assert _main(page_known) == _main(page_unknown)
    # Both addresses get exactly one mail: a reset link, or "there is no account here".
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, "niemand@example.org"])


def _main(html: str) -> str:
    body = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_signup_answers_the_same_for_taken_and_new_addresses(client, resident):
    data = {"password1": "een-lang-wachtwoord-42", "password2": "een-lang-wachtwoord-42"}
    taken = client.post(reverse("account_signup"), {"email": resident.email, **data})
    new = Client().post(reverse("account_signup"), {"email": "nieuw@example.org", **data})
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]
    # The owner of the taken address is told by mail; nobody learns it on screen.
    assert {m.to[0] for m in mail.outbox} == {resident.email, "nieuw@example.org"}
    assert User.objects.filter(email=resident.email).count() == 1


def test_unverified_user_cannot_log_in(client):
    user = UserFactory(email="onbevestigd@example.org", verified=False)
    response = _login(client, user.email)
    assert _logged_in_as(client) is None
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("account_email_verification_sent"))


def test_confirmation_link_is_single_use(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "eenmalig@example.org",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    path = re.search(r"/account/confirm-email/[^/\s]+/", mail.outbox[0].body).group(0)
    assert client.post(path).status_code == 302
    assert User.objects.get(email="eenmalig@example.org").emailaddress_set.get().verified
    # Used once: a second visitor with the same link is not logged in by it.
    other = Client()
    other.post(path)
    assert _logged_in_as(other) is None


# --- rate limits (threat 12) ------------------------------------------------------------


def test_five_failed_logins_lock_the_account_even_with_the_right_password(client, resident):
    for _ in range(5):
        response = _login(client, resident.email, "fout-wachtwoord")
        assert response.status_code == 200
    response = _login(client, resident.email, PASSWORD)
    assert _logged_in_as(client) is None
    assert response.status_code == 200
    assert "Te veel" in response.content.decode() or "Too many" in response.content.decode()


def test_login_lock_is_not_reset_by_a_spoofed_forwarded_for(client, resident):
    for i in range(5):
        _login(client, resident.email, "fout", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    _login(client, resident.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert _logged_in_as(client) is None


def test_other_account_is_not_locked_by_someone_elses_failures(client, resident, member):
    for _ in range(5):
        _login(client, resident.email, "fout")
    _login(client, member.email)
    assert _logged_in_as(client) == str(member.pk)


def test_password_reset_is_rate_limited_per_address(client, resident):
    statuses = [
        client.post(reverse("account_reset_password"), {"email": resident.email}).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [302] * 5
    assert 429 in statuses[5:]
    assert len(mail.outbox) == 5


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}
    statuses = []
    for i in range(5):
        statuses.append(
            Client()
            .post(
                reverse("account_signup"),
                {
                    "email": f"massa{i}@example.org",
                    "password1": "een-lang-wachtwoord-42",
                    "password2": "een-lang-wachtwoord-42",
                },
            )
            .status_code
        )
    assert statuses[:3] == [302] * 3
    assert statuses[3:] == [429, 429]


def test_429_page_is_friendly_and_in_house_style(client, resident):
    for _ in range(6):
        response = client.post(reverse("account_reset_password"), {"email": resident.email})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Naar de inhoud" in html  # our base template
    assert "Traceback" not in html


# --- Django admin through allauth (threat 13) -----------------------------------------------


def test_admin_lives_at_the_configured_path(client_for, admin_user):
    c = client_for(admin_user)
    assert c.get("/" + settings.ADMIN_URL).status_code == 200
    assert Client().get("/admin/").status_code == 404


def test_admin_login_redirects_to_allauth(client):
    response = client.get("/" + settings.ADMIN_URL + "login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_posting_to_admin_login_does_not_authenticate(client, admin_user):
    response = client.post(
        "/" + settings.ADMIN_URL + "login/",
        {"username": admin_user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert _logged_in_as(client) is None


def test_non_staff_user_gets_403_from_admin(client_for, resident):
    assert client_for(resident).get("/" + settings.ADMIN_URL + "login/").status_code == 403


# --- safe next= (threat 11) --------------------------------------------------------------

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]


@pytest.mark.parametrize("target", EVIL)
def test_login_never_redirects_off_site(client, resident, target):
    response = _login(client, resident.email, next=target)
    assert _logged_in_as(client) == str(resident.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


@pytest.mark.parametrize("target", EVIL)
def test_logout_and_language_switch_never_redirect_off_site(client_for, resident, target):
    c = client_for(resident)
    response = c.post(reverse("set_language"), {"language": "en", "next": target})
    assert "evil.example" not in response.get("Location", "")
    assert not response.get("Location", "").startswith("javascript:")
    response = c.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript:")


def test_login_follows_a_safe_next(client, resident):
    response = _login(client, resident.email, next="/privacy/")
    assert response["Location"] == "/privacy/"


# --- two-factor authentication (threat 16) ----------------------------------------------


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_login_with_totp_needs_the_code(client, resident):
    secret = _with_totp(resident)
    response = _login(client, resident.email)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert _logged_in_as(client) is None
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and _logged_in_as(client) is None
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert _logged_in_as(client) == str(resident.pk)


def test_recovery_code_works_once(resident):
    _with_totp(resident)
    code = RecoveryCodes.activate(resident).get_unused_codes()[0]
    first = Client()
    _login(first, resident.email)
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert _logged_in_as(first) == str(resident.pk)
    second = Client()
    _login(second, resident.email)
    second.post(reverse("mfa_authenticate"), {"code": code})
    assert _logged_in_as(second) is None


def test_everyone_can_open_the_two_factor_pages(client_for, resident):
    c = client_for(resident)
    assert c.get(reverse("mfa_index")).status_code == 200


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


@pytest.mark.parametrize("role", ["commission_member", "support_staff", "admin_user"])
def test_privileged_people_without_mfa_are_sent_to_setup(client_for, mfa_required, role, request):
    user = request.getfixturevalue(role)
    c = client_for(user)
    for path in ["/", "/beheer/", "/" + settings.ADMIN_URL, reverse("accounts:role_list")]:
        response = c.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path
    # What they need to get there stays reachable.
    assert c.get(reverse("mfa_index")).status_code == 200
    assert c.get(reverse("account_email")).status_code == 200


def test_residents_are_not_forced_into_mfa(client_for, mfa_required, resident):
    assert client_for(resident).get("/").status_code == 200


def test_privileged_people_with_mfa_pass(client_for, mfa_required, admin_user):
    _with_totp(admin_user)
    assert client_for(admin_user).get("/beheer/").status_code == 200


def test_mfa_is_not_forced_when_switched_off(client_for, commission_member):
    assert client_for(commission_member).get("/").status_code == 200


def test_turning_off_totp_needs_reauthentication(client_for, resident):
    _with_totp(resident)
    c = client_for(resident)
    response = c.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert Authenticator.objects.filter(user=resident).exists()


# --- reauthentication (threat 17) ---------------------------------------------------------


def _reauthenticated(client_for, user):
    c = client_for(user)
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return c


def test_role_grant_within_300_seconds_is_applied(client_for, admin_user, resident):
    c = _reauthenticated(client_for, admin_user)
    age_authentication(c, 290)
    c.post(reverse("accounts:role_grant"), {"email": resident.email, "role": COMMISSION})
    assert is_commission(User.objects.get(pk=resident.pk))


def test_role_grant_301_seconds_after_authentication_asks_again(client_for, admin_user, resident):
    c = _reauthenticated(client_for, admin_user)
    age_authentication(c, 301)
    response = c.post(reverse("accounts:role_grant"), {"email": resident.email, "role": COMMISSION})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not is_commission(User.objects.get(pk=resident.pk))


def test_password_change_needs_the_old_password(client_for, resident):
    c = client_for(resident)
    response = c.post(
        reverse("account_change_password"),
        {
            "oldpassword": "fout",
            "password1": "nieuw-lang-ww-1234",
            "password2": "nieuw-lang-ww-1234",
        },
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


# --- sessions (threat 18) ----------------------------------------------------------------


def test_session_key_changes_on_login(client, resident):
    client.get(reverse("account_login"))
    session = client.session
    session["voor"] = "inloggen"
    session.save()
    before = session.session_key
    _login(client, resident.email)
    assert _logged_in_as(client) == str(resident.pk)
    assert client.session.session_key != before


def test_logout_invalidates_the_old_session_cookie(client, resident):
    _login(client, resident.email)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("account_logout"))
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = thief.get(reverse("account_email"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_privileged_session_ends_after_idle_timeout(client_for, support_staff):
    c = client_for(support_staff)
    assert c.get("/").status_code == 200
    session = c.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.PRIVILEGED_IDLE_TIMEOUT - 1
    session.save()
    response = c.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert c.get(reverse("account_email")).status_code == 302  # really logged out


def test_privileged_session_survives_short_pauses(client_for, support_staff):
    c = client_for(support_staff)
    c.get("/")
    session = c.session
    session[LAST_SEEN_KEY] = int(time.time()) - 60
    session.save()
    assert c.get("/").status_code == 200


def test_residents_have_no_idle_timeout(client_for, resident):
    c = client_for(resident)
    c.get("/")
    assert LAST_SEEN_KEY not in c.session


# --- every allauth page renders, in our style, in Dutch and English ----------------------

ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
    "account_inactive",
    "account_reset_password_from_key_done",
]
LOGGED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "account_logout",
    "mfa_index",
    "mfa_activate_totp",
]


def _h1(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


@pytest.mark.parametrize("name", ANONYMOUS_PAGES + LOGGED_IN_PAGES)
def test_allauth_page_renders_in_dutch_and_english(client_for, resident, name):
    c = client_for(resident if name in LOGGED_IN_PAGES else None)
    if name == "mfa_activate_totp":
        c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with translation.override("nl"):
        path = reverse(name)
    nl = c.get(path)
    en = c.get("/en" + path)
    assert nl.status_code == en.status_code == 200, (nl.status_code, en.status_code)
    nl_html, en_html = nl.content.decode(), en.content.decode()
    assert '<html lang="nl">' in nl_html and '<html lang="en">' in en_html
    assert "Naar de inhoud" in nl_html and "Skip to content" in en_html  # our base.html
    assert _h1(nl_html) != _h1(en_html), _h1(nl_html)


def test_allauth_forms_use_bootstrap_fields_and_buttons(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="btn btn-primary' in html
    assert "form-control" in html
    assert '<label for="id_login"' in html or 'for="id_login"' in html


def _assert_bilingual(c, path):
    nl = c.get(path)
    en = c.get("/en" + path)
    assert nl.status_code == en.status_code == 200, (path, nl.status_code, en.status_code)
    nl_html, en_html = nl.content.decode(), en.content.decode()
    assert "Naar de inhoud" in nl_html and "Skip to content" in en_html
    assert _h1(nl_html) != _h1(en_html), _h1(nl_html)


def test_two_factor_management_pages_render_in_both_languages(client_for, resident):
    _with_totp(resident)
    RecoveryCodes.activate(resident)
    c = client_for(resident)
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    for name in (
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
    ):
        with translation.override("nl"):
            path = reverse(name)
        _assert_bilingual(c, path)


def test_two_factor_login_step_renders_in_both_languages(client, resident):
    _with_totp(resident)
    _login(client, resident.email)
    _assert_bilingual(client, reverse("mfa_authenticate"))


def test_reset_and_confirmation_key_pages_render_in_both_languages(client, resident):
    client.post(reverse("account_reset_password"), {"email": resident.email})
    path = re.search(r"/account/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(path)  # allauth moves the key into the session, then redirects
    path = response["Location"] if response.status_code == 302 else path
    _assert_bilingual(client, path)

    Client().post(
        reverse("account_signup"),
        {
            "email": "sleutel@example.org",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    confirm = re.search(r"/account/confirm-email/[^/\s]+/", mail.outbox[-1].body).group(0)
    _assert_bilingual(Client(), confirm)


def test_password_change_within_300_seconds_is_applied_and_notified(client_for, resident):
    c = _reauthenticated(client_for, resident)
    age_authentication(c, 200)
    mail.outbox.clear()
    response = c.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "nieuw-lang-ww-1234",
            "password2": "nieuw-lang-ww-1234",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("nieuw-lang-ww-1234")
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_two_factor_changes_are_notified(client_for, resident):
    _with_totp(resident)
    c = _reauthenticated(client_for, resident)
    mail.outbox.clear()
    c.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=resident, type="totp").exists()
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_django_admin_staff_without_mfa_cannot_reach_the_admin(client_for, mfa_required):
    staff = UserFactory(email="staf@example.org", is_staff=True)
    response = client_for(staff).get("/" + settings.ADMIN_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
