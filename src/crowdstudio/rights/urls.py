"""Web routes of the rights app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.rights import views

urlpatterns: list[URLPattern] = [
    path("rights/<str:token>/", views.rights_link, name="rights_link"),
    path("rights/<str:token>/prove/", views.rights_prove, name="rights_prove"),
    path("rights/<str:token>/accept/", views.rights_accept, name="rights_accept"),
    path("rights/<str:token>/decline/", views.rights_decline, name="rights_decline"),
    path("e/<int:pk>/rights/", views.rights_entry, name="rights_entry"),
    path("e/<int:pk>/rights/withdraw/", views.rights_withdraw, name="rights_withdraw"),
    path("e/<int:pk>/rights/request/", views.rights_request_entry, name="rights_request_entry"),
    path("e/<int:pk>/rights/releases/", views.rights_release_add, name="rights_release_add"),
    path("c/<slug:slug>/rights/", views.rights_campaign, name="rights_campaign"),
    path("c/<slug:slug>/rights/send/", views.rights_send, name="rights_send"),
    path("c/<slug:slug>/rights/policy/", views.rights_policy, name="rights_policy"),
    path("rights-requests/<int:pk>/sent/", views.rights_mark_sent, name="rights_mark_sent"),
]
