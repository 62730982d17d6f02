from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.community.ranking import Prior, round_prior, wilson_lower_bound
from crowdstudio.entries.models import EntryStatus
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.voting import selectors, services
from crowdstudio.voting.models import Ballot, RoundStats, RoundVoter, Tally, Vote, VoteKind
from crowdstudio.voting.origin import Origin, network_key

pytestmark = pytest.mark.django_db


def tally(rnd, entry) -> Tally:
    return Tally.objects.get(round=rnd, entry=entry)


def test_an_up_vote_counts_once_and_a_repeat_records_nothing(voting_round, entries, fans):
    rnd = voting_round("upvote")
    first = services.vote_cast(round=rnd, entry=entries[0], user=fans[0])
    again = services.vote_cast(round=rnd, entry=entries[0], user=fans[0])
    assert first.recorded and not again.recorded
    t = tally(rnd, entries[0])
    assert (t.raw_count, t.counted_count, t.counted_sum, t.score) == (1, 1, 1, 1.0)
    assert Vote.objects.count() == 1
    assert Ballot.objects.get().value == 1


def test_it_refuses_a_vote_before_voting_opens_and_after_it_closes(voting_round, entries, fans):
    now = timezone.now()
    rnd = voting_round(
        "upvote", voting_opens_at=now + timedelta(hours=1), voting_closes_at=now + timedelta(days=1)
    )
    with pytest.raises(Conflict) as early:
        services.vote_cast(round=rnd, entry=entries[0], user=fans[0], now=now)
    assert early.value.code == "voting_not_open"
    with pytest.raises(Conflict) as late:
        services.vote_cast(round=rnd, entry=entries[0], user=fans[0], now=now + timedelta(days=2))
    assert late.value.code == "voting_closed"
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], now=now + timedelta(hours=2))
    assert Vote.objects.count() == 1


def test_it_refuses_a_vote_when_the_round_has_no_audience_vote(voting_round, entries, fans):
    rnd = voting_round("none")
    with pytest.raises(Conflict):
        services.vote_cast(round=rnd, entry=entries[0], user=fans[0])
    assert selectors.audience_scores(rnd) == {}


def test_it_refuses_a_vote_for_ones_own_entry(voting_round, entries, personas):
    rnd = voting_round("upvote")
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(round=rnd, entry=entries[0], user=personas["entrant"])
    assert refused.value.code == "own_entry"
    # Erin may vote for the others' entries.
    assert services.vote_cast(round=rnd, entry=entries[1], user=personas["entrant"]).recorded


@pytest.mark.parametrize("persona", ["owner", "producer", "moderator", "judge"])
def test_the_organising_team_may_not_vote(voting_round, entries, personas, persona):
    rnd = voting_round("upvote")
    with pytest.raises(NotAllowed) as refused:
        services.vote_cast(round=rnd, entry=entries[1], user=personas[persona])
    assert refused.value.code == "organiser_cannot_vote"


def test_it_refuses_an_entry_that_is_not_in_the_round(voting_round, entries, fans):
    rnd = voting_round("upvote")
    entries[1].status = EntryStatus.REJECTED
    entries[1].save()
    with pytest.raises(Conflict) as refused:
        services.vote_cast(round=rnd, entry=entries[1], user=fans[0])
    assert refused.value.code == "not_in_round"


def test_stars_need_a_value_between_one_and_five(voting_round, entries, fans):
    rnd = voting_round("stars")
    for bad in (None, 0, 6):
        with pytest.raises(ServiceError) as refused:
            services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=bad)
        assert refused.value.code == "invalid_value"


def test_a_star_score_can_be_changed_and_the_tally_follows(voting_round, entries, fans):
    rnd = voting_round("stars")
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=2)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[1], value=4)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=5)
    t = tally(rnd, entries[0])
    assert (t.raw_count, t.raw_sum, t.counted_count, t.counted_sum) == (2, 9, 2, 9)
    kinds = list(Vote.objects.order_by("id").values_list("kind", "previous", "value"))
    assert kinds == [("cast", 0, 2), ("cast", 0, 4), ("change", 2, 5)]


def test_a_star_vote_keeps_the_bayesian_average_with_the_rounds_prior_as_its_key(
    voting_round, entries, fans
):
    rnd = voting_round("stars")
    RoundStats.objects.create(round=rnd, prior_mean=3.5, prior_weight=2.0)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=2)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[1], value=5)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=4)
    services.vote_withdraw(round=rnd, entry=entries[0], user=fans[1])
    services.vote_cast(round=rnd, entry=entries[0], user=fans[2], value=1)
    t = tally(rnd, entries[0])
    assert (t.counted_count, t.counted_sum) == (2, 5)
    expected = services.rank_key("stars", 5, 2, Prior(mean=3.5, weight=2.0))
    assert t.score == pytest.approx(expected)  # (3.5 × 2 + 5) / (2 + 2) = 3.0
    assert expected == pytest.approx(3.0)


def test_a_vote_stores_its_times_as_the_orm_does(voting_round, entries, fans):
    rnd = voting_round("budget", budget=3)
    now = timezone.now().replace(microsecond=123456)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=2, now=now)
    ballot = Ballot.objects.get(created_at=now, updated_at=now)  # compared as the ORM stores it
    assert (ballot.value, ballot.discount_reason, ballot.discounted_at) == (2, "", None)
    voter = RoundVoter.objects.get(first_vote_at=now)
    assert (voter.budget, voter.used, voter.counted) == (3, 2, 2)
    assert Tally.objects.filter(updated_at__gte=now, updated_at__lte=now).count() == 1
    later = now + timedelta(minutes=1)
    services.vote_cast(round=rnd, entry=entries[1], user=fans[0], value=1, now=later)
    assert RoundVoter.objects.get(first_vote_at=now).used == 3  # the first vote's time stays


def test_an_up_vote_can_be_withdrawn_and_cast_again(voting_round, entries, fans):
    rnd = voting_round("upvote")
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0])
    withdrawn = services.vote_withdraw(round=rnd, entry=entries[0], user=fans[0])
    assert withdrawn.recorded and withdrawn.ballot.value == 0
    assert not services.vote_withdraw(round=rnd, entry=entries[0], user=fans[0]).recorded
    t = tally(rnd, entries[0])
    assert (t.raw_count, t.counted_count, t.score) == (0, 0, 0.0)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0])
    assert tally(rnd, entries[0]).counted_count == 1
    assert list(Vote.objects.order_by("id").values_list("kind", flat=True)) == [
        VoteKind.CAST,
        VoteKind.WITHDRAW,
        VoteKind.CAST,
    ]


def test_a_budget_cannot_be_overspent(voting_round, entries, fans):
    rnd = voting_round("budget", budget=3)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=2)
    result = services.vote_cast(round=rnd, entry=entries[1], user=fans[0], value=1)
    assert result.left == 0
    with pytest.raises(Conflict) as refused:
        services.vote_cast(round=rnd, entry=entries[2], user=fans[0], value=1)
    assert refused.value.code == "budget_exhausted"
    assert not Ballot.objects.filter(entry=entries[2]).exists()  # the refusal undid its ballot
    assert RoundVoter.objects.get(round=rnd, voter=fans[0]).used == 3
    # Taking votes back from one entry frees them for another.
    services.vote_withdraw(round=rnd, entry=entries[0], user=fans[0])
    assert services.vote_cast(round=rnd, entry=entries[2], user=fans[0], value=2).left == 0
    voter = RoundVoter.objects.get(round=rnd, voter=fans[0])
    assert (voter.budget, voter.used, voter.counted) == (3, 3, 3)
    assert not Ballot.objects.filter(entry=entries[2], value=0).exists()


def test_a_budget_vote_larger_than_the_budget_is_invalid(voting_round, entries, fans):
    rnd = voting_round("budget", budget=3)
    with pytest.raises(ServiceError) as refused:
        services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=4)
    assert refused.value.code == "invalid_value"


def test_a_discounted_vote_stops_counting_but_stays_in_the_raw_figures(
    voting_round, entries, fans, personas
):
    rnd = voting_round("upvote")
    for fan in fans[:3]:
        services.vote_cast(round=rnd, entry=entries[0], user=fan)
    ballot = Ballot.objects.get(voter=fans[0])
    with pytest.raises(ServiceError) as no_reason:
        services.ballot_discount(ballot=ballot, user=personas["moderator"], reason=" ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(NotAllowed):
        services.ballot_discount(ballot=ballot, user=personas["judge"], reason="ring")
    services.ballot_discount(ballot=ballot, user=personas["moderator"], reason="Ring member")
    t = tally(rnd, entries[0])
    assert (t.raw_count, t.counted_count) == (3, 2)
    assert selectors.round_denominator(rnd) == 2
    with pytest.raises(Conflict):
        services.ballot_discount(ballot=ballot, user=personas["moderator"], reason="again")
    # A discounted voter changing their mind does not sneak back into the count.
    services.vote_withdraw(round=rnd, entry=entries[0], user=fans[0])
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0])
    assert tally(rnd, entries[0]).counted_count == 2
    services.ballot_restore(ballot=ballot, user=personas["moderator"], reason="False alarm")
    t = tally(rnd, entries[0])
    assert (t.raw_count, t.counted_count) == (3, 3)
    actions = list(
        AuditEvent.objects.filter(action__startswith="vote.").order_by("id").values_list("action")
    )
    assert actions == [("vote.discounted",), ("vote.restored",)]
    assert Vote.objects.filter(voter=fans[0]).count() == 3  # nothing was deleted


def test_audience_scores_are_wilson_bounds_over_the_rounds_voters(voting_round, entries, fans):
    rnd = voting_round("upvote")
    for fan in fans[:4]:
        services.vote_cast(round=rnd, entry=entries[0], user=fan)
    services.vote_cast(round=rnd, entry=entries[1], user=fans[4])
    scores = selectors.audience_scores(rnd)
    assert scores == {
        entries[0].pk: pytest.approx(wilson_lower_bound(4, 5)),
        entries[1].pk: pytest.approx(wilson_lower_bound(1, 5)),
    }


def test_audience_scores_for_a_budget_are_shares_of_the_votes_cast(voting_round, entries, fans):
    rnd = voting_round("budget", budget=5)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=3)
    services.vote_cast(round=rnd, entry=entries[1], user=fans[0], value=1)
    services.vote_cast(round=rnd, entry=entries[1], user=fans[1], value=2)
    scores = selectors.audience_scores(rnd)
    assert scores[entries[0].pk] == pytest.approx(wilson_lower_bound(3, 6))
    assert scores[entries[1].pk] == pytest.approx(wilson_lower_bound(3, 6))


def test_audience_scores_for_stars_use_the_rounds_prior(voting_round, entries, fans):
    rnd = voting_round("stars")
    for fan, value in zip(fans[:4], [5, 4, 4, 3], strict=True):
        services.vote_cast(round=rnd, entry=entries[0], user=fan, value=value)
    services.vote_cast(round=rnd, entry=entries[1], user=fans[4], value=1)
    prior = round_prior([(16.0, 4), (1.0, 1)])
    scores = selectors.audience_scores(rnd)
    assert scores == {
        entries[0].pk: pytest.approx(prior.average(16, 4)),
        entries[1].pk: pytest.approx(prior.average(1, 1)),
    }
    # After a rescore the stored leaderboard key agrees with the exact score.
    services.tally_rescore(rnd)
    assert tally(rnd, entries[0]).score == pytest.approx(scores[entries[0].pk])
    assert [t.entry_id for t in selectors.leaderboard(rnd)] == [entries[0].pk, entries[1].pk]


def test_it_refuses_votes_over_the_account_rate_limit(voting_round, entries, fans, settings):
    settings.CROWDSTUDIO_VOTE_RATE_ACCOUNT = (2, 60)
    rnd = voting_round("stars")
    now = timezone.now().replace(second=0, microsecond=0)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[0], value=3, now=now)
    services.vote_cast(round=rnd, entry=entries[1], user=fans[0], value=3, now=now)
    with pytest.raises(services.RateLimited) as refused:
        services.vote_cast(round=rnd, entry=entries[2], user=fans[0], value=3, now=now)
    assert refused.value.status == 429 and refused.value.retry_after > 0
    assert not Ballot.objects.filter(entry=entries[2]).exists()
    # Someone else is not affected, and the limit passes with time.
    services.vote_cast(round=rnd, entry=entries[2], user=fans[1], value=3, now=now)
    later = now + timedelta(minutes=2)
    services.vote_cast(round=rnd, entry=entries[2], user=fans[0], value=3, now=later)


def test_it_refuses_votes_over_the_network_rate_limit(voting_round, entries, fans, settings):
    settings.CROWDSTUDIO_VOTE_RATE_NETWORK = (3, 60)
    rnd = voting_round("upvote")
    now = timezone.now().replace(second=0, microsecond=0)
    origin = Origin(network_hash="n" * 64)
    for fan in fans[:3]:
        services.vote_cast(round=rnd, entry=entries[0], user=fan, origin=origin, now=now)
    with pytest.raises(services.RateLimited):
        services.vote_cast(round=rnd, entry=entries[0], user=fans[3], origin=origin, now=now)
    assert tally(rnd, entries[0]).raw_count == 3


def test_ipv6_addresses_are_grouped_by_their_64_bit_network():
    assert network_key("2001:db8:1:2::5") == network_key("2001:db8:1:2:ffff::9")
    assert network_key("2001:db8:1:3::5") != network_key("2001:db8:1:2::5")
    assert network_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert network_key("not an address") == ""


def _figures(rnd):
    tallies = {
        t.entry_id: (t.raw_count, t.raw_sum, t.counted_count, t.counted_sum, round(t.score, 9))
        for t in Tally.objects.filter(round=rnd)
    }
    voters = {v.voter_id: (v.used, v.counted) for v in RoundVoter.objects.filter(round=rnd)}
    ballots = dict(Ballot.objects.filter(round=rnd).values_list("pk", "value"))
    return tallies, voters, ballots


@pytest.mark.parametrize(("scheme", "seed"), [("upvote", 1), ("stars", 2), ("budget", 3)])
def test_rebuilding_from_the_events_gives_the_incremental_tallies(
    voting_round, entries, fans, personas, scheme, seed
):
    rnd = voting_round(scheme, budget=4 if scheme == "budget" else None)
    rng = random.Random(seed)
    moderator = personas["moderator"]
    start = timezone.now()
    for step in range(150):
        now = start + timedelta(seconds=step)
        fan, entry = rng.choice(fans), rng.choice(entries)
        action = rng.random()
        try:
            if action < 0.6:
                value = rng.randint(1, 5) if scheme == "stars" else rng.randint(1, 2)
                if scheme == "upvote":
                    value = 1
                services.vote_cast(round=rnd, entry=entry, user=fan, value=value, now=now)
            elif action < 0.8:
                services.vote_withdraw(round=rnd, entry=entry, user=fan, now=now)
            else:
                ballot = Ballot.objects.filter(round=rnd).order_by("?").first()
                if ballot is None:
                    continue
                if ballot.discounted:
                    services.ballot_restore(ballot=ballot, user=moderator, reason="ok", now=now)
                else:
                    services.ballot_discount(ballot=ballot, user=moderator, reason="x", now=now)
        except Conflict as refused:
            assert refused.code == "budget_exhausted"
    services.tally_rescore(rnd)
    incremental = _figures(rnd)
    assert Tally.objects.filter(round=rnd, counted_count__lt=0).count() == 0
    Tally.objects.filter(round=rnd).update(raw_count=0, counted_sum=0, score=-1)
    report = services.tally_rebuild(rnd)
    assert report.tallies_fixed > 0 and report.ballots_fixed == 0
    assert _figures(rnd) == incremental
    assert services.tally_rebuild(rnd) == services.RebuildReport(0, 0, 0)


def test_fraud_scan_due_enqueues_rounds_with_voting_open_or_recently_closed(
    voting_round, django_capture_on_commit_callbacks
):
    rnd = voting_round("upvote")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.fraud_scan_due() == 1
    assert len(callbacks) == 1
    assert services.fraud_scan_due(now=rnd.closes_at + timedelta(days=1)) == 1
    assert services.fraud_scan_due(now=rnd.closes_at + timedelta(days=3)) == 0
    assert services.fraud_scan_due(now=rnd.opens_at - timedelta(days=1)) == 0
    rnd.voting_scheme = "none"
    rnd.save()
    assert services.fraud_scan_due() == 0
