"""A commission member who belongs to one applicant is conflicted on every application of its
competition group (the rival's loss is their platform's gain): refused on declaration, score,
decision, board and comparison, through the views and with forged POSTs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from recognition import permissions as perms
from recognition import selectors, services
from recognition.models import ConflictDeclaration, Decision, Round, Scoresheet
from tests.recognition.conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def rival(assessment):
    """Application b competes with a (platform of commission_member_conflicted) for TH02."""
    return assessment["b"]


def test_member_of_one_applicant_is_conflicted_on_the_rival(
    assessment, rival, commission_member_conflicted
):
    assert perms.is_conflicted(commission_member_conflicted, assessment["a"])
    assert perms.is_conflicted(commission_member_conflicted, rival)
    assert not perms.is_conflicted(commission_member_conflicted, assessment["c"])  # Gein
    assert selectors.has_membership_conflict(commission_member_conflicted, rival)


def test_cannot_declare_no_conflict_on_the_rival(
    assessment, rival, commission_member_conflicted, client_for
):
    c = client_for(commission_member_conflicted)
    r = c.post(
        reverse("recognition:conflict_declare", args=[rival.pk]),
        {"has_conflict": "0"},
        follow=True,
    )
    assert "meedingt" in r.content.decode()
    assert not ConflictDeclaration.objects.filter(
        application=rival, member=commission_member_conflicted, has_conflict=False
    ).exists()
    with pytest.raises(Exception):  # noqa: B017 - the service refuses on every path
        services.declare_conflict(
            application=rival, by=commission_member_conflicted, has_conflict=False
        )


def test_cannot_see_or_score_the_rival(assessment, rival, commission_member_conflicted, client_for):
    c = client_for(commission_member_conflicted)
    assert c.get(reverse("recognition:application_review", args=[rival.pk])).status_code == 404
    crit = rival.round.criteria_version.criteria.first()
    forged = c.post(
        reverse("recognition:scoresheet_save", args=[rival.pk]), {f"score_{crit.pk}": "0"}
    )
    assert forged.status_code == 404
    assert not Scoresheet.objects.filter(application=rival, member=commission_member_conflicted)
    # Scores that slipped in anyway (written straight to the table) never count.
    sheet = Scoresheet.objects.create(
        application=rival,
        revision=rival.current_revision,
        member=commission_member_conflicted,
        status=Scoresheet.Status.SUBMITTED,
    )
    assert sheet.pk not in {s.pk for s in selectors.counting_sheets(rival)}


def test_unrelated_group_can_be_scored(assessment, commission_member_conflicted):
    score(assessment["c"], commission_member_conflicted, 3)
    assert len(selectors.counting_sheets(assessment["c"])) == 1


def test_comparison_hides_the_whole_group(
    scored, commission_member_conflicted, commission_member, client_for
):
    url = reverse("recognition:round_compare", args=[scored["round"].slug])
    html = client_for(commission_member_conflicted).get(url).content.decode()
    assert scored["b"].platform.name not in html
    assert scored["a"].platform.name not in html
    assert scored["b"].platform.name in client_for(commission_member).get(url).content.decode()


def test_board_hides_pending_decisions_of_the_group(
    decided, commission_member_conflicted, commission_member, client_for
):
    url = reverse("recognition:commission_round", args=[decided["round"].slug])
    rows = {
        row["application"].pk: row
        for row in client_for(commission_member_conflicted).get(url).context["board"]
    }
    assert rows[decided["a"].pk]["decision"] is None
    assert rows[decided["b"].pk]["decision"] is None  # the rival's pending decision too
    assert rows[decided["c"].pk]["decision"] is not None  # another group: visible
    others = client_for(commission_member).get(url).context["board"]
    assert all(row["decision"] is not None for row in others)


def test_conflicted_chair_cannot_decide_on_the_group(
    scored, commission_member_conflicted, client_for
):
    rnd = scored["round"]
    Round.objects.filter(pk=rnd.pk).update(chair=commission_member_conflicted)
    rnd.refresh_from_db()
    rival = scored["b"]
    rival.round = rnd
    assert perms.can_chair(commission_member_conflicted, rnd)
    assert not perms.can_decide(commission_member_conflicted, rival)
    c = client_for(commission_member_conflicted)
    forged = c.post(
        reverse("recognition:decision_record", args=[rival.pk]),
        {"outcome": "granted", "granted_amount": "8000", "motivation": "Forged."},
    )
    assert forged.status_code in (403, 404)
    assert not Decision.objects.filter(application=rival).exists()
    with pytest.raises(Exception):  # noqa: B017 - the service refuses too
        services.record_decision(
            application=rival,
            by=commission_member_conflicted,
            outcome="granted",
            granted_amount=Decimal("8000"),
            motivation="Forged.",
        )


def test_paged_comparison_keeps_groups_whole_and_hides_the_conflicted_group_in_the_index(
    scored, commission_member_conflicted, commission_member, client_for, monkeypatch
):
    """A large round's comparison is paged by whole groups (issue 17); the index of every
    group never names the platforms of a group the viewer has a conflict in, on any page."""
    from recognition import selectors
    from recognition.views import commission

    groups = selectors.competition_groups(scored["round"])
    group_of_a = next(g for g in groups if scored["a"].pk in [a.pk for a in g])
    monkeypatch.setattr(commission, "COMPARE_APPLICATIONS_PER_PAGE", 1)
    url = reverse("recognition:round_compare", args=[scored["round"].slug])
    member = client_for(commission_member)
    first = member.get(url)
    pages = first.context["page"].paginator.num_pages
    assert pages >= 2  # the group of a and b on one page (never split), c's group on another
    seen = []
    for number in range(1, pages + 1):
        response = member.get(url, {"page": number, "utm_source": "x"})
        shown = [a for g in response.context["groups"] for a in g.get("applications", [])]
        seen += shown
        assert len(response.context["index"]) == len(groups)  # every group, on every page
    assert {scored["a"].pk, scored["b"].pk, scored["c"].pk} <= {a.pk for a in seen}
    assert len(seen) == len({a.pk for a in seen})  # every application on exactly one page
    together = [
        [a.pk for a in g["applications"]]
        for number in range(1, pages + 1)
        for g in member.get(url, {"page": number}).context["groups"]
        if scored["a"].pk in [a.pk for a in g.get("applications", [])]
    ]
    assert len(together) == 1 and scored["b"].pk in together[0]
    conflicted = client_for(commission_member_conflicted)
    for number in range(1, pages + 1):
        html = conflicted.get(url, {"page": number}).content.decode()
        assert scored["a"].platform.name not in html
        assert scored["b"].platform.name not in html
        assert f"area-{selectors.area_key(group_of_a)}" not in html  # no ids either
    assert conflicted.get(url, {"page": 999}).status_code == 200  # out of range: the last page
