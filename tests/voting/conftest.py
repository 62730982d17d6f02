"""Fixtures for the voting tests: a round with an audience vote, entries, and fans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate-limit counters live in the (process-local) cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voting_round(open_campaign) -> Callable[..., Any]:
    """voting_round("stars", budget=None): the open campaign's round with that scheme."""

    def make(scheme: str = "upvote", budget: int | None = None, **fields: Any) -> Any:
        rnd = open_campaign.rounds.get(number=1)
        rnd.voting_scheme = scheme
        rnd.vote_budget = budget
        for name, value in fields.items():
            setattr(rnd, name, value)
        rnd.save()
        return rnd

    return make


@pytest.fixture
def fans(make_user) -> list[Any]:
    """Six members of the crowd, with accounts a month old."""
    joined = timezone.now() - timedelta(days=30)
    return [make_user(f"fan{i}", date_joined=joined) for i in range(6)]


@pytest.fixture
def entries(approved_entry, personas, make_user) -> list[Any]:
    """Three approved entries by three different entrants (erin and two others)."""
    joined = timezone.now() - timedelta(days=30)
    authors = [
        personas["entrant"],
        make_user("maker1", date_joined=joined),
        make_user("maker2", date_joined=joined),
    ]
    return [approved_entry(author, title=f"Entry {i}") for i, author in enumerate(authors)]
