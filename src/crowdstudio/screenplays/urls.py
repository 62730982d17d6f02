"""Web routes of the screenplays app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from crowdstudio.screenplays import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("crowdstudio.screenplays.tableread_urls")),
    path("c/<slug:slug>/scripts/", views.campaign_screenplays, name="campaign_screenplays"),
    path("c/<slug:slug>/scripts/submit/", views.screenplay_submit, name="screenplay_submit"),
    path("s/<int:pk>/", views.screenplay_detail, name="screenplay"),
    path("s/<int:pk>/v/<int:number>/", views.screenplay_version, name="screenplay_version"),
    path(
        "s/<int:pk>/v/<int:number>/download/<slug:fmt>/",
        views.screenplay_download,
        name="screenplay_download",
    ),
    path(
        "s/<int:pk>/v/<int:number>/read.pdf", views.screenplay_read_pdf, name="screenplay_read_pdf"
    ),
    path("s/<int:pk>/v/<int:number>/comment/", views.screenplay_comment, name="screenplay_comment"),
    path("s/<int:pk>/v/<int:number>/revise/", views.screenplay_revise, name="screenplay_revise"),
    path("s/<int:pk>/v/<int:number>/report/", views.screenplay_report, name="screenplay_report"),
    path(
        "s/<int:pk>/v/<int:number>/report.csv",
        views.screenplay_report_csv,
        name="screenplay_report_csv",
    ),
    path("s/<int:pk>/diff/", views.screenplay_diff, name="screenplay_diff"),
    path("s/<int:pk>/lineage/", views.screenplay_lineage, name="screenplay_lineage"),
    path(
        "s/<int:pk>/collaboration/",
        views.screenplay_collaboration,
        name="screenplay_collaboration",
    ),
    path("s/<int:pk>/access/", views.screenplay_access_request, name="screenplay_access_request"),
    path(
        "s/<int:pk>/access/<int:access_id>/",
        views.screenplay_access_decide,
        name="screenplay_access_decide",
    ),
    path("e/<int:pk>/test-movie/", views.test_movie_declare, name="test_movie_declare"),
]
