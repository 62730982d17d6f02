"""Web routes of the judging app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.judging import views

_ROUND = "c/<slug:slug>/rounds/<int:number>/"

urlpatterns: list[URLPattern] = [
    # Studio.
    path("c/<slug:slug>/judging/", views.judging_overview, name="judging_overview"),
    path(_ROUND + "contest/", views.round_contest, name="round_contest"),
    path(_ROUND + "jury/", views.jury, name="jury"),
    path(
        _ROUND + "jury/<int:user_id>/remove/", views.jury_member_remove, name="jury_member_remove"
    ),
    path(_ROUND + "rubric/", views.rubric, name="rubric"),
    path(_ROUND + "rubric/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path(_ROUND + "rubric/<int:pk>/remove/", views.criterion_remove, name="criterion_remove"),
    path(_ROUND + "results/manage/", views.results_manage, name="results_manage"),
    path(_ROUND + "results/compute/", views.results_compute, name="results_compute"),
    path(_ROUND + "results/publish/", views.results_publish, name="results_publish"),
    path(
        _ROUND + "results/prizes/<int:prize_id>/confirm/",
        views.winner_confirm,
        name="winner_confirm",
    ),
    # Public.
    path(_ROUND + "results/", views.round_results, name="round_results"),
    path("e/<int:pk>/scores/", views.my_scores, name="my_scores"),
    # Judges.
    path("me/judging/", views.my_judging, name="my_judging"),
    path("judging/<int:round_id>/", views.judge_round, name="judge_round"),
    path("judging/<int:round_id>/conflicts/", views.conflict_declare, name="conflict_declare"),
    path("judging/<int:round_id>/entries/<int:entry_id>/", views.scorecard, name="scorecard"),
]
