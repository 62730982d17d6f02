"""Who may open which judging page and call which judging API route (one status per persona).

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: round 1 of the open campaign is open, with jules (judge) and peter (producer) on its
jury and a rubric; round 2 closed in the past with its results published. erin has an entry in
each; a fan has one in round 1. alice (owner) manages results but sits on no jury, so judge pages
are 404 for her: a judge's page exists only for the jury.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdstudio.campaigns.models import Prize, Round
from crowdstudio.judging import services
from crowdstudio.judging.models import Criterion
from tests.permissions import (
    LOGIN,
    PERSONAS,
    ApiRow,
    WebRow,
    check_api_row,
    check_web_row,
    client_as,
)


@dataclass
class World:
    slug: str
    open_round: Round
    past_round: Round
    erin_past_entry: int
    fan_entry: int
    criterion: int
    past_prize: int
    peter: int


def _r1(w: World) -> dict[str, Any]:
    return {"slug": w.slug, "number": 1}


def _r2(w: World) -> dict[str, Any]:
    return {"slug": w.slug, "number": 2}


STAFF_GET = (LOGIN, 403, 403, 403, 200, 200, 403)
STAFF_POST = (LOGIN, 403, 403, 403, 302, 302, 403)
#: Pages of the jury: jules and peter sit on it; everyone else finds no such round.
JUROR_GET = (LOGIN, 404, 200, 404, 200, 404, 404)
JUROR_POST = (LOGIN, 404, 302, 404, 302, 404, 404)

#                    anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "judging_overview": WebRow("get", lambda w: {"slug": w.slug}, STAFF_GET),
    "round_contest": WebRow(
        "post",
        _r1,
        STAFF_POST,
        body=lambda w: {
            "voting_scheme": "upvote",
            "normalisation": "robust",
            "jury_weight": "70",
            "results_scale": "linear",
            "tie_break_1": "jury",
            "tie_break_2": "audience",
            "tie_break_3": "submitted",
        },
    ),
    "jury": WebRow("get", _r1, STAFF_GET),
    "jury_member_remove": WebRow("post", lambda w: {**_r1(w), "user_id": w.peter}, STAFF_POST),
    "rubric": WebRow(
        "post",
        _r1,
        STAFF_POST,
        body=lambda w: {"name": "Sound", "weight": "1", "scale_min": "1", "scale_max": "5"},
    ),
    "criterion_edit": WebRow("get", lambda w: {**_r1(w), "pk": w.criterion}, STAFF_GET),
    "criterion_remove": WebRow("post", lambda w: {**_r1(w), "pk": w.criterion}, STAFF_POST),
    "results_manage": WebRow("get", _r2, STAFF_GET),
    "results_compute": WebRow("post", _r1, STAFF_POST),
    "results_publish": WebRow("post", _r2, STAFF_POST),
    "winner_confirm": WebRow(
        "post",
        lambda w: {**_r2(w), "prize_id": w.past_prize},
        STAFF_POST,
        body=lambda w: {"entry": w.erin_past_entry},
    ),
    # Published results are public; the entrant's own scores are the author's alone.
    "round_results": WebRow("get", _r2, (200, 200, 200, 200, 200, 200, 200)),
    "my_scores": WebRow(
        "get", lambda w: {"pk": w.erin_past_entry}, (LOGIN, 200, 404, 404, 404, 404, 404)
    ),
    "my_judging": WebRow("get", lambda w: {}, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "judge_round": WebRow("get", lambda w: {"round_id": w.open_round.pk}, JUROR_GET),
    "conflict_declare": WebRow(
        "post",
        lambda w: {"round_id": w.open_round.pk},
        JUROR_POST,
        body=lambda w: {"entry": w.fan_entry, "reason": "My neighbour"},
    ),
    "scorecard": WebRow(
        "get", lambda w: {"round_id": w.open_round.pk, "entry_id": w.fan_entry}, JUROR_GET
    ),
}


def _scorecard_body(w: World) -> dict[str, Any]:
    criteria = Criterion.objects.filter(round=w.open_round)
    return {
        "entry_id": w.fan_entry,
        "scores": [{"criterion_id": c.pk, "value": 5} for c in criteria],
        "submit": True,
    }


API_ROWS: dict[str, ApiRow] = {
    "judging_assignments": ApiRow(
        "get", lambda w: "/judging/assignments", (401, 200, 200, 200, 200, 200, 200)
    ),
    "scorecard_save": ApiRow(
        "post",
        lambda w: f"/rounds/{w.open_round.pk}/scorecards",
        (401, 404, 200, 404, 200, 404, 404),
        body=_scorecard_body,
    ),
    "round_results_public": ApiRow(
        "get", lambda w: f"/rounds/{w.past_round.pk}/results", (200, 200, 200, 200, 200, 200, 200)
    ),
}


@pytest.fixture
def world(jury_round, personas, approved_entry, make_user, score, monkeypatch) -> World:
    # The awards app confirms winners; here only who may ask matters.
    monkeypatch.setattr(
        "crowdstudio.awards.services.award_confirm", lambda *, prize, entry, user, now=None: None
    )
    owner = personas["owner"]
    now = timezone.now()
    past = Round.objects.create(
        campaign=jury_round.campaign,
        number=2,
        title="Heats",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=10),
    )
    past.campaign = jury_round.campaign
    prize = Prize.objects.create(round=past, rank=1, title="Heat winner", kind="cash")
    services.jury_member_add(round=past, user=owner, member=personas["judge"])
    services.criterion_add(round=past, user=owner, name="Overall", weight=Decimal("1"))
    erin_past = approved_entry(personas["entrant"], title="Erin's heat", round=past)
    score(personas["judge"], erin_past, 8, rnd=past, comment="Well done")
    services.results_compute(round=past)
    services.results_publish(round=past, user=owner)
    approved_entry(personas["entrant"], title="Erin's night")
    fan = approved_entry(make_user("fan1"), title="Fan's night")
    return World(
        slug=jury_round.campaign.slug,
        open_round=jury_round,
        past_round=past,
        erin_past_entry=erin_past.pk,
        fan_entry=fan.pk,
        criterion=Criterion.objects.filter(round=jury_round).first().pk,
        past_prize=prize.pk,
        peter=personas["producer"].pk,
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    check_web_row(name, WEB_ROWS[name], world, personas, persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona)


@pytest.mark.parametrize(
    "name",
    [
        "jury_member_remove",
        "criterion_remove",
        "results_compute",
        "results_publish",
        "winner_confirm",
        "conflict_declare",
    ],
)
def test_post_only_pages_refuse_get(name, world, personas):
    row = WEB_ROWS[name]
    client = client_as(personas, "producer")
    assert client.get(reverse(name, kwargs=row.kwargs(world))).status_code == 405


def test_every_api_row_names_a_real_route():
    from crowdstudio.api.urls import api

    patterns, _app, _namespace = api.urls
    names = {p.name for p in patterns}
    assert set(API_ROWS) <= names
