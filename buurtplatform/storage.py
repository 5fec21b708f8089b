"""Where files live: the local disk (MEDIA_ROOT) by default, an S3 bucket with STORAGE_URL.

Every file goes through Django's storage API under one of three prefixes of the default
storage: ``public/`` (re-encoded logos and photos of public activities), ``private/``
(receipts, evidence, SEPA files, bank statements, members-only photos, kept uploads) and, for
generated reports, ``reports/`` (its own storage alias, so several web and worker machines
share them).

On S3 (MinIO or any S3-compatible service) no object gets an ACL. Private objects are never
public-read: they are streamed through Django by the permission views
(``uploads.private_file_response``), so the permission check stays the one authority and no
URL that bypasses it exists. Public objects are served from the bucket when STORAGE_URL gives
a ``public_url`` (give ``public/*`` anonymous read in the bucket policy, e.g. ``mc anonymous
set download``), otherwise streamed through Django at /media/public/ like on local disk.
"""

from __future__ import annotations

import logging
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

logger = logging.getLogger("buurtplatform.storage")

PUBLIC_PREFIX = "public/"
REPORTS_ALIAS = "reports"


def _bucket_storage_class() -> type[Storage]:
    # Imported on first use: a site on local disk never loads boto3.
    from storages.backends.s3 import S3Storage

    class BucketStorage(S3Storage):
        """S3Storage without ACLs and without signed URLs: public/ objects get their address
        in the bucket (``public_url``) or the site's /media/ view; private ones only the
        /media/ address, which answers 404, exactly like on local disk."""

        def __init__(self, *, public_url: str = "", **options: Any) -> None:
            options.setdefault("default_acl", None)
            options.setdefault("querystring_auth", False)
            options.setdefault("file_overwrite", True)
            super().__init__(**options)
            self.public_url = (public_url or "").rstrip("/")

        def url(self, name, parameters=None, expire=None, http_method=None):
            name = str(name).lstrip("/")
            if self.public_url and name.startswith(PUBLIC_PREFIX):
                return f"{self.public_url}/{quote(name)}"
            return f"{settings.MEDIA_URL}{quote(name)}"

    BucketStorage.__module__ = __name__
    return BucketStorage


_classes: dict[str, type[Storage]] = {}


def __getattr__(name: str) -> Any:
    """``buurtplatform.storage.BucketStorage``, the STORAGES backend with STORAGE_URL."""
    if name == "BucketStorage":
        if name not in _classes:
            _classes[name] = _bucket_storage_class()
        return _classes[name]
    raise AttributeError(name)


def is_local(storage: Storage) -> bool:
    """Whether files of this storage have a path on this machine's disk."""
    return isinstance(storage, FileSystemStorage)


def report_storage() -> Storage | None:
    """The shared storage for generated reports, or None: the local REPORTS_ROOT folder."""
    if REPORTS_ALIAS in settings.STORAGES:
        return storages[REPORTS_ALIAS]
    return None


class StoredFile:
    """A file in a storage with the few path-like methods report code uses on a local Path."""

    def __init__(self, storage: Storage, name: str) -> None:
        self.storage = storage
        self.key = name
        self.name = name.rsplit("/", 1)[-1]

    def open(self, mode: str = "rb") -> IO[bytes]:
        return self.storage.open(self.key, mode)

    def read_bytes(self) -> bytes:
        with self.storage.open(self.key, "rb") as handle:
            return handle.read()

    def is_file(self) -> bool:
        # Like Path.is_file(): storage trouble reads as "not there" (the report is made again
        # and its write fails loudly, as a transient error, if the storage is still down).
        try:
            return storage_exists(self.storage, self.key)
        except OSError:
            logger.warning("storage: cannot check %s", self.key, exc_info=True)
            return False

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.storage.delete(self.key)
        except Exception as exc:  # a left-over old version is harmless; never fail for it
            if not missing_ok:
                raise OSError(str(exc)) from exc


def _storage_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def storage_exists(storage: Storage, name: str) -> bool:
    """Whether the file exists; storage trouble (S3 down) raises OSError like a disk would."""
    try:
        return storage.exists(name)
    except _storage_errors() as exc:
        raise OSError(str(exc)) from exc


def save_bytes(storage: Storage, name: str, content: bytes) -> str:
    """Store ``content`` under exactly ``name`` (replacing an old copy); S3 trouble raises
    OSError, so callers treat a bucket that refuses writes like a full disk."""
    try:
        if not getattr(storage, "file_overwrite", False) and storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(content))
    except _storage_errors() as exc:
        raise OSError(str(exc)) from exc
    return saved


def read_public_media(rest: str) -> bytes | None:
    """The bytes of a ``media:public/...`` file from the bucket, for the PDF renderer's
    fetcher (buurtplatform/pdf.py); None on local disk (the fetcher reads the folder itself)
    or for anything outside public/ or missing."""
    from pathlib import PurePosixPath
    from urllib.parse import unquote

    from django.core.files.storage import default_storage

    if is_local(default_storage):
        return None
    name = unquote(rest.split("?")[0].split("#")[0]).lstrip("/")
    parts = PurePosixPath(name).parts
    if not name.startswith(PUBLIC_PREFIX) or ".." in parts or "\x00" in name or "\\" in name:
        return None
    errors: tuple[type[BaseException], ...] = (*_storage_errors(), ValueError)
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except errors:
        return None
