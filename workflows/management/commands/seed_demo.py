"""Build a realistic demo world for Zuidoost. Safe to run twice (each step is idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from budgets import demo as budgets_demo
from platforms import demo as platforms_demo
from recognition import demo as recognition_demo
from reports import demo as reports_demo

# Order matters: each step builds on the previous one.
STEPS = [accounts_demo, platforms_demo, recognition_demo, budgets_demo, reports_demo]


class Command(BaseCommand):
    help = "Create demo accounts, platforms, rounds and books (idempotent)."

    def handle(self, *args, **options):
        for module in STEPS:
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
