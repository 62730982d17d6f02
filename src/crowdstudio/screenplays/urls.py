"""Web routes of the screenplays app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("crowdstudio.screenplays.tableread_urls")),
]
