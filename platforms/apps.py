from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = _("Buurtplatforms")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from platforms import pending

        user_logged_in.connect(pending.complete_after_login, dispatch_uid="platforms.pending")
