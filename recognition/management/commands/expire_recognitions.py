"""Daily: mark recognitions whose period has ended as expired."""

from django.core.management.base import BaseCommand

from recognition.services import expire_recognitions


class Command(BaseCommand):
    help = "Mark platforms whose recognition period has ended as expired."

    def handle(self, *args, **options):
        count = expire_recognitions()
        self.stdout.write(f"{count} recognition(s) expired")
