"""The entry page's vote panel shows the entry's counted figures, as the leaderboard does."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crowdstudio.voting import services
from crowdstudio.voting.models import Ballot


def _panel(entry, user=None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("entry", args=[entry.pk])).content.decode()


def test_the_panel_counts_up_votes_and_leaves_out_a_discounted_one(
    voting_round, entries, fans, personas
):
    rnd = voting_round("upvote")
    entry = entries[0]
    assert "0 up-votes so far" in _panel(entry)
    for fan in fans[:3]:
        services.vote_cast(round=rnd, entry=entry, user=fan)
    assert "3 up-votes so far" in _panel(entry)

    ballot = Ballot.objects.get(voter=fans[0], entry=entry)
    services.ballot_discount(ballot=ballot, user=personas["moderator"], reason="Test account")
    assert "2 up-votes so far" in _panel(entry, fans[4])


def test_the_panel_shows_the_average_of_star_scores(voting_round, entries, fans):
    rnd = voting_round("stars")
    entry = entries[1]
    assert "No scores yet." in _panel(entry)
    for fan, stars in zip(fans, (5, 4, 4), strict=False):
        services.vote_cast(round=rnd, entry=entry, user=fan, value=stars)
    assert "4.3 of 5 from 3 scores" in _panel(entry)


@pytest.mark.parametrize("given, expected", [(2, "2 votes so far"), (1, "1 vote so far")])
def test_the_panel_counts_budget_votes(voting_round, entries, fans, given, expected):
    rnd = voting_round("budget", budget=3)
    services.vote_cast(round=rnd, entry=entries[2], user=fans[0], value=given)
    assert expected in _panel(entries[2])
