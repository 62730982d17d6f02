"""Who may open which social page and call which social API route (one status per persona).

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: the open campaign has one Mastodon source with a stored token and one imported post.
Viewing sources and posts needs Capability.VIEW_BACKOFFICE (the whole team); connecting,
editing, polling, pausing and resuming need Capability.EDIT_CAMPAIGN (owner and producer). The
campaign is public, so people outside the team get 403, not 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from crowdstudio.social import services
from crowdstudio.social.models import HashtagSource, ImportedPost, PostOutcome
from tests.permissions import (
    LOGIN,
    PERSONAS,
    ApiRow,
    WebRow,
    check_api_row,
    check_web_row,
    client_as,
)
from tests.social.conftest import NOW


@dataclass
class World:
    slug: str
    source_id: int


def _campaign(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


def _source(w: World) -> dict[str, Any]:
    return {"slug": w.slug, "pk": w.source_id}


CONNECT_FORM = {
    "network": "mastodon",
    "hashtag": "#nightsky",
    "instance": "https://example.social",
    "account": "",
    "secret": "",
    "since": "",
    "poll_minutes": "15",
}
EDIT_FORM = {"account": "", "secret": "", "poll_minutes": "45"}

#                         anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "social_sources": WebRow("get", _campaign, (LOGIN, 403, 200, 200, 200, 200, 403)),
    "social_source_connect": WebRow(
        "post", _campaign, (LOGIN, 403, 403, 403, 302, 302, 403), body=lambda w: CONNECT_FORM
    ),
    "social_posts": WebRow("get", _campaign, (LOGIN, 403, 200, 200, 200, 200, 403)),
    "social_source_edit": WebRow(
        "post", _source, (LOGIN, 403, 403, 403, 302, 302, 403), body=lambda w: EDIT_FORM
    ),
    "social_source_poll": WebRow("post", _source, (LOGIN, 403, 403, 403, 302, 302, 403)),
    "social_source_pause": WebRow("post", _source, (LOGIN, 403, 403, 403, 302, 302, 403)),
    "social_source_resume": WebRow("post", _source, (LOGIN, 403, 403, 403, 302, 302, 403)),
}

#                                       anon entrant judge mod prod owner outsider
API_ROWS: dict[str, ApiRow] = {
    "social_sources_list": ApiRow(
        "get", lambda w: f"/campaigns/{w.slug}/social/sources", (401, 403, 200, 200, 200, 200, 403)
    ),
    "social_source_create": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.slug}/social/sources",
        (401, 403, 403, 403, 201, 201, 403),
        body=lambda w: {
            "network": "mastodon",
            "hashtag": "nightsky",
            "instance": "https://example.social",
        },
    ),
    "social_posts_list": ApiRow(
        "get", lambda w: f"/campaigns/{w.slug}/social/posts", (401, 403, 200, 200, 200, 200, 403)
    ),
}


@pytest.fixture
def world(personas, open_campaign) -> World:
    source = services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="mastodon",
        hashtag="summernights",
        instance="https://example.social",
        secret="tok",
        now=NOW,
    )
    # Paused, so the resume row has something to do; the poll and pause rows make it active.
    HashtagSource.objects.filter(pk=source.pk).update(status="paused")
    ImportedPost.objects.create(
        source=source,
        campaign=open_campaign,
        network="mastodon",
        post_id="1",
        url="https://example.social/@fan/1",
        text="words only",
        created_at=NOW,
        outcome=PostOutcome.SKIPPED,
        skip_reason="no_media",
        imported_at=NOW,
    )
    return World(slug=open_campaign.slug, source_id=source.pk)


def _sources() -> list[tuple[Any, ...]]:
    return list(
        HashtagSource.objects.values_list("id", "status", "queued_at", "poll_interval_seconds")
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    row = WEB_ROWS[name]
    if name in ("social_source_poll", "social_source_pause"):
        HashtagSource.objects.filter(pk=world.source_id).update(status="active")
    check_web_row(name, row, world, personas, persona, logs_writes=True, unchanged=_sources)


@pytest.mark.parametrize(
    "name",
    sorted(n for n, r in WEB_ROWS.items() if r.method == "post" and n != "social_source_edit"),
)
def test_write_views_refuse_get(name, world, personas):
    url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
    assert client_as(personas, "owner").get(url).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona, unchanged=_sources)
