from django.urls import path, register_converter

from reports import views


class YearConverter:
    regex = r"(19|20)\d{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


register_converter(YearConverter, "year")

app_name = "reports"
urlpatterns = [
    path(
        "platforms/<slug:slug>/verslag/<year:year>.pdf",
        views.platform_report,
        name="platform_report",
    ),
    path("rondes/<slug:slug>/besluit.pdf", views.round_report, name="round_report"),
    path(
        "commissie/rondes/<slug:slug>/vergaderstukken.pdf",
        views.meeting_pack,
        name="meeting_pack",
    ),
    path("transparantie/", views.transparency, name="transparency"),
    path("transparantie/<year:year>/", views.transparency, name="transparency_year"),
    path("transparantie/verslag/<year:year>.pdf", views.district_report, name="district_report"),
    path("transparantie/rapporten/<int:pk>/opnieuw/", views.report_retry, name="report_retry"),
    # The accountant's export, in the administration (support staff only).
    path("administratie/accountant/", views.accounts_exports, name="accounts_exports"),
    path(
        "administratie/accountant/<year:year>/",
        views.accounts_exports,
        name="accounts_exports_year",
    ),
    path(
        "administratie/accountant/<year:year>/<str:name>",
        views.accounts_export_file,
        name="accounts_export_file",
    ),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/transactions.csv", views.transactions_csv, name="transactions_csv"),
    path("open-data/datapackage.json", views.datapackage_json, name="datapackage"),
    path("open-data/360giving.json", views.threesixty_json, name="threesixty_json"),
    path("open-data/<str:name>.csv", views.dataset_csv, name="dataset_csv"),
    path("open-data/<str:name>.json", views.dataset_json, name="dataset_json"),
    path("open-data/<str:name>.xlsx", views.dataset_xlsx, name="dataset_xlsx"),
]
