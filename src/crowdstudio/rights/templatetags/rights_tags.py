"""Inclusion tags for the rights hooks in shared templates (entry page, studio toolbar)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from crowdstudio.accounts.permissions import has_capability
from crowdstudio.rights import selectors
from crowdstudio.rights.access import STAFF_CAPABILITY
from crowdstudio.rights.forms import WithdrawForm
from crowdstudio.rights.models import RightsStatus

register = template.Library()

_BADGE_CLASS: dict[str, str] = {
    RightsStatus.GRANTED: "approved",
    RightsStatus.AWAITING: "awaiting_moderation",
    RightsStatus.REQUESTED: "awaiting_moderation",
    RightsStatus.EXPIRED: "closed",
    RightsStatus.DECLINED: "rejected",
    RightsStatus.WITHDRAWN: "rejected",
}


@register.simple_tag
def rights_badge(status: str) -> SafeString:
    """The rights status as a coloured badge (reusing the site's status colours)."""
    return format_html(
        '<span class="badge {}">{}</span>',
        _BADGE_CLASS.get(status, ""),
        RightsStatus(status).label if status in RightsStatus.values else status,
    )


@register.inclusion_tag("rights/_entry_panel.html", takes_context=True)
def rights_entry(context: template.Context) -> dict[str, Any]:
    """The rights panel on an entry page: the author and the team only."""
    entry = context["entry"]
    user = context.get("user")
    is_author = bool(context.get("is_author"))
    is_staff = bool(context.get("is_staff"))
    if not (is_author or is_staff):
        return {"show": False}
    status = selectors.rights_status(entry)
    can_request = has_capability(user, entry.campaign.organisation_id, STAFF_CAPABILITY)
    return {
        "show": True,
        "entry": entry,
        "status": status,
        "is_author": is_author,
        "can_withdraw": is_author and status == RightsStatus.GRANTED,
        "can_request": can_request
        and status in selectors.REQUESTABLE
        and selectors.open_request(entry) is None,
        "withdraw_form": WithdrawForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("rights/_studio.html")
def rights_studio(campaign: Any, can: dict[str, bool] | None) -> dict[str, Any]:
    """The rights link in a campaign's studio toolbar (Capability.MODERATE)."""
    return {"campaign": campaign, "show": bool((can or {}).get("moderate"))}
