"""Web routes of the studio app (the Director), included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.studio import views

urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/director/", views.director, name="director"),
    path("c/<slug:slug>/director/new/", views.director_create, name="director_create"),
    path("director/<int:pk>/", views.director_montage, name="director_montage"),
    path(
        "director/<int:pk>/status/", views.director_montage_status, name="director_montage_status"
    ),
    path("director/<int:pk>/edit/", views.director_edit, name="director_edit"),
    path("director/<int:pk>/replan/", views.director_replan, name="director_replan"),
    path("director/<int:pk>/render/", views.director_render, name="director_render"),
    path("director/renders/<int:pk>/", views.director_render_status, name="director_render_status"),
    path(
        "director/renders/<int:pk>/download/",
        views.director_render_download,
        name="director_render_download",
    ),
    path(
        "director/renders/<int:pk>/preview/",
        views.director_render_preview,
        name="director_render_preview",
    ),
]
