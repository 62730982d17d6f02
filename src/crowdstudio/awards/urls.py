"""Web routes of the awards app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.awards import views

urlpatterns: list[URLPattern] = [
    path("me/awards/", views.my_awards, name="my_awards"),
    path("me/payee/", views.payee_details, name="payee_details"),
    path("c/<slug:slug>/payouts/", views.payouts_campaign, name="payouts_campaign"),
    path("c/<slug:slug>/payouts/export.csv", views.payouts_export, name="payouts_export"),
    path("studio/<slug:org>/payouts/", views.payouts_organisation, name="payouts_organisation"),
    path("studio/<slug:org>/payouts/settings/", views.payout_settings, name="payout_settings"),
    path("studio/<slug:org>/ledger/", views.payouts_ledger, name="payouts_ledger"),
    path("payouts/<int:pk>/", views.payout_detail, name="payout_detail"),
    path("payouts/<int:pk>/send/", views.payout_send, name="payout_send"),
    path("payouts/<int:pk>/mark-paid/", views.payout_mark_paid, name="payout_mark_paid"),
    path("payouts/<int:pk>/cancel/", views.payout_cancel, name="payout_cancel"),
    path("payouts/<int:pk>/treaty-rate/", views.payout_treaty_rate, name="payout_treaty_rate"),
]
