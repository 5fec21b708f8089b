from django.core.management.base import BaseCommand, CommandError

from budgets.checks import run_ledger_check


class Command(BaseCommand):
    help = "Verify the ledger invariants; report breaches to support staff by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--no-mail", action="store_true", help="Only print, send no e-mail.")

    def handle(self, *args, **options):
        breaches = run_ledger_check(notify=not options["no_mail"])
        for breach in breaches:
            self.stderr.write(breach)
        if breaches:
            raise CommandError(f"{len(breaches)} ledger breach(es)")
        self.stdout.write("ledger ok")
