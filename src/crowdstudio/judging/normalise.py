"""Rubric totals and per-judge normalisation of jury scores, so a harsh judge weighs the same as
a lenient one.

Pure functions on plain data (no Django), so they can be tested and benchmarked without a
database. The public explanation is docs/judging.md; keep the two in step.

- `weighted_total` turns one scorecard (a score per rubric criterion) into one number: the
  weighted mean of its criterion scores, so it stays on the criteria's own scale.
- `normalise` re-expresses each judge's totals relative to that judge's own habits: how far a
  score lies from the judge's typical score, in units of the judge's typical spread. Raw and
  normalised values are both returned, because both are kept and shown.
- `aggregate` gives each entry the mean of the normalised scores of the judges who scored it
  (judges with a conflict of interest never see an entry, so no judge scores everything).
- `judge_scales` shows the centre and spread each judge was measured against, and why a judge
  was flagged: for staff pages and for explaining a result.

Two methods:

- "zscore": (x - mean) / population standard deviation, per judge.
- "robust" (the default): (x - median) / (1.4826 · MAD), clipped to ±`ROBUST_CLIP`. The median
  and the median absolute deviation ignore a single wild score, where a mean and a standard
  deviation are dragged by it. That matters here because a judge scores tens of entries, not
  thousands, and one grudge, mis-click or favourite moves a mean a lot: under z-scores one
  extreme score inflates the judge's standard deviation and squashes all their other scores
  towards 0, so that judge's real distinctions count for less than their colleagues'. The
  constant 1.4826 makes the spread equal to the standard deviation for normally distributed
  scores, so on well-behaved data both methods give about the same numbers. The clip bounds
  the other side of the problem: with three to five judges per entry nothing averages out, so
  one judge's single extreme score may say "best (or worst) I saw, by far" but cannot be worth
  more than `ROBUST_CLIP` typical spreads. When more than half of a judge's scores are equal
  the MAD is 0; the spread then falls back to the interquartile range / 1.349 and, if that is 0
  too, to the population standard deviation (again all scaled to agree for normal data).
  Rank-based percentiles were considered and not chosen: rubric totals tie often, and ranks
  throw away how much better one entry is than the next, which a judge did express.

A judge who scored a single entry, or gave every entry the same total, expresses no preference
between entries: all their normalised scores are 0.0 (their own "typical" score) and `flagged`.
Those zeros still count in an entry's mean (the judge did see the entry and did not set it apart);
`EntryResult.flagged_count` says how many of the entry's judges were flagged. A spread below a
billionth of the judge's largest score counts as none, so rounding noise in rubric totals that are
mathematically equal is never blown up into a preference.

Normalised scores are invariant to each judge's own scale: adding a constant to, or multiplying
by a positive constant, all of one judge's scores changes nothing.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

__all__ = [
    "IQR_TO_SD",
    "MAD_TO_SD",
    "METHODS",
    "ROBUST_CLIP",
    "Basis",
    "EntryResult",
    "JudgeScale",
    "Method",
    "NormalisedScore",
    "Score",
    "aggregate",
    "judge_scales",
    "normalise",
    "weighted_total",
]

Method = Literal["zscore", "robust"]
METHODS: tuple[Method, ...] = ("zscore", "robust")

Basis = Literal["sd", "mad", "iqr", "single", "constant"]
"""What a judge's spread was measured with, or why there was none ("single": the judge scored
one entry; "constant": every score the same)."""

_UPPER_QUARTILE_Z = statistics.NormalDist().inv_cdf(0.75)  # 0.6745 for a standard normal
MAD_TO_SD = 1.0 / _UPPER_QUARTILE_Z
"""1.4826…: MAD × this estimates the standard deviation of normally distributed scores."""
IQR_TO_SD = 1.0 / (2.0 * _UPPER_QUARTILE_Z)
"""1 / 1.349…: IQR × this estimates the standard deviation of normally distributed scores."""

ROBUST_CLIP = 3.0
"""The "robust" method caps a normalised score at ±3 typical spreads from the judge's median."""

_RELATIVE_TOLERANCE = 1e-9

J = TypeVar("J", bound=Hashable)
E = TypeVar("E", bound=Hashable)


# --- One scorecard -----------------------------------------------------------------------------


def weighted_total(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """One scorecard's total: the weighted mean Σ wᵢ·sᵢ / Σ wᵢ of its criterion scores.

    Dividing by the sum of the weights keeps the total on the criteria's scale (a card of all 7s
    totals 7 whatever the weights), so weights are relative: 2/1/1 means the same as 50/25/25.
    Every criterion of the rubric (every key of `weights`, including those weighted 0) must be
    scored, and nothing else may be. Sums are exact-rounded (`math.fsum`), so two cards with
    the same scores in a different order total exactly the same.
    """
    for criterion, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(
                f"the weight of criterion {criterion!r} must be a finite number >= 0, "
                f"not {weight!r}"
            )
    total_weight = math.fsum(weights.values())
    if total_weight == 0:
        raise ValueError("at least one rubric criterion needs a weight above 0")
    missing = [criterion for criterion in weights if criterion not in scores]
    if missing:
        raise ValueError(
            f"the scorecard has no score for criterion {', '.join(map(repr, missing))}"
        )
    unknown = [criterion for criterion in scores if criterion not in weights]
    if unknown:
        raise ValueError(
            f"the scorecard scores criteria that are not in the rubric: "
            f"{', '.join(map(repr, unknown))}"
        )
    for criterion in weights:
        if not math.isfinite(scores[criterion]):
            raise ValueError(f"the score for criterion {criterion!r} must be a finite number")
    return math.fsum(weights[c] * scores[c] for c in weights) / total_weight


# --- Per-judge normalisation -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Score(Generic[J, E]):
    """One judge's total for one entry (usually a `weighted_total`)."""

    judge: J
    entry: E
    value: float


@dataclass(frozen=True, slots=True)
class NormalisedScore(Generic[J, E]):
    """A score with its normalised value; `flagged` when the judge expressed no preference."""

    judge: J
    entry: E
    raw: float
    normalised: float
    flagged: bool


@dataclass(frozen=True, slots=True)
class JudgeScale:
    """What one judge's scores were measured against: normalised = (raw - centre) / spread.

    `centre` is the mean ("zscore") or median ("robust"); `spread` is None when the judge is
    flagged, and then every normalised score of theirs is 0.0.
    """

    count: int
    centre: float
    spread: float | None
    basis: Basis

    @property
    def flagged(self) -> bool:
        return self.spread is None


@dataclass(frozen=True, slots=True)
class EntryResult:
    """One entry's jury figures over the judges who scored it.

    `raw_mean` is the plain mean of their totals (comparable only between entries seen by the
    same judges); `normalised_mean` is the mean of their normalised scores, the entry's jury
    score. `flagged_count` of the `judge_count` judges expressed no preference (their 0.0 is in
    the mean).
    """

    raw_mean: float
    normalised_mean: float
    judge_count: int
    flagged_count: int


def judge_scales(scores: Iterable[Score[J, E]], method: Method = "robust") -> dict[J, JudgeScale]:
    """Each judge's centre and spread under `method`, in order of the judges' first score."""
    _check_method(method)
    return {
        judge: _scale([score.value for score in own], method)
        for judge, own in _by_judge(scores).items()
    }


def normalise(
    scores: Iterable[Score[J, E]], method: Method = "robust"
) -> list[NormalisedScore[J, E]]:
    """Every score with its normalised value, in the order given.

    A judge may score each entry at most once; scores must be finite. See the module docstring
    for the methods and the flagged cases.
    """
    _check_method(method)
    scores = list(scores)
    scales = {
        judge: _scale([score.value for score in own], method)
        for judge, own in _by_judge(scores).items()
    }
    result: list[NormalisedScore[J, E]] = []
    for score in scores:
        scale = scales[score.judge]
        if scale.spread is None:
            normalised = 0.0
        else:
            normalised = (score.value - scale.centre) / scale.spread
            if method == "robust":
                normalised = max(-ROBUST_CLIP, min(ROBUST_CLIP, normalised))
        result.append(
            NormalisedScore(
                judge=score.judge,
                entry=score.entry,
                raw=float(score.value),
                normalised=normalised,
                flagged=scale.flagged,
            )
        )
    return result


def aggregate(scores: Iterable[Score[J, E]], method: Method = "robust") -> dict[E, EntryResult]:
    """Per entry, the mean raw and normalised score of the judges who scored it.

    Entries appear in order of their first score; an entry nobody scored is absent.
    """
    per_entry: dict[E, list[NormalisedScore[J, E]]] = {}
    for score in normalise(scores, method):
        per_entry.setdefault(score.entry, []).append(score)
    return {
        entry: EntryResult(
            raw_mean=statistics.fmean(score.raw for score in own),
            normalised_mean=statistics.fmean(score.normalised for score in own),
            judge_count=len(own),
            flagged_count=sum(score.flagged for score in own),
        )
        for entry, own in per_entry.items()
    }


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown normalisation method {method!r}; use 'zscore' or 'robust'")


def _by_judge(scores: Iterable[Score[J, E]]) -> dict[J, list[Score[J, E]]]:
    by_judge: dict[J, list[Score[J, E]]] = {}
    seen: set[tuple[J, E]] = set()
    for score in scores:
        if not math.isfinite(score.value):
            raise ValueError(
                f"score of judge {score.judge!r} for entry {score.entry!r} must be a finite "
                f"number, not {score.value!r}"
            )
        if (score.judge, score.entry) in seen:
            raise ValueError(f"judge {score.judge!r} scored entry {score.entry!r} more than once")
        seen.add((score.judge, score.entry))
        by_judge.setdefault(score.judge, []).append(score)
    return by_judge


def _scale(values: list[float], method: Method) -> JudgeScale:
    count = len(values)
    if count == 1:
        return JudgeScale(count=1, centre=float(values[0]), spread=None, basis="single")
    # Rubric totals that are mathematically equal can differ in the last bit; a spread that
    # small is rounding noise, not a preference, and dividing by it would magnify the noise.
    tolerance = _RELATIVE_TOLERANCE * max(abs(value) for value in values)
    if method == "zscore":
        centre = statistics.fmean(values)
        candidates: list[tuple[Basis, float]] = [("sd", statistics.pstdev(values))]
    else:
        centre = float(statistics.median(values))
        lower, _, upper = statistics.quantiles(values, n=4, method="inclusive")
        candidates = [
            ("mad", MAD_TO_SD * statistics.median([abs(value - centre) for value in values])),
            ("iqr", IQR_TO_SD * (upper - lower)),
            ("sd", statistics.pstdev(values)),
        ]
    for basis, spread in candidates:
        if spread > tolerance:
            return JudgeScale(count=count, centre=centre, spread=spread, basis=basis)
    return JudgeScale(count=count, centre=centre, spread=None, basis="constant")
