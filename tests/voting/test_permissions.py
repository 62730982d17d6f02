"""Who may open which voting page and call which voting API route, one expected status per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.voting import services
from crowdstudio.voting.models import Ballot, Vote
from tests.permissions import (
    LOGIN,
    PERSONAS,
    ApiRow,
    WebRow,
    check_api_row,
    check_web_row,
    client_as,
    expected_for,
    is_refusal,
)


@dataclass
class World:
    slug: str
    draft_slug: str
    round_id: int
    entry_id: int
    ballot_id: int


def _round(w: World) -> dict[str, Any]:
    return {"slug": w.slug, "number": 1}


def _api(name: str, **kwargs: Any) -> str:
    """The route's path under /api, found by its name."""
    return reverse(f"api:{name}", kwargs=kwargs).removeprefix("/api")


#                      anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    # Anyone signed in except the organising team; erin and oscar are members of the crowd here.
    "vote_submit": WebRow(
        "post",
        lambda w: {"pk": w.entry_id},
        (LOGIN, 302, 403, 403, 403, 403, 302),
        body=lambda w: {"round": w.round_id, "action": "vote"},
    ),
    "round_leaderboard": WebRow("get", _round, (200, 200, 200, 200, 200, 200, 200)),
    "vote_integrity": WebRow("get", _round, (LOGIN, 403, 403, 200, 200, 200, 403)),
    "vote_discount": WebRow(
        "post",
        lambda w: {**_round(w), "ballot_id": w.ballot_id},
        (LOGIN, 403, 403, 302, 302, 302, 403),
        body=lambda w: {"action": "discount", "reason": "Shared network with 40 accounts"},
    ),
    "vote_scan": WebRow("post", _round, (LOGIN, 403, 403, 302, 302, 302, 403)),
    "how_ranking_works": WebRow("get", lambda w: {}, (200, 200, 200, 200, 200, 200, 200)),
}

API_ROWS: dict[str, ApiRow] = {
    "vote_cast": ApiRow(
        "post",
        lambda w: _api("vote_cast", round_id=w.round_id),
        (401, 201, 403, 403, 403, 403, 201),
        body=lambda w: {"entry_id": w.entry_id},
    ),
    "vote_withdraw": ApiRow(
        "delete",
        lambda w: _api("vote_withdraw", round_id=w.round_id, entry_id=w.entry_id),
        (401, 200, 403, 403, 403, 403, 200),
    ),
    "round_leaderboard": ApiRow(
        "get",
        lambda w: _api("round_leaderboard", round_id=w.round_id),
        (200, 200, 200, 200, 200, 200, 200),
    ),
}


@pytest.fixture
def world(voting_round, approved_entry, make_user, draft_campaign) -> World:
    rnd = voting_round("upvote")
    maker = make_user("maker", date_joined=timezone.now() - timedelta(days=9))
    entry = approved_entry(maker, title="Harbour lights")
    fan = make_user("fan", date_joined=timezone.now() - timedelta(days=9))
    result = services.vote_cast(round=rnd, entry=entry, user=fan)
    return World(
        slug=rnd.campaign.slug,
        draft_slug=draft_campaign.slug,
        round_id=rnd.pk,
        entry_id=entry.pk,
        ballot_id=result.ballot.pk,
    )


def _votes_and_events() -> tuple[int, int]:
    return Vote.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    row = WEB_ROWS[name]
    check_web_row(name, row, world, personas, persona, unchanged=_votes_and_events)
    if is_refusal(expected_for(row, persona)):
        assert not Ballot.objects.filter(discounted_at__isnull=False).exists()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona, unchanged=Vote.objects.count)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_campaigns_leaderboard_exists_only_for_its_team(persona, personas, draft_campaign):
    from crowdstudio.campaigns.services import round_add

    now = timezone.now()
    rnd = round_add(
        campaign=draft_campaign,
        user=personas["owner"],
        title="Round 1",
        opens_at=now,
        closes_at=now + timedelta(days=3),
    )
    client = client_as(personas, persona)
    web = client.get(
        reverse("round_leaderboard", kwargs={"slug": draft_campaign.slug, "number": 1})
    )
    api = client.get(reverse("api:round_leaderboard", kwargs={"round_id": rnd.pk}))
    team = persona in {"judge", "moderator", "producer", "owner"}
    assert web.status_code == (200 if team else 404)
    assert api.status_code == (200 if team else 404)


def test_single_method_views_refuse_the_other_method(world, personas):
    client = client_as(personas, "owner")
    for name in ("vote_discount", "vote_scan", "vote_submit"):
        url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
        assert client.get(url).status_code == 405
