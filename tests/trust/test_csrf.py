"""CSRF is enforced on every state-changing view (threat 3)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# Views that may skip CSRF, with the reason. Keep this empty unless there is no other way.
CSRF_EXEMPT_ALLOWED: dict[str, str] = {}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _view_name(pattern: URLPattern) -> str:
    callback = pattern.callback
    return f"{callback.__module__}.{getattr(callback, '__qualname__', callback.__name__)}"


def test_no_view_is_csrf_exempt_unless_allow_listed():
    exempt = {
        _view_name(p)
        for route, p in _walk(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False)
    }
    assert exempt <= set(CSRF_EXEMPT_ALLOWED), sorted(exempt - set(CSRF_EXEMPT_ALLOWED))


def test_the_walk_sees_the_whole_project():
    routes = [route for route, _ in _walk(get_resolver().url_patterns)]
    assert any("account/login" in r for r in routes)
    assert any("beheer/audit" in r for r in routes)
    assert len(routes) > 30


@pytest.mark.parametrize(
    "url_name,data",
    [
        ("account_login", {"login": "x@example.org", "password": "x"}),
        ("account_signup", {"email": "x@example.org", "password1": "a", "password2": "a"}),
        ("account_reset_password", {"email": "x@example.org"}),
    ],
)
def test_anonymous_posts_without_token_are_refused(url_name, data):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse(url_name), data).status_code == 403


@pytest.mark.parametrize(
    "url_name,data",
    [
        ("account_logout", {}),
        ("workflows:account_delete", {"confirm": "on"}),
        ("accounts:role_grant", {"email": "x@example.org", "role": "commissie"}),
        ("account_change_password", {}),
    ],
)
def test_logged_in_posts_without_token_are_refused(admin_user, url_name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(reverse(url_name), data).status_code == 403
    assert client.session.get("_auth_user_id") == str(admin_user.pk)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_post_with_token_is_accepted(resident):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"))
    from django.conf import settings

    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("account_login"),
        {"login": resident.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
