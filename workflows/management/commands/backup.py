from django.core.management.base import BaseCommand, CommandError

from workflows.backup import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = (
        "Write a timestamped backup archive (database and media files, with a manifest of "
        "SHA-256 hashes) to BACKUP_DIR, then delete the archives the retention does not keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Write the archive here instead of BACKUP_DIR.")
        parser.add_argument(
            "--no-prune",
            action="store_true",
            help="Keep every archive (skip BACKUP_KEEP_DAILY / BACKUP_KEEP_MONTHLY).",
        )
        parser.add_argument(
            "--prune-only", action="store_true", help="Only apply the retention; write nothing."
        )

    def handle(self, *args, **options):
        target = options["dir"]
        try:
            if not options["prune_only"]:
                archive = create_backup(target)
                self.stdout.write(f"backup written: {archive}")
            if not options["no_prune"]:
                for path in prune_backups(target):
                    self.stdout.write(f"deleted (retention): {path}")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
