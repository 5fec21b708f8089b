from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_site_from_settings(sender, using="default", apps=None, **kwargs) -> None:
    """After migrate (and after a test flush) the Site row carries SITE_NAME and the host of
    SITE_URL instead of Django's "example.com"."""
    from django.apps import apps as global_apps
    from django.contrib.sites.models import SITE_CACHE
    from django.db import router

    from accounts.adapter import site_from_settings

    try:
        Site = (apps or global_apps).get_model("sites", "Site")
    except LookupError:
        return
    if not router.allow_migrate_model(using, Site):
        return
    site = site_from_settings()
    Site.objects.using(using).update_or_create(
        pk=site.pk, defaults={"name": site.name, "domain": site.domain}
    )
    SITE_CACHE.clear()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import security_log  # noqa: F401  (connects the login signals)
        from buurtplatform import pagecache

        pagecache.connect()  # public data changes invalidate the public page cache
        # Connected to this app: it runs after django.contrib.sites created its default Site.
        post_migrate.connect(sync_site_from_settings, sender=self)
