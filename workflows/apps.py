from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """Use cases that span apps (publish a round and book its grants; a person's data across
    every app) and the commands that build whole worlds (demo, scale). Nothing imports it."""

    name = "workflows"
    verbose_name = _("Werkstromen")

    def ready(self) -> None:
        # The start-up guard: refuse a database that is ahead of the code (a system check).
        from buurtplatform import migrationguard  # noqa: F401
