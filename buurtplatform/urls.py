from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as accounts_views
from buurtplatform import health, uploads, views
from workflows import status as status_views

# The Django admin logs in through allauth: its rate limits and two-factor step apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The operator's status as JSON for a monitor (staff or STATUS_TOKEN; the page is below).
    path("status.json", status_views.status_page, {"fmt": "json"}, name="status_json"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("media/public/<path:path>", uploads.public_media, name="public_media"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/regels/", views.privacy_rules, name="privacy_rules"),
    path("account/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("beheer/", accounts_views.management_home, name="management_home"),
    path("status", status_views.status_page, name="status"),
    path("beheer/audit/", include("audit.urls")),
    path("", include("areas.urls")),
    path("", include("platforms.urls")),
    path("", include("recognition.urls")),
    path("", include("budgets.urls")),
    path("", include("reports.urls")),
    path("", include("workflows.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    prefix_default_language=False,
)

handler400 = "buurtplatform.views.bad_request"
handler403 = "buurtplatform.views.permission_denied"
handler404 = "buurtplatform.views.page_not_found"
handler500 = "buurtplatform.views.server_error"
handler429 = "buurtplatform.views.too_many_requests"
