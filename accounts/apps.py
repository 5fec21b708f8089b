from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import security_log  # noqa: F401  (connects the login signals)
        from buurtplatform import pagecache

        pagecache.connect()  # public data changes invalidate the public page cache
