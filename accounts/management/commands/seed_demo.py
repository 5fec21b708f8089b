"""Build a realistic demo world for Zuidoost. Safe to run twice (each step is idempotent)."""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# Order matters: each step builds on the previous one.
STEPS = ["accounts.demo", "platforms.demo", "recognition.demo", "budgets.demo", "reports.demo"]


class Command(BaseCommand):
    help = "Create demo accounts, platforms, rounds and books (idempotent)."

    def handle(self, *args, **options):
        for module_name in STEPS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
