"""Celery adapters for the workflows: the nightly backup."""

from celery import shared_task

from workflows.backup import create_backup, prune_backups


# A backup may take longer than an ordinary task: give it an hour.
@shared_task(acks_late=False, soft_time_limit=3600, time_limit=3900)
def backup_task() -> str:
    """Nightly (beat): write a backup archive to BACKUP_DIR and apply the retention."""
    archive = create_backup()
    prune_backups()
    return str(archive)
