"""Sign-up without losing work (issue 15 part 5): a letter code or an endorsement started while
logged out survives sign-up and e-mail confirmation and is completed afterwards."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from areas.models import Buurt
from platforms import services
from platforms.models import Endorsement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # allauth's sign-up limit per client address


def _signup_and_confirm(client, email="nieuw@example.org"):
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "name": "Nina",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
    )
    assert response.status_code == 302
    link = re.search(r"/account/confirm-email/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return client.post(link.group(0), follow=True)


def test_letter_code_survives_signup_and_confirmation(client, platform, admin_user):
    _batch, codes = services.create_endorsement_codes(
        buurt=Buurt.objects.get(code="TH01"), count=1, by=admin_user
    )
    lookup = reverse("platforms:endorsement_code_lookup")
    page = client.post(lookup, {"code": codes[0].code})
    assert "Om te steunen heb je een account nodig" in page.content.decode()
    page = client.post(lookup, {"code": codes[0].code, "platform": platform.slug})
    assert "Je hebt een account nodig om te steunen" in page.content.decode()
    assert not Endorsement.objects.exists()

    response = _signup_and_confirm(client)
    endorsement = Endorsement.objects.get()
    assert endorsement.platform == platform and endorsement.verified
    assert endorsement.user.email == "nieuw@example.org"
    assert "is geregistreerd met je steuncode" in response.content.decode()


def test_code_without_a_choice_waits_on_the_lookup_page(client, platform, admin_user):
    _batch, codes = services.create_endorsement_codes(
        buurt=Buurt.objects.get(code="TH01"), count=1, by=admin_user
    )
    client.post(reverse("platforms:endorsement_code_lookup"), {"code": codes[0].code})
    _signup_and_confirm(client)
    page = client.get(reverse("platforms:endorsement_code_lookup")).content.decode()
    assert platform.name in page and codes[0].code in page
    assert not Endorsement.objects.exists()


def test_logged_out_support_click_explains_and_returns_to_the_form(client, platform):
    url = reverse("platforms:endorsement_create", args=[platform.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Je hebt een account nodig om te steunen" in page.content.decode()
    assert reverse("account_signup") in page.content.decode()
    response = _signup_and_confirm(client)
    assert response.redirect_chain[-1][0] == url
