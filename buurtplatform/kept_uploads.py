"""Uploads kept while a form is shown again: nobody has to choose the same receipt twice.

A form that comes back with errors stores its already validated uploads (CleanUpload) in the
private part of the storage under a random token, remembers the token in the person's session
and puts it in a hidden field. The next POST of the same session gets the files back; another
session cannot (the token is looked up in its own session only).
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from buurtplatform.uploads import CleanUpload

SESSION_KEY = "kept_uploads"
FOLDER = "private/kept-uploads"
MAX_TOKENS = 10


def keep(session, uploads: list[CleanUpload]) -> str:
    """Store the uploads; return the token for the hidden field ("" when there are none)."""
    if not uploads:
        return ""
    token = secrets.token_urlsafe(16)
    items = []
    for upload in uploads:
        upload.content.seek(0)
        name = default_storage.save(
            f"{FOLDER}/{token}/{upload.content.name}", ContentFile(upload.content.read())
        )
        upload.content.seek(0)
        items.append(
            {
                "path": name,
                "name": upload.content.name,
                "content_type": upload.content_type,
                "original_name": upload.original_name,
                "size": upload.size,
            }
        )
    kept = dict(session.get(SESSION_KEY, {}))
    while len(kept) >= MAX_TOKENS:
        discard(session, next(iter(kept)))
        kept = dict(session.get(SESSION_KEY, {}))
    kept[token] = items
    session[SESSION_KEY] = kept
    return token


def names(session, token: str) -> list[str]:
    """The original names of the files kept under the token in this session."""
    return [item["original_name"] for item in session.get(SESSION_KEY, {}).get(token or "", [])]


def take(session, token: str) -> list[CleanUpload]:
    """The kept uploads of this session's token (empty for an unknown token)."""
    out = []
    for item in session.get(SESSION_KEY, {}).get(token or "", []):
        try:
            with default_storage.open(item["path"], "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        out.append(
            CleanUpload(
                content=ContentFile(data, name=item["name"]),
                content_type=item["content_type"],
                original_name=item["original_name"],
                size=item["size"],
            )
        )
    return out


def discard(session, token: str) -> None:
    """Delete the kept files of the token and forget it."""
    kept = dict(session.get(SESSION_KEY, {}))
    for item in kept.pop(token or "", []):
        default_storage.delete(item["path"])
    session[SESSION_KEY] = kept
