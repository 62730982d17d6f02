from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from crowdstudio.voting import fraud, services
from crowdstudio.voting.fraud import Thresholds, VoteRecord, scan
from crowdstudio.voting.models import Vote, VoteFlag
from crowdstudio.voting.origin import Origin
from crowdstudio.voting.tasks import scan_round_votes

START = datetime(2026, 6, 1, tzinfo=UTC)
OLD = START - timedelta(days=400)
PERIOD = (START, START + timedelta(days=7))
_ids = itertools.count(1)


def vote(voter, entry, author, at, *, joined=OLD, network="", device=""):
    return VoteRecord(
        vote_id=next(_ids),
        voter_id=voter,
        entry_id=entry,
        author_id=author,
        at=at,
        voter_joined=joined,
        network_hash=network or f"net-{voter}",
        device_hash=device or f"dev-{voter}",
    )


def ordinary_votes() -> list[VoteRecord]:
    """200 fans (ids 1000+) voting for entries 1–10 (by authors 1–10) over a week, each from
    their own network, a vote every ~40 minutes; some entrants vote for several others."""
    votes = []
    for i in range(200):
        fan = 1000 + i
        at = START + timedelta(minutes=40 * i + 7)
        for entry in {1 + i % 10, 1 + (i * 7) % 10}:
            votes.append(vote(fan, entry, entry, at))
    # Entrants 1 and 2 vote for each other but also for entries 5 and 6: not a ring.
    votes += [
        vote(1, 2, 2, START + timedelta(hours=3)),
        vote(1, 5, 5, START + timedelta(hours=4)),
        vote(2, 1, 1, START + timedelta(hours=5)),
        vote(2, 6, 6, START + timedelta(hours=6)),
    ]
    return votes


def kinds_for(signals, vote_ids) -> set[str]:
    return {s.kind for s in signals if set(s.vote_ids) & set(vote_ids)}


def test_ordinary_voting_raises_no_signal():
    assert scan(ordinary_votes(), period=PERIOD) == []


def test_a_voting_ring_is_flagged_and_ordinary_voters_are_not():
    ordinary = ordinary_votes()
    # Entrants 20, 21, 22, 23 vote only for each other's entries (120–123).
    ring = [
        vote(voter, 100 + target, target, START + timedelta(hours=voter + target))
        for voter in range(20, 24)
        for target in range(20, 24)
        if voter != target
    ]
    signals = scan(ordinary + ring, period=PERIOD)
    rings = [s for s in signals if s.kind == fraud.RING]
    assert len(rings) == 1
    assert rings[0].detail["accounts"] == [20, 21, 22, 23]
    assert set(rings[0].vote_ids) == {v.vote_id for v in ring}
    assert kinds_for(signals, [v.vote_id for v in ordinary]) == set()


def test_a_pair_voting_for_each_other_is_below_the_ring_size():
    pair = [vote(30, 131, 31, START), vote(31, 130, 30, START + timedelta(hours=1))]
    assert scan(pair, period=PERIOD) == []


def test_a_burst_for_one_entry_is_flagged_and_steady_votes_are_not():
    ordinary = ordinary_votes()
    burst_start = START + timedelta(days=3)
    burst = [
        vote(5000 + i, 3, 3, burst_start + timedelta(seconds=20 * i), network=f"b{i}")
        for i in range(15)
    ]
    signals = scan(ordinary + burst, period=PERIOD)
    bursts = [s for s in signals if s.kind == fraud.BURST]
    assert len(bursts) == 1
    assert bursts[0].detail["entry_id"] == 3 and bursts[0].detail["peak"] == 15
    assert set(bursts[0].vote_ids) == {v.vote_id for v in burst}
    assert kinds_for(signals, [v.vote_id for v in ordinary]) == set()


def test_accounts_sharing_a_network_or_device_are_clustered():
    shared = [
        vote(6000 + i, 1 + i, 1 + i, START + timedelta(hours=i), network="farm", device="bot")
        for i in range(5)
    ]
    signals = scan(ordinary_votes() + shared, period=PERIOD)
    assert {s.kind for s in signals} == {fraud.SHARED_NETWORK, fraud.SHARED_DEVICE}
    for signal in signals:
        assert set(signal.vote_ids) == {v.vote_id for v in shared}
        assert signal.detail["accounts"] == 5


def test_a_household_of_two_is_not_a_cluster():
    home = [vote(7000 + i, 1, 1, START, network="home", device="phone") for i in range(2)]
    assert scan(home, period=PERIOD) == []


def test_accounts_created_just_before_voting_are_flagged():
    fresh = vote(8000, 1, 1, START + timedelta(hours=2), joined=START + timedelta(hours=1))
    month_old = vote(8001, 1, 1, START + timedelta(hours=2), joined=START - timedelta(days=30))
    signals = scan([fresh, month_old], Thresholds(), period=PERIOD)
    assert [(s.kind, s.vote_ids) for s in signals] == [(fraud.NEW_ACCOUNT, (fresh.vote_id,))]
    assert signals[0].detail == {"voter_id": 8000, "age_hours": 1.0}


# --- through the task, on the database -------------------------------------------------------


@pytest.mark.django_db
def test_the_scan_task_flags_a_ring_and_a_burst_once(
    voting_round, approved_entry, make_user, run_worker, django_capture_on_commit_callbacks
):
    now = timezone.now()
    rnd = voting_round("upvote")
    joined = now - timedelta(days=60)
    ringers = [make_user(f"ringer{i}", date_joined=joined) for i in range(3)]
    ring_entries = [approved_entry(user, title=f"Ring {i}") for i, user in enumerate(ringers)]
    target = approved_entry(make_user("popular", date_joined=joined), title="Target")
    other = approved_entry(make_user("quiet", date_joined=joined), title="Quiet")
    fans = [make_user(f"crowd{i}", date_joined=joined) for i in range(14)]

    moment = now - timedelta(hours=20)
    for i, (voter, entry) in enumerate(
        (v, e) for v in ringers for e in ring_entries if e.author_id != v.pk
    ):
        services.vote_cast(
            round=rnd,
            entry=entry,
            user=voter,
            origin=Origin(f"ring-net-{i}", "d"),
            now=moment + timedelta(hours=i),
        )
    burst_at = now - timedelta(hours=1)
    for i, fan in enumerate(fans[:12]):
        services.vote_cast(
            round=rnd,
            entry=target,
            user=fan,
            origin=Origin(f"net-{i}", "d"),
            now=burst_at + timedelta(seconds=30 * i),
        )
    # Two ordinary fans, hours apart.
    for i, fan in enumerate(fans[12:]):
        services.vote_cast(
            round=rnd,
            entry=other,
            user=fan,
            origin=Origin(f"home-{i}", "d"),
            now=now - timedelta(hours=10 + i),
        )

    with django_capture_on_commit_callbacks(execute=True):
        scan_round_votes.enqueue(round_id=rnd.pk)
    run_worker()
    flags = set(VoteFlag.objects.values_list("vote__voter__username", "kind"))
    assert flags == {
        *((u.username, "ring") for u in ringers),
        *((f.username, "burst") for f in fans[:12]),
    }
    count = VoteFlag.objects.count()
    assert count == 6 + 12

    # Running it again adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.fraud_scan_due()
    run_worker()
    assert VoteFlag.objects.count() == count
    assert not VoteFlag.objects.filter(vote__voter__in=fans[12:]).exists()
    assert Vote.objects.count() == 6 + 12 + 2
