from django.urls import path

from workflows import views

app_name = "workflows"
urlpatterns = [
    path("commissie/rondes/<slug:slug>/publiceren/", views.round_publish, name="round_publish"),
    path("commissie/bezwaren/<int:pk>/", views.objection_answer, name="objection_answer"),
    path("mijn/<slug:slug>/", views.my_platform_page, name="my_platform"),
    path("account/mijn-gegevens/", views.data_export, name="data_export"),
    path("account/verwijderen/", views.account_delete, name="account_delete"),
]
