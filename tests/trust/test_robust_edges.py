"""Malformed input in URLs and parameters (NUL bytes, overlong values, wrong types) answers
400 or 404, never 500 (issue 14, part 7)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

JUNK = ["%00", "abc", "-1", "9" * 40, "x" * 5000, "%ff%fe", "1e309", "[]", "'\"<>"]
PAGES = [
    "/",
    "/platforms/",
    "/buurten/",
    "/rondes/",
    "/transparantie/",
    "/open-data/",
    "/open-data/decisions.csv",
    "/account/login/",
]
PARAMS = ["page", "buurt", "q", "status", "gebied", "next"]


@pytest.mark.parametrize("path", PAGES)
def test_junk_query_parameters_never_break_a_page(client, path):
    for param in PARAMS:
        for junk in JUNK:
            response = client.get(f"{path}?{param}={junk}")
            assert response.status_code < 500, (path, param, junk)


@pytest.mark.parametrize(
    "path",
    [
        "/platforms/%00/",
        "/platforms/" + "a" * 3000 + "/",
        "/buurten/%00/",
        "/rondes/%ff/besluit/",
        "/transparantie/99999999999999999999/",
        "/open-data/%00.csv",
        "/uitnodiging/%00/",
        "/partner/" + "x" * 4000 + "/",
    ],
)
def test_malformed_paths_answer_400_or_404(client, path):
    assert client.get(path).status_code in (400, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/aanvragen/99999999999999999999/",
        "/declaraties/99999999999999999999/",
        "/commissie/aanvragen/99999999999999999999/beoordelen/",
        "/administratie/declaraties/99999999999999999999/",
    ],
)
def test_numbers_too_big_for_the_database_are_404(client_for, admin_user, path):
    assert client_for(admin_user).get(path).status_code in (400, 403, 404)


def test_nul_bytes_in_a_form_are_refused_next_to_the_field(client_for, resident):
    response = client_for(resident).post("/steun/", {"code": "AB\x00CD"})
    assert response.status_code == 200
    assert "Null" in response.content.decode() or "nul" in response.content.decode().lower()
