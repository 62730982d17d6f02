"""Template tags of the screenplays app: the hooks in shared templates and reader helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.translation import gettext as _

from crowdstudio.campaigns.models import CampaignKind, CampaignStatus
from crowdstudio.screenplays import access, selectors
from crowdstudio.screenplays.elements import Element, ElementType
from crowdstudio.screenplays.inline import plain
from crowdstudio.screenplays.models import Screenplay

register = template.Library()


@register.simple_tag
def element_label(elements: Sequence[Element], index: int) -> str:
    """A short label of one element for comment lists: its number and first words."""
    if not 0 <= index < len(elements):
        return f"#{index + 1}"
    element = elements[index]
    text = " ".join(plain(element.text).split())
    if element.type == ElementType.CHARACTER and element.extension:
        text = f"{text} {element.extension}"
    if len(text) > 48:
        text = text[:47] + "…"
    return f"{index + 1} · {text or _('(empty)')}"


@register.inclusion_tag("screenplays/_entry_hook.html", takes_context=True)
def screenplays_entry(context: template.Context) -> dict[str, Any]:
    """On an entry page: a script entry links to its reader; a film entry shows the script
    version it is a test movie of, and its author (or the team) may declare one."""
    entry = context["entry"]
    user = context.get("user")
    screenplay = Screenplay.objects.filter(entry=entry).first()
    if screenplay is not None:
        return {"screenplay": screenplay, "entry": entry}
    movie = selectors.test_movie_of(entry)
    shown_movie = (
        movie
        if movie is not None and access.can_view_screenplay(user, movie.version.screenplay)
        else None
    )
    may_declare = bool(context.get("is_author") or context.get("is_staff")) and any(
        asset.kind == "video" for asset in entry.assets.all()
    )
    options = selectors.declarable_versions(user, entry) if may_declare else []
    return {
        "entry": entry,
        "movie": shown_movie,
        "may_declare": may_declare and bool(options),
        "options": options,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("screenplays/_campaign_hook.html", takes_context=True)
def screenplays_campaign(context: template.Context) -> dict[str, Any]:
    """On a script contest's page: its published screenplays and the submit button."""
    campaign = context["campaign"]
    if campaign.kind != CampaignKind.SCRIPT:
        return {"show": False}
    from django.utils import timezone

    return {
        "show": True,
        "campaign": campaign,
        "rows": selectors.approved_screenplays(campaign),
        "accepting": campaign.status == CampaignStatus.OPEN
        and campaign.round_open_at(timezone.now()) is not None,
    }


@register.inclusion_tag("screenplays/_studio_hook.html")
def screenplays_studio(campaign: Any, can: dict[str, bool] | None) -> dict[str, Any]:
    """The team's link to all of a script contest's screenplays (any status)."""
    return {
        "campaign": campaign,
        "show": campaign.kind == CampaignKind.SCRIPT
        and bool((can or {}).get("view_backoffice", True)),
    }


@register.filter
def eighths(value: int) -> str:
    """A length in eighths of a page as breakdowns write it: "1 3/8"."""
    from crowdstudio.screenplays.layout import eighths_label

    return eighths_label(int(value or 0))
