from django.urls import path

from areas import views

app_name = "areas"
urlpatterns = [
    path("buurten/", views.buurt_list, name="buurt_list"),
    path("buurten/<str:code>/", views.buurt_detail, name="buurt_detail"),
]
