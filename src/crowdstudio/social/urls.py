"""Web routes of the social app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.social import views

urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/social/", views.social_sources, name="social_sources"),
    path(
        "c/<slug:slug>/social/connect/", views.social_source_connect, name="social_source_connect"
    ),
    path("c/<slug:slug>/social/posts/", views.social_posts, name="social_posts"),
    path("c/<slug:slug>/social/<int:pk>/", views.social_source_edit, name="social_source_edit"),
    path(
        "c/<slug:slug>/social/<int:pk>/poll/", views.social_source_poll, name="social_source_poll"
    ),
    path(
        "c/<slug:slug>/social/<int:pk>/pause/",
        views.social_source_pause,
        name="social_source_pause",
    ),
    path(
        "c/<slug:slug>/social/<int:pk>/resume/",
        views.social_source_resume,
        name="social_source_resume",
    ),
]
