"""Backups that are proven to restore: the database and the media storage in one archive.

An archive is one uncompressed tar file ``buurtplatform-<UTC time>.tar`` in ``BACKUP_DIR``:

* ``database.pgdump`` (``pg_dump --format=custom``, already compressed) on PostgreSQL, or
  ``database.sqlite3`` (a copy made with SQLite's online backup API) on the embedded database;
* ``media/<name>`` for every file in ``default_storage`` (uploads, receipts, evidence, bank
  statements, payment files, generated reports), read through the storage API so a remote
  storage (S3) is backed up the same way as a local folder;
* ``manifest.json`` (last): versions, the applied migrations per app, the creation time and
  the SHA-256 and size of every part.

The database is dumped first and the files after it, so every file a dumped row points to is
in the archive (uploads are only added, never changed in place). The archive is written under
a temporary name and renamed when complete; ``last_backup.json`` next to it records the last
success for monitoring (``last_successful_backup()``).

``restore_backup`` verifies every hash and the migration state before it touches anything,
and refuses a target database or storage that holds data unless ``force`` is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform as python_platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import django
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, connections, transaction

from budgets.selectors import ledger_breaches

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "buurtplatform-"
ARCHIVE_SUFFIX = ".tar"
ARCHIVE_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
ARCHIVE_RE = re.compile(r"^buurtplatform-(\d{8}T\d{6}Z)\.tar$")
MANIFEST = "manifest.json"
LAST_BACKUP = "last_backup.json"
MEDIA_PREFIX = "media/"
PG_PART = "database.pgdump"
SQLITE_PART = "database.sqlite3"
CHUNK = 1024 * 1024

# A restore target with a row in any of these tables is not empty.
MAIN_TABLES = [
    ("accounts", "User"),
    ("platforms", "Platform"),
    ("recognition", "Application"),
    ("recognition", "Decision"),
    ("budgets", "Budget"),
    ("budgets", "Transaction"),
    ("audit", "AuditEntry"),
]


class BackupError(Exception):
    """A backup or restore that cannot (or must not) go on; the message says why."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    files: int
    pending_migrations: list[str]
    ledger_breaches: list[str]


# ------------------------------------------------------------------ helpers


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file wrapper that hashes and counts what is read through it."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def storage_files(storage: Any = None) -> Iterator[str]:
    """Every file name in the storage, recursively, in a stable order."""
    storage = storage or default_storage
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        prefix = f"{folder}/" if folder else ""
        for name in sorted(files):
            yield prefix + name
        pending.extend(prefix + d for d in sorted(dirs, reverse=True))


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _vendor() -> str:
    return connection.vendor


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = _database()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    executable = shutil.which(command[0])
    if executable is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(the same major version as the server or newer)."
        )
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [executable, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {(result.stderr or result.stdout).strip()}")


def applied_migrations() -> dict[str, list[str]]:
    """The applied migrations per app, read from django_migrations."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    result: dict[str, list[str]] = {}
    for app, name in rows:
        result.setdefault(app, []).append(name)
    return result


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("buurtplatform")
    except PackageNotFoundError:  # pragma: no cover - always installed with pip -e
        app_version = "unknown"
    versions = {
        "app": app_version,
        "django": django.get_version(),
        "python": python_platform.python_version(),
        "database": _vendor(),
    }
    if _vendor() == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            versions["postgresql"] = cursor.fetchone()[0]
    else:
        versions["sqlite"] = sqlite3.sqlite_version
    return versions


# ------------------------------------------------------------------ backup


def _dump_database(workdir: Path) -> tuple[str, Path]:
    if _vendor() == "postgresql":
        target = workdir / PG_PART
        env, args = _pg_env_and_args()
        name = str(_database()["NAME"])
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args, name], env)
        return PG_PART, target
    if _vendor() == "sqlite":
        target = workdir / SQLITE_PART
        source = sqlite3.connect(str(_database()["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return SQLITE_PART, target
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {_vendor()}.")


def _archive_name(moment: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{moment.astimezone(UTC).strftime(ARCHIVE_TIME_FORMAT)}{ARCHIVE_SUFFIX}"


def create_backup(target: Path | None = None, *, now: datetime | None = None) -> Path:
    """Write one complete archive to ``target`` (default BACKUP_DIR) and record the success."""
    target = Path(target or backup_dir())
    target.mkdir(parents=True, exist_ok=True)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    final = target / _archive_name(moment)
    if final.exists():
        raise BackupError(f"{final} already exists.")
    partial = target / f".{final.name}.partial"
    parts: list[dict[str, Any]] = []
    migrations = applied_migrations()
    try:
        with tempfile.TemporaryDirectory(dir=target, prefix=".work-") as work:
            part_name, dump = _dump_database(Path(work))
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(str(dump), arcname=part_name)
                parts.append(
                    {
                        "name": part_name,
                        "kind": "database",
                        "size": dump.stat().st_size,
                        "sha256": _sha256_file(dump),
                    }
                )
                dump.unlink()
                for name in storage_files():
                    parts.append(_add_storage_file(tar, name))
                manifest = {
                    "format": FORMAT_VERSION,
                    "created": moment.isoformat(),
                    "versions": _versions(),
                    "migrations": migrations,
                    "parts": parts,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(moment.timestamp())
                tar.addfile(info, _BytesReader(data))
            with partial.open("rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(partial, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    _record_success(target, final, manifest)
    return final


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


def _add_storage_file(tar: tarfile.TarFile, name: str) -> dict[str, Any]:
    size = default_storage.size(name)
    info = tarfile.TarInfo(MEDIA_PREFIX + name)
    info.size = size
    info.mtime = int(datetime.now(UTC).timestamp())
    with default_storage.open(name, "rb") as fh:
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    if reader.size != size:
        raise BackupError(f"{name} changed while it was being backed up; run the backup again.")
    return {
        "name": MEDIA_PREFIX + name,
        "kind": "file",
        "size": size,
        "sha256": reader.digest.hexdigest(),
    }


def _record_success(target: Path, archive: Path, manifest: dict[str, Any]) -> None:
    record = {
        "at": datetime.now(UTC).replace(microsecond=0).isoformat(),  # when it completed
        "created": manifest["created"],
        "path": str(archive),
        "size": archive.stat().st_size,
        "files": sum(1 for part in manifest["parts"] if part["kind"] == "file"),
        "database": manifest["versions"]["database"],
    }
    temporary = target / f".{LAST_BACKUP}.partial"
    temporary.write_text(json.dumps(record, indent=2))
    os.replace(temporary, target / LAST_BACKUP)


def last_successful_backup() -> dict[str, Any] | None:
    """The last backup that completed, or None: ``at`` (when it completed) and ``created``
    (the archive's time), both ISO 8601 in UTC, ``path``, ``size`` (bytes), ``files`` (media
    files in it), ``database`` (postgresql or sqlite) and ``exists`` (the archive is there)."""
    try:
        record = json.loads((backup_dir() / LAST_BACKUP).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    record["exists"] = Path(record.get("path", "")).is_file()
    return record


# ------------------------------------------------------------------ retention


def list_backups(target: Path | None = None) -> list[tuple[datetime, Path]]:
    """The archives in ``target`` (default BACKUP_DIR), newest first."""
    target = Path(target or backup_dir())
    found = []
    if target.is_dir():
        for path in target.iterdir():
            match = ARCHIVE_RE.match(path.name)
            if match and path.is_file():
                moment = datetime.strptime(match.group(1), ARCHIVE_TIME_FORMAT).replace(tzinfo=UTC)
                found.append((moment, path))
    return sorted(found, reverse=True)


def backups_to_keep(
    backups: list[tuple[datetime, Path]], *, keep_daily: int, keep_monthly: int
) -> set[Path]:
    """The newest archive of each of the last ``keep_daily`` days and ``keep_monthly`` months
    that have one (the newest archive is always kept)."""
    keep: set[Path] = set()
    days: set[tuple[int, int, int]] = set()
    months: set[tuple[int, int]] = set()
    for moment, path in sorted(backups, reverse=True):
        day = (moment.year, moment.month, moment.day)
        month = (moment.year, moment.month)
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(path)
        if month not in months and len(months) < keep_monthly:
            months.add(month)
            keep.add(path)
    if backups:
        keep.add(max(backups)[1])
    return keep


def prune_backups(
    target: Path | None = None,
    *,
    keep_daily: int | None = None,
    keep_monthly: int | None = None,
) -> list[Path]:
    """Delete the archives the retention does not keep; return what was deleted."""
    backups = list_backups(target)
    keep = backups_to_keep(
        backups,
        keep_daily=settings.BACKUP_KEEP_DAILY if keep_daily is None else keep_daily,
        keep_monthly=settings.BACKUP_KEEP_MONTHLY if keep_monthly is None else keep_monthly,
    )
    removed = []
    for _moment, path in backups:
        if path not in keep:
            path.unlink()
            removed.append(path)
    _remove_leftovers(Path(target or backup_dir()))
    return removed


def _remove_leftovers(target: Path) -> None:
    """Half-written archives of a backup that was killed (older than a day)."""
    if not target.is_dir():
        return
    cutoff = datetime.now(UTC).timestamp() - 24 * 3600
    for path in target.glob(f".{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}.partial"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    for path in target.glob(".work-*"):
        if path.is_dir() and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------ restore


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.getmember(MANIFEST)
            fh = tar.extractfile(member)
            assert fh is not None
            manifest = json.loads(fh.read())
    except (tarfile.TarError, KeyError, ValueError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    return manifest


def verify_archive(archive: Path) -> dict[str, Any]:
    """Check every part against the manifest (present, size, SHA-256, nothing extra)."""
    manifest = read_manifest(archive)
    expected = {part["name"]: part for part in manifest["parts"]}
    seen: set[str] = set()
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            part = expected.get(member.name)
            if part is None or not member.isfile():
                raise BackupError(f"{member.name} is in the archive but not in its manifest.")
            fh = tar.extractfile(member)
            assert fh is not None
            digest = hashlib.sha256()
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
            if member.size != part["size"] or digest.hexdigest() != part["sha256"]:
                raise BackupError(f"{member.name} does not match its SHA-256 in the manifest.")
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"Parts missing from the archive: {', '.join(missing[:5])}")
    return manifest


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations applied in the archive that this code does not have (a newer version)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )


def _pending_migrations(manifest: dict[str, Any]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in disk if (app, name) not in applied)


def database_is_empty() -> bool:
    """True when none of the main tables holds a row (or the tables do not exist yet)."""
    from django.apps import apps

    tables = set(connection.introspection.table_names())
    for app_label, model_name in MAIN_TABLES:
        model = apps.get_model(app_label, model_name)
        if model._meta.db_table not in tables:
            continue
        try:
            if model._default_manager.exists():
                return False
        except DatabaseError:
            return False
    return True


def storage_is_empty() -> bool:
    return next(storage_files(), None) is None


def restore_backup(archive: Path, *, force: bool = False) -> RestoreResult:
    """Restore an archive into the configured database and default storage."""
    archive = Path(archive)
    manifest = verify_archive(archive)
    database = next(part for part in manifest["parts"] if part["kind"] == "database")
    wanted_vendor = "postgresql" if database["name"] == PG_PART else "sqlite"
    if wanted_vendor != _vendor():
        raise BackupError(
            f"The archive holds a {wanted_vendor} database; this site uses {_vendor()}."
        )
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(
            "The archive was made by a newer version of the code (unknown migrations: "
            f"{', '.join(newer[:5])}). Install that version first."
        )
    if not force:
        problems = []
        if not database_is_empty():
            problems.append("the database holds data")
        if not storage_is_empty():
            problems.append("the file storage holds files")
        if problems:
            raise BackupError(
                f"Refusing to restore: {' and '.join(problems)}. Restore into an empty "
                "database and storage, or pass --force to replace what is there."
            )
    with tempfile.TemporaryDirectory(prefix="buurtplatform-restore-") as work:
        with tarfile.open(archive, "r:") as tar:
            member = tar.getmember(database["name"])
            fh = tar.extractfile(member)
            assert fh is not None
            dump = Path(work) / database["name"]
            with dump.open("wb") as out:
                shutil.copyfileobj(fh, out, CHUNK)
        if _sha256_file(dump) != database["sha256"]:
            raise BackupError("The database part changed while being read.")
        if wanted_vendor == "postgresql":
            _restore_postgresql(dump)
        else:
            _restore_sqlite(dump)
    files = _restore_storage(archive, manifest, replace=force)
    with contextlib.suppress(Exception):
        cache.clear()  # pages cached from the data that was there before
    pending = _pending_migrations(manifest)
    # With migrations still to run the tables may not match the code yet: check after migrate.
    breaches = [] if pending else ledger_breaches()
    return RestoreResult(
        manifest=manifest, files=files, pending_migrations=pending, ledger_breaches=breaches
    )


def _drop_everything_postgresql() -> None:
    """Drop our tables, views and functions in the current schema, so pg_restore starts clean."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE', schemaname, tablename)"
            " FROM pg_tables WHERE schemaname = current_schema()"
            " UNION ALL SELECT format('DROP VIEW IF EXISTS %I.%I CASCADE', schemaname, viewname)"
            " FROM pg_views WHERE schemaname = current_schema()"
            " UNION ALL SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE',"
            " sequence_schema, sequence_name) FROM information_schema.sequences"
            " WHERE sequence_schema = current_schema()"
            " UNION ALL SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure)"
            " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema()"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        )
        statements = [row[0] for row in cursor.fetchall()]
        for statement in statements:
            cursor.execute(statement)


def _restore_postgresql(dump: Path) -> None:
    _drop_everything_postgresql()
    connections.close_all()
    env, args = _pg_env_and_args()
    name = str(_database()["NAME"])
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            "--dbname",
            name,
            str(dump),
        ],
        env,
    )


def _restore_sqlite(dump: Path) -> None:
    connections.close_all()
    source = sqlite3.connect(str(dump))
    target = sqlite3.connect(str(_database()["NAME"]))
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_storage(archive: Path, manifest: dict[str, Any], *, replace: bool) -> int:
    if replace:
        for name in list(storage_files()):
            default_storage.delete(name)
    expected = {part["name"]: part for part in manifest["parts"] if part["kind"] == "file"}
    count = 0
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            part = expected.get(member.name)
            if part is None:
                continue
            name = member.name[len(MEDIA_PREFIX) :]
            fh = tar.extractfile(member)
            assert fh is not None
            saved = default_storage.save(name, File(fh, name=os.path.basename(name)))
            if saved != name:
                raise BackupError(f"{name} was stored as {saved}: the storage was not empty.")
            count += 1
    return count
