from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("rollen/", views.role_list, name="role_list"),
    path("rollen/toekennen/", views.role_grant, name="role_grant"),
    path("rollen/intrekken/", views.role_revoke, name="role_revoke"),
]
