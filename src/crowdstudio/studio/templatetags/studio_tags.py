"""Template tags of the studio app: the Director link in the studio toolbar, times."""

from __future__ import annotations

from typing import Any

from django import template

from crowdstudio.entries.models import Track

register = template.Library()


@register.inclusion_tag("studio/_studio.html")
def studio_studio(campaign: Any, can: dict[str, bool] | None) -> dict[str, Any]:
    """The Director link: for people who may edit the campaign, once it has a music track."""
    show = bool((can or {}).get("edit_campaign")) and (
        Track.objects.filter(campaign=campaign).exists()
    )
    return {"campaign": campaign, "show": show}


@register.filter
def timecode(seconds: Any) -> str:
    """Seconds as m:ss.ss (e.g. 1:04.50)."""
    try:
        value = max(0.0, float(seconds))
    except (TypeError, ValueError):
        return ""
    minutes, rest = divmod(value, 60)
    return f"{int(minutes)}:{rest:05.2f}"
