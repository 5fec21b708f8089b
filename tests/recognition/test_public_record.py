"""The public record speaks the public's language: no internal words, no status codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recognition import services
from recognition.models import Round
from recognition.selectors import score_table
from workflows import decisions as workflows_decisions

pytestmark = pytest.mark.django_db


def test_public_decision_page_never_says_bespreken(published, client):
    # commission_member scored 3 and commission_member2 gave 1 on b: spread 2 = an agenda point.
    assert any(row["discuss"] for row in score_table(published["b"])["rows"])
    html = client.get(
        reverse("recognition:round_decision", args=[published["round"].slug])
    ).content.decode()
    assert "bespreken" not in html


def test_transition_messages_name_states_not_codes(published, admin_user):
    rnd = Round.objects.get(pk=published["round"].pk)
    with pytest.raises(ValidationError) as exc:
        services.reopen_assessment(round=rnd, by=admin_user)
    text = " ".join(exc.value.messages)
    assert "published" not in text and "assessment" not in text
    assert "Gepubliceerd" in text or "gepubliceerd" in text.lower()


def test_publishing_twice_explains_in_dutch(published, admin_user):
    with pytest.raises(ValidationError) as exc:
        workflows_decisions.publish_round(round=published["round"], by=admin_user)
    assert "published" not in " ".join(exc.value.messages)
