from django.urls import path

from recognition.views import applicant, commission, manage, objections, public

app_name = "recognition"

urlpatterns = [
    # public
    path("rondes/", public.round_list, name="round_list"),
    path("rondes/<slug:slug>/", public.round_detail, name="round_detail"),
    path("rondes/<slug:slug>/besluit/", public.round_decision, name="round_decision"),
    path(
        "rondes/<slug:slug>/besluit/bewijs/<uuid:public_id>/",
        public.decision_evidence,
        name="decision_evidence",
    ),
    # applicants
    path("aanvragen/", applicant.application_list, name="application_list"),
    path(
        "aanvragen/nieuw/<slug:round_slug>/<slug:platform_slug>/",
        applicant.application_start,
        name="application_start",
    ),
    path("aanvragen/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("aanvragen/<int:pk>/bewerken/", applicant.application_edit, name="application_edit"),
    path(
        "aanvragen/<int:pk>/criteria/<int:number>/",
        applicant.statement_edit,
        name="statement_edit",
    ),
    path("aanvragen/<int:pk>/begroting/", applicant.planline_add, name="planline_add"),
    path(
        "aanvragen/<int:pk>/begroting/<int:line>/verwijderen/",
        applicant.planline_delete,
        name="planline_delete",
    ),
    path(
        "aanvragen/<int:pk>/bestanden/<int:file>/",
        applicant.evidence_download,
        name="evidence_download",
    ),
    path(
        "aanvragen/<int:pk>/bestanden/<int:file>/verwijderen/",
        applicant.evidence_delete,
        name="evidence_delete",
    ),
    path("aanvragen/<int:pk>/indienen/", applicant.application_submit, name="application_submit"),
    path(
        "aanvragen/<int:pk>/intrekken/", applicant.application_withdraw, name="application_withdraw"
    ),
    path(
        "aanvragen/<int:pk>/hervatten/", applicant.application_restart, name="application_restart"
    ),
    path(
        "aanvragen/besluiten/<int:decision>/bezwaar/",
        applicant.objection_create,
        name="objection_create",
    ),
    # commission
    path("commissie/", commission.commission_home, name="commission_home"),
    path("commissie/rondes/<slug:slug>/", commission.commission_round, name="commission_round"),
    path(
        "commissie/rondes/<slug:slug>/vergelijking/",
        commission.round_compare,
        name="round_compare",
    ),
    path(
        "commissie/rondes/<slug:slug>/afronden/", commission.round_conclude, name="round_conclude"
    ),
    path("commissie/rondes/<slug:slug>/herinneren/", commission.round_remind, name="round_remind"),
    path("commissie/rondes/<slug:slug>/heropenen/", commission.round_reopen, name="round_reopen"),
    path("commissie/aanvragen/<int:pk>/", commission.application_review, name="application_review"),
    path(
        "commissie/aanvragen/<int:pk>/belang/", commission.conflict_declare, name="conflict_declare"
    ),
    path(
        "commissie/aanvragen/<int:pk>/belang/vastzetten/",
        commission.conflict_pin,
        name="conflict_pin",
    ),
    path(
        "commissie/aanvragen/<int:pk>/scores/", commission.scoresheet_save, name="scoresheet_save"
    ),
    path(
        "commissie/aanvragen/<int:pk>/scores/indienen/",
        commission.scoresheet_submit,
        name="scoresheet_submit",
    ),
    path(
        "commissie/aanvragen/<int:pk>/besluit/", commission.decision_record, name="decision_record"
    ),
    path(
        "commissie/bezwaren/<int:pk>/hoorzitting/",
        objections.objection_hearing,
        name="objection_hearing",
    ),
    # administrators
    path("beheer/rondes/", manage.round_manage_list, name="round_manage_list"),
    path("beheer/rondes/nieuw/", manage.round_create, name="round_create"),
    path("beheer/rondes/<slug:slug>/", manage.round_manage, name="round_manage"),
    path("beheer/rondes/<slug:slug>/openen/", manage.round_open, name="round_open"),
    path(
        "beheer/rondes/<slug:slug>/beoordeling/",
        manage.round_start_assessment,
        name="round_start_assessment",
    ),
    path("beheer/rondes/<slug:slug>/audit/", manage.round_audit, name="round_audit"),
    path("beheer/erkenningen/<int:pk>/", manage.recognition_change, name="recognition_change"),
]
