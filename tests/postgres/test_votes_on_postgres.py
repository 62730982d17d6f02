"""Votes under real concurrency on PostgreSQL: each thread has its own connection, and they
all try at the same moment. SQLite serialises every write, so only PostgreSQL shows this.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from crowdstudio.community.ranking import Prior
from crowdstudio.lib.errors import Conflict
from crowdstudio.voting import selectors, services
from crowdstudio.voting.models import Ballot, RoundStats, RoundVoter, Tally, Vote
from tests.postgres.concurrency import THREADS, all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voting_round(open_campaign):
    def make(scheme: str, budget: int | None = None):
        rnd = open_campaign.rounds.get(number=1)
        rnd.voting_scheme = scheme
        rnd.vote_budget = budget
        rnd.save()
        return rnd

    return make


def test_the_same_vote_sent_concurrently_counts_once(voting_round, approved_entry, make_user):
    rnd = voting_round("upvote")
    entry = approved_entry(make_user("maker"), title="Harbour")
    fan = make_user("fan", date_joined=timezone.now() - timedelta(days=5))

    results = all_at_once(lambda i: services.vote_cast(round=rnd, entry=entry, user=fan))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.recorded for r in results) == 1
    assert Vote.objects.count() == 1 and Ballot.objects.count() == 1
    tally = Tally.objects.get()
    assert (tally.raw_count, tally.counted_count, tally.score) == (1, 1, 1.0)
    assert RoundVoter.objects.get().used == 1


def test_concurrent_star_changes_leave_a_consistent_tally(voting_round, approved_entry, make_user):
    rnd = voting_round("stars")
    entry = approved_entry(make_user("maker"), title="Harbour")
    fan = make_user("fan")

    results = all_at_once(
        lambda i: services.vote_cast(round=rnd, entry=entry, user=fan, value=1 + i % 5)
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    ballot = Ballot.objects.get()
    tally = Tally.objects.get()
    assert (tally.raw_count, tally.raw_sum) == (1, ballot.value)
    assert Vote.objects.order_by("-id").first().value == ballot.value


def test_concurrent_budget_votes_never_exceed_the_budget(voting_round, approved_entry, make_user):
    rnd = voting_round("budget", budget=3)
    entries = [approved_entry(make_user(f"maker{i}"), title=f"E{i}") for i in range(THREADS)]
    fan = make_user("fan")

    results = all_at_once(
        lambda i: services.vote_cast(round=rnd, entry=entries[i], user=fan, value=1)
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, Conflict) and r.code == "budget_exhausted" for r in refused), results
    assert len(refused) == THREADS - 3
    voter = RoundVoter.objects.get()
    assert (voter.used, voter.counted) == (3, 3)
    assert Vote.objects.count() == 3
    assert sum(Tally.objects.values_list("counted_sum", flat=True)) == 3
    assert not Ballot.objects.filter(value=0).exists()
    assert sum(selectors.audience_scores(rnd).values()) > 0


def test_many_voters_at_once_on_one_entry_are_all_counted(voting_round, approved_entry, make_user):
    rnd = voting_round("upvote")
    entry = approved_entry(make_user("maker"), title="Harbour")
    fans = [make_user(f"fan{i}") for i in range(THREADS)]

    results = all_at_once(lambda i: services.vote_cast(round=rnd, entry=entry, user=fans[i]))

    assert all(r.recorded for r in results), results
    tally = Tally.objects.get()
    assert (tally.raw_count, tally.counted_count) == (THREADS, THREADS)
    assert services.tally_rebuild(rnd) == services.RebuildReport(0, 0, 0)


def test_one_persons_first_votes_at_once_make_one_voter_row(
    voting_round, approved_entry, make_user
):
    rnd = voting_round("upvote")
    entries = [approved_entry(make_user(f"maker{i}"), title=f"E{i}") for i in range(THREADS)]
    fan = make_user("fan")

    results = all_at_once(lambda i: services.vote_cast(round=rnd, entry=entries[i], user=fan))

    assert all(r.recorded for r in results), results
    voter = RoundVoter.objects.get()
    assert (voter.budget, voter.used, voter.counted) == (None, THREADS, THREADS)
    assert Ballot.objects.count() == Vote.objects.count() == Tally.objects.count() == THREADS


def test_the_vote_paths_sql_stores_what_the_orm_would(voting_round, approved_entry, make_user):
    rnd = voting_round("stars")
    RoundStats.objects.create(round=rnd, prior_mean=3.5, prior_weight=2.0)
    entry = approved_entry(make_user("maker"), title="Harbour")
    fans = [make_user(f"fan{i}") for i in range(2)]
    now = timezone.now().replace(microsecond=123456)

    services.vote_cast(round=rnd, entry=entry, user=fans[0], value=2, now=now)
    services.vote_cast(round=rnd, entry=entry, user=fans[1], value=5, now=now)
    services.vote_cast(round=rnd, entry=entry, user=fans[0], value=4, now=now)

    tally = Tally.objects.get()
    assert (tally.counted_count, tally.counted_sum) == (2, 9)
    assert tally.score == pytest.approx(services.rank_key("stars", 9, 2, Prior(3.5, 2.0)))
    assert Ballot.objects.filter(created_at=now, discount_reason="").count() == 2
    assert RoundVoter.objects.filter(first_vote_at=now).count() == 2
