"""Web routes of the screenplays app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
