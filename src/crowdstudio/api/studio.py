"""API routes of the studio app: the Director's montages, their plans and renders.

Directors are the people who may edit the campaign (Capability.EDIT_CAMPAIGN); everyone else
gets 404 (a campaign they may not know) or 403. Videos themselves are downloaded from the web
routes (`download_url`), which check the same permission.
"""

# No `from __future__ import annotations`: ninja reads the handlers' annotations at import time.

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from crowdstudio.accounts.permissions import Capability
from crowdstudio.api.auth import acting_user
from crowdstudio.api.schemas import responses
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.studio import selectors, services
from crowdstudio.studio.models import Montage, MontageRender, RenderShape, RenderStatus

router = Router(tags=["studio"])


class MontageOut(Schema):
    id: int
    campaign_slug: str
    title: str
    track_id: int
    track: str
    seed: int
    fps: int
    state: str = Field(description="`planning`, `ready` or `failed`.")
    error: str
    plan_revision: int = Field(description="Send it back with an edit or a render request.")
    shots: int
    created_at: datetime
    updated_at: datetime


class ShotOut(Schema):
    slot: int
    entry_id: int
    asset_id: int
    contributor: str
    kind: str
    start: float
    end: float
    pinned: bool


class MontageDetailOut(MontageOut):
    credits: list[str] = Field(description="Every contributor in the cut, in order of appearance.")
    shot_list: list[ShotOut]
    plan: dict[str, Any] | None = Field(description="The plan (edit decision list) as JSON.")
    pinned_assets: list[int]
    dropped_assets: list[int]


class RenderIn(Schema):
    revision: int = Field(ge=0, description="The plan revision you are rendering.")
    shapes: list[RenderShape] = Field(min_length=1)


class RenderOut(Schema):
    id: int
    montage_id: int
    shape: str
    width: int
    height: int
    plan_revision: int
    status: RenderStatus
    stage: str
    percent: int
    error: str
    duration: float | None
    output_size: int | None
    output_sha256: str
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None = Field(description="Only once the render is done.")


def _montage_out(montage: Montage) -> dict[str, Any]:
    state = selectors.state_of(montage)
    current = selectors.plan_of(montage)
    return {
        "id": montage.pk,
        "campaign_slug": montage.campaign.slug,
        "title": montage.title,
        "track_id": montage.track_id,
        "track": str(montage.track),
        "seed": montage.seed,
        "fps": montage.fps,
        "state": state["state"],
        "error": state["error"],
        "plan_revision": montage.plan_revision,
        "shots": len(current.shots) if current else 0,
        "created_at": montage.created_at,
        "updated_at": montage.updated_at,
    }


def _render_out(render: MontageRender) -> dict[str, Any]:
    done = render.status == RenderStatus.DONE and bool(render.output_name)
    return {
        "id": render.pk,
        "montage_id": render.montage_id,
        "shape": render.shape,
        "width": render.width,
        "height": render.height,
        "plan_revision": render.plan_revision,
        "status": render.status,
        "stage": render.stage,
        "percent": render.percent,
        "error": render.error,
        "duration": render.duration,
        "output_size": render.output_size,
        "output_sha256": render.output_sha256,
        "created_at": render.created_at,
        "finished_at": render.finished_at,
        "download_url": (
            reverse("director_render_download", kwargs={"pk": render.pk}) if done else None
        ),
    }


@router.get(
    "/campaigns/{slug}/montages",
    response=responses({200: list[MontageOut]}),
    summary="A campaign's music videos (directors only)",
)
def montage_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    campaign = get_campaign_for_user(acting_user(request), slug, Capability.EDIT_CAMPAIGN)
    return [_montage_out(m) for m in selectors.montages_of(campaign)[:200]]


@router.get(
    "/montages/{montage_id}",
    response=responses({200: MontageDetailOut}),
    summary="A music video with its plan and credits",
)
def montage_detail(request: HttpRequest, montage_id: int) -> dict[str, Any]:
    montage = selectors.get_montage_for_user(acting_user(request), montage_id)
    current = selectors.plan_of(montage)
    rows = selectors.shot_rows(montage, current) if current else []
    return {
        **_montage_out(montage),
        "credits": current.credits() if current else [],
        "shot_list": [
            {
                "slot": r.slot,
                "entry_id": r.entry_id,
                "asset_id": r.asset_id,
                "contributor": r.contributor,
                "kind": r.kind,
                "start": r.start,
                "end": r.end,
                "pinned": r.pinned,
            }
            for r in rows
        ],
        "plan": selectors.state_of(montage)["edl"],
        "pinned_assets": list(montage.pinned_assets or []),
        "dropped_assets": list(montage.dropped_assets or []),
    }


@router.post(
    "/montages/{montage_id}/renders",
    response=responses({200: list[RenderOut]}),
    summary="Render the plan in one or more shapes",
    description="Queues one render per shape of the plan at `revision`. Safe to repeat: a shape "
    "already queued or rendering for the same plan answers that render instead of a new one. "
    "A plan that changed since is a 409 `stale_plan`; an entry of the plan that may no longer "
    "be used is a 409 `entry_not_usable` (re-plan first).",
)
def montage_render_start(
    request: HttpRequest, montage_id: int, payload: RenderIn
) -> list[dict[str, Any]]:
    user = acting_user(request)
    montage = selectors.get_montage_for_user(user, montage_id)
    renders = services.montage_render_request(
        montage=montage,
        user=user,
        revision=payload.revision,
        shapes=[str(s.value) if hasattr(s, "value") else str(s) for s in payload.shapes],
    )
    return [_render_out(r) for r in renders]


@router.get(
    "/montage-renders/{render_id}",
    response=responses({200: RenderOut}),
    summary="A render's status and progress",
)
def montage_render_status(request: HttpRequest, render_id: int) -> dict[str, Any]:
    render = selectors.get_render_for_user(acting_user(request), render_id)
    return _render_out(render)
