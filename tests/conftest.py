"""Shared fixtures: a small cast of personas, one per role."""

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from accounts.roles import COMMISSION
from platforms.models import Membership
from tests.factories import PLATFORMS, MembershipFactory, PlatformFactory, UserFactory, person


def _database_use(item: pytest.Item) -> str:
    """How a test uses the database, as pytest-django decides its order: "db" (in a rolled-back
    transaction), "transactional" (tables flushed afterwards, migration data gone) or "none"."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    ):
        return "transactional"
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return "transactional"
    return "db" if marker is not None or "db" in fixtures else "none"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that take seconds first (marked slow or browser), so that with
    pytest-xdist both workers end together on the many short tests, instead of one worker
    running a row of browser tests at the end while the other idles.

    pytest-django puts the transactional tests (which flush every table, the migrations' data
    included) after the others; here they may come first, because the migrations' data is put
    back after each of them (``pytest_runtest_teardown`` below)."""

    def heavy(item: pytest.Item) -> bool:
        return item.get_closest_marker("slow") is not None or (
            item.get_closest_marker("browser") is not None
        )

    items.sort(key=lambda item: 0 if heavy(item) else 1)  # stable: pytest-django's order within


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test's flush, load the migrations' data again (the Zuidoost
    division with its outlines and the ten criteria: every row a data migration makes), so the
    next test on this worker starts from the migrated database, whatever kind it is."""
    yield
    if nextitem is None or _database_use(item) != "transactional":
        return
    from pytest_django.plugin import blocking_manager_key

    from areas.loading import load_zuidoost
    from recognition.criteria_data import seed_criteria

    with item.config.stash[blocking_manager_key].unblock():
        load_zuidoost()
        seed_criteria()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory) -> Path | None:
    """pytest-django's test database; on SQLite also a file copy of it, taken right after the
    migrations ran and before any test wrote to it (see ``migrated_sqlite_template``)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    template = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        with closing(sqlite3.connect(template)) as target:
            connection.connection.backup(target)
    return template


@pytest.fixture(scope="session")
def migrated_sqlite_template(django_db_setup) -> Path | None:
    """A SQLite file holding a freshly migrated database (the migrations and their data, no
    test's rows), to copy instead of migrating again; None when the tests run on PostgreSQL."""
    return django_db_setup


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """Database access for a module-scoped fixture: rows a module's world builds (once, for all
    its tests) live in one outer transaction that is rolled back after the module's last test.
    Each test still runs in its own savepoint (pytest-django's ``db``), so what a test changes
    is gone before the next one; files go to a media folder that lives as long as the world.

    A module-scoped world is built once per test worker that runs tests of the module. Hand a
    test copies of the world's model instances (``copy.deepcopy``) when it may change them."""
    from django.db import connection, transaction
    from django.test import override_settings

    media = tmp_path_factory.mktemp("module-media")
    with (
        override_settings(
            MEDIA_ROOT=media, PRIVATE_MEDIA_ROOT=media / "private", REPORTS_ROOT=media / "reports"
        ),
        django_db_blocker.unblock(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    if "module_db" in request.fixturenames:
        yield  # the module's world keeps its files for all its tests (see module_db)
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT / "private"
    settings.REPORTS_ROOT = settings.MEDIA_ROOT / "reports"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def resident(db):
    return person("resident")


@pytest.fixture
def platform(db):
    return PlatformFactory(**PLATFORMS["platform"])


@pytest.fixture
def other_platform(db):
    return PlatformFactory(**PLATFORMS["other_platform"])


@pytest.fixture
def coordinator(platform):
    return person("coordinator", platform)


@pytest.fixture
def member(platform):
    return person("member", platform)


@pytest.fixture
def other_coordinator(other_platform):
    return person("other_coordinator", other_platform)


@pytest.fixture
def commission_member(db):
    return person("commission_member")


@pytest.fixture
def commission_member2(db):
    return person("commission_member2")


@pytest.fixture
def commission_member_conflicted(platform):
    """A commission member who is also a member of `platform`."""
    user = UserFactory(email="conflict@example.org", name="Cas Conflict", roles=[COMMISSION])
    MembershipFactory(platform=platform, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def support_staff(db):
    return person("support_staff")


@pytest.fixture
def support_staff2(db):
    return person("support_staff2")


@pytest.fixture
def admin_user(db):
    return person("admin_user")


@pytest.fixture
def client_for(client):
    """Return a function that logs a user in on a fresh client (None = anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def reference_data(db):
    """Transactional tests flush migration data: reload the Zuidoost division and criteria."""
    from areas.loading import load_zuidoost
    from recognition.criteria_data import seed_criteria

    load_zuidoost()
    seed_criteria()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: allauth's rate limits (one confirmation mail per
    address per 3 minutes, say) and page-cache versions must not carry over from whichever test
    ran before on this worker (the order differs between runs, see pytest_collection_modifyitems)."""
    from django.core.cache import cache

    from buurtplatform import cachemiddleware, pagecache

    cache.clear()
    cachemiddleware.local_pages.clear()
    pagecache.forget_version()


@pytest.fixture(autouse=True)
def _dutch_by_default():
    """Every test starts in Dutch (the default language): a request to /en/ in an earlier test
    must not leave English active for reverse() or gettext in the next one."""
    from django.utils import translation

    translation.activate("nl")
    yield
    translation.activate("nl")
