"""Audit log viewer, security events in the logs, secrets kept out of logs, no stack traces."""

import logging

import pytest
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from accounts.services import grant_role
from audit.models import AuditEntry
from audit.redaction import redact
from audit.services import record
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


# --- /beheer/ and /beheer/audit/ ---------------------------------------------------------


@pytest.mark.parametrize(
    "who,status",
    [
        ("anonymous", 302),
        ("resident", 403),
        ("member", 403),
        ("coordinator", 403),
        ("other_coordinator", 403),
        ("commission_member", 403),
        ("commission_member_conflicted", 403),
        ("support_staff", 403),
        ("admin_user", 200),
    ],
)
@pytest.mark.parametrize("url_name", ["management_home", "audit:entry_list"])
def test_management_pages_are_for_administrators_only(client_for, request, who, status, url_name):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).get(reverse(url_name))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))


def test_management_home_links_to_every_tool(client_for, admin_user):
    html = client_for(admin_user).get(reverse("management_home")).content.decode()
    for href in ["/beheer/rondes/", "/beheer/steuncodes/", "/account/rollen/", "/beheer/audit/"]:
        assert f'href="{href}"' in html
    assert 'href="/beheer/django/"' in html


def _seed(n: int, actor) -> None:
    for i in range(n):
        record(actor=actor, action=f"budgets.claim.approved.{i}", obj=actor, data={"i": i})


@pytest.mark.parametrize("n", [5, 60])
def test_audit_list_uses_constant_queries(client_for, admin_user, django_assert_max_num_queries, n):
    _seed(n, admin_user)
    c = client_for(admin_user)
    with django_assert_max_num_queries(10):
        response = c.get(reverse("audit:entry_list"))
    assert response.status_code == 200


def test_audit_list_paginates(client_for, admin_user):
    _seed(60, admin_user)
    c = client_for(admin_user)
    first = c.get(reverse("audit:entry_list")).content.decode()
    assert "budgets.claim.approved.59" in first and "budgets.claim.approved.5<" not in first
    second = c.get(reverse("audit:entry_list"), {"pagina": 2}).content.decode()
    assert "budgets.claim.approved.5<" in second
    assert "Pagina 2 van 2" in second


def test_audit_list_filters(client_for, admin_user, resident, support_staff):
    grant_role(user=resident, role="commissie", by=admin_user)
    record(actor=support_staff, action="budgets.claim.approved", obj=resident)
    c = client_for(admin_user)

    html = c.get(reverse("audit:entry_list"), {"action": "accounts."}).content.decode()
    assert "accounts.role.granted" in html and "budgets.claim.approved" not in html

    html = c.get(reverse("audit:entry_list"), {"actor": "support1"}).content.decode()
    assert "budgets.claim.approved" in html and "accounts.role.granted" not in html

    entry = AuditEntry.objects.get(action="accounts.role.granted")
    html = c.get(
        reverse("audit:entry_list"), {"content_type": entry.content_type_id}
    ).content.decode()
    assert "accounts.role.granted" in html

    today = timezone.localdate(entry.created_at).isoformat()
    html = c.get(
        reverse("audit:entry_list"), {"date_from": today, "date_to": today}
    ).content.decode()
    assert "accounts.role.granted" in html
    html = c.get(reverse("audit:entry_list"), {"date_to": "2000-01-01"}).content.decode()
    assert "accounts.role.granted" not in html


def test_audit_entries_cannot_be_changed(admin_user):
    from audit.models import AppendOnlyError

    entry = record(actor=admin_user, action="x.y.z")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


# --- security events -------------------------------------------------------------------


def test_failed_login_is_logged_with_user_id_and_ip_only(client, resident, caplog):
    caplog.set_level(logging.INFO, logger="buurtplatform.security")
    client.post(reverse("account_login"), {"login": resident.email, "password": "geheim-fout-1"})
    messages = [r.getMessage() for r in caplog.records if r.name == "buurtplatform.security"]
    assert f"login failed user={resident.pk} ip=127.0.0.1" in messages
    assert "geheim-fout-1" not in caplog.text and resident.email not in caplog.text


def test_failed_login_for_unknown_address_is_logged_without_the_address(client, caplog):
    caplog.set_level(logging.INFO, logger="buurtplatform.security")
    client.post(reverse("account_login"), {"login": "onbekend@example.org", "password": "x"})
    assert "login failed user=unknown" in caplog.text
    assert "onbekend@example.org" not in caplog.text


def test_permission_refusal_is_logged(client_for, resident, caplog):
    caplog.set_level(logging.INFO, logger="buurtplatform.security")
    assert client_for(resident).get(reverse("audit:entry_list")).status_code == 403
    assert f"permission denied path='/beheer/audit/' user={resident.pk}" in caplog.text


def test_not_found_for_a_logged_in_user_is_logged(client_for, resident, caplog):
    caplog.set_level(logging.INFO, logger="buurtplatform.security")
    client_for(resident).get("/platforms/bestaat-niet-123/")
    assert f"user={resident.pk}" in caplog.text and "not found" in caplog.text


# --- nothing secret in any log record ----------------------------------------------------

SECRETS = {
    "iban": "NL91ABNA0417164300",
    "iban_spaced": "NL91 ABNA 0417 1643 00",
    "password": "Hunter2-geheim!",
    "session": "x7k2m9q4w8e1r5t3y6u0i2o4p8a1s3d5",
    "token": "Zm9vYmFyYmF6cXV4LXRva2VuLTEyMzQ1Njc4OTA",
}


def test_log_records_never_carry_secrets(caplog):
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("buurtplatform.test")
    log.info("payout to %s for claim 7", SECRETS["iban"])
    log.info("payout to %s", SECRETS["iban_spaced"])
    log.warning("form data: password=%s&next=/", SECRETS["password"])
    log.warning("data %s", {"password1": SECRETS["password"], "email": "a@b.nl"})
    log.info("session %s expired", SECRETS["session"])
    log.info("confirm at /account/confirm-email/%s/", SECRETS["token"])
    log.info("token: %s", SECRETS["token"])
    try:
        raise ValueError(f"bad iban {SECRETS['iban']} password={SECRETS['password']}")
    except ValueError:
        log.exception("claim failed")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for name, secret in SECRETS.items():
        assert secret not in text, name
    assert "NL91[verborgen]" in text  # the country and check digits stay for debugging
    assert "claim 7" in text and "a@b.nl" in text


def test_a_newline_in_a_username_cannot_forge_a_log_line(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("buurtplatform.security").warning(
        "login failed for %s", "eve\n2026-01-01 INFO login ok user=1"
    )
    (rec,) = [r for r in caplog.records if "eve" in r.getMessage()]
    assert "\n" not in rec.getMessage()
    assert "eve\\n2026-01-01" in rec.getMessage()


def test_a_real_login_attempt_leaves_no_password_in_the_logs(client, resident, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(reverse("account_login"), {"login": resident.email, "password": "Pw-in-log-99"})
    client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})
    session_key = client.session.session_key
    client.get("/")
    assert "Pw-in-log-99" not in caplog.text and PASSWORD not in caplog.text
    assert session_key not in caplog.text


def test_redact_keeps_ordinary_text():
    text = "platform samen-sterk-k-buurt approved claim 12 for € 1.234,56"
    assert redact(text) == text


# --- users never see a stack trace (threat 28) -------------------------------------------


def _boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [path("boom/", _boom)]
handler500 = "buurtplatform.views.server_error"


def test_500_page_has_no_traceback_but_a_reference(settings, caplog):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Traceback" not in html and "secret internals" not in html and "hunter2" not in html
    assert "Er ging iets mis" in html
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    reference = html.split("<code>")[1].split("</code>")[0]
    assert reference == response["X-Request-ID"]  # the request id (buurtplatform.requestid)
    assert f"ref={reference}" in caplog.text
    assert "hunter2" not in caplog.text


def test_errors_go_to_support_without_secrets(settings, caplog):
    settings.ROOT_URLCONF = __name__
    Client(raise_request_exception=False).get("/boom/")
    assert "RuntimeError" in caplog.text  # the traceback is logged for support ...
    assert "hunter2" not in caplog.text  # ... without the secret in it


def test_management_pages_in_english(client_for, admin_user):
    c = client_for(admin_user)
    html = c.get("/en/beheer/").content.decode()
    assert "Manage rounds" in html and "Audit trail" in html
    html = c.get("/en/beheer/audit/").content.decode()
    assert "Action starts with" in html and "No entries found." in html
