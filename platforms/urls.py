from django.urls import path

from platforms import views

app_name = "platforms"
urlpatterns = [
    path("platforms/", views.platform_list, name="platform_list"),
    path("platforms/aanmelden/", views.platform_create, name="platform_create"),
    path("platforms/<slug:slug>/", views.platform_detail, name="platform_detail"),
    path("platforms/<slug:slug>/bewerken/", views.platform_edit, name="platform_edit"),
    path("platforms/<slug:slug>/archiveren/", views.platform_archive, name="platform_archive"),
    path("platforms/<slug:slug>/leden/", views.member_list, name="member_list"),
    path("platforms/<slug:slug>/leden/uitnodigen/", views.member_invite, name="member_invite"),
    path(
        "platforms/<slug:slug>/leden/zichtbaarheid/",
        views.member_visibility,
        name="member_visibility",
    ),
    path("platforms/<slug:slug>/leden/<int:pk>/rol/", views.member_role, name="member_role"),
    path(
        "platforms/<slug:slug>/leden/<int:pk>/verwijderen/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "platforms/<slug:slug>/uitnodigingen/<int:pk>/intrekken/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("platforms/<slug:slug>/verlaten/", views.platform_leave, name="platform_leave"),
    path(
        "platforms/<slug:slug>/activiteiten/nieuw/", views.activity_create, name="activity_create"
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/",
        views.activity_detail,
        name="activity_detail",
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/bewerken/",
        views.activity_edit,
        name="activity_edit",
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/verwijderen/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/fotos/",
        views.activity_photo_add,
        name="activity_photo_add",
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/fotos/<int:photo_pk>/bestand/<str:kind>/",
        views.activity_photo_file,
        name="activity_photo_file",
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/fotos/<int:photo_pk>/verwijderen/",
        views.activity_photo_delete,
        name="activity_photo_delete",
    ),
    path(
        "platforms/<slug:slug>/activiteiten/<int:pk>/bevestiging/",
        views.confirmation_request,
        name="confirmation_request",
    ),
    path("platforms/<slug:slug>/steunen/", views.endorsement_create, name="endorsement_create"),
    path(
        "platforms/<slug:slug>/steunen/intrekken/",
        views.endorsement_withdraw,
        name="endorsement_withdraw",
    ),
    path("steun/", views.endorsement_code_lookup, name="endorsement_code_lookup"),
    path("mijn/", views.my_platforms, name="my_platforms"),
    path(
        "mijn/uitnodigingen/<int:pk>/accepteren/",
        views.my_invitation_accept,
        name="my_invitation_accept",
    ),
    path(
        "mijn/uitnodigingen/<int:pk>/afslaan/",
        views.my_invitation_decline,
        name="my_invitation_decline",
    ),
    path("uitnodiging/<str:token>/", views.invitation_detail, name="invitation_detail"),
    path("uitnodiging/<str:token>/accepteren/", views.invitation_accept, name="invitation_accept"),
    path("uitnodiging/<str:token>/afslaan/", views.invitation_decline, name="invitation_decline"),
    path("partner/<str:token>/", views.partner_confirmation, name="partner_confirmation"),
    path("partner/<str:token>/bevestigen/", views.partner_confirm, name="partner_confirm"),
    path("partner/<str:token>/afwijzen/", views.partner_decline, name="partner_decline"),
    path("beheer/steuncodes/", views.endorsement_code_list, name="endorsement_code_list"),
    path(
        "beheer/steuncodes/<str:batch>.pdf",
        views.endorsement_code_pdf,
        name="endorsement_code_pdf",
    ),
]
