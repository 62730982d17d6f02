"""Web routes of table reads (included by screenplays/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.screenplays import tableread_views as views

urlpatterns: list[URLPattern] = [
    path(
        "s/<int:pk>/v/<int:number>/table-reads/",
        views.table_read_panel,
        name="table_read_panel",
    ),
    path(
        "s/<int:pk>/v/<int:number>/table-reads/new/",
        views.table_read_create,
        name="table_read_create",
    ),
    path("table-reads/<int:pk>/", views.table_read_status, name="table_read_status"),
    path("table-reads/<int:pk>/audio/", views.table_read_audio, name="table_read_audio"),
    path("table-reads/<int:pk>/download/", views.table_read_download, name="table_read_download"),
    path(
        "table-reads/<int:pk>/chapters.vtt",
        views.table_read_chapters,
        name="table_read_chapters",
    ),
]
