from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crowdstudio.voting import services
from crowdstudio.voting.models import Ballot, Tally, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def round_with(open_campaign):
    def make(scheme: str, budget: int | None = None, **fields):
        rnd = open_campaign.rounds.get(number=1)
        rnd.voting_scheme = scheme
        rnd.vote_budget = budget
        for name, value in fields.items():
            setattr(rnd, name, value)
        rnd.save()
        return rnd

    return make


@pytest.fixture
def field(approved_entry, make_user):
    joined = timezone.now() - timedelta(days=30)
    return [
        approved_entry(make_user(f"maker{i}", date_joined=joined), title=f"Entry {i}")
        for i in range(3)
    ]


def test_a_vote_is_201_and_its_repeat_is_200_and_counts_once(api_as, round_with, field):
    rnd = round_with("upvote")
    api = api_as("entrant")
    first = api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk})
    again = api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == {
        "round_id": rnd.pk,
        "entry_id": field[0].pk,
        "value": 1,
        "recorded": True,
        "votes_left": None,
    }
    assert again.json()["recorded"] is False
    assert Vote.objects.count() == 1


def test_a_script_votes_with_a_bearer_token(round_with, field, personas, make_token):
    rnd = round_with("stars")
    token = make_token(personas["entrant"])
    response = Client().post(
        f"/api/rounds/{rnd.pk}/votes",
        {"entry_id": field[1].pk, "value": 4},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert Tally.objects.get(entry=field[1]).counted_sum == 4


def test_a_scripts_vote_takes_ten_statements_and_leaves_a_fresh_token_alone(
    round_with, field, personas, make_token, make_user
):
    rnd = round_with("upvote")
    token = make_token(personas["entrant"])
    # The entry's first vote ever also creates its tally row; this one is not the first.
    services.vote_cast(round=rnd, entry=field[1], user=make_user("early"))

    def vote(entry):
        return Client().post(
            f"/api/rounds/{rnd.pk}/votes",
            {"entry_id": entry.pk},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert vote(field[0]).status_code == 201  # the token's first use records its time
    with CaptureQueriesContext(connection) as queries:
        assert vote(field[1]).status_code == 201
    statements = [query["sql"] for query in queries.captured_queries]
    # Token, round, entry, role; then one transaction: ballot, voter row, vote event, tally.
    assert len(statements) <= 10, "\n".join(statements)
    assert not [sql for sql in statements if sql.startswith('UPDATE "accounts_apitoken"')]
    # One savepoint: the vote's transaction itself, nested in the test's.
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1


def test_a_star_score_can_be_changed_and_withdrawn(api_as, round_with, field):
    rnd = round_with("stars")
    api = api_as("entrant")
    assert (
        api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk, "value": 2}).status_code
        == 201
    )
    changed = api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk, "value": 5})
    assert changed.status_code == 201 and changed.json()["value"] == 5
    withdrawn = api.client.delete(f"/api/rounds/{rnd.pk}/votes/{field[0].pk}")
    assert withdrawn.status_code == 200 and withdrawn.json()["value"] == 0
    t = Tally.objects.get(entry=field[0])
    assert (t.raw_count, t.counted_sum) == (0, 0)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"entry_id": 1, "value": 0}, 422, "invalid"),
        ({"value": 3}, 422, "invalid"),
        ({"entry_id": "x"}, 422, "invalid"),
        ({"entry_id": 999999, "value": 3}, 404, "not_found"),
        ({"entry_id": None, "value": 6}, 422, "invalid"),
    ],
)
def test_bad_input_is_a_clear_error(api_as, round_with, field, body, status, code):
    rnd = round_with("stars")
    response = api_as("entrant").post(f"/rounds/{rnd.pk}/votes", body)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_a_star_value_out_of_range_is_400(api_as, round_with, field):
    rnd = round_with("stars")
    response = api_as("entrant").post(
        f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk, "value": 6}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_value"


def test_voting_outside_the_window_is_409(api_as, round_with, field):
    rnd = round_with("upvote", voting_closes_at=timezone.now() - timedelta(hours=1))
    response = api_as("entrant").post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk})
    assert response.status_code == 409
    assert response.json()["code"] == "voting_closed"


def test_a_spent_budget_is_409(api_as, round_with, field):
    rnd = round_with("budget", budget=2)
    api = api_as("entrant")
    ok = api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[0].pk, "value": 2})
    assert ok.json()["votes_left"] == 0
    refused = api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[1].pk})
    assert refused.status_code == 409 and refused.json()["code"] == "budget_exhausted"


def test_too_many_votes_are_429_and_count_nothing(api_as, round_with, field, settings):
    settings.CROWDSTUDIO_VOTE_RATE_ACCOUNT = (2, 3600)
    rnd = round_with("upvote")
    api = api_as("entrant")
    for entry in field[:2]:
        assert api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": entry.pk}).status_code == 201
    refused = api.post(f"/rounds/{rnd.pk}/votes", {"entry_id": field[2].pk})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert not Ballot.objects.filter(entry=field[2]).exists()


def test_an_unknown_or_draft_round_is_404(api_as, draft_campaign, field):
    api = api_as("entrant")
    assert api.post("/rounds/999999/votes", {"entry_id": field[0].pk}).status_code == 404
    assert api.get("/rounds/999999/leaderboard").status_code == 404


def test_the_leaderboard_is_paginated_and_shows_staff_the_raw_figures(
    api_as, round_with, field, make_user, personas
):
    rnd = round_with("upvote")
    fans = [make_user(f"fan{i}") for i in range(3)]
    for i, entry in enumerate(field):
        for fan in fans[: i + 1]:
            services.vote_cast(round=rnd, entry=entry, user=fan)
    services.ballot_discount(
        ballot=Ballot.objects.filter(entry=field[2]).first(),
        user=personas["moderator"],
        reason="Bot",
    )
    public = api_as("anonymous").get(f"/rounds/{rnd.pk}/leaderboard", page_size=2)
    assert public.status_code == 200
    data = public.json()
    assert data["count"] == 3
    # Two counted votes each: equal scores are ordered by counted votes, then entry number.
    assert [row["entry_id"] for row in data["items"]] == [field[1].pk, field[2].pk]
    assert data["items"][0]["votes"] == 2 and data["items"][0]["raw_votes"] is None
    second = api_as("anonymous").get(f"/rounds/{rnd.pk}/leaderboard", page_size=2, page=2)
    assert [(row["place"], row["entry_id"]) for row in second.json()["items"]] == [(3, field[0].pk)]
    staff = api_as("moderator").get(f"/rounds/{rnd.pk}/leaderboard").json()
    discounted = next(row for row in staff["items"] if row["entry_id"] == field[2].pk)
    assert (discounted["votes"], discounted["raw_votes"], discounted["flags"]) == (2, 3, 0)
    assert (
        api_as("anonymous").get(f"/rounds/{rnd.pk}/leaderboard", page_size=500).status_code == 422
    )
