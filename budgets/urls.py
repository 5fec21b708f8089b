from django.urls import path

from budgets import views

app_name = "budgets"
urlpatterns = [
    # Platform side
    path("platforms/<slug:slug>/budget/", views.platform_budget, name="platform_budget"),
    path(
        "platforms/<slug:slug>/budget/<int:budget_pk>/declaraties/nieuw/",
        views.claim_create,
        name="claim_create",
    ),
    path("platforms/<slug:slug>/budget/grootboek.csv", views.ledger_csv, name="ledger_csv"),
    path("declaraties/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("declaraties/<int:pk>/aanpassen/", views.claim_edit, name="claim_edit"),
    path(
        "declaraties/<int:claim_pk>/bonnen/<int:pk>/",
        views.receipt_download,
        name="receipt_download",
    ),
    # Administration (support organisation)
    path("administratie/", views.admin_queue, name="admin_queue"),
    path("administratie/declaraties/<int:pk>/", views.claim_review, name="claim_review"),
    path(
        "administratie/declaraties/<int:pk>/goedkeuren/", views.claim_approve, name="claim_approve"
    ),
    path("administratie/declaraties/<int:pk>/afwijzen/", views.claim_reject, name="claim_reject"),
    path(
        "administratie/declaraties/<int:pk>/aanpassing/",
        views.claim_request_changes,
        name="claim_request_changes",
    ),
    path("administratie/betalingen/", views.batch_list, name="batch_list"),
    path("administratie/betalingen/nieuw/", views.batch_create, name="batch_create"),
    path("administratie/betalingen/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("administratie/betalingen/<int:pk>/sepa.xml", views.batch_sepa, name="batch_sepa"),
    path("administratie/betalingen/<int:pk>/betaald/", views.batch_pay, name="batch_pay"),
    path("administratie/budgetten/", views.budget_list, name="budget_list"),
    path("administratie/budgetten/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("administratie/budgetten/<int:pk>/afsluiten/", views.budget_close, name="budget_close"),
    path(
        "administratie/boekingen/<int:pk>/corrigeren/",
        views.transaction_reverse,
        name="transaction_reverse",
    ),
]
