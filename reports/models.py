"""Report jobs: one row per report (kind + subject key + language), the source of truth for
the queue."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The data version printed in a report's footer and next to its SHA-256: the first characters
# of the data fingerprint, enough to tell the versions of one report apart.
DATA_VERSION_LENGTH = 16


def data_version(fingerprint: str) -> str:
    return fingerprint[:DATA_VERSION_LENGTH]


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        PLATFORM_YEAR = "platform_year", _("Jaarverslag van een platform")
        ROUND_DECISION = "round_decision", _("Besluit van een ronde")
        DISTRICT_YEAR = "district_year", _("Overzicht van het stadsdeel per jaar")
        # Per round and commission member (key "<round slug>/<user id>"): never public.
        MEETING_PACK = "meeting_pack", _("Vergaderstukken van de commissie")
        # Per budget year and file (key "<year>/<file name>", e.g. "2026/auditfile.xaf"): the
        # accountant's export, for support staff only, never public.
        LEDGER_EXPORT = "ledger_export", _("Export voor de accountant")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wordt gemaakt")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(
        max_length=200, help_text="Subject: '<slug>/<year>', '<round slug>' or '<year>'"
    )
    # The language the file is written in: /…pdf is Dutch, /en/…pdf English (a row each).
    language = models.CharField(max_length=8, default="nl")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Fingerprint of the data the current file was made from ('' = never made).
    data_fingerprint = models.CharField(max_length=64, blank=True)
    # Fingerprint the running/pending job is making.
    target_fingerprint = models.CharField(max_length=64, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "language"], name="reportjob_unique_subject"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""), name="reportjob_done_has_file"
            ),
        ]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporten")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}:{self.language} ({self.status})"

    @property
    def data_version(self) -> str:
        """The data version the current file was made from (printed in its footer)."""
        return data_version(self.data_fingerprint)

    @property
    def has_file(self) -> bool:
        return bool(self.sha256 and self.file_path)
