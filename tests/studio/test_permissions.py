"""Who may open which studio page and call which studio API route, one expected status per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: the open (public) campaign has a track, three photos and a planned montage with one
finished render. Directors are the people who may edit the campaign (owner, producer); the rest
of the organisation and the crowd get 403, since the campaign itself is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from crowdstudio.studio.models import Montage, MontageRender
from tests.permissions import (
    LOGIN,
    PERSONAS,
    ApiRow,
    WebRow,
    check_api_row,
    check_web_row,
    client_as,
)
from tests.studio.test_director_world import (  # noqa: F401
    done_render,
    ready_montage,
    studio_fixture,
    tiny_sizes_fixture,
)


@dataclass
class World:
    slug: str
    track_id: int
    montage_id: int
    revision: int
    render_id: int


def _campaign(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


def _montage(w: World) -> dict[str, Any]:
    return {"pk": w.montage_id}


def _render(w: World) -> dict[str, Any]:
    return {"pk": w.render_id}


DIRECTORS = (LOGIN, 403, 403, 403, 200, 200, 403)
DIRECTORS_POST = (LOGIN, 403, 403, 403, 302, 302, 403)

#                       anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "director": WebRow("get", _campaign, DIRECTORS),
    "director_create": WebRow(
        "post",
        _campaign,
        DIRECTORS_POST,
        body=lambda w: {"title": "Another cut", "track": w.track_id, "seed": 2, "fps": 25},
    ),
    "director_montage": WebRow("get", _montage, DIRECTORS),
    "director_montage_status": WebRow("get", _montage, DIRECTORS),
    "director_edit": WebRow(
        "post",
        _montage,
        DIRECTORS_POST,
        body=lambda w: {"revision": w.revision, "action": "pin", "slot": 0},
    ),
    "director_replan": WebRow(
        "post", _montage, DIRECTORS_POST, body=lambda w: {"revision": w.revision, "seed": 7}
    ),
    "director_render": WebRow(
        "post",
        _montage,
        DIRECTORS_POST,
        body=lambda w: {"revision": w.revision, "shapes": ["square"]},
    ),
    "director_render_status": WebRow("get", _render, DIRECTORS),
    "director_render_download": WebRow("get", _render, DIRECTORS),
    "director_render_preview": WebRow("get", _render, DIRECTORS),
}

API_DIRECTORS = (401, 403, 403, 403, 200, 200, 403)

#                                       anon entrant judge mod prod owner outsider
API_ROWS: dict[str, ApiRow] = {
    "montage_list": ApiRow("get", lambda w: f"/campaigns/{w.slug}/montages", API_DIRECTORS),
    "montage_detail": ApiRow("get", lambda w: f"/montages/{w.montage_id}", API_DIRECTORS),
    "montage_render_start": ApiRow(
        "post",
        lambda w: f"/montages/{w.montage_id}/renders",
        API_DIRECTORS,
        body=lambda w: {"revision": w.revision, "shapes": ["vertical"]},
    ),
    "montage_render_status": ApiRow(
        "get", lambda w: f"/montage-renders/{w.render_id}", API_DIRECTORS
    ),
}


@pytest.fixture
def world(studio, personas) -> World:
    montage = ready_montage(studio, personas["producer"])
    render = done_render(montage, personas["producer"])
    return World(
        slug=studio.campaign.slug,
        track_id=studio.track.pk,
        montage_id=montage.pk,
        revision=montage.plan_revision,
        render_id=render.pk,
    )


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Montage.objects.values_list("plan_revision", "seed", "pinned_assets")),
        MontageRender.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    response = check_web_row(
        name, WEB_ROWS[name], world, personas, persona, logs_writes=True, unchanged=_snapshot
    )
    response.close()  # a video is streamed: close the file the row did not read


@pytest.mark.parametrize("name", sorted(n for n, r in WEB_ROWS.items() if r.method == "post"))
def test_write_views_refuse_get(name, world, personas):
    url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
    assert client_as(personas, "owner").get(url).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona, unchanged=_snapshot)


def test_a_draft_campaigns_director_page_is_hidden_from_outsiders(draft_campaign, personas):
    url = reverse("director", kwargs={"slug": draft_campaign.slug})
    assert client_as(personas, "outsider").get(url).status_code == 404
    assert client_as(personas, "producer").get(url).status_code == 200
