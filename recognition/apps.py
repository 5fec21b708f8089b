from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Erkenning")

    def ready(self) -> None:
        from platforms import fragments
        from recognition import selectors

        fragments.register(
            "recognition_history",
            order=20,
            template="recognition/_platform_history.html",
            context=lambda platform: {"history": selectors.recognition_history(platform)},
        )
