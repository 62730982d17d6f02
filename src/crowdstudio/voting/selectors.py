"""Reads of the voting app. Leaderboards and scores read the kept tallies, never the votes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from crowdstudio.campaigns.models import Round, VotingScheme
from crowdstudio.community.ranking import round_prior, wilson_lower_bound
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.entries.selectors import entry_in_round, round_entries
from crowdstudio.voting.models import Ballot, RoundStats, RoundVoter, Tally, Vote, VoteFlag


def audience_scores(round: Round) -> dict[int, float]:
    """entry id → the audience's ranking score in this round, from counted votes only.

    Empty when the round has no audience vote. Only entries still competing in the round and
    with at least one counted vote are scored (the others were not ranked by the audience):
    - up-votes: Wilson lower bound of (counted up-votes, people whose votes count in the round);
    - budget: Wilson lower bound of (counted votes received, counted votes cast in the round);
    - stars: Bayesian average with the round's prior (`round_prior` over the tallies).
    """
    scheme = round.voting_scheme
    if scheme == VotingScheme.NONE:
        return {}
    rows = list(
        Tally.objects.filter(round=round, entry__in=round_entries(round)).values_list(
            "entry_id", "counted_sum", "counted_count"
        )
    )
    if scheme == VotingScheme.STARS:
        prior = round_prior((float(total), count) for _id, total, count in rows)
        return {
            entry_id: prior.average(float(total), count)
            for entry_id, total, count in rows
            if count > 0
        }
    denominator = round_denominator(round)
    return {
        entry_id: wilson_lower_bound(min(total, denominator), denominator)
        for entry_id, total, count in rows
        if count > 0
    }


def round_denominator(round: Round) -> int:
    """What an up-vote or budget entry's counted votes are a share of (see docs/voting.md)."""
    voters = RoundVoter.objects.filter(round=round, counted__gt=0)
    if round.voting_scheme == VotingScheme.BUDGET:
        return int(voters.aggregate(n=Sum("counted"))["n"] or 0)
    return voters.count()


def leaderboard(round: Round) -> QuerySet[Tally]:
    """The round's tallies in ranking order: an ordered read of the leaderboard index."""
    return (
        Tally.objects.filter(round=round, entry__status=EntryStatus.APPROVED, raw_count__gt=0)
        .select_related("entry", "entry__author")
        .order_by("-score", "-counted_count", "entry_id")
    )


@dataclass(frozen=True, slots=True)
class Row:
    place: int
    tally: Tally
    score: float
    average: float | None
    flags: int = 0


def leaderboard_rows(
    round: Round, tallies: list[Tally], *, first_place: int = 1, with_flags: bool = False
) -> list[Row]:
    """The displayed score of one page of the leaderboard, computed for its rows only."""
    scheme = round.voting_scheme
    denominator = round_denominator(round) if scheme != VotingScheme.STARS else 0
    flags: Counter[int] = Counter()
    if with_flags and tallies:
        flags.update(
            dict(
                VoteFlag.objects.filter(
                    round=round, vote__entry_id__in=[t.entry_id for t in tallies]
                )
                .values_list("vote__entry_id")
                .annotate(n=Count("id"))
                .values_list("vote__entry_id", "n")
            )
        )
    rows = []
    for offset, tally in enumerate(tallies):
        if scheme == VotingScheme.STARS:
            score = tally.score
            average = tally.counted_sum / tally.counted_count if tally.counted_count else None
        else:
            score = (
                wilson_lower_bound(min(tally.counted_sum, denominator), denominator)
                if denominator
                else 0.0
            )
            average = None
        rows.append(Row(first_place + offset, tally, score, average, flags[tally.entry_id]))
    return rows


def round_stats(round: Round) -> RoundStats | None:
    return RoundStats.objects.filter(round=round).first()


def round_voter(round: Round, user: Any) -> RoundVoter | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return RoundVoter.objects.filter(round=round, voter=user).first()


def ballot_of(round: Round, entry: Entry, user: Any) -> Ballot | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Ballot.objects.filter(round=round, entry=entry, voter=user).first()


def voting_round_for(entry: Entry, *, now: datetime | None = None) -> Round | None:
    """The round whose vote the entry page offers: one with voting open now, else the latest
    round with an audience vote that the entry competes in."""
    now = now or timezone.now()
    candidates = [
        rnd
        for rnd in entry.campaign.rounds.exclude(voting_scheme=VotingScheme.NONE).order_by(
            "-number"
        )
        if entry_in_round(entry, rnd)
    ]
    for rnd in candidates:
        if rnd.voting_open_at(now):
            return rnd
    return candidates[0] if candidates else None


def flag_summary(round: Round) -> list[tuple[str, str, int, int]]:
    """(kind, label, flags, distinct voters) per signal kind."""
    from crowdstudio.voting.models import FlagKind

    rows = {
        row["kind"]: (row["n"], row["voters"])
        for row in VoteFlag.objects.filter(round=round)
        .values("kind")
        .annotate(n=Count("id"), voters=Count("vote__voter", distinct=True))
    }
    return [(kind, str(label), *rows.get(kind, (0, 0))) for kind, label in FlagKind.choices]


def flagged_votes(round: Round, kind: str = "") -> QuerySet[Vote]:
    """Flagged vote events of a round with their flags and ballots, newest first."""
    votes = Vote.objects.filter(round=round, flags__isnull=False)
    if kind:
        votes = votes.filter(flags__kind=kind)
    return (
        votes.distinct()
        .select_related("voter", "entry", "ballot", "ballot__discounted_by")
        .prefetch_related("flags")
        .order_by("-created_at", "-id")
    )


def discounted_ballots(round: Round) -> QuerySet[Ballot]:
    return (
        Ballot.objects.filter(round=round, discounted_at__isnull=False)
        .select_related("voter", "entry", "discounted_by")
        .order_by("-discounted_at")
    )
