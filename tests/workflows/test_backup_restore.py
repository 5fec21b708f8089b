"""Backups are proven to restore (issue 18): a seeded world goes into an archive and comes back
out, into a fresh database and an empty storage, with every row, file and public figure equal.

Each site runs in its own process (``manage.py`` with its own DATABASE_URL and MEDIA_ROOT), the
way an operator runs it: the world is seeded with ``seed_demo``, backed up with ``backup``,
restored with ``restore`` and read back by a probe that digests every table of our apps, hashes
every stored file, renders /transparantie/ and a platform page and runs the ledger check.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from workflows.backup import (
    MANIFEST,
    BackupError,
    backups_to_keep,
    last_successful_backup,
    list_backups,
    prune_backups,
    verify_archive,
)

pytestmark = pytest.mark.slow  # seconds each: scheduled first (tests/conftest.py)

BASE_DIR = Path(__file__).resolve().parents[2]
APPS = ["accounts", "audit", "areas", "platforms", "recognition", "budgets", "reports"]

# Digest every table of our apps, hash every stored file, render two public pages, check the
# ledger; print it all as JSON.
PROBE = f"""
import hashlib, json, re
import django
django.setup()
from django.apps import apps
from django.core.files.storage import default_storage
from django.test import Client
from budgets.models import Budget
from budgets.selectors import ledger_breaches
from workflows.backup import storage_files

def plain(value):
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return str(value)

out = {{"tables": {{}}, "files": {{}}, "pages": {{}}}}
for model in apps.get_models():
    if model._meta.app_label not in {APPS!r}:
        continue
    fields = [f.attname for f in model._meta.concrete_fields]
    rows = list(model._base_manager.order_by("pk").values_list(*fields))
    text = json.dumps(rows, default=plain, sort_keys=True)
    out["tables"][model._meta.label] = [len(rows), hashlib.sha256(text.encode()).hexdigest()]
for name in storage_files():
    with default_storage.open(name, "rb") as fh:
        out["files"][name] = hashlib.sha256(fh.read()).hexdigest()
slug = Budget.objects.order_by("pk").values_list("platform__slug", flat=True).first()
euro = re.compile(r"€(?:\\s|&nbsp;|&#160;)*-?[0-9][0-9.,]*")
client = Client()
for url in ["/transparantie/", f"/platforms/{{slug}}/"]:
    response = client.get(url)
    out["pages"][url] = [response.status_code, euro.findall(response.content.decode())]
out["ledger"] = ledger_breaches()
print("PROBE" + json.dumps(out))
"""

# The demo accounts get the fast test hasher: PBKDF2 on its ~40 accounts is most of the seed's
# time, and a backup copies a password hash as it finds it, whichever hasher made it.
SEED = "import django; django.setup(); from django.conf import settings; "
SEED += "settings.PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']; "
SEED += "from django.core.management import call_command; "
SEED += "call_command('migrate', verbosity=0); call_command('seed_demo', verbosity=0)"


def site_env(database_url: str, media: Path, backups: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CACHE_URL", "STORAGE_URL", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="buurtplatform.settings",
        DEBUG="1",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        EMAIL_URL="console://",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(backups),
    )
    return env


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(env, "manage.py", *args, check=check)


def probe(env: dict[str, str]) -> dict:
    output = run(env, "-c", PROBE).stdout
    return json.loads(output[output.rindex("PROBE") + len("PROBE") :])


def only_archive(backups: Path) -> Path:
    archives = [path for _moment, path in list_backups(backups)]
    assert len(archives) == 1, archives
    return archives[0]


def assert_same_world(before: dict, after: dict) -> None:
    # The seeded world is not trivial: money, decisions, an audit trail and files.
    for label in (
        "budgets.Transaction",
        "budgets.Entry",
        "recognition.Decision",
        "audit.AuditEntry",
    ):
        assert before["tables"][label][0] > 0, label
    assert len(before["files"]) > 10
    assert before["ledger"] == []
    for url, (status, figures) in before["pages"].items():
        assert status == 200, url
        assert figures, f"no euro figures on {url}"

    assert after["ledger"] == [], after["ledger"]
    assert after["tables"] == before["tables"]  # same rows, same key columns, every table
    assert after["files"] == before["files"]  # same names, same SHA-256
    assert after["pages"] == before["pages"]  # the same euro figures on the public pages


# ---------------------------------------------------------------- SQLite (runs in make test)


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory, migrated_sqlite_template):
    """A seeded world on a SQLite file, backed up once, with its probe."""
    root = tmp_path_factory.mktemp("backup-sqlite")
    if migrated_sqlite_template is not None:
        # A copy of a freshly migrated database: the seed's ``migrate`` then has nothing to do.
        shutil.copyfile(migrated_sqlite_template, root / "source.sqlite3")
    env = site_env(f"sqlite:///{root / 'source.sqlite3'}", root / "media", root / "backups")
    run(env, "-c", SEED)
    manage(env, "backup")
    return {
        "root": root,
        "env": env,
        "archive": only_archive(root / "backups"),
        "probe": probe(env),
    }


def test_sqlite_backup_restores_into_an_empty_site(sqlite_world, tmp_path):
    archive = sqlite_world["archive"]
    manifest = json.loads(tarfile.open(archive).extractfile(MANIFEST).read())
    assert manifest["versions"]["database"] == "sqlite"
    assert manifest["migrations"]["budgets"], "the migration state is recorded"
    assert {p["name"] for p in manifest["parts"] if p["kind"] == "file"} == {
        "media/" + name for name in sqlite_world["probe"]["files"]
    }

    target = site_env(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "media", tmp_path)
    result = manage(target, "restore", str(archive))
    assert "ledger ok" in result.stdout
    assert_same_world(sqlite_world["probe"], probe(target))

    # Restoring again over the now filled site is refused without --force, and works with it.
    refused = manage(target, "restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "Refusing to restore: the database holds data and the file storage holds files" in (
        refused.stderr
    )
    manage(target, "restore", "--force", str(archive))
    assert probe(target)["tables"] == sqlite_world["probe"]["tables"]


def test_a_site_with_files_only_is_not_empty(sqlite_world, tmp_path):
    media = tmp_path / "media"
    (media / "private").mkdir(parents=True)
    (media / "private" / "left-over.pdf").write_bytes(b"%PDF-1.4")
    target = site_env(f"sqlite:///{tmp_path / 'empty.sqlite3'}", media, tmp_path)
    refused = manage(target, "restore", str(sqlite_world["archive"]), check=False)
    assert refused.returncode != 0
    assert "the file storage holds files" in refused.stderr
    assert "the database holds data" not in refused.stderr
    # Nothing was restored: the database file holds no tables.
    with closing(sqlite3.connect(tmp_path / "empty.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def _rewrite(archive: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting ``change(name, data)`` alter the bytes."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            data = source.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def test_a_damaged_archive_is_refused_before_anything_changes(sqlite_world, tmp_path):
    victim = next(name for name in sqlite_world["probe"]["files"] if "receipts" in name)

    def flip(name, data):
        if name == "media/" + victim:
            return bytes([data[0] ^ 0xFF]) + data[1:]
        return data

    damaged = _rewrite(sqlite_world["archive"], tmp_path / "damaged.tar", flip)
    target = site_env(f"sqlite:///{tmp_path / 'site.sqlite3'}", tmp_path / "media", tmp_path)
    refused = manage(target, "restore", str(damaged), check=False)
    assert refused.returncode != 0
    assert f"media/{victim} does not match its SHA-256" in refused.stderr
    assert not (tmp_path / "media").exists()
    with pytest.raises(BackupError, match="does not match its SHA-256"):
        verify_archive(damaged)
    assert verify_archive(sqlite_world["archive"])["parts"]


def test_an_archive_from_newer_code_is_refused(sqlite_world, tmp_path):
    def newer(name, data):
        if name == MANIFEST:
            manifest = json.loads(data)
            manifest["migrations"]["budgets"].append("9999_from_the_future")
            return json.dumps(manifest).encode()
        return data

    future = _rewrite(sqlite_world["archive"], tmp_path / "future.tar", newer)
    target = site_env(f"sqlite:///{tmp_path / 'site.sqlite3'}", tmp_path / "media", tmp_path)
    refused = manage(target, "restore", str(future), check=False)
    assert refused.returncode != 0
    assert "newer version of the code" in refused.stderr
    assert "budgets.9999_from_the_future" in refused.stderr


def test_the_last_successful_backup_is_recorded_for_monitoring(sqlite_world, settings):
    settings.BACKUP_DIR = sqlite_world["root"] / "backups"
    last = last_successful_backup()
    assert last is not None
    assert last["path"] == str(sqlite_world["archive"])
    assert last["exists"] is True
    assert last["files"] == len(sqlite_world["probe"]["files"])
    assert datetime.fromisoformat(last["at"]) >= datetime.fromisoformat(last["created"])
    settings.BACKUP_DIR = sqlite_world["root"] / "nowhere"
    assert last_successful_backup() is None


# ---------------------------------------------------------------- retention


def test_retention_keeps_the_newest_of_each_day_and_month(tmp_path, settings):
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    # A backup every night for 400 days, and a second one on the last day.
    moments = [start + timedelta(days=n) for n in range(400)]
    moments.append(moments[-1] + timedelta(hours=10))
    for moment in moments:
        (tmp_path / f"buurtplatform-{moment.strftime('%Y%m%dT%H%M%SZ')}.tar").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not an archive: never touched")

    settings.BACKUP_KEEP_DAILY = 14
    settings.BACKUP_KEEP_MONTHLY = 12
    removed = prune_backups(tmp_path)

    kept = [moment for moment, _path in list_backups(tmp_path)]
    newest = moments[-1]
    assert kept[0] == newest
    days = {m.date() for m in kept if m.date() >= newest.date() - timedelta(days=13)}
    assert len(days) == 14  # one per day for the last 14 days
    assert len({(m.year, m.month) for m in kept}) == 12  # and one per month for 12 months
    assert len(kept) == len(set(kept)) and len(kept) + len(removed) == len(moments)
    assert len(kept) <= 14 + 12
    assert (tmp_path / "notes.txt").exists()
    # Pruning again changes nothing.
    assert prune_backups(tmp_path) == []


def test_retention_always_keeps_the_newest_archive():
    only = [(datetime(2026, 5, 1, tzinfo=UTC), Path("a.tar"))]
    assert backups_to_keep(only, keep_daily=1, keep_monthly=0) == {Path("a.tar")}
    assert backups_to_keep([], keep_daily=1, keep_monthly=0) == set()


# ---------------------------------------------------------------- PostgreSQL


DATABASE_URL = os.environ.get("DATABASE_URL", "")
on_postgres = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL (set DATABASE_URL=postgres://...); the SQLite round trip runs above",
)


def _pg(url: str) -> tuple[list[str], dict[str, str]]:
    parts = urlsplit(url)
    args = ["--host", parts.hostname or "127.0.0.1", "--port", str(parts.port or 5432)]
    args += ["--username", parts.username or "postgres"]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return args, env


@pytest.fixture
def fresh_pg_databases():
    """Two new, empty PostgreSQL databases on the test server; dropped afterwards."""
    args, env = _pg(DATABASE_URL)
    parts = urlsplit(DATABASE_URL)
    names = [f"backup_test_{uuid.uuid4().hex[:10]}_{side}" for side in ("source", "restored")]
    for name in names:
        subprocess.run(["createdb", *args, name], env=env, check=True)
    base = f"{parts.scheme}://{parts.netloc}/"
    yield [base + name for name in names]
    for name in names:
        subprocess.run(["dropdb", *args, "--if-exists", "--force", name], env=env, check=False)


@on_postgres
def test_postgresql_backup_restores_into_a_fresh_database(fresh_pg_databases, tmp_path):
    source_url, restored_url = fresh_pg_databases
    source = site_env(source_url, tmp_path / "source-media", tmp_path / "backups")
    run(source, "-c", SEED)
    manage(source, "backup")
    archive = only_archive(tmp_path / "backups")
    manifest = json.loads(tarfile.open(archive).extractfile(MANIFEST).read())
    assert manifest["versions"]["database"] == "postgresql"
    assert manifest["versions"]["postgresql"]
    before = probe(source)

    # A fresh database (createdb, nothing in it) and an empty media folder.
    restored = site_env(restored_url, tmp_path / "restored-media", tmp_path / "backups")
    result = manage(restored, "restore", str(archive))
    assert "ledger ok" in result.stdout
    assert_same_world(before, probe(restored))

    # Over a filled database only with --force; the result is the archive again.
    refused = manage(restored, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "Refusing to restore" in refused.stderr
    manage(restored, "restore", "--force", str(archive))
    again = probe(restored)
    assert again["tables"] == before["tables"] and again["files"] == before["files"]
    # The ledger is still append-only after a restore (the trigger came back with the dump).
    code = (
        "import django; django.setup(); from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT count(*) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid'"
        " ' WHERE NOT t.tgisinternal AND r.relname = %s', ['budgets_entry'])\n"
        "    print(c.fetchone()[0])"
    )
    assert int(run(restored, "-c", code).stdout.strip().splitlines()[-1]) >= 1
    shutil.rmtree(tmp_path / "restored-media", ignore_errors=True)
