"""Every write of the judging app: contest settings, juries, rubrics, conflicts, scorecards,
results, publishing and the round clock (rounds_tick).

Keyword-only and typed; each use case is one transaction. Refusals are ServiceError (400),
Conflict (409, the state does not allow it) or NotAllowed (403).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdstudio.accounts.permissions import role_in
from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import (
    CampaignStatus,
    Normalisation,
    ResultsScale,
    Round,
    RoundAdvancement,
    VotingScheme,
)
from crowdstudio.community import ranking
from crowdstudio.community import services as community
from crowdstudio.entries.models import Entry
from crowdstudio.entries.selectors import round_entries
from crowdstudio.judging import normalise, selectors
from crowdstudio.judging.models import (
    ConflictOfInterest,
    Criterion,
    CriterionScore,
    JuryMember,
    ResultRow,
    ResultSnapshot,
    Scorecard,
    ScorecardStatus,
)
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.voting.selectors import audience_scores

logger = logging.getLogger(__name__)

TIE_BREAK_CHOICES = ("jury", "audience", "submitted")
#: A voting window may start at most this long before the round opens, and end at most this
#: long after it closes (e.g. a public vote on the finalists after the entry deadline).
VOTING_WINDOW_SLACK = timedelta(days=366)
SCALE_BOUNDS = (0, 100)
MAX_VOTE_BUDGET = 1000


def _audit(round: Round, action: str, *, user: Any, data: dict[str, Any], now: Any = None) -> None:
    log_action(
        round,
        action,
        user=user,
        data=data,
        organisation_id=round.campaign.organisation_id,
        campaign_id=round.campaign_id,
        now=now,
    )


def _ensure_unpublished(round: Round, what: str) -> None:
    if round.results_published_at is not None:
        raise Conflict(
            "results_published",
            _("The results of this round are published; %(what)s can no longer change.")
            % {"what": what},
        )


def _locked_round(round: Round) -> Round:
    """Re-read the round under a row lock (inside a transaction), keeping the loaded campaign."""
    fresh = Round.objects.select_for_update().get(pk=round.pk)
    fresh.campaign = round.campaign
    return fresh


# --- Round contest settings --------------------------------------------------------------------


@transaction.atomic
def round_configure(
    *,
    round: Round,
    user: Any,
    voting_scheme: str,
    vote_budget: int | None,
    voting_opens_at: datetime | None,
    voting_closes_at: datetime | None,
    blind_judging: bool,
    normalisation: str,
    jury_weight: int,
    results_scale: str,
    tie_breaks: Sequence[str],
) -> Round:
    """Set a round's voting, jury and results rules; audited; refused once results are out."""
    rnd = _locked_round(round)
    _ensure_unpublished(rnd, _("its contest settings"))
    if voting_scheme not in VotingScheme.values:
        raise ServiceError("invalid_scheme", _("Choose a valid voting scheme."))
    if voting_scheme == VotingScheme.BUDGET:
        if vote_budget is None or not 1 <= vote_budget <= MAX_VOTE_BUDGET:
            raise ServiceError(
                "invalid_budget",
                _("The budget scheme needs a number of votes per person between 1 and %(max)s.")
                % {"max": MAX_VOTE_BUDGET},
            )
    else:
        vote_budget = None
    if voting_scheme == VotingScheme.NONE:
        voting_opens_at = voting_closes_at = None
    start = voting_opens_at or rnd.opens_at
    end = voting_closes_at or rnd.closes_at
    if end <= start:
        raise ServiceError("invalid_voting_window", _("Voting must close after it opens."))
    if start < rnd.opens_at - VOTING_WINDOW_SLACK or end > rnd.closes_at + VOTING_WINDOW_SLACK:
        raise ServiceError(
            "invalid_voting_window",
            _("The voting window must lie within a year of the round's own dates."),
        )
    if voting_opens_at is not None and voting_opens_at < rnd.opens_at:
        raise ServiceError("invalid_voting_window", _("Voting cannot open before the round opens."))
    if normalisation not in Normalisation.values:
        raise ServiceError("invalid_normalisation", _("Choose a valid normalisation method."))
    if not 0 <= jury_weight <= 100:
        raise ServiceError("invalid_weight", _("The jury weight is a percentage from 0 to 100."))
    if jury_weight < 100 and voting_scheme == VotingScheme.NONE:
        raise ServiceError(
            "invalid_weight",
            _("Without an audience vote the jury must weigh 100 %; choose a voting scheme first."),
        )
    if results_scale not in ResultsScale.values:
        raise ServiceError("invalid_scale", _("Choose a valid rank-points scale."))
    rules = [str(rule) for rule in tie_breaks]
    if sorted(rules) != sorted(TIE_BREAK_CHOICES):
        raise ServiceError(
            "invalid_tie_breaks",
            _("Order all three tie-breaks (jury, audience, submitted), each once."),
        )
    new: dict[str, Any] = {
        "voting_scheme": voting_scheme,
        "vote_budget": vote_budget,
        "voting_opens_at": voting_opens_at,
        "voting_closes_at": voting_closes_at,
        "blind_judging": blind_judging,
        "normalisation": normalisation,
        "jury_weight": jury_weight,
        "results_scale": results_scale,
        "tie_breaks": rules,
    }
    changed = {key: value for key, value in new.items() if getattr(rnd, key) != value}
    if changed:
        Round.objects.filter(pk=rnd.pk).update(**changed)
        _audit(
            rnd,
            "round.contest_configured",
            user=user,
            data={
                key: {"from": _plain(getattr(rnd, key)), "to": _plain(value)}
                for key, value in changed.items()
            },
        )
    for key, value in changed.items():
        setattr(round, key, value)
    return round


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# --- Jury --------------------------------------------------------------------------------------


@transaction.atomic
def jury_member_add(
    *, round: Round, user: Any, member: Any, now: datetime | None = None
) -> JuryMember:
    """Seat a judge, producer or owner of the campaign's organisation on the round's jury."""
    now = now or timezone.now()
    rnd = _locked_round(round)
    _ensure_unpublished(rnd, _("the jury"))
    if role_in(member, rnd.campaign.organisation_id) not in selectors.JURY_ROLES:
        raise ServiceError(
            "not_eligible",
            _("Only judges, producers and owners of the organisation can sit on the jury."),
        )
    existing = JuryMember.objects.filter(round=rnd, user=member).first()
    if existing is not None:
        return existing
    number = (JuryMember.objects.filter(round=rnd).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            seat = JuryMember.objects.create(
                round=rnd, user=member, number=number, added_by=user, added_at=now
            )
    except IntegrityError:
        return JuryMember.objects.get(round=rnd, user=member)
    _audit(rnd, "jury.member_added", user=user, data={"member": member.username, "number": number})
    return seat


@transaction.atomic
def jury_member_remove(*, round: Round, user: Any, member: Any) -> bool:
    """Take a judge off the jury; refused once they have submitted a scorecard (it counts)."""
    rnd = _locked_round(round)
    _ensure_unpublished(rnd, _("the jury"))
    seat = JuryMember.objects.filter(round=rnd, user=member).first()
    if seat is None:
        return False
    if Scorecard.objects.filter(round=rnd, judge=member, status=ScorecardStatus.SUBMITTED).exists():
        raise Conflict(
            "judge_has_scored",
            _("%(name)s has already submitted scorecards in this round and stays on the jury.")
            % {"name": member.username},
        )
    Scorecard.objects.filter(round=rnd, judge=member).delete()
    seat.delete()
    _audit(rnd, "jury.member_removed", user=user, data={"member": member.username})
    return True


# --- Rubric ------------------------------------------------------------------------------------


def _ensure_rubric_editable(round: Round) -> None:
    _ensure_unpublished(round, _("the rubric"))
    if selectors.rubric_locked(round):
        raise Conflict(
            "rubric_locked",
            _(
                "The rubric is locked: a judge has already submitted a scorecard, and changing "
                "criteria now would score entries by different rules."
            ),
        )


def _check_criterion(
    round: Round,
    *,
    name: str,
    weight: Decimal,
    scale_min: int,
    scale_max: int,
    exclude_pk: int | None = None,
) -> str:
    name = name.strip()
    if not name:
        raise ServiceError("invalid_name", _("Give the criterion a name."))
    if not weight.is_finite() or weight <= 0 or weight >= 10000:
        raise ServiceError("invalid_weight", _("The weight must be a number above 0."))
    low, high = SCALE_BOUNDS
    if not (low <= scale_min < scale_max <= high):
        raise ServiceError(
            "invalid_scale",
            _("The scale must go from a lower to a higher whole number, within %(low)s–%(high)s.")
            % {"low": low, "high": high},
        )
    clash = Criterion.objects.filter(round=round, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ServiceError("duplicate_name", _("The rubric already has a criterion of that name."))
    return name


@transaction.atomic
def criterion_add(
    *,
    round: Round,
    user: Any,
    name: str,
    description: str = "",
    weight: Decimal,
    scale_min: int = 1,
    scale_max: int = 10,
    position: int | None = None,
) -> Criterion:
    rnd = _locked_round(round)
    _ensure_rubric_editable(rnd)
    name = _check_criterion(rnd, name=name, weight=weight, scale_min=scale_min, scale_max=scale_max)
    if position is None:
        position = (Criterion.objects.filter(round=rnd).aggregate(p=Max("position"))["p"] or 0) + 1
    criterion = Criterion.objects.create(
        round=rnd,
        name=name,
        description=description.strip(),
        weight=weight,
        scale_min=scale_min,
        scale_max=scale_max,
        position=position,
    )
    _audit(
        rnd,
        "rubric.criterion_added",
        user=user,
        data={"name": name, "weight": str(weight), "scale": [scale_min, scale_max]},
    )
    return criterion


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    user: Any,
    name: str,
    description: str,
    weight: Decimal,
    scale_min: int,
    scale_max: int,
    position: int,
) -> Criterion:
    rnd = _locked_round(criterion.round)
    _ensure_rubric_editable(rnd)
    name = _check_criterion(
        rnd,
        name=name,
        weight=weight,
        scale_min=scale_min,
        scale_max=scale_max,
        exclude_pk=criterion.pk,
    )
    before = {
        "name": criterion.name,
        "weight": str(criterion.weight),
        "scale": [criterion.scale_min, criterion.scale_max],
    }
    criterion.name = name
    criterion.description = description.strip()
    criterion.weight = weight
    criterion.scale_min = scale_min
    criterion.scale_max = scale_max
    criterion.position = position
    criterion.save()
    # Draft scores outside the new scale would no longer be valid: drop them, the judge re-scores.
    CriterionScore.objects.filter(criterion=criterion).exclude(
        value__gte=scale_min, value__lte=scale_max
    ).delete()
    _audit(
        rnd,
        "rubric.criterion_updated",
        user=user,
        data={
            "from": before,
            "to": {"name": name, "weight": str(weight), "scale": [scale_min, scale_max]},
        },
    )
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: Criterion, user: Any) -> None:
    rnd = _locked_round(criterion.round)
    _ensure_rubric_editable(rnd)
    name = criterion.name
    criterion.delete()
    _audit(rnd, "rubric.criterion_removed", user=user, data={"name": name})


# --- Conflicts of interest ---------------------------------------------------------------------


def _ensure_juror(round: Round, judge: Any) -> None:
    if (
        not selectors.is_juror(judge, round)
        or role_in(judge, round.campaign.organisation_id) not in selectors.JURY_ROLES
    ):
        raise NotAllowed("not_a_juror", _("You do not sit on this round's jury."))


@transaction.atomic
def conflict_declare(
    *, round: Round, judge: Any, entry: Entry, reason: str, now: datetime | None = None
) -> ConflictOfInterest:
    """Declare a conflict: the entry disappears from the judge's list (and any card of theirs
    for it stops counting). Declaring twice keeps the first declaration."""
    now = now or timezone.now()
    _ensure_juror(round, judge)
    reason = reason.strip()
    if not reason:
        raise ServiceError("reason_required", _("Say briefly why you have a conflict of interest."))
    if not round_entries(round).filter(pk=entry.pk).exists():
        raise ServiceError("not_in_round", _("That entry is not competing in this round."))
    existing = ConflictOfInterest.objects.filter(round=round, judge=judge, entry=entry).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conflict = ConflictOfInterest.objects.create(
                round=round, judge=judge, entry=entry, reason=reason[:500], declared_at=now
            )
    except IntegrityError:
        return ConflictOfInterest.objects.get(round=round, judge=judge, entry=entry)
    _audit(
        round,
        "jury.conflict_declared",
        user=judge,
        data={"entry": entry.pk, "reason": reason[:500]},
        now=now,
    )
    return conflict


# --- Scorecards --------------------------------------------------------------------------------


@transaction.atomic
def scorecard_save(
    *,
    round: Round,
    judge: Any,
    entry: Entry,
    scores: Mapping[int, int | None],
    comment: str = "",
    private_note: str = "",
    submit: bool = False,
    now: datetime | None = None,
) -> Scorecard:
    """Save a judge's card for an entry as a draft, or submit it (every criterion scored).

    `scores` maps criterion id → whole-number score (None: not scored yet, drafts only). A
    submitted card can be edited (and stays submitted) until results are published. The
    (round, judge, entry) uniqueness is a database constraint, so a double click saves one card.
    """
    now = now or timezone.now()
    rnd = _locked_round(round)
    _ensure_unpublished(rnd, _("scorecards"))
    _ensure_juror(rnd, judge)
    if not selectors.judge_entries(rnd, judge).filter(pk=entry.pk).exists():
        # Own entry, declared conflict or not in the round: as if it did not exist.
        raise ServiceError("not_assigned", _("This entry is not on your list to judge."))
    criteria = {c.pk: c for c in selectors.rubric(rnd)}
    if not criteria:
        raise Conflict(
            "no_rubric", _("The rubric has no criteria yet; scoring opens once it does.")
        )
    unknown = [key for key in scores if key not in criteria]
    if unknown:
        raise ServiceError(
            "unknown_criterion", _("A score was given for a criterion not in the rubric.")
        )
    values: dict[int, int] = {}
    for pk, criterion in criteria.items():
        value = scores.get(pk)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ServiceError(
                "invalid_score",
                _("The score for “%(name)s” must be a whole number.") % {"name": criterion.name},
            )
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise ServiceError(
                "invalid_score",
                _("The score for “%(name)s” must be between %(min)s and %(max)s.")
                % {"name": criterion.name, "min": criterion.scale_min, "max": criterion.scale_max},
            )
        values[pk] = value
    if submit:
        missing = [c.name for pk, c in criteria.items() if pk not in values]
        if missing:
            raise ServiceError(
                "incomplete",
                _("Score every criterion before submitting; missing: %(names)s.")
                % {"names": ", ".join(missing)},
            )
    card, _created = Scorecard.objects.select_for_update().get_or_create(
        round=rnd,
        judge=judge,
        entry=entry,
        defaults={"created_at": now, "updated_at": now},
    )
    was_submitted = card.status == ScorecardStatus.SUBMITTED
    if was_submitted and not submit:
        # Editing a submitted card keeps it submitted (it counts), so it must stay complete.
        missing = [c.name for pk, c in criteria.items() if pk not in values]
        if missing:
            raise ServiceError(
                "incomplete",
                _("A submitted scorecard must score every criterion; missing: %(names)s.")
                % {"names": ", ".join(missing)},
            )
    card.comment = comment.strip()
    card.private_note = private_note.strip()
    card.updated_at = now
    if submit and not was_submitted:
        card.status = ScorecardStatus.SUBMITTED
        card.submitted_at = now
    card.save()
    card.scores.exclude(criterion_id__in=values).delete()
    existing = {s.criterion_id: s for s in card.scores.all()}
    for pk, value in values.items():
        score = existing.get(pk)
        if score is None:
            CriterionScore.objects.create(scorecard=card, criterion_id=pk, value=value)
        elif score.value != value:
            score.value = value
            score.save(update_fields=["value"])
    if card.status == ScorecardStatus.SUBMITTED:
        action = "scorecard.submitted" if not was_submitted else "scorecard.updated"
        _audit(
            rnd,
            action,
            user=judge,
            data={"entry": entry.pk, "scores": {str(k): v for k, v in values.items()}},
            now=now,
        )
    return card


# --- Results -----------------------------------------------------------------------------------


def _jury_totals(round: Round) -> list[normalise.Score[int, int]]:
    """Each counted scorecard's weighted total, keyed by (judge id, entry id)."""
    criteria = selectors.rubric(round)
    weights = {str(c.pk): float(c.weight) for c in criteria}
    totals: list[normalise.Score[int, int]] = []
    if not weights:
        return totals
    for card in selectors.counted_scorecards(round).prefetch_related("scores"):
        card_scores = {str(s.criterion_id): float(s.value) for s in card.scores.all()}
        try:
            total = normalise.weighted_total(card_scores, weights)
        except ValueError:
            # Only possible for a card submitted before a criterion was added, which the rubric
            # lock prevents; skip it rather than fail the whole round.
            logger.warning("Scorecard %s does not match the rubric; skipped", card.pk)
            continue
        totals.append(normalise.Score(judge=card.judge_id, entry=card.entry_id, value=total))
    return totals


@transaction.atomic
def results_compute(
    *, round: Round, now: datetime | None = None, user: Any = None
) -> ResultSnapshot:
    """Compute the round's standings (jury ⊕ audience) and store them as its draft snapshot.

    Jury: each counted scorecard's weighted total, normalised per judge (round.normalisation),
    averaged per entry. Audience: voting's audience_scores. Both become rank points combined
    with round.jury_weight / round.audience_weight, round.results_scale and round.tie_breaks.
    Recomputing replaces the draft; a published snapshot is frozen (Conflict).
    """
    now = now or timezone.now()
    rnd = _locked_round(round)
    _ensure_unpublished(rnd, _("the results"))
    method: normalise.Method = "zscore" if rnd.normalisation == "zscore" else "robust"
    entries = dict(round_entries(rnd).values_list("pk", "created_at"))
    totals = _jury_totals(rnd)
    jury = normalise.aggregate(totals, method)
    scales = normalise.judge_scales(totals, method)
    audience = {
        entry_id: float(score)
        for entry_id, score in audience_scores(rnd).items()
        if entry_id in entries
    }
    weights = (rnd.jury_weight, rnd.audience_weight)
    try:
        standings = ranking.combine(
            {entry_id: result.normalised_mean for entry_id, result in jury.items()},
            audience,
            jury_weight=weights[0],
            audience_weight=weights[1],
            submitted_at=entries,
            scale="eurovision" if rnd.results_scale == "eurovision" else "linear",
            tie_breaks=[ranking.TieBreak(rule) for rule in rnd.tie_breaks],
        )
    except ValueError as error:
        # Only reachable when the round's settings were edited around round_configure (e.g. in
        # the admin): say so instead of failing with a 500.
        raise ServiceError(
            "invalid_settings",
            _("The round's results settings are not valid (%(error)s); fix them and recompute.")
            % {"error": error},
        ) from error
    numbers = selectors.judge_numbers(rnd)
    scale_rows = [
        {"judge_id": judge_id, "number": numbers.get(judge_id, 0), **asdict(scale)}
        for judge_id, scale in scales.items()
    ]
    snap, _created = ResultSnapshot.objects.update_or_create(
        round=rnd,
        defaults={
            "computed_at": now,
            "method": method,
            "jury_weight": weights[0],
            "audience_weight": weights[1],
            "scale": rnd.results_scale,
            "tie_breaks": list(rnd.tie_breaks),
            "judge_scales": scale_rows,
            "published_at": None,
        },
    )
    snap.rows.all().delete()
    ResultRow.objects.bulk_create(
        [
            ResultRow(
                snapshot=snap,
                entry_id=standing.entry,
                rank=standing.rank,
                points=standing.points,
                jury_rank=standing.jury_rank,
                jury_points=standing.jury_points,
                jury_raw_mean=jury[standing.entry].raw_mean if standing.entry in jury else None,
                jury_normalised_mean=(
                    jury[standing.entry].normalised_mean if standing.entry in jury else None
                ),
                jury_judges=jury[standing.entry].judge_count if standing.entry in jury else 0,
                jury_flagged=jury[standing.entry].flagged_count if standing.entry in jury else 0,
                audience_score=audience.get(standing.entry),
                audience_rank=standing.audience_rank,
                audience_points=standing.audience_points,
                decided_by=str(standing.decided_by.value) if standing.decided_by else "",
            )
            for standing in standings
        ]
    )
    _audit(
        rnd,
        "results.computed",
        user=user,
        data={"entries": len(standings), "scorecards": len(totals), "method": method},
        now=now,
    )
    return snap


@transaction.atomic
def results_publish(*, round: Round, user: Any, now: datetime | None = None) -> bool:
    """Publish the round's computed results (frozen from now on) and tell people.

    Only after the round has closed, and only once: a second call (a double click, another
    tab) finds `results_published_at` set and returns False without doing anything.
    """
    now = now or timezone.now()
    rnd = _locked_round(round)
    if rnd.results_published_at is not None:
        return False
    if now < rnd.closes_at:
        raise Conflict("round_open", _("Results can be published only after the round has closed."))
    snap = ResultSnapshot.objects.filter(round=rnd).first()
    if snap is None:
        raise Conflict("no_results", _("Compute the results first, check them, then publish."))
    updated = Round.objects.filter(pk=rnd.pk, results_published_at__isnull=True).update(
        results_published_at=now
    )
    if updated != 1:
        return False
    ResultSnapshot.objects.filter(pk=snap.pk).update(published_at=now)
    rnd.results_published_at = now
    round.results_published_at = now
    _audit(
        rnd,
        "results.published",
        user=user,
        data={"computed_at": snap.computed_at.isoformat(), "entries": snap.rows.count()},
        now=now,
    )
    community.notify_results_published(round=rnd)
    return True


# --- The round clock ---------------------------------------------------------------------------


def _announce_open(rnd: Round, now: datetime) -> bool:
    with transaction.atomic():
        updated = Round.objects.filter(pk=rnd.pk, opened_announced_at__isnull=True).update(
            opened_announced_at=now
        )
        if updated != 1:
            return False
        rnd.opened_announced_at = now
        _audit(rnd, "round.opened", user=None, data={}, now=now)
        community.notify_round_opened(round=rnd)
    return True


def round_close(*, round: Round, now: datetime | None = None) -> int | None:
    """Close a round whose time is up: mark it closed (once, however many workers try),
    compute the results, advance the top N into the next round, and tell people.

    Returns how many entries advanced, or None when another worker had closed it already.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = Round.objects.filter(
            pk=round.pk, closed_at__isnull=True, closes_at__lte=now
        ).update(closed_at=now)
        if updated != 1:
            return None
        rnd = Round.objects.select_related("campaign").get(pk=round.pk)
        _audit(rnd, "round.closed", user=None, data={}, now=now)
        if rnd.results_published_at is None:
            snap = results_compute(round=rnd, now=now)
        else:
            snap = ResultSnapshot.objects.get(round=rnd)
        advanced = _advance(rnd, snap, now)
        community.notify_round_closed(round=rnd)
    return advanced


def _advance(rnd: Round, snap: ResultSnapshot, now: datetime) -> int:
    if not rnd.advance_top_n:
        return 0
    following = Round.objects.filter(campaign_id=rnd.campaign_id, number=rnd.number + 1).first()
    if following is None:
        return 0
    top = list(snap.rows.order_by("rank").values_list("entry_id", "rank")[: rnd.advance_top_n])
    before = RoundAdvancement.objects.filter(round=following).count()
    # The unique (round, entry) constraint makes a second run add nothing.
    RoundAdvancement.objects.bulk_create(
        [
            RoundAdvancement(round=following, entry_id=entry_id, from_place=rank)
            for entry_id, rank in top
        ],
        ignore_conflicts=True,
    )
    added = RoundAdvancement.objects.filter(round=following).count() - before
    if added:
        _audit(
            rnd,
            "round.advanced",
            user=None,
            data={"to_round": following.number, "entries": [entry_id for entry_id, _r in top]},
            now=now,
        )
    return added


def rounds_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The contest clock, run every sweep by each worker (see crowdstudio.scheduler).

    Announces rounds that have opened and closes rounds whose time is up (results, advancement,
    notifications). Safe from several workers at once: every step is a conditional update or
    guarded by a unique constraint. Returns the counts of what it did; empty when nothing was
    due (so the sweep does not log an idle tick).
    """
    now = now or timezone.now()
    live = Round.objects.exclude(
        campaign__status__in=[CampaignStatus.DRAFT, CampaignStatus.ARCHIVED]
    ).select_related("campaign")
    counts = {"opened": 0, "closed": 0, "advanced": 0}
    for rnd in live.filter(opens_at__lte=now, closes_at__gt=now, opened_announced_at__isnull=True):
        counts["opened"] += _announce_open(rnd, now)
    for rnd in live.filter(closes_at__lte=now, closed_at__isnull=True).order_by("closes_at"):
        try:
            advanced = round_close(round=rnd, now=now)
        except Exception:
            # One broken round must not stop the clock for the others; it is retried next tick.
            logger.exception("Closing round %s failed", rnd.pk)
            continue
        if advanced is not None:
            counts["closed"] += 1
            counts["advanced"] += advanced
    return {key: value for key, value in counts.items() if value}
