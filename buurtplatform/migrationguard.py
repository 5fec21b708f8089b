"""Refuse to serve a database that is ahead of the code.

After a rollback to an older release (or a container started from an old image) the database
may carry migrations this code has never heard of: columns it does not fill, constraints it
does not expect. ``migrations_ahead`` compares the rows of ``django_migrations`` with the
migrations on disk, for the apps this code has; the system check below turns any difference
into an Error, so ``manage.py check --database default`` (run by the web and worker start
commands in docker-compose.yml before gunicorn or celery) and ``manage.py migrate`` stop there.

Rows of apps the code does not have at all (a removed third-party app) are ignored: nothing here
reads their tables. Migrations a squashed migration on disk replaces count as known.
Registered from ``workflows.apps.WorkflowsConfig.ready``.
"""

from __future__ import annotations

from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

ERROR_ID = "buurtplatform.E100"


def migrations_ahead(alias: str = "default") -> list[tuple[str, str]]:
    """Applied migrations (app, name) of known apps that are not on disk, sorted."""
    connection = connections[alias]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(tuple(replaced) for replaced in getattr(migration, "replaces", []) or [])
    apps = {app for app, _name in known} | set(loader.migrated_apps)
    applied = recorder.applied_migrations()
    return sorted(key for key in applied if key[0] in apps and key not in known)


@checks.register(checks.Tags.database)
def check_database_not_ahead(
    app_configs=None, databases=None, **kwargs
) -> list[checks.CheckMessage]:
    # Like Django's own database checks, this runs only when asked for a database
    # (check --database default, migrate), never on every management command.
    if not databases:
        return []
    errors: list[checks.CheckMessage] = []
    for alias in databases:
        try:
            ahead = migrations_ahead(alias)
        except Exception as exc:  # noqa: BLE001 - an unreachable database is not our verdict
            errors.append(
                checks.Warning(
                    f"Could not compare the applied migrations of {alias!r}: {exc}",
                    id="buurtplatform.W100",
                )
            )
            continue
        if ahead:
            names = ", ".join(f"{app}.{name}" for app, name in ahead[:10])
            more = f" and {len(ahead) - 10} more" if len(ahead) > 10 else ""
            errors.append(
                checks.Error(
                    f"The database {alias!r} is ahead of the code: it has migrations this "
                    f"release does not know ({names}{more}).",
                    hint="Deploy the release that made these migrations (or newer), or restore "
                    "the backup taken before the upgrade. Never serve it with this code.",
                    id=ERROR_ID,
                )
            )
    return errors
