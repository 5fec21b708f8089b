from django.core.management.base import BaseCommand, CommandError

from workflows.backup import BackupError, restore_backup, verify_archive


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the configured database and media storage. The hashes "
        "and migrations are checked first; a database or storage that holds data is refused "
        "unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A buurtplatform-<time>.tar file from BACKUP_DIR.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data and files that are there now (they are lost).",
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="Only check the archive; change nothing."
        )

    def handle(self, *args, **options):
        try:
            if options["verify_only"]:
                manifest = verify_archive(options["archive"])
                self.stdout.write(
                    f"archive ok: {len(manifest['parts'])} parts, made {manifest['created']}"
                )
                return
            result = restore_backup(options["archive"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored the backup of {result.manifest['created']}: database and "
            f"{result.files} files"
        )
        if result.pending_migrations:
            self.stdout.write(
                f"{len(result.pending_migrations)} newer migrations: run "
                "`python manage.py migrate` now."
            )
        for breach in result.ledger_breaches:
            self.stderr.write(breach)
        if result.ledger_breaches:
            raise CommandError(
                f"restored, but the ledger check found {len(result.ledger_breaches)} breach(es)"
            )
        self.stdout.write("ledger ok")
