"""Who may open which voting page and call which voting API route, one expected status per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.voting import services
from crowdstudio.voting.models import Ballot, Vote

PERSONAS = ("anonymous", "entrant", "judge", "moderator", "producer", "owner", "outsider")
LOGIN = "login"


@dataclass
class World:
    slug: str
    draft_slug: str
    round_id: int
    entry_id: int
    ballot_id: int


@dataclass
class Row:
    method: str
    kwargs: Callable[[World], dict[str, Any]]
    expected: tuple[int | str, ...]  # in the order of PERSONAS
    body: Callable[[World], dict[str, Any]] | None = field(default=None)


def _round(w: World) -> dict[str, Any]:
    return {"slug": w.slug, "number": 1}


#                      anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, Row] = {
    # Anyone signed in except the organising team; erin and oscar are members of the crowd here.
    "vote_submit": Row(
        "post",
        lambda w: {"pk": w.entry_id},
        (LOGIN, 302, 403, 403, 403, 403, 302),
        body=lambda w: {"round": w.round_id, "action": "vote"},
    ),
    "round_leaderboard": Row("get", _round, (200, 200, 200, 200, 200, 200, 200)),
    "vote_integrity": Row("get", _round, (LOGIN, 403, 403, 200, 200, 200, 403)),
    "vote_discount": Row(
        "post",
        lambda w: {**_round(w), "ballot_id": w.ballot_id},
        (LOGIN, 403, 403, 302, 302, 302, 403),
        body=lambda w: {"action": "discount", "reason": "Shared network with 40 accounts"},
    ),
    "vote_scan": Row("post", _round, (LOGIN, 403, 403, 302, 302, 302, 403)),
    "how_ranking_works": Row("get", lambda w: {}, (200, 200, 200, 200, 200, 200, 200)),
}

API_ROWS: dict[str, Row] = {
    "vote_cast": Row(
        "post",
        lambda w: {"round_id": w.round_id},
        (401, 201, 403, 403, 403, 403, 201),
        body=lambda w: {"entry_id": w.entry_id},
    ),
    "vote_withdraw": Row(
        "delete",
        lambda w: {"round_id": w.round_id, "entry_id": w.entry_id},
        (401, 200, 403, 403, 403, 403, 200),
    ),
    "round_leaderboard": Row(
        "get", lambda w: {"round_id": w.round_id}, (200, 200, 200, 200, 200, 200, 200)
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


def _client(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    row = WEB_ROWS[name]
    url = reverse(name, kwargs=row.kwargs(world))
    client = _client(personas, persona)
    votes_before, events_before = Vote.objects.count(), AuditEvent.objects.count()
    if row.method == "post":
        response = client.post(url, row.body(world) if row.body else {})
    else:
        response = client.get(url)
    expected = row.expected[PERSONAS.index(persona)]
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:2000]
    if expected == LOGIN or (isinstance(expected, int) and expected >= 400):
        # A refused request changes nothing.
        assert Vote.objects.count() == votes_before
        assert AuditEvent.objects.count() == events_before
        assert Ballot.objects.filter(discounted_at__isnull=False).count() == 0


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    row = API_ROWS[name]
    url = reverse(f"api:{name}", kwargs=row.kwargs(world))
    client = _client(personas, persona)
    votes_before = Vote.objects.count()
    body = json.dumps(row.body(world)) if row.body else ""
    response = getattr(client, row.method)(url, body, content_type="application/json")
    expected = row.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, response.content[:2000]
    if expected >= 400:
        assert Vote.objects.count() == votes_before
        assert set(response.json()) >= {"message", "code"}


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
    client = _client(personas, persona)
    web = client.get(
        reverse("round_leaderboard", kwargs={"slug": draft_campaign.slug, "number": 1})
    )
    api = client.get(reverse("api:round_leaderboard", kwargs={"round_id": rnd.pk}))
    team = persona in {"judge", "moderator", "producer", "owner"}
    assert web.status_code == (200 if team else 404)
    assert api.status_code == (200 if team else 404)


def test_single_method_views_refuse_the_other_method(world, personas):
    client = _client(personas, "owner")
    for name in ("vote_discount", "vote_scan", "vote_submit"):
        url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
        assert client.get(url).status_code == 405
