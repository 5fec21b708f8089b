from django.apps import AppConfig


class BuurtplatformConfig(AppConfig):
    """The project package as an app: it holds the one table every web and worker process
    shares for the page cache (``models.DataVersion``), nothing else."""

    name = "buurtplatform"
    verbose_name = "Buurtplatform"
    default_auto_field = "django.db.models.BigAutoField"
