"""Reads of the studio app: montages, their plan and candidates, renders and provenance.

`Montage.plan` holds the director's working state as JSON (see `services`):

    {"state": "planning" | "ready" | "failed", "error": "...", "stage": "...",
     "edl": <Plan as JSON data> | null, "candidates": [<Shot as data>, ...]}

Importing this module registers the studio as a source of "works that used an entry" with the
rights app (`render_works_for`), so an entry's rights page lists the finished videos using it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.access import can_view_campaign
from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Asset, Entry, Track
from crowdstudio.rights.selectors import WorkUse, register_work_source, usable_entries
from crowdstudio.studio.models import Montage, MontageRender, RenderStatus
from crowdstudio.studio.montage.edit import shot_from_data, unused_candidates
from crowdstudio.studio.montage.plan import Plan, Shot

PLANNING = "planning"
READY = "ready"
FAILED = "failed"
ACTIVE_RENDER = (RenderStatus.QUEUED, RenderStatus.RUNNING)


def state_of(montage: Montage) -> dict[str, Any]:
    data = montage.plan if isinstance(montage.plan, dict) else {}
    return {
        "state": data.get("state", PLANNING),
        "error": data.get("error", ""),
        "stage": data.get("stage", ""),
        "edl": data.get("edl"),
        "candidates": data.get("candidates", []),
    }


def planning_state(montage: Montage) -> str:
    return str(state_of(montage)["state"])


def plan_of(montage: Montage) -> Plan | None:
    """The current plan, or None while it is being made (or when making it failed)."""
    edl = state_of(montage)["edl"]
    if not edl:
        return None
    return Plan.from_json(json.dumps(edl))


def plan_data(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(plan.to_json())
    return data


def candidates_of(montage: Montage) -> list[Shot]:
    return [shot_from_data(c) for c in state_of(montage)["candidates"]]


def montages_of(campaign: Campaign) -> QuerySet[Montage]:
    return (
        Montage.objects.filter(campaign=campaign)
        .select_related("campaign", "track", "created_by")
        .order_by("-created_at", "-id")
    )


def tracks_of(campaign: Campaign) -> QuerySet[Track]:
    return Track.objects.filter(campaign=campaign).order_by("-created_at", "-id")


def renders_of(montage: Montage) -> QuerySet[MontageRender]:
    return MontageRender.objects.filter(montage=montage).order_by("-created_at", "-id")


@dataclass(frozen=True)
class ShotRow:
    """One slot of the plan as the plan page shows it."""

    slot: int
    start: float
    end: float
    entry_id: int
    asset_id: int
    contributor: str
    kind: str
    entry_title: str
    thumb_url: str
    pinned: bool


def _thumb_urls(asset_ids: set[int]) -> dict[int, str]:
    urls: dict[int, str] = {}
    for asset in Asset.objects.filter(pk__in=asset_ids).prefetch_related("renditions"):
        rendition = asset.thumb or asset.web
        if rendition is not None and rendition.file:
            urls[asset.pk] = rendition.file.url
    return urls


def shot_rows(montage: Montage, plan: Plan) -> list[ShotRow]:
    ids = {s.asset_id for s in plan.shots}
    thumbs = _thumb_urls(ids)
    titles = dict(
        Entry.objects.filter(pk__in={s.entry_id for s in plan.shots}).values_list("pk", "title")
    )
    pinned = set(montage.pinned_assets or [])
    return [
        ShotRow(
            slot=n,
            start=s.start,
            end=s.end,
            entry_id=s.entry_id,
            asset_id=s.asset_id,
            contributor=s.contributor,
            kind=s.kind,
            entry_title=titles.get(s.entry_id, ""),
            thumb_url=thumbs.get(s.asset_id, ""),
            pinned=s.asset_id in pinned,
        )
        for n, s in enumerate(plan.shots)
    ]


def spare_rows(montage: Montage, plan: Plan) -> list[dict[str, Any]]:
    """The unused candidates (not in the cut, not dropped), for the swap lists."""
    spare = unused_candidates(plan, candidates_of(montage), dropped=montage.dropped_assets or [])
    thumbs = _thumb_urls({s.asset_id for s in spare})
    return [
        {
            "asset_id": s.asset_id,
            "entry_id": s.entry_id,
            "contributor": s.contributor,
            "kind": s.kind,
            "thumb_url": thumbs.get(s.asset_id, ""),
        }
        for s in spare
    ]


def unusable_entries(campaign: Campaign, entry_ids: list[int]) -> list[Entry]:
    """The plan's entries that the rights gate no longer lets through (withdrawn, rejected...)."""
    usable = set(usable_entries(campaign).filter(pk__in=entry_ids).values_list("pk", flat=True))
    missing = [pk for pk in entry_ids if pk not in usable]
    return list(Entry.objects.filter(pk__in=missing).order_by("pk"))


def render_works_for(entry: Entry) -> list[WorkUse]:
    """The finished renders that used the entry (the rights app lists them as works)."""
    renders = (
        MontageRender.objects.filter(uses__entry=entry, status=RenderStatus.DONE)
        .select_related("montage")
        .distinct()
        .order_by("-finished_at", "-id")
    )
    return [
        WorkUse(
            title=f"{r.montage.title} ({r.get_shape_display()})",
            url=reverse("director_montage", kwargs={"pk": r.montage_id}),
            kind="montage",
        )
        for r in renders
    ]


register_work_source(render_works_for)


# --- access: directors are the people who may edit the campaign -----------------------------------


def get_montage_for_user(user: Any, pk: int) -> Montage:
    """The montage, or 404 if this person may not know its campaign exists, or 403 if they are
    not a director (Capability.EDIT_CAMPAIGN in the campaign's organisation)."""
    montage = (
        Montage.objects.select_related("campaign__organisation", "track").filter(pk=pk).first()
    )
    if montage is None or not can_view_campaign(user, montage.campaign):
        raise Http404("No such montage")
    if not has_capability(user, montage.campaign.organisation_id, Capability.EDIT_CAMPAIGN):
        raise PermissionDenied
    return montage


def get_render_for_user(user: Any, pk: int) -> MontageRender:
    render = MontageRender.objects.select_related("montage").filter(pk=pk).first()
    if render is None:
        raise Http404("No such render")
    get_montage_for_user(user, render.montage_id)
    return render
