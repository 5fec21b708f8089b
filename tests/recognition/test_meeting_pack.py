"""A commission that can prepare: the comparison shows statements and evidence next to the
scores, others' explanations once you have submitted, disagreements as agenda points; the
meeting pack (a PDF from the report pipeline) holds the same, without the groups in which the
reader has a conflict."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recognition import services
from reports.models import ReportJob
from reports.rendering import render_report
from tests.recognition.conftest import score
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def explained(assessment, commission_member, commission_member2):
    """Both members score everything; member 2 explains a low score on b (spread 2)."""
    crit = list(assessment["round"].criteria_version.criteria.all())
    for key in ("a", "b", "c"):
        score(assessment[key], commission_member, 3)
    app = assessment["b"]
    services.declare_conflict(application=app, by=commission_member2, has_conflict=False)
    services.save_scores(
        application=app,
        member=commission_member2,
        scores={c.pk: (1, "Weinig bewijs van bereik buiten de eigen kring.") for c in crit},
    )
    services.submit_scoresheet(application=app, member=commission_member2)
    for key in ("a", "c"):
        score(assessment[key], commission_member2, 3)
    return assessment


def test_comparison_shows_statements_evidence_explanations_and_agenda(
    explained, commission_member, client_for
):
    url = reverse("recognition:round_compare", args=[explained["round"].slug])
    html = client_for(commission_member).get(url).content.decode()
    statement = explained["b"].current_revision.snapshot["statements"][0]["statement"]
    assert statement[:40] in html  # the applicant's own words next to the scores
    assert "Weinig bewijs van bereik" in html  # another member's explanation, after submitting
    assert "Agendapunten" in html
    assert "steunbetuigingen" in html  # endorsements, verified vs self-declared
    assert 'tabindex="0"' in html  # the wide table scrolls with the keyboard


def test_comparison_stays_blind_before_submitting(explained, commission_member, client_for):
    from recognition.models import Scoresheet

    Scoresheet.objects.filter(member=commission_member, application=explained["b"]).update(
        status=Scoresheet.Status.DRAFT
    )
    url = reverse("recognition:round_compare", args=[explained["round"].slug])
    html = client_for(commission_member).get(url).content.decode()
    assert "Weinig bewijs van bereik" not in html


def test_meeting_pack_holds_agenda_groups_scores_and_disagreements(explained, commission_member):
    text = pdf_text(
        render_report("meeting_pack", f"{explained['round'].slug}/{commission_member.pk}")
    )
    assert "Agenda" in text
    for key in ("a", "b", "c"):
        assert explained[key].platform.name in text
    assert "Weinig bewijs van bereik" in text
    assert "agendapunt" in text
    assert "steunbetuigingen" in text


def test_meeting_pack_leaves_out_the_group_of_a_conflicted_member(
    explained, commission_member_conflicted
):
    key = f"{explained['round'].slug}/{commission_member_conflicted.pk}"
    text = pdf_text(render_report("meeting_pack", key))
    assert explained["a"].platform.name not in text
    assert explained["b"].platform.name not in text
    assert explained["c"].platform.name in text
    assert "weggelaten" in text


def test_meeting_pack_view_is_for_the_commission_and_private(
    explained, commission_member, resident, client_for, django_capture_on_commit_callbacks
):
    url = reverse("reports:meeting_pack", args=[explained["round"].slug])
    assert client_for(None).get(url).status_code == 302
    assert client_for(resident).get(url).status_code == 403
    c = client_for(commission_member)
    with django_capture_on_commit_callbacks(execute=True):
        first = c.get(url)
    assert first.status_code in (200, 202)
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "private, no-store"
    job = ReportJob.objects.get(kind="meeting_pack")
    assert job.key == f"{explained['round'].slug}/{commission_member.pk}"
