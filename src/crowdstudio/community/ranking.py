"""Scores that are fair to entries with few votes, and the jury ⊕ audience final ranking.

Pure functions on plain data (no Django), so they can be tested and benchmarked without a
database. The public explanation is docs/ranking.md; keep the two in step.

- `wilson_lower_bound` ranks up-vote rounds: the share of up-votes we are confident of.
- `bayesian_average` / `round_prior` rank star-score rounds: each entry's mean pulled towards the
  round's mean, strongly when it has few ratings.
- `combine` turns a jury score and an audience score per entry into the final standings, using
  rank points (order only, never raw margins) weighted by the organiser, with explicit
  tie-breaks so that no two entries ever share a rank.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any, Generic, Literal, Protocol, TypeVar

__all__ = [
    "DEFAULT_TIE_BREAKS",
    "EUROVISION_POINTS",
    "Prior",
    "Standing",
    "TieBreak",
    "bayesian_average",
    "combine",
    "round_prior",
    "wilson_lower_bound",
]


# --- Up-votes: Wilson score interval ---------------------------------------------------------


def wilson_lower_bound(up: int, total: int, confidence: float = 0.95) -> float:
    """Lower bound of the two-sided Wilson score interval for the proportion `up / total`.

    With no votes at all there is nothing to be confident about, so the score is 0.0.
    """
    if up < 0 or total < 0:
        raise ValueError("vote counts cannot be negative")
    if up > total:
        raise ValueError("up-votes cannot exceed the total number of votes")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be strictly between 0 and 1")
    if up == 0:
        # Also covers total == 0: with no up-votes the exact bound is 0, and the formula below
        # would only reach it up to rounding.
        return 0.0
    z = statistics.NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    n = float(total)
    p = up / n
    z2 = z * z
    centre = p + z2 / (2.0 * n)
    margin = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    return (centre - margin) / (1.0 + z2 / n)


# --- Star scores: Bayesian average with a prior from the round ------------------------------


def bayesian_average(
    total_score: float, count: int, prior_mean: float, prior_weight: float
) -> float:
    """`(prior_weight * prior_mean + total_score) / (prior_weight + count)`.

    The prior acts like `prior_weight` extra ratings of `prior_mean`: an entry with few ratings
    stays close to the round's mean, one with many ratings is scored by its own mean.
    """
    if count < 0:
        raise ValueError("count cannot be negative")
    if prior_weight < 0:
        raise ValueError("prior_weight cannot be negative")
    if prior_weight + count == 0:
        raise ValueError("no ratings and no prior: the average is undefined")
    return (prior_weight * prior_mean + total_score) / (prior_weight + count)


@dataclass(frozen=True, slots=True)
class Prior:
    """What an entry is assumed to score before its own ratings are counted."""

    mean: float
    weight: float

    def average(self, total_score: float, count: int) -> float:
        return bayesian_average(total_score, count, self.mean, self.weight)


def round_prior(scores: Iterable[tuple[float, int]], *, default_mean: float = 3.0) -> Prior:
    """The prior for a round, from `(sum of ratings, number of ratings)` per entry.

    - mean: the mean of every rating given in the round (not the mean of entry means, so a
      single-rating entry does not weigh as much as a hundred-rating one);
    - weight: the median number of ratings of the entries that have any, and at least 1. Entries
      with no ratings are left out so that a round where most entries are still unrated does
      not shrink the prior to nothing; the median (not the mean) so that one viral entry does
      not make the prior overwhelm everyone else.

    With no ratings in the round yet, the mean is `default_mean` (the middle of a 1–5 scale).
    """
    grand_total = 0.0
    grand_count = 0
    counts: list[int] = []
    for total_score, count in scores:
        if count < 0:
            raise ValueError("count cannot be negative")
        grand_total += total_score
        grand_count += count
        if count > 0:
            counts.append(count)
    if grand_count == 0:
        return Prior(mean=default_mean, weight=1.0)
    return Prior(mean=grand_total / grand_count, weight=max(1.0, float(statistics.median(counts))))


# --- Final ranking: jury ⊕ audience ----------------------------------------------------------


class _Orderable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Orderable)

EUROVISION_POINTS: tuple[int, ...] = (12, 10, 8, 7, 6, 5, 4, 3, 2, 1)
"""Points for 1st to 10th place on the "eurovision" scale; 11th and below get 0."""

Scale = Literal["linear", "eurovision"]


class TieBreak(StrEnum):
    """What separates two entries with equal final points, in the order the rules name them."""

    JURY = "jury"  # higher jury score (an entry the jury did not score comes after)
    AUDIENCE = "audience"  # higher audience score (likewise)
    SUBMITTED = "submitted"  # earlier submission
    ENTRY = "entry"  # lower entry key; always the last resort, so ranks are never shared


DEFAULT_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.JURY, TieBreak.AUDIENCE, TieBreak.SUBMITTED)


@dataclass(frozen=True, slots=True)
class Standing(Generic[K]):
    """One entry's place in the final ranking.

    `points` is the weighted mean of `jury_points` and `audience_points` (weights normalised to
    sum to 1, so it is on the same scale as the rank points). A side's rank is None when that
    side did not score the entry; tied scores share the better rank (1, 2, 2, 4).
    `decided_by` says which tie-break put this entry ahead of the next one, or None when the
    points already did (and for the last entry).
    """

    entry: K
    rank: int
    points: float
    jury_rank: int | None
    jury_points: float
    audience_rank: int | None
    audience_points: float
    decided_by: TieBreak | None


def combine(
    jury: Mapping[K, float],
    audience: Mapping[K, float],
    *,
    jury_weight: float,
    audience_weight: float,
    submitted_at: Mapping[K, datetime],
    scale: Scale = "linear",
    tie_breaks: Sequence[TieBreak] = DEFAULT_TIE_BREAKS,
) -> list[Standing[K]]:
    """Final standings, best first, from a jury score and an audience score per entry.

    The field is every entry in `submitted_at` (every key of `jury` and `audience` must be
    there). Each side ranks the entries it scored, higher score first, and gives rank points:
    on the "linear" scale N for 1st down to 1 for Nth, where N is the size of the whole field
    (so both sides use the same scale even when the jury scored only a shortlist); on the
    "eurovision" scale 12, 10, 8, 7, …, 1 for the top ten. Entries with equal scores share the
    mean of the points of the places they span. An entry a side did not score gets 0 points
    from it. Only the order of the scores matters, never their size.

    Final points = (jury_weight·jury points + audience_weight·audience points) / (sum of
    weights), computed exactly. Equal final points are separated by `tie_breaks` in order
    (default: jury score, audience score, submission time), then by the entry key.
    """
    if scale not in ("linear", "eurovision"):
        raise ValueError(f"unknown scale {scale!r}; use 'linear' or 'eurovision'")
    w_jury = _weight(jury_weight, "jury_weight")
    w_audience = _weight(audience_weight, "audience_weight")
    if w_jury + w_audience == 0:
        raise ValueError("jury_weight and audience_weight cannot both be 0")
    order = _tie_break_order(tie_breaks)
    for side, scores in (("jury", jury), ("audience", audience)):
        missing = [key for key in scores if key not in submitted_at]
        if missing:
            raise ValueError(f"{side} scores entries with no submission time: {missing!r}")
        if not all(math.isfinite(score) for score in scores.values()):
            raise ValueError(f"{side} scores must be finite numbers")
    _check_times(submitted_at.values())

    field_size = len(submitted_at)
    jury_places = _rank_points(jury, field_size, scale)
    audience_places = _rank_points(audience, field_size, scale)
    total_weight = w_jury + w_audience

    def final_points(key: K) -> Fraction:
        jury_pts = jury_places[key][1] if key in jury_places else Fraction(0)
        audience_pts = audience_places[key][1] if key in audience_places else Fraction(0)
        return (w_jury * jury_pts + w_audience * audience_pts) / total_weight

    def criterion(key: K, rule: TieBreak) -> Any:
        # Smaller sorts first. A side's missing score counts as below every real score.
        if rule is TieBreak.JURY:
            return -jury[key] if key in jury else math.inf
        if rule is TieBreak.AUDIENCE:
            return -audience[key] if key in audience else math.inf
        if rule is TieBreak.SUBMITTED:
            return submitted_at[key]
        return key

    points = {key: final_points(key) for key in submitted_at}
    sort_keys = {
        key: (-points[key], *(criterion(key, rule) for rule in order)) for key in submitted_at
    }
    ranked = sorted(submitted_at, key=sort_keys.__getitem__)

    standings: list[Standing[K]] = []
    for index, key in enumerate(ranked):
        decided_by: TieBreak | None = None
        if index + 1 < len(ranked):
            below = ranked[index + 1]
            if points[key] == points[below]:
                decided_by = next(
                    rule for rule in order if criterion(key, rule) != criterion(below, rule)
                )
        jury_rank, jury_pts = jury_places.get(key, (None, Fraction(0)))
        audience_rank, audience_pts = audience_places.get(key, (None, Fraction(0)))
        standings.append(
            Standing(
                entry=key,
                rank=index + 1,
                points=float(points[key]),
                jury_rank=jury_rank,
                jury_points=float(jury_pts),
                audience_rank=audience_rank,
                audience_points=float(audience_pts),
                decided_by=decided_by,
            )
        )
    return standings


def _weight(value: float, name: str) -> Fraction:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0")
    # Read the weight as the decimal the organiser typed (0.7 → 7/10, not the binary float
    # nearest to it), so that ties which are exact on paper stay exact ties here.
    return Fraction(str(float(value)))


def _tie_break_order(tie_breaks: Sequence[TieBreak]) -> tuple[TieBreak, ...]:
    rules = tuple(TieBreak(rule) for rule in tie_breaks)
    if len(set(rules)) != len(rules):
        raise ValueError("a tie-break rule is listed twice")
    if TieBreak.ENTRY in rules[:-1]:
        raise ValueError("the entry key can only be the last tie-break")
    if not rules or rules[-1] is not TieBreak.ENTRY:
        rules = (*rules, TieBreak.ENTRY)
    return rules


def _check_times(times: Iterable[datetime]) -> None:
    kinds = {moment.utcoffset() is not None for moment in times}
    if len(kinds) > 1:
        raise ValueError("submission times mix timezone-aware and naive datetimes")


def _place_points(place: int, field_size: int, scale: Scale) -> int:
    if scale == "linear":
        return field_size - place + 1
    return EUROVISION_POINTS[place - 1] if place <= len(EUROVISION_POINTS) else 0


def _rank_points(
    scores: Mapping[K, float], field_size: int, scale: Scale
) -> dict[K, tuple[int, Fraction]]:
    """(rank, points) per scored entry; equal scores share the better rank and the mean points."""
    ordered = sorted(scores.items(), key=lambda item: -item[1])
    places: dict[K, tuple[int, Fraction]] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end < len(ordered) and ordered[end][1] == ordered[start][1]:
            end += 1
        shared = sum(_place_points(place, field_size, scale) for place in range(start + 1, end + 1))
        for key, _score in ordered[start:end]:
            places[key] = (start + 1, Fraction(shared, end - start))
        start = end
    return places
