"""The public data version, kept in the database that every process shares.

The page cache (``buurtplatform.pagecache``) stores pages and derives ``ETag`` and
``Last-Modified`` from this one number. It lives here, not in ``CACHES["default"]``: with
the local-memory cache (the embedded default) each web process has its own cache, and a
version kept there would be one per process: a change made through one worker would leave
the other serving old pages, and an ``ETag`` from one worker would be unknown to the next.
"""

from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    """A single row (``pk=1``): nanoseconds since the epoch of the last public data change,
    never going backwards (``pagecache.new_version``)."""

    value = models.BigIntegerField()

    class Meta:
        verbose_name = "public data version"

    def __str__(self) -> str:
        return str(self.value)
