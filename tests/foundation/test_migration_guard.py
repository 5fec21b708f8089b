"""The start-up guard: a database with migrations the code does not know is refused (a fake row
in django_migrations stands for a migration made by a newer release)."""

from __future__ import annotations

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from buurtplatform.migrationguard import ERROR_ID, check_database_not_ahead, migrations_ahead

pytestmark = pytest.mark.django_db

FUTURE = ("reports", "9999_from_a_newer_release")


@pytest.fixture
def future_migration():
    recorder = MigrationRecorder(connection)
    recorder.record_applied(*FUTURE)
    yield FUTURE
    recorder.record_unapplied(*FUTURE)


def test_a_database_in_step_with_the_code_passes():
    assert migrations_ahead() == []
    assert check_database_not_ahead(databases=["default"]) == []
    call_command("check", "--database", "default")  # raises SystemCheckError on an Error


def test_a_database_ahead_of_the_code_is_refused(future_migration):
    assert migrations_ahead() == [FUTURE]
    errors = check_database_not_ahead(databases=["default"])
    assert len(errors) == 1 and isinstance(errors[0], Error) and errors[0].id == ERROR_ID
    assert "reports.9999_from_a_newer_release" in errors[0].msg
    # What the start commands run (docker-compose.yml): check --deploy --database default.
    with pytest.raises(SystemCheckError, match="ahead of the code"):
        call_command("check", "--deploy", "--database", "default")


def test_migrate_refuses_it_too(future_migration):
    with pytest.raises(SystemCheckError, match="ahead of the code"):
        call_command("migrate", "--noinput", verbosity=0, skip_checks=False)


def test_not_run_without_a_database():
    # Plain `manage.py check` (and every other command) does not query the database.
    assert check_database_not_ahead(databases=None) == []


def test_rows_of_an_app_the_code_does_not_have_are_ignored():
    recorder = MigrationRecorder(connection)
    recorder.record_applied("removed_third_party_app", "0001_initial")
    try:
        assert migrations_ahead() == []
    finally:
        recorder.record_unapplied("removed_third_party_app", "0001_initial")


def test_migrations_a_squash_replaces_count_as_known(monkeypatch):
    """After squashing, the old names stay in django_migrations: not "ahead"."""
    from django.db.migrations.loader import MigrationLoader

    original = MigrationLoader.build_graph

    def with_squash(self):
        original(self)
        key = next(k for k in self.disk_migrations if k[0] == "reports")
        self.disk_migrations[key].replaces = [("reports", "0001_squashed_away")]

    monkeypatch.setattr(MigrationLoader, "build_graph", with_squash)
    recorder = MigrationRecorder(connection)
    recorder.record_applied("reports", "0001_squashed_away")
    try:
        assert migrations_ahead() == []
    finally:
        recorder.record_unapplied("reports", "0001_squashed_away")
