#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtplatform.settings")
    # Without a SECRET_KEY this is a developer's machine, not production: management commands
    # (makemigrations, shell, seed_demo) run in development mode. The web server (wsgi) and
    # Celery still refuse to start without a real key when DEBUG is off.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
