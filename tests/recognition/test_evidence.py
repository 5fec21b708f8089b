"""Evidence and consent (issue 12, part 3): evidence is private unless the applicant marked the
file publishable at upload AND it was part of the judged revision; then, once the round is
published, anyone may download it by its unguessable public_id. Through the views."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from recognition import services
from recognition.models import EvidenceFile
from tests.recognition.conftest import complete_application, pass_deadline, score
from workflows import decisions as workflows_decisions

pytestmark = pytest.mark.django_db

WARNING = "Wordt openbaar bij het besluit; haal namen en adressen weg."


def _pdf(name: str) -> io.BytesIO:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    buf.seek(0)
    buf.name = name
    return buf


def _upload(client, app, name: str, *, publishable: bool, number: int = 1):
    """The coordinator adds a file on the criterion page, as in the browser."""
    data = {"statement": "Zo laten wij het zien.", "links": "", "file": _pdf(name)}
    if publishable:
        data["publishable"] = "on"
    return client.post(reverse("recognition:statement_edit", args=[app.pk, number]), data)


def _public_url(ev: EvidenceFile) -> str:
    return reverse("recognition:decision_evidence", args=[ev.application.round.slug, ev.public_id])


def _pk_url(ev: EvidenceFile) -> str:
    return reverse("recognition:evidence_download", args=[ev.application_id, ev.pk])


@pytest.fixture
def uploaded(
    open_round,
    platform,
    coordinator,
    other_platform,
    other_coordinator,
    commission_member,
    commission_member2,
    admin_user,
    client_for,
):
    """Platform "a" uploads an attendance list (private) and an annual report (publishable),
    submits, then adds another publishable file after submission (in no judged revision)."""
    a = complete_application(open_round, platform, coordinator, Decimal("6000"))
    c = complete_application(open_round, other_platform, other_coordinator, Decimal("4000"))
    coord = client_for(coordinator)
    assert _upload(coord, a, "aanwezigheidslijst.pdf", publishable=False).status_code == 302
    assert _upload(coord, a, "jaarverslag.pdf", publishable=True, number=2).status_code == 302
    assert coord.post(reverse("recognition:application_submit", args=[a.pk])).status_code == 302
    assert _upload(coord, a, "na-indienen.pdf", publishable=True, number=3).status_code == 302
    services.submit_application(application=c, by=other_coordinator)
    files = {f.original_name: f for f in EvidenceFile.objects.filter(application=a)}
    return {
        "round": open_round,
        "a": a,
        "c": c,
        "private": files["aanwezigheidslijst.pdf"],
        "public": files["jaarverslag.pdf"],
        "late": files["na-indienen.pdf"],
    }


@pytest.fixture
def published(uploaded, commission_member, commission_member2, admin_user):
    rnd = pass_deadline(uploaded["round"])
    services.start_assessment(round=rnd, by=admin_user)
    for key, amount in (("a", Decimal("6000")), ("c", Decimal("4000"))):
        app = uploaded[key]
        app.refresh_from_db()
        score(app, commission_member, 3)
        score(app, commission_member2, 2)
        services.record_decision(
            application=app,
            by=admin_user,
            outcome="granted",
            granted_amount=amount,
            motivation="Sterk plan.",
        )
    services.conclude_round(round=rnd, by=admin_user)
    rnd.refresh_from_db()
    workflows_decisions.publish_round(round=rnd, by=admin_user)
    rnd.refresh_from_db()
    return uploaded


def _decision_page(client, rnd) -> str:
    response = client.get(reverse("recognition:round_decision", args=[rnd.slug]))
    assert response.status_code == 200
    return response.content.decode()


# --- the upload form --------------------------------------------------------------------------


def test_upload_form_shows_warning_and_unchecked_checkbox(
    draft_application, coordinator, client_for
):
    html = (
        client_for(coordinator)
        .get(reverse("recognition:statement_edit", args=[draft_application.pk, 1]))
        .content.decode()
    )
    assert WARNING in html
    checkbox = re.search(r"<input[^>]*name=\"publishable\"[^>]*>", html)
    assert checkbox is not None and 'type="checkbox"' in checkbox.group(0)
    assert "checked" not in checkbox.group(0)


def test_consent_is_stored_per_file_and_off_by_default(uploaded):
    assert uploaded["private"].publishable is False
    assert uploaded["public"].publishable is True
    ids = {f.public_id for f in EvidenceFile.objects.all()}
    assert len(ids) == EvidenceFile.objects.count() == 3


def test_forged_publishable_upload_on_another_platforms_application_is_refused(
    draft_application, other_coordinator, member, client_for
):
    """The coordinator of another platform (404) and a mere member (403) cannot add a
    publishable file, whatever they post."""
    r = _upload(client_for(other_coordinator), draft_application, "nep.pdf", publishable=True)
    assert r.status_code == 404
    r = _upload(client_for(member), draft_application, "nep.pdf", publishable=True)
    assert r.status_code == 403
    assert not EvidenceFile.objects.exists()


def test_application_page_shows_per_file_whether_it_will_be_public(
    uploaded, coordinator, client_for
):
    html = (
        client_for(coordinator)
        .get(reverse("recognition:application_detail", args=[uploaded["a"].pk]))
        .content.decode()
    )

    def label_of(name: str) -> str:
        item = re.search(rf"<li>[^<]*<a [^>]*>{re.escape(name)}</a>.*?</li>", html, re.S)
        assert item is not None, name
        return "Openbaar bij besluit" if "Openbaar bij besluit" in item.group(0) else "Niet"

    assert label_of("jaarverslag.pdf") == "Openbaar bij besluit"
    assert label_of("aanwezigheidslijst.pdf") == "Niet"
    assert label_of("na-indienen.pdf") == "Niet"  # not in the submitted version
    assert "Niet openbaar" in html


# --- before publication -----------------------------------------------------------------------


def test_nothing_is_public_before_publication(uploaded, client):
    for key in ("private", "public", "late"):
        assert client.get(_public_url(uploaded[key])).status_code == 404
        assert client.get(_pk_url(uploaded[key])).status_code == 404


# --- after publication ------------------------------------------------------------------------


def test_unmarked_file_is_404_for_anonymous(published, client):
    ev = published["private"]
    assert client.get(_public_url(ev)).status_code == 404
    html = _decision_page(client, published["round"])
    assert ev.original_name not in html and str(ev.public_id) not in html


def test_marked_judged_file_is_downloadable_by_uuid_and_linked(published, client):
    ev = published["public"]
    response = client.get(_public_url(ev))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="jaarverslag.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    html = _decision_page(client, published["round"])
    assert f'href="{_public_url(ev)}"' in html
    assert "jaarverslag.pdf" in html
    assert str(ev.pk) not in re.findall(r"/bewijs/([^/]+)/", html)


def test_file_uploaded_after_submission_is_never_public(published, client, resident, client_for):
    ev = published["late"]
    assert ev.publishable
    for c in (client, client_for(resident)):
        assert c.get(_public_url(ev)).status_code == 404
    html = _decision_page(client, published["round"])
    assert ev.original_name not in html and str(ev.public_id) not in html


def test_public_url_needs_the_files_own_round(published, client, admin_user):
    from tests.recognition.conftest import make_round

    other = services.open_round(round=make_round(admin_user, slug="andere-ronde"), by=admin_user)
    ev = published["public"]
    url = reverse("recognition:decision_evidence", args=[other.slug, ev.public_id])
    assert client.get(url).status_code == 404


def test_sequential_pk_url_serves_nothing_to_anonymous(published, client):
    for key in ("private", "public", "late"):
        assert client.get(_pk_url(published[key])).status_code == 404


def test_insiders_still_see_all_evidence_by_pk_after_publication(
    published, member, admin_user, commission_member, resident, client_for
):
    for user in (member, admin_user, commission_member):  # the member declared no conflict
        c = client_for(user)
        for key in ("private", "public", "late"):
            assert c.get(_pk_url(published[key])).status_code == 200, (user, key)
    assert client_for(resident).get(_pk_url(published["private"])).status_code == 404


def test_decision_page_lists_public_files_in_one_query_for_the_round(
    published, django_assert_max_num_queries
):
    from recognition import selectors

    with django_assert_max_num_queries(2):
        files = selectors.public_evidence_of_round(published["round"])
    assert {a: [f.original_name for f in fs] for a, fs in files.items()} == {
        published["a"].pk: ["jaarverslag.pdf"]
    }
