"""`{% table_read_panel version %}`: the table reads of a version, their player and the request
form; placed on the version page. Needs `request` in the context."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from crowdstudio.screenplays.models import ScriptVersion

register = template.Library()


@register.inclusion_tag("screenplays/tableread/_panel.html", takes_context=True)
def table_read_panel(context: template.Context, version: ScriptVersion) -> dict[str, Any]:
    from crowdstudio.screenplays.tableread_views import panel_context

    return panel_context(context["request"], version)


@register.filter
def clock(seconds: float | None) -> str:
    """1:05 or 1:02:03 from seconds."""
    if seconds is None:
        return ""
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def stage_label(stage: str) -> str:
    """The rendering stage in words."""
    labels = {
        "starting": _("Starting"),
        "synthesising": _("Synthesising the voices"),
        "mastering": _("Mastering"),
        "encoding": _("Encoding"),
        "done": _("Done"),
        "failed": _("Failed"),
    }
    return labels.get(stage, _("Waiting for a worker"))
