"""Privacy (AVG): the privacy page, downloading your own data, deleting your account."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from budgets.models import Entry, ExpenseClaim, Transaction
from budgets.services import book_grant
from platforms.models import Endorsement, Membership
from tests.budgets.factories import ApplicationFactory, granted_decision
from tests.factories import PASSWORD, ActivityFactory, MembershipFactory, UserFactory
from workflows.privacy import DELETED_NAME, delete_account, export_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_resident(platform, other_platform, coordinator, admin_user):
    """A member of `platform` who authored things, endorsed, and submitted a claim."""
    user = UserFactory(email="druk@example.org", name="Dirk Druk")
    MembershipFactory(platform=platform, user=user)
    Endorsement.objects.create(
        platform=other_platform, user=user, buurt=other_platform.buurten.first(), postcode4="1104"
    )
    ActivityFactory(platform=platform, created_by=user, title="Moestuindag")
    ApplicationFactory(platform=other_platform, created_by=user, plan_summary="Plan van Dirk")
    budget = book_grant(decision=granted_decision(platform=platform), by=admin_user)
    ExpenseClaim.objects.create(
        budget=budget,
        budget_line=budget.lines.first(),
        submitted_by=user,
        amount=Decimal("12.50"),
        expense_date=datetime.date(2026, 4, 1),
        payee_name="Dirk Druk",
        iban="NL91ABNA0417164300",
        description="Zaden",
        status=ExpenseClaim.Status.SUBMITTED,
    )
    return user


def test_privacy_page_is_plain_language_in_both_languages(client):
    nl = client.get(reverse("privacy")).content.decode()
    assert "Wat we bewaren" in nl and "Jouw rechten" in nl
    assert reverse("workflows:data_export") in nl and reverse("workflows:account_delete") in nl
    en = client.get("/en/privacy/").content.decode()
    assert "What we keep" in en and "Your rights" in en


def test_export_holds_only_the_persons_own_data(busy_resident, member, platform):
    ActivityFactory(platform=platform, created_by=member, title="Van iemand anders")
    data = export_personal_data(user=busy_resident)
    assert data["account"]["email"] == "druk@example.org"
    assert [m["platform"] for m in data["memberships"]] == [platform.slug]
    assert [a["title"] for a in data["activities_authored"]] == ["Moestuindag"]
    assert [e["postcode4"] for e in data["endorsements"]] == ["1104"]
    assert [a["plan_summary"] for a in data["applications_authored"]] == ["Plan van Dirk"]
    assert data["claims_submitted"][0]["iban"] == "NL91ABNA0417164300"
    assert data["claims_submitted"][0]["amount"] == "12.50"
    assert "member@example.org" not in json.dumps(data)
    assert "Van iemand anders" not in json.dumps(data)


def test_download_needs_recent_login_and_gives_json(client_for, busy_resident):
    c = client_for(busy_resident)
    response = c.get(reverse("workflows:data_export"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = c.get(reverse("workflows:data_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["account"]["name"] == "Dirk Druk"


def test_anonymous_cannot_download_or_delete(client):
    for name in ("workflows:data_export", "workflows:account_delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_delete_account_anonymises_and_keeps_the_books(busy_resident, platform, admin_user):
    transactions = list(Transaction.objects.values())
    entries = list(Entry.objects.values())
    activity_pk = busy_resident and platform.activities.get(title="Moestuindag").pk

    delete_account(user=busy_resident, by=busy_resident)

    user = User.objects.get(pk=busy_resident.pk)
    assert user.email == f"deleted-{user.pk}@invalid"
    assert user.name == DELETED_NAME
    assert not user.is_active and not user.has_usable_password()
    assert not user.emailaddress_set.exists()
    assert not Endorsement.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    # Authored content stays, without its author.
    assert platform.activities.get(pk=activity_pk).created_by is None
    # The ledger is untouched; the claim still points at the (now de-identified) row.
    assert list(Transaction.objects.values()) == transactions
    assert list(Entry.objects.values()) == entries
    assert ExpenseClaim.objects.get().submitted_by_id == user.pk
    entry = AuditEntry.objects.get(action="accounts.account.deleted")
    assert entry.object_id == str(user.pk)
    assert "druk@example.org" not in json.dumps(entry.data) + entry.object_repr


def test_last_coordinator_cannot_delete_their_account(coordinator, platform):
    with pytest.raises(ValidationError) as exc:
        delete_account(user=coordinator, by=coordinator)
    assert platform.name in " ".join(exc.value.messages)
    coordinator.refresh_from_db()
    assert coordinator.is_active and Membership.objects.filter(user=coordinator).exists()


def test_coordinator_with_a_co_coordinator_can_delete(coordinator, platform):
    MembershipFactory(platform=platform, role=Membership.Role.COORDINATOR)
    delete_account(user=coordinator, by=coordinator)
    assert not User.objects.get(pk=coordinator.pk).is_active


def test_delete_view_needs_reauthentication_after_300_seconds(client_for, busy_resident):
    from tests.trust.conftest import age_authentication

    c = client_for(busy_resident)
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    age_authentication(c, 301)
    response = c.post(reverse("workflows:account_delete"), {"confirm": "on"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert User.objects.get(pk=busy_resident.pk).is_active


def test_delete_view_deletes_and_logs_out(client_for, busy_resident):
    other_device = client_for(busy_resident)
    c = client_for(busy_resident)
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert c.get(reverse("workflows:account_delete")).status_code == 200
    assert c.post(reverse("workflows:account_delete"), {}).status_code == 200  # not confirmed
    assert User.objects.get(pk=busy_resident.pk).is_active
    response = c.post(reverse("workflows:account_delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.get(pk=busy_resident.pk).is_active
    assert "_auth_user_id" not in c.session
    # Sessions on other devices end too (the password hash in them no longer matches).
    assert other_device.get(reverse("account_email")).status_code == 302
    # The old password no longer works.
    c.post(reverse("account_login"), {"login": "druk@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in c.session


def test_delete_view_explains_the_last_coordinator_refusal(client_for, coordinator, platform):
    c = client_for(coordinator)
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    html = c.get(reverse("workflows:account_delete")).content.decode()
    assert "enige coördinator" in html and platform.name in html
    response = c.post(reverse("workflows:account_delete"), {"confirm": "on"})
    assert response.status_code == 200
    assert User.objects.get(pk=coordinator.pk).is_active
