"""Inclusion tags for the social hooks in shared templates (studio toolbar, entry page)."""

from __future__ import annotations

from typing import Any

from django import template

from crowdstudio.entries.models import EntrySource

register = template.Library()


@register.inclusion_tag("social/_studio.html")
def social_studio(campaign: Any, can: dict[str, bool] | None) -> dict[str, Any]:
    """The hashtag sources link in a campaign's studio toolbar, for the back office."""
    return {"campaign": campaign, "show": bool((can or {}).get("view_backoffice"))}


@register.inclusion_tag("social/_entry.html")
def social_entry(entry: Any) -> dict[str, Any]:
    """ "imported from Mastodon · original post" on an imported entry's page (no query)."""
    if entry.source == EntrySource.UPLOAD:
        return {"network": ""}
    return {"network": EntrySource(entry.source).label, "url": entry.source_url}
