"""Casting, changing and withdrawing votes; discounting them; keeping and rebuilding tallies.

The vote path is one short transaction: lock (or create) the person's ballot for the entry,
append a `Vote` event, and adjust the person's `RoundVoter` row and the entry's `Tally` with F()
expressions. The ballot's unique constraint and its row lock make a double click, a retry or two
concurrent requests count once; the budget is a conditional update backed by a check constraint.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, FloatField, Q, Value
from django.db.models.expressions import CombinedExpression, ExpressionWrapper
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdstudio.accounts.permissions import Capability, has_capability, role_in
from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Round, VotingScheme
from crowdstudio.community.ranking import Prior, round_prior
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.entries.selectors import entry_in_round
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.voting import fraud, ratelimit
from crowdstudio.voting.models import (
    Ballot,
    RoundStats,
    RoundVoter,
    Tally,
    Vote,
    VoteFlag,
    VoteKind,
)
from crowdstudio.voting.origin import Origin

logger = logging.getLogger(__name__)

STAR_MIN, STAR_MAX = 1, 5
#: Rounds whose voting closed less than this long ago are still scanned for fraud.
SCAN_AFTER_CLOSE = timedelta(days=2)


class RateLimited(ServiceError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class VoteResult:
    ballot: Ballot
    #: False when the request repeated the ballot's current state: nothing was recorded.
    recorded: bool
    #: Votes left in the round for the budget scheme, else None.
    left: int | None = None


# --- casting ---------------------------------------------------------------------------------


def vote_cast(
    *,
    round: Round,
    entry: Entry,
    user: Any,
    value: int | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> VoteResult:
    """Cast (or change) this person's vote for an entry in a round.

    `value`: nothing or 1 for an up-vote; 1–5 stars; for a budget, how many of one's votes the
    entry gets (default 1). Repeating the current vote records nothing (`recorded=False`).
    """
    now = now or timezone.now()
    origin = origin or Origin()
    new_value = _valid_value(round, value)
    _check_may_vote(round=round, entry=entry, user=user, now=now)
    _check_rate(user=user, origin=origin, now=now)
    return _apply(round=round, entry=entry, user=user, new_value=new_value, origin=origin, now=now)


def vote_withdraw(
    *,
    round: Round,
    entry: Entry,
    user: Any,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> VoteResult:
    """Take back one's vote for an entry while voting is open; a repeat records nothing."""
    now = now or timezone.now()
    origin = origin or Origin()
    _check_may_vote(round=round, entry=entry, user=user, now=now)
    _check_rate(user=user, origin=origin, now=now)
    return _apply(round=round, entry=entry, user=user, new_value=0, origin=origin, now=now)


def _valid_value(round: Round, value: int | None) -> int:
    scheme = round.voting_scheme
    if scheme == VotingScheme.UPVOTE:
        if value not in (None, 1):
            raise ServiceError("invalid_value", _("An up-vote has no value other than 1."))
        return 1
    if scheme == VotingScheme.STARS:
        if value is None or not STAR_MIN <= value <= STAR_MAX:
            raise ServiceError("invalid_value", _("Choose between 1 and 5 stars."))
        return value
    if scheme == VotingScheme.BUDGET:
        value = 1 if value is None else value
        if not round.vote_budget:
            raise Conflict("no_budget", _("The organiser has not set a vote budget yet."))
        if not 1 <= value <= round.vote_budget:
            raise ServiceError(
                "invalid_value",
                _("Give between 1 and %(n)d votes to one entry.") % {"n": round.vote_budget},
            )
        return value
    raise Conflict("no_voting", _("This round has no audience vote."))


def _check_may_vote(*, round: Round, entry: Entry, user: Any, now: datetime) -> None:
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("login_required", _("Sign in to vote."))
    campaign = round.campaign
    if round.voting_scheme == VotingScheme.NONE:
        raise Conflict("no_voting", _("This round has no audience vote."))
    if not campaign.is_public:
        raise Conflict("not_public", _("This campaign is not public."))
    if not round.voting_open_at(now):
        start, _end = round.voting_window()
        if now < start:
            raise Conflict("voting_not_open", _("Voting has not opened yet."))
        raise Conflict("voting_closed", _("Voting has closed."))
    if role_in(user, campaign.organisation_id) is not None:
        raise NotAllowed("organiser_cannot_vote", _("Members of the organising team cannot vote."))
    if entry.author_id == user.pk:
        raise NotAllowed("own_entry", _("You cannot vote for your own entry."))
    # The common case (approved, submitted in this very round) needs no query.
    submitted_here = entry.status == EntryStatus.APPROVED and entry.round_id == round.pk
    if entry.campaign_id != round.campaign_id or not (
        submitted_here or entry_in_round(entry, round)
    ):
        raise Conflict("not_in_round", _("This entry is not competing in this round."))


def _check_rate(*, user: Any, origin: Origin, now: datetime) -> None:
    for limit, key in (
        (ratelimit.account_limit(), str(user.pk)),
        (ratelimit.network_limit(), origin.network_hash),
    ):
        wait = ratelimit.hit(limit, key, now)
        if wait is not None:
            raise RateLimited(
                _("Too many votes in a short time. Please wait %(s)d seconds.") % {"s": wait},
                wait,
            )


def _apply(
    *, round: Round, entry: Entry, user: Any, new_value: int, origin: Origin, now: datetime
) -> VoteResult:
    with transaction.atomic():
        ballot, created = _locked_ballot(
            round=round, entry=entry, user=user, value=new_value, now=now
        )
        old = 0 if created else ballot.value
        if old == new_value:
            left = _budget_left(round, user) if round.voting_scheme == VotingScheme.BUDGET else None
            return VoteResult(ballot=ballot, recorded=False, left=left)
        counts = not ballot.discounted
        delta = new_value - old
        left = _adjust_voter(
            round=round, user=user, used=delta, counted=delta if counts else 0, now=now
        )
        kind = (
            VoteKind.CAST if old == 0 else VoteKind.WITHDRAW if new_value == 0 else VoteKind.CHANGE
        )
        Vote.objects.create(
            round=round,
            entry=entry,
            voter=user,
            ballot=ballot,
            kind=kind,
            value=new_value,
            previous=old,
            created_at=now,
            network_hash=origin.network_hash,
            device_hash=origin.device_hash,
        )
        if not created:
            Ballot.objects.filter(pk=ballot.pk).update(value=new_value, updated_at=now)
            ballot.value, ballot.updated_at = new_value, now
        count_delta = int(new_value > 0) - int(old > 0)
        _adjust_tally(
            round=round,
            entry_id=entry.pk,
            raw=(count_delta, delta),
            counted=(count_delta, delta) if counts else (0, 0),
            now=now,
        )
    return VoteResult(ballot=ballot, recorded=True, left=left)


def _locked_ballot(
    *, round: Round, entry: Entry, user: Any, value: int, now: datetime
) -> tuple[Ballot, bool]:
    """The person's ballot for the entry, locked; or a new one holding `value` (created=True)."""
    if value > 0:
        # Insert first: the common request is a new vote, which then costs one statement.
        ballot_id = _insert_ballot(
            round_id=round.pk, voter_id=user.pk, entry_id=entry.pk, value=value, now=now
        )
        if ballot_id is not None:
            ballot = Ballot(
                id=ballot_id,
                round=round,
                voter=user,
                entry=entry,
                value=value,
                created_at=now,
                updated_at=now,
            )
            ballot._state.adding = False
            ballot._state.db = connection.alias
            return ballot, True
    try:
        # The ballot existed (or a concurrent request's insert has just committed): lock it.
        return Ballot.objects.select_for_update().get(round=round, voter=user, entry=entry), False
    except Ballot.DoesNotExist:
        if value > 0:
            raise  # the conflicting ballot vanished: only its round or entry can delete it
        # Withdrawing what was never cast: nothing to record, nothing to create.
        return Ballot(round=round, voter=user, entry=entry, value=0), False


def _adjust_voter(*, round: Round, user: Any, used: int, counted: int, now: datetime) -> int | None:
    """Add to the person's used and counted votes; refuse going over the budget. Votes left."""
    budget = round.vote_budget if round.voting_scheme == VotingScheme.BUDGET else None
    if used > 0:
        # The new row must pass `used <= budget` even when the statement ends up updating the
        # existing one (constraints are checked first); values are at most the budget anyway.
        if budget is not None and used > budget:
            raise Conflict("budget_exhausted", _("You have no votes left in this round."))
        total = _add_votes_used(
            round_id=round.pk,
            voter_id=user.pk,
            budget=budget,
            used=used,
            counted=counted,
            now=now,
        )
        if total is None:
            raise Conflict("budget_exhausted", _("You have no votes left in this round."))
        return max(0, budget - total) if budget is not None else None
    # Taking votes back: the row exists since the votes were cast, and no budget can be exceeded.
    RoundVoter.objects.filter(round=round, voter=user).update(
        used=F("used") + used, counted=F("counted") + counted
    )
    return _budget_left(round, user) if budget is not None else None


def _budget_left(round: Round, user: Any) -> int | None:
    row = RoundVoter.objects.filter(round=round, voter=user).values_list("used", flat=True).first()
    return max(0, (round.vote_budget or 0) - (row or 0))


def _prior(round: Round) -> Prior:
    row = RoundStats.objects.filter(round=round).values_list("prior_mean", "prior_weight").first()
    return Prior(mean=row[0], weight=row[1]) if row else Prior(mean=3.0, weight=1.0)


def rank_key(scheme: str, counted_sum: int, counted_count: int, prior: Prior) -> float:
    """The stored leaderboard key: see docs/voting.md ("Ranking")."""
    if scheme == VotingScheme.STARS:
        return prior.average(float(counted_sum), counted_count)
    return float(counted_sum)


def _score_expression(scheme: str, prior: Prior, d_sum: int, d_count: int) -> Any:
    if scheme == VotingScheme.STARS:
        return ExpressionWrapper(
            (Value(prior.weight * prior.mean) + F("counted_sum") + Value(d_sum))
            / (Value(prior.weight) + F("counted_count") + Value(d_count)),
            output_field=FloatField(),
        )
    return ExpressionWrapper(
        CombinedExpression(F("counted_sum"), "+", Value(float(d_sum))), output_field=FloatField()
    )


def _adjust_tally(
    *,
    round: Round,
    entry_id: int,
    raw: tuple[int, int],
    counted: tuple[int, int],
    now: datetime,
) -> None:
    scheme = round.voting_scheme
    prior = _prior(round) if scheme == VotingScheme.STARS else Prior(3.0, 1.0)
    if _add_to_tally(
        round_id=round.pk,
        entry_id=entry_id,
        raw=raw,
        counted=counted,
        prior=prior if scheme == VotingScheme.STARS else None,
        now=now,
    ):
        return
    try:
        with transaction.atomic():
            Tally.objects.create(
                round=round,
                entry_id=entry_id,
                raw_count=raw[0],
                raw_sum=raw[1],
                counted_count=counted[0],
                counted_sum=counted[1],
                score=rank_key(scheme, counted[1], counted[0], prior),
                updated_at=now,
            )
    except IntegrityError:
        _adjust_tally(round=round, entry_id=entry_id, raw=raw, counted=counted, now=now)


# --- the vote path's statements in SQL --------------------------------------------------------
#
# Three statements of every vote are written in SQL rather than through the ORM, because that
# is where a vote's time went (see docs/benchmarks.md, "Votes"). The two INSERT … ON CONFLICT
# replace a select-then-insert and its savepoint with one statement, which the ORM cannot express
# with a result (an upsert with a condition, or "the new id, or nothing"); they cannot raise
# IntegrityError for their unique key, so they need no savepoint. The tally's UPDATE is the same
# as the ORM's, without the cost of compiling six expressions on every vote. All three run on
# SQLite (3.35 or newer, for RETURNING) and PostgreSQL; tests/postgres runs them concurrently.


def _insert_ballot(
    *, round_id: int, voter_id: int, entry_id: int, value: int, now: datetime
) -> int | None:
    """Create the person's ballot for the entry: its id, or None if they already have one.

    On PostgreSQL a concurrent insert of the same ballot makes this wait for that transaction;
    if it commits, this inserts nothing and the caller locks the committed row.
    """
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO voting_ballot"
            " (round_id, voter_id, entry_id, value, created_at, updated_at, discount_reason)"
            " VALUES (%s, %s, %s, %s, %s, %s, '')"
            " ON CONFLICT (round_id, voter_id, entry_id) DO NOTHING"
            " RETURNING id",
            [round_id, voter_id, entry_id, value, at, at],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _add_votes_used(
    *, round_id: int, voter_id: int, budget: int | None, used: int, counted: int, now: datetime
) -> int | None:
    """Add `used` (> 0) and `counted` votes to the person's row in the round, creating it at
    their first vote with `budget`. The votes used afterwards; None if that would exceed the
    row's budget (then nothing changed).

    The WHERE is the check constraint `used <= budget` as a condition, so a spent budget is a
    refusal rather than an error that would end the transaction. On PostgreSQL the conflicting
    row is locked before the condition is evaluated, so concurrent votes cannot both pass it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO voting_roundvoter"
            " (round_id, voter_id, budget, used, counted, first_vote_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (round_id, voter_id) DO UPDATE SET"
            " used = voting_roundvoter.used + excluded.used,"
            " counted = voting_roundvoter.counted + excluded.counted"
            " WHERE voting_roundvoter.budget IS NULL"
            " OR voting_roundvoter.used + excluded.used <= voting_roundvoter.budget"
            " RETURNING used",
            [
                round_id,
                voter_id,
                budget,
                used,
                counted,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _add_to_tally(
    *,
    round_id: int,
    entry_id: int,
    raw: tuple[int, int],
    counted: tuple[int, int],
    prior: Prior | None,
    now: datetime,
) -> bool:
    """Add (count, sum) deltas to the entry's raw and counted figures and recompute its stored
    key (`rank_key`: the Bayesian average with `prior` for stars, else the counted sum).
    False when the round has no tally for the entry yet."""
    # Every right-hand side reads the row as it was before the UPDATE, hence the deltas in
    # the key. The parameters are floats, so the division is a real one on both databases.
    if prior is None:
        score, score_params = "counted_sum + %s", [float(counted[1])]
    else:
        score = "(%s + counted_sum + %s) / (%s + counted_count + %s)"
        score_params = [prior.weight * prior.mean, float(counted[1]), prior.weight, counted[0]]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE voting_tally SET raw_count = raw_count + %s, raw_sum = raw_sum + %s,"  # noqa: S608
            " counted_count = counted_count + %s, counted_sum = counted_sum + %s,"
            f" score = {score}, updated_at = %s"
            " WHERE round_id = %s AND entry_id = %s",
            [
                raw[0],
                raw[1],
                counted[0],
                counted[1],
                *score_params,
                connection.ops.adapt_datetimefield_value(now),
                round_id,
                entry_id,
            ],
        )
        return cursor.rowcount > 0


# --- discounting -----------------------------------------------------------------------------


def ballot_discount(
    *, ballot: Ballot, user: Any, reason: str, now: datetime | None = None
) -> Ballot:
    """Stop counting a person's vote for an entry (raw figures keep it). Needs a reason."""
    return _set_discount(ballot=ballot, user=user, reason=reason, discount=True, now=now)


def ballot_restore(
    *, ballot: Ballot, user: Any, reason: str, now: datetime | None = None
) -> Ballot:
    """Count a discounted vote again. Needs a reason."""
    return _set_discount(ballot=ballot, user=user, reason=reason, discount=False, now=now)


def _set_discount(
    *, ballot: Ballot, user: Any, reason: str, discount: bool, now: datetime | None
) -> Ballot:
    now = now or timezone.now()
    reason = (reason or "").strip()
    round = Round.objects.select_related("campaign").get(pk=ballot.round_id)
    campaign = round.campaign
    if not has_capability(user, campaign.organisation_id, Capability.MODERATE):
        raise NotAllowed("forbidden", _("You do not have permission to do this."))
    if not reason:
        raise ServiceError("reason_required", _("Give a reason; it is kept in the audit log."))
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.discounted == discount:
            raise Conflict(
                "invalid_transition",
                _("This vote is already discounted.")
                if discount
                else _("This vote is already counted."),
            )
        sign = -1 if discount else 1
        value = locked.value
        if value:
            RoundVoter.objects.filter(round_id=locked.round_id, voter_id=locked.voter_id).update(
                counted=F("counted") + sign * value
            )
            _adjust_tally(
                round=round,
                entry_id=locked.entry_id,
                raw=(0, 0),
                counted=(sign, sign * value),
                now=now,
            )
        if discount:
            locked.discounted_at, locked.discounted_by, locked.discount_reason = now, user, reason
        else:
            locked.discounted_at, locked.discounted_by, locked.discount_reason = None, None, ""
        locked.save(update_fields=["discounted_at", "discounted_by", "discount_reason"])
        log_action(
            locked,
            "vote.discounted" if discount else "vote.restored",
            user=user,
            data={
                "reason": reason,
                "round_id": locked.round_id,
                "entry_id": locked.entry_id,
                "voter_id": locked.voter_id,
                "value": value,
            },
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.pk,
            now=now,
        )
    return locked


# --- tallies from the events -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RebuildReport:
    ballots_fixed: int
    tallies_fixed: int
    voters_fixed: int


def tally_rebuild(round: Round, *, now: datetime | None = None) -> RebuildReport:
    """Re-derive every ballot, voter row and tally of a round from its vote events.

    A ballot's value is its last event's value; it counts unless discounted. Corrections are
    counted in the report (normally all zero) and logged.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the round's tallies so votes wait until the rebuild is written.
        list(Tally.objects.select_for_update().filter(round=round).values_list("pk", flat=True))
        last: dict[int, int] = {}
        for ballot_id, value in (
            Vote.objects.filter(round=round).order_by("id").values_list("ballot_id", "value")
        ).iterator(chunk_size=5000):
            last[ballot_id] = value
        per_entry: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        per_voter: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        ballots_fixed = 0
        for pk, voter_id, entry_id, value, discounted_at in (
            Ballot.objects.filter(round=round)
            .values_list("pk", "voter_id", "entry_id", "value", "discounted_at")
            .iterator(chunk_size=5000)
        ):
            derived = last.get(pk, 0)
            if derived != value:
                Ballot.objects.filter(pk=pk).update(value=derived)
                ballots_fixed += 1
            if not derived:
                continue
            figures = per_entry[entry_id]
            figures[0] += 1
            figures[1] += derived
            per_voter[voter_id][0] += derived
            if discounted_at is None:
                figures[2] += 1
                figures[3] += derived
                per_voter[voter_id][1] += derived

        tallies_fixed = 0
        existing = {t.entry_id: t for t in Tally.objects.filter(round=round)}
        for entry_id in set(existing) | set(per_entry):
            raw_count, raw_sum, counted_count, counted_sum = per_entry.get(entry_id, [0, 0, 0, 0])
            tally = existing.get(entry_id)
            if tally is None:
                Tally.objects.create(
                    round=round,
                    entry_id=entry_id,
                    raw_count=raw_count,
                    raw_sum=raw_sum,
                    counted_count=counted_count,
                    counted_sum=counted_sum,
                    score=float(counted_sum),
                    updated_at=now,
                )
                tallies_fixed += 1
            elif (tally.raw_count, tally.raw_sum, tally.counted_count, tally.counted_sum) != (
                raw_count,
                raw_sum,
                counted_count,
                counted_sum,
            ):
                Tally.objects.filter(pk=tally.pk).update(
                    raw_count=raw_count,
                    raw_sum=raw_sum,
                    counted_count=counted_count,
                    counted_sum=counted_sum,
                    updated_at=now,
                )
                tallies_fixed += 1

        voters_fixed = 0
        for row in RoundVoter.objects.filter(round=round):
            used, counted = per_voter.get(row.voter_id, [0, 0])
            if (row.used, row.counted) != (used, counted):
                # Lower first, so that neither check constraint sees a half-written row.
                RoundVoter.objects.filter(pk=row.pk).update(counted=0)
                RoundVoter.objects.filter(pk=row.pk).update(used=used, counted=counted)
                voters_fixed += 1
        report = RebuildReport(ballots_fixed, tallies_fixed, voters_fixed)
        tally_rescore(round, now=now)
    if any((ballots_fixed, tallies_fixed, voters_fixed)):
        logger.warning("Tally rebuild of round %s corrected %s", round.pk, report)
    return report


def tally_rescore(round: Round, *, now: datetime | None = None) -> Prior | None:
    """Refresh the stored leaderboard keys; for stars, first the round's prior from its tallies.

    One UPDATE over the round's tallies (never the votes). Returns the star prior, else None.
    """
    now = now or timezone.now()
    tallies = Tally.objects.filter(round=round)
    if round.voting_scheme != VotingScheme.STARS:
        tallies.exclude(score=F("counted_sum")).update(
            score=ExpressionWrapper(F("counted_sum") * Value(1.0), output_field=FloatField())
        )
        return None
    prior = round_prior(
        (float(total), count)
        for total, count in tallies.values_list("counted_sum", "counted_count")
    )
    RoundStats.objects.update_or_create(
        round=round,
        defaults={"prior_mean": prior.mean, "prior_weight": prior.weight, "rescored_at": now},
    )
    tallies.update(score=_score_expression(VotingScheme.STARS, prior, 0, 0))
    return prior


# --- fraud signals ---------------------------------------------------------------------------


def fraud_scan(*, round: Round, now: datetime | None = None) -> int:
    """Run the fraud signals over the round's active votes and store new flags; idempotent.

    Returns how many flags were added (0 on a repeat). Also refreshes the leaderboard keys.
    """
    now = now or timezone.now()
    rows = (
        Vote.objects.filter(round=round, value__gt=0)
        .order_by("id")
        .values_list(
            "id",
            "voter_id",
            "entry_id",
            "entry__author_id",
            "created_at",
            "voter__date_joined",
            "network_hash",
            "device_hash",
        )
    )
    records = [
        fraud.VoteRecord(
            vote_id=row[0],
            voter_id=row[1],
            entry_id=row[2],
            author_id=row[3],
            at=row[4],
            voter_joined=row[5],
            network_hash=row[6],
            device_hash=row[7],
        )
        for row in rows.iterator(chunk_size=5000)
    ]
    signals = fraud.scan(records, period=round.voting_window())
    flags = [
        VoteFlag(
            vote_id=vote_id, round=round, kind=signal.kind, detail=signal.detail, created_at=now
        )
        for signal in signals
        for vote_id in signal.vote_ids
    ]
    before = VoteFlag.objects.filter(round=round).count()
    VoteFlag.objects.bulk_create(flags, ignore_conflicts=True, batch_size=1000)
    added = VoteFlag.objects.filter(round=round).count() - before
    tally_rescore(round, now=now)
    RoundStats.objects.update_or_create(round=round, defaults={"scanned_at": now})
    return added


def fraud_scan_due(*, now: datetime | None = None) -> int:
    """Enqueue a fraud scan for every round whose voting is open or closed recently.

    Called by the worker's sweep (crowdstudio.scheduler); returns how many scans were queued.
    """
    from crowdstudio.voting.tasks import scan_round_votes

    now = now or timezone.now()
    rounds = list(
        Round.objects.exclude(voting_scheme=VotingScheme.NONE)
        .annotate(
            vote_start=Coalesce("voting_opens_at", "opens_at"),
            vote_end=Coalesce("voting_closes_at", "closes_at"),
        )
        .filter(Q(vote_start__lte=now) & Q(vote_end__gt=now - SCAN_AFTER_CLOSE))
        .values_list("pk", flat=True)
    )
    for round_id in rounds:
        transaction.on_commit(partial(scan_round_votes.enqueue, round_id=round_id))
    return len(rounds)
