from django.urls import path

from budgets import payment_views, views, year_views

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
    path(
        "platforms/<slug:slug>/budget/<int:budget_pk>/herbegroten/",
        year_views.plan_propose,
        name="plan_propose",
    ),
    path("declaraties/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("declaraties/<int:pk>/aanpassen/", views.claim_edit, name="claim_edit"),
    path(
        "declaraties/<int:claim_pk>/bonnen/<int:pk>/",
        views.receipt_download,
        name="receipt_download",
    ),
    # Administration (support organisation)
    path("administratie/", views.admin_queue, name="admin_queue"),
    path(
        "administratie/declaraties/goedkeuren/",
        views.claim_bulk_approve,
        name="claim_bulk_approve",
    ),
    path("administratie/declaraties/afwijzen/", views.claim_bulk_reject, name="claim_bulk_reject"),
    path(
        "administratie/declaraties/aanpassing/",
        views.claim_bulk_request_changes,
        name="claim_bulk_request_changes",
    ),
    path("administratie/declaraties/betaalbatch/", views.claim_bulk_batch, name="claim_bulk_batch"),
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
    path(
        "administratie/betalingen/<int:pk>/vrijgeven/",
        payment_views.batch_release,
        name="batch_release",
    ),
    path(
        "administratie/betalingen/<int:pk>/annuleren/",
        payment_views.batch_cancel,
        name="batch_cancel",
    ),
    path("administratie/afschriften/", payment_views.statement_list, name="statement_list"),
    path(
        "administratie/afschriften/<int:pk>/",
        payment_views.statement_detail,
        name="statement_detail",
    ),
    path("administratie/tegenboekingen/", payment_views.reversal_list, name="reversal_list"),
    path(
        "administratie/tegenboekingen/<int:pk>/bevestigen/",
        payment_views.reversal_confirm,
        name="reversal_confirm",
    ),
    path(
        "administratie/tegenboekingen/<int:pk>/intrekken/",
        payment_views.reversal_withdraw,
        name="reversal_withdraw",
    ),
    path("administratie/budgetten/", views.budget_list, name="budget_list"),
    path("administratie/budgetten/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("administratie/budgetten/<int:pk>/afsluiten/", views.budget_close, name="budget_close"),
    path(
        "administratie/jaarafsluitingen/<int:pk>/bevestigen/",
        year_views.year_close_confirm,
        name="year_close_confirm",
    ),
    path(
        "administratie/jaarafsluitingen/<int:pk>/intrekken/",
        year_views.year_close_cancel,
        name="year_close_cancel",
    ),
    path(
        "administratie/jaarafsluitingen/<int:pk>/terugdraaien/",
        year_views.year_close_reverse,
        name="year_close_reverse",
    ),
    path(
        "administratie/jaarafsluitingen/<int:pk>/terugdraaien/bevestigen/",
        year_views.year_close_reverse_confirm,
        name="year_close_reverse_confirm",
    ),
    path(
        "administratie/herbegrotingen/<int:pk>/",
        year_views.plan_version_review,
        name="plan_version_review",
    ),
    path(
        "administratie/herbegrotingen/<int:pk>/goedkeuren/",
        year_views.plan_version_approve,
        name="plan_version_approve",
    ),
    path(
        "administratie/herbegrotingen/<int:pk>/afwijzen/",
        year_views.plan_version_reject,
        name="plan_version_reject",
    ),
    path(
        "administratie/boekingen/<int:pk>/corrigeren/",
        views.transaction_reverse,
        name="transaction_reverse",
    ),
]
