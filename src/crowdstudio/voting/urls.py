"""Web routes of the voting app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.voting import views

urlpatterns: list[URLPattern] = [
    path("e/<int:pk>/vote/", views.vote_submit, name="vote_submit"),
    path(
        "c/<slug:slug>/rounds/<int:number>/leaderboard/",
        views.round_leaderboard,
        name="round_leaderboard",
    ),
    path("c/<slug:slug>/rounds/<int:number>/votes/", views.vote_integrity, name="vote_integrity"),
    path(
        "c/<slug:slug>/rounds/<int:number>/votes/<int:ballot_id>/discount/",
        views.vote_discount,
        name="vote_discount",
    ),
    path("c/<slug:slug>/rounds/<int:number>/votes/scan/", views.vote_scan, name="vote_scan"),
    path("how-it-works/ranking/", views.how_ranking_works, name="how_ranking_works"),
]
