"""The judging app's pieces of shared pages (hooks in the studio toolbar, the navigation, the
campaign's rounds and the entry page), so those pages' views need no change."""

from __future__ import annotations

from typing import Any

from django import template

from crowdstudio.campaigns.models import Round
from crowdstudio.entries.models import Entry
from crowdstudio.judging import selectors
from crowdstudio.judging.forms import tie_break_summary

register = template.Library()


@register.inclusion_tag("judging/_studio_link.html")
def judging_studio(campaign: Any, can: dict[str, bool]) -> dict[str, Any]:
    return {"campaign": campaign, "show": bool(can.get("manage_results"))}


@register.inclusion_tag("judging/_nav_link.html", takes_context=True)
def judging_nav(context: template.Context) -> dict[str, Any]:
    """A "My judging" link for people who sit on a jury (one indexed EXISTS query)."""
    user = context.get("user")
    return {"show": selectors.sits_on_a_jury(user)}


@register.inclusion_tag("judging/_round_hook.html", takes_context=True)
def judging_round(context: template.Context, rnd: Round) -> dict[str, Any]:
    """The round's results link once published, and its jury/audience/tie-break rule in a line."""
    return {
        "rnd": rnd,
        "campaign": context.get("campaign") or rnd.campaign,
        "published": rnd.results_published_at is not None,
        "tie_breaks": tie_break_summary(rnd),
    }


@register.inclusion_tag("judging/_entry_hook.html", takes_context=True)
def judging_entry(context: template.Context, entry: Entry) -> dict[str, Any]:
    """For the author only: a link to their scores once any round's results are published."""
    user = context.get("user")
    show = bool(
        getattr(user, "is_authenticated", False)
        and user is not None
        and entry.author_id == user.pk
        and selectors.published_rounds_of_entry(entry)
    )
    return {"entry": entry, "show": show}
