"""Fraud signals from a round's votes. Pure: plain data in, plain data out, no Django.

`scan(votes, thresholds, period)` returns one `Signal` per suspicious pattern, naming the vote
events behind it. A signal is a reason for a moderator to look, never a verdict: nothing here
discounts a vote. The thresholds are explained in docs/voting.md.

Signals:
- `burst`: many votes for one entry inside a short window, far above that entry's own baseline
  rate over the voting period (a link posted to a vote-buying group, a script).
- `shared_network`: many accounts voting from the same network (hashed address).
- `shared_device`: several accounts voting from the same device on the same network (the device
  hash alone, from the browser's headers, is shared by every user of a popular phone, so it is
  only a signal together with the network).
- `new_account`: the account was created shortly before its first vote in the round.
- `ring`: a group of entrants who vote only for each other's entries, each receiving votes from
  the group (a strongly connected group in the "voted for an entry of" graph).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

BURST = "burst"
SHARED_NETWORK = "shared_network"
SHARED_DEVICE = "shared_device"
NEW_ACCOUNT = "new_account"
RING = "ring"


@dataclass(frozen=True, slots=True)
class VoteRecord:
    vote_id: int
    voter_id: int
    entry_id: int
    author_id: int  # the entry's author
    at: datetime
    voter_joined: datetime
    network_hash: str = ""
    device_hash: str = ""


@dataclass(frozen=True, slots=True)
class Thresholds:
    burst_window: timedelta = timedelta(minutes=10)
    #: A burst needs at least this many votes in one window…
    burst_min_votes: int = 10
    #: …and this many times the entry's expected votes per window.
    burst_factor: float = 5.0
    #: Distinct accounts on one network before it is a cluster (households and offices share).
    network_min_accounts: int = 5
    #: Distinct accounts on one device (and network) before it is a cluster.
    device_min_accounts: int = 3
    #: An account younger than this at its first vote in the round is "new".
    new_account_age: timedelta = timedelta(hours=24)
    ring_min_size: int = 3


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    vote_ids: tuple[int, ...]
    detail: dict[str, Any] = field(default_factory=dict)


def scan(
    votes: Sequence[VoteRecord],
    thresholds: Thresholds | None = None,
    period: tuple[datetime, datetime] | None = None,
) -> list[Signal]:
    """Every signal in these votes (one round's active votes), in a stable order.

    `period` is the voting window, for the burst baseline; by default the span of the votes.
    """
    limits = thresholds or Thresholds()
    if not votes:
        return []
    return [
        *bursts(votes, limits, period),
        *clusters(votes, limits),
        *new_accounts(votes, limits),
        *rings(votes, limits),
    ]


def bursts(
    votes: Sequence[VoteRecord],
    limits: Thresholds,
    period: tuple[datetime, datetime] | None = None,
) -> list[Signal]:
    start = period[0] if period else min(v.at for v in votes)
    end = period[1] if period else max(v.at for v in votes)
    window = limits.burst_window
    span = max(end - start, window)
    by_entry: dict[int, list[VoteRecord]] = defaultdict(list)
    for vote in votes:
        by_entry[vote.entry_id].append(vote)
    signals = []
    for entry_id in sorted(by_entry):
        entry_votes = sorted(by_entry[entry_id], key=lambda v: (v.at, v.vote_id))
        times = [v.at for v in entry_votes]
        # What a steady stream of this entry's votes would put into one window.
        expected = len(entry_votes) * (window / span)
        needed = max(limits.burst_min_votes, limits.burst_factor * expected)
        flagged: set[int] = set()
        peak = 0
        for i, moment in enumerate(times):
            j = bisect.bisect_left(times, moment + window, lo=i)
            count = j - i
            peak = max(peak, count)
            if count >= needed:
                flagged.update(range(i, j))
        if flagged:
            signals.append(
                Signal(
                    BURST,
                    tuple(sorted(entry_votes[k].vote_id for k in flagged)),
                    {
                        "entry_id": entry_id,
                        "peak": peak,
                        "window_minutes": window.total_seconds() / 60,
                        "expected": round(expected, 2),
                    },
                )
            )
    return signals


def clusters(votes: Sequence[VoteRecord], limits: Thresholds) -> list[Signal]:
    signals = []
    groups: list[tuple[str, int, dict[str, list[VoteRecord]]]] = [
        (SHARED_NETWORK, limits.network_min_accounts, defaultdict(list)),
        (SHARED_DEVICE, limits.device_min_accounts, defaultdict(list)),
    ]
    for vote in votes:
        if vote.network_hash:
            groups[0][2][vote.network_hash].append(vote)
            if vote.device_hash:
                groups[1][2][f"{vote.network_hash}:{vote.device_hash}"].append(vote)
    for kind, minimum, by_key in groups:
        for key in sorted(by_key):
            members = by_key[key]
            accounts = {v.voter_id for v in members}
            if len(accounts) >= minimum:
                signals.append(
                    Signal(
                        kind,
                        tuple(sorted(v.vote_id for v in members)),
                        # A short prefix of the keyed hash: enough to tell clusters apart on
                        # the page, useless for recovering the address.
                        {"accounts": len(accounts), "key": key[:12]},
                    )
                )
    return signals


def new_accounts(votes: Sequence[VoteRecord], limits: Thresholds) -> list[Signal]:
    first_vote: dict[int, datetime] = {}
    for vote in votes:
        if vote.voter_id not in first_vote or vote.at < first_vote[vote.voter_id]:
            first_vote[vote.voter_id] = vote.at
    joined = {vote.voter_id: vote.voter_joined for vote in votes}
    young = {
        voter
        for voter, first in first_vote.items()
        if timedelta(0) <= first - joined[voter] < limits.new_account_age
        or first < joined[voter]  # clock skew or imported data: treat as new
    }
    signals = []
    for voter in sorted(young):
        own = [v for v in votes if v.voter_id == voter]
        age = first_vote[voter] - joined[voter]
        signals.append(
            Signal(
                NEW_ACCOUNT,
                tuple(sorted(v.vote_id for v in own)),
                {"voter_id": voter, "age_hours": round(age.total_seconds() / 3600, 1)},
            )
        )
    return signals


def rings(votes: Sequence[VoteRecord], limits: Thresholds) -> list[Signal]:
    authors = {v.author_id for v in votes}
    targets: dict[int, set[int]] = defaultdict(set)  # voter → authors they voted for
    for vote in votes:
        targets[vote.voter_id].add(vote.author_id)
    # Entrants who vote, pruned until every member votes only for members and gets a vote
    # from a member.
    members = {voter for voter in targets if voter in authors}
    changed = True
    while changed:
        changed = False
        receivers = {a for voter in members for a in targets[voter]}
        for voter in sorted(members):
            if not targets[voter] <= members or voter not in receivers:
                members.discard(voter)
                changed = True
    signals = []
    for group in _strongly_connected(members, {m: targets[m] & members for m in members}):
        if len(group) < limits.ring_min_size:
            continue
        ring_votes = [v for v in votes if v.voter_id in group and v.author_id in group]
        signals.append(
            Signal(
                RING,
                tuple(sorted(v.vote_id for v in ring_votes)),
                {"accounts": sorted(group)},
            )
        )
    return signals


def _strongly_connected(nodes: Iterable[int], edges: dict[int, set[int]]) -> list[set[int]]:
    """Tarjan's algorithm, iterative (a ring of thousands must not hit the recursion limit)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[set[int]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work: list[tuple[int, list[int]]] = [(root, sorted(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return sorted(result, key=min)
