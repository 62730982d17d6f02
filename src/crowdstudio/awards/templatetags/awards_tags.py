"""Inclusion tags for the awards hooks in shared templates (navigation, studio toolbar)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from crowdstudio.awards.selectors import has_awards

register = template.Library()


@register.inclusion_tag("awards/_nav.html", takes_context=True)
def awards_nav(context: template.Context) -> dict[str, Any]:
    """ "My awards" in the navigation, only for people who won something (one cheap query)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"show": has_awards(user)}


@register.inclusion_tag("awards/_studio.html")
def awards_studio(campaign: Any, can: dict[str, bool] | None) -> dict[str, Any]:
    """The payouts link in a campaign's studio toolbar, for those who manage payouts."""
    return {"campaign": campaign, "show": bool((can or {}).get("manage_payouts"))}


@register.filter
def absolute(value: Decimal | None) -> Decimal | None:
    """A credit's magnitude, for showing debits and credits in two columns."""
    return None if value is None else abs(value)
