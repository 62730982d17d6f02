"""Rubric totals and per-judge normalisation of jury scores (crowdstudio.judging.normalise)."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Callable, Iterable
from dataclasses import astuple

import pytest

from crowdstudio.judging.normalise import (
    IQR_TO_SD,
    MAD_TO_SD,
    METHODS,
    ROBUST_CLIP,
    JudgeScale,
    Method,
    NormalisedScore,
    Score,
    aggregate,
    judge_scales,
    normalise,
    weighted_total,
)

RUBRIC = {"originality": 2.0, "craft": 1.0, "fit to the brief": 1.0}


def scores_of(judge: str, values: dict[str, float]) -> list[Score[str, str]]:
    return [Score(judge, entry, value) for entry, value in values.items()]


def normalised_by_key(
    scores: Iterable[Score[str, str]], method: Method
) -> dict[tuple[str, str], float]:
    return {(s.judge, s.entry): s.normalised for s in normalise(scores, method)}


# --- Rubric scoring ----------------------------------------------------------------------------


def test_a_scorecard_totals_to_the_weighted_mean_of_its_criteria() -> None:
    card = {"originality": 8.0, "craft": 6.0, "fit to the brief": 9.0}
    # (2·8 + 1·6 + 1·9) / (2 + 1 + 1)
    assert weighted_total(card, RUBRIC) == 7.75


def test_weights_are_relative_so_the_total_stays_on_the_criteria_scale() -> None:
    card = {"originality": 8.0, "craft": 6.0, "fit to the brief": 9.0}
    percent = {"originality": 50.0, "craft": 25.0, "fit to the brief": 25.0}
    assert weighted_total(card, percent) == weighted_total(card, RUBRIC)
    assert weighted_total(dict.fromkeys(RUBRIC, 7.0), RUBRIC) == 7.0


def test_a_criterion_weighted_zero_must_be_scored_but_does_not_count() -> None:
    weights = {"originality": 1.0, "craft": 0.0}
    assert weighted_total({"originality": 10.0, "craft": 0.0}, weights) == 10.0
    with pytest.raises(ValueError, match="'craft'"):
        weighted_total({"originality": 10.0}, weights)


def test_it_names_the_missing_criterion() -> None:
    with pytest.raises(ValueError, match="no score for criterion 'fit to the brief'"):
        weighted_total({"originality": 8.0, "craft": 6.0}, RUBRIC)


def test_it_rejects_a_criterion_that_is_not_in_the_rubric() -> None:
    card = {"originality": 8.0, "craft": 6.0, "fit to the brief": 9.0, "vibes": 10.0}
    with pytest.raises(ValueError, match="'vibes'"):
        weighted_total(card, RUBRIC)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"originality": -1.0, "craft": 1.0}, "'originality'"),
        ({"originality": math.nan, "craft": 1.0}, "'originality'"),
        ({"originality": 0.0, "craft": 0.0}, "above 0"),
        ({}, "above 0"),
    ],
)
def test_it_rejects_negative_non_finite_or_all_zero_weights(
    weights: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        weighted_total({"originality": 5.0, "craft": 5.0}, weights)


def test_it_rejects_a_non_finite_criterion_score() -> None:
    with pytest.raises(ValueError, match="'craft'"):
        weighted_total({"originality": 5.0, "craft": math.inf}, {"originality": 1, "craft": 1})


def test_the_same_scores_in_another_order_total_exactly_the_same() -> None:
    weights = {"a": 0.18, "b": 0.86, "c": 0.78, "d": 0.29}
    card = {"a": 5.5, "b": 5.0, "c": 6.9, "d": 8.1}
    # Summed left to right, some of these orders give 6.171090047393365 and others
    # 6.171090047393366; the total must not depend on the order.
    totals = {
        weighted_total({c: card[c] for c in order}, {c: weights[c] for c in order})
        for order in itertools.permutations(card)
    }
    assert len(totals) == 1
    assert totals.pop() == pytest.approx(6.17109)


# --- Hand-computed values ----------------------------------------------------------------------


def test_zscores_of_a_three_entry_judge_match_the_hand_computation() -> None:
    scores = scores_of("ana", {"A": 4.0, "B": 6.0, "C": 8.0})
    # mean 6; population sd = sqrt((4 + 0 + 4) / 3) = sqrt(8/3); z = ±2 / sqrt(8/3) = ±sqrt(3/2)
    result = normalise(scores, "zscore")
    assert [s.normalised for s in result] == pytest.approx([-math.sqrt(1.5), 0.0, math.sqrt(1.5)])
    assert [s.normalised for s in result] == pytest.approx([-1.2247449, 0.0, 1.2247449])
    assert [s.raw for s in result] == [4.0, 6.0, 8.0]
    assert not any(s.flagged for s in result)
    scale = judge_scales(scores, "zscore")["ana"]
    assert (scale.count, scale.centre, scale.basis) == (3, 6.0, "sd")
    assert scale.spread == pytest.approx(math.sqrt(8 / 3))


def test_robust_scores_of_a_three_entry_judge_match_the_hand_computation() -> None:
    scores = scores_of("ana", {"A": 4.0, "B": 6.0, "C": 8.0})
    # median 6; |deviations| 2, 0, 2 → MAD 2; spread 1.4826 · 2; ±2 / 2.9652 = ±0.6745
    result = normalise(scores, "robust")
    assert MAD_TO_SD == pytest.approx(1.4826, abs=1e-4)
    assert [s.normalised for s in result] == pytest.approx([-0.6745, 0.0, 0.6745], abs=1e-4)
    assert judge_scales(scores, "robust")["ana"].basis == "mad"


def test_robust_falls_back_to_the_interquartile_range_when_the_mad_is_zero() -> None:
    # median 5 and three of five scores equal it, so the MAD is 0. Inclusive quartiles are the
    # 2nd and 4th sorted values, 2 and 5: IQR 3, spread 3 / 1.349 = 2.2239.
    scores = scores_of("ben", {"A": 1.0, "B": 2.0, "C": 5.0, "D": 5.0, "E": 5.0})
    scale = judge_scales(scores, "robust")["ben"]
    assert scale.basis == "iqr"
    assert scale.spread == pytest.approx(3 * IQR_TO_SD) == pytest.approx(2.2239, abs=1e-4)
    assert [s.normalised for s in normalise(scores, "robust")] == pytest.approx(
        [-1.7986, -1.3490, 0.0, 0.0, 0.0], abs=1e-4
    )


def test_robust_falls_back_to_the_standard_deviation_when_the_iqr_is_zero_too() -> None:
    # Median, both quartiles and the MAD are all 5 / 0. Mean 4.2, population sd 1.6.
    scores = scores_of("ben", {"A": 1.0, "B": 5.0, "C": 5.0, "D": 5.0, "E": 5.0})
    scale = judge_scales(scores, "robust")["ben"]
    assert (scale.basis, scale.centre) == ("sd", 5.0)
    assert scale.spread == pytest.approx(1.6)
    assert [s.normalised for s in normalise(scores, "robust")] == pytest.approx(
        [-2.5, 0.0, 0.0, 0.0, 0.0]
    )
    assert not scale.flagged


def test_robust_caps_a_single_extreme_score() -> None:
    scores = scores_of("cy", {"A": 5.0, "B": 6.0, "C": 7.0, "D": 8.0, "E": 9.0, "F": 40.0})
    # median 7.5, MAD 1.5, spread 2.2239: F would be (40 - 7.5) / 2.2239 = 14.6 uncapped.
    result = {s.entry: s.normalised for s in normalise(scores, "robust")}
    assert result["F"] == ROBUST_CLIP == 3.0
    assert result["A"] == pytest.approx(-1.1241, abs=1e-4)


# --- A worked example (the one in docs/judging.md) ---------------------------------------------

WORKED_EXAMPLE = [
    # Ana is generous and has a conflict with D; Ben is harsh and has a conflict with C;
    # Cy gave everything a 6.
    *scores_of("ana", {"A": 9.0, "B": 8.0, "C": 7.0}),
    *scores_of("ben", {"A": 6.0, "B": 5.0, "D": 2.0}),
    *scores_of("cy", {"B": 6.0, "C": 6.0, "D": 6.0}),
]


def test_the_worked_example_gives_the_documented_figures() -> None:
    result = aggregate(WORKED_EXAMPLE)
    assert list(result) == ["A", "B", "C", "D"]
    # (raw mean, normalised mean, judges, flagged judges)
    assert {entry: astuple(r) for entry, r in result.items()} == {
        "A": pytest.approx((7.5, 0.6745, 2, 0), abs=1e-4),
        "B": pytest.approx((6.3333, 0.0, 3, 1), abs=1e-4),
        "C": pytest.approx((6.5, -0.3372, 2, 1), abs=1e-4),
        "D": pytest.approx((4.0, -1.0117, 2, 1), abs=1e-4),
    }
    # On raw means C (seen by generous Ana) beats B (also seen by harsh Ben); normalised, B
    # comes first, as every judge who saw both ranked B above C or no lower.
    assert result["C"].raw_mean > result["B"].raw_mean
    assert result["B"].normalised_mean > result["C"].normalised_mean


def test_the_worked_example_with_zscores() -> None:
    result = aggregate(WORKED_EXAMPLE, "zscore")
    # Ana: mean 8, sd sqrt(2/3) → ±1.2247; Ben: mean 13/3, sd sqrt(26)/3 → 5/sqrt(26) for A.
    assert result["A"].normalised_mean == pytest.approx((math.sqrt(1.5) + 5 / math.sqrt(26)) / 2)
    assert [r.judge_count for r in result.values()] == [2, 3, 2, 2]


# --- Fairness between judges -------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_a_harsh_judge_and_a_lenient_judge_weigh_the_same(method: Method) -> None:
    lenient = {"A": 9.0, "B": 8.5, "C": 7.0, "D": 4.0}
    harsh = {entry: value - 3.0 for entry, value in lenient.items()}
    scores = scores_of("lenient", lenient) + scores_of("harsh", harsh)

    result = normalised_by_key(scores, method)
    for entry in lenient:
        assert result["harsh", entry] == pytest.approx(result["lenient", entry])
    assert len(set(result.values())) == 4  # they did express preferences


@pytest.mark.parametrize("method", METHODS)
def test_entries_seen_only_by_a_harsh_judge_are_not_penalised(method: Method) -> None:
    # Conflicts of interest split the field: the lenient judge sees A–C, the harsh one D–F.
    lenient = scores_of("lenient", {"A": 9.0, "B": 7.0, "C": 6.0})
    harsh = scores_of("harsh", {"D": 6.0, "E": 4.0, "F": 3.0})
    result = aggregate(lenient + harsh, method)
    for top, bottom in (("A", "D"), ("B", "E"), ("C", "F")):
        assert result[top].raw_mean == result[bottom].raw_mean + 3.0
        assert result[top].normalised_mean == pytest.approx(result[bottom].normalised_mean)


# --- Outliers ----------------------------------------------------------------------------------


def test_an_outlier_affects_the_robust_method_less_than_zscores() -> None:
    ordinary = {"A": 5.0, "B": 6.0, "C": 7.0, "D": 8.0, "E": 9.0}
    with_outlier = {**ordinary, "F": 40.0}  # a mis-typed score

    def gap_and_shift(method: Method) -> tuple[float, float, float]:
        before = normalised_by_key(scores_of("j", ordinary), method)
        after = normalised_by_key(scores_of("j", with_outlier), method)
        gap_before = before["j", "E"] - before["j", "A"]
        gap_after = after["j", "E"] - after["j", "A"]
        shift = max(abs(after[key] - before[key]) for key in before)
        return gap_before, gap_after, shift

    z_before, z_after, z_shift = gap_and_shift("zscore")
    r_before, r_after, r_shift = gap_and_shift("robust")
    # z-scores: the outlier inflates the sd from 1.41 to 12.37 and squashes the judge's
    # distinction between A and E from 2.83 to 0.32 (11 % of it is left).
    assert (z_before, z_after) == pytest.approx((2.8284, 0.3235), abs=1e-4)
    # Robust: spread 1.4826 → 2.2239, the A–E distinction goes from 2.70 to 1.80 (67 % left).
    assert (r_before, r_after) == pytest.approx((2.6980, 1.7986), abs=1e-4)
    assert r_after / r_before > 0.6 > 0.15 > z_after / z_before
    assert r_shift == pytest.approx(0.6745, abs=1e-4)
    assert z_shift == pytest.approx(1.6973, abs=1e-4)
    assert r_shift < z_shift / 2


# --- Invariance --------------------------------------------------------------------------------

TRANSFORMS: dict[str, Callable[[float], float]] = {
    "plus 3": lambda x: x + 3.0,
    "minus 100": lambda x: x - 100.0,
    "times 2.5": lambda x: x * 2.5,
    "times 0.1": lambda x: x * 0.1,
    "times 7 plus 11": lambda x: 7.0 * x + 11.0,
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_shifting_or_stretching_one_judges_scores_changes_nothing(
    method: Method, transform: Callable[[float], float]
) -> None:
    panel = [
        *scores_of("ana", {"A": 9.0, "B": 4.0, "C": 7.0, "D": 7.0, "E": 1.0}),
        *scores_of("ben", {"A": 6.0, "B": 5.0, "D": 2.0, "E": 5.0, "F": 3.0}),
        *scores_of("cy", {"B": 6.0, "C": 6.0, "D": 6.0}),  # flagged: must stay flagged
        *scores_of("dee", {"A": 2.0, "B": 5.0, "C": 5.0, "D": 5.0, "F": 9.0}),  # MAD 0
    ]
    for judge in ("ana", "cy", "dee"):
        changed = [
            Score(s.judge, s.entry, transform(s.value)) if s.judge == judge else s for s in panel
        ]
        before = normalise(panel, method)
        after = normalise(changed, method)
        assert [s.normalised for s in after] == pytest.approx([s.normalised for s in before])
        assert [s.flagged for s in after] == [s.flagged for s in before]
        assert [r.normalised_mean for r in aggregate(changed, method).values()] == pytest.approx(
            [r.normalised_mean for r in aggregate(panel, method).values()]
        )


# --- Judges who express no preference ----------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_a_judge_who_scored_one_entry_is_flagged_and_neutral(method: Method) -> None:
    others = [
        *scores_of("ana", {"A": 9.0, "B": 8.0, "C": 7.0}),
        *scores_of("ben", {"A": 6.0, "B": 5.0, "C": 2.0}),
    ]
    solo = Score("solo", "C", 10.0)
    result = normalise([*others, solo], method)

    assert result[-1].normalised == 0.0
    assert result[-1].flagged
    assert result[-1].raw == 10.0
    assert judge_scales([solo], method)["solo"] == JudgeScale(
        count=1, centre=10.0, spread=None, basis="single"
    )
    # The other judges are unaffected, and none of them is flagged.
    assert result[:-1] == normalise(others, method)
    c = aggregate([*others, solo], method)["C"]
    assert (c.judge_count, c.flagged_count) == (3, 1)
    assert c.raw_mean == pytest.approx(19 / 3)


@pytest.mark.parametrize("method", METHODS)
def test_a_judge_who_gave_every_entry_the_same_score_is_flagged_and_neutral(method: Method) -> None:
    scores = scores_of("cy", {"A": 6.0, "B": 6.0, "C": 6.0, "D": 6.0})
    result = normalise(scores, method)
    assert [(s.normalised, s.flagged) for s in result] == [(0.0, True)] * 4
    scale = judge_scales(scores, method)["cy"]
    assert (scale.basis, scale.spread, scale.flagged) == ("constant", None, True)


@pytest.mark.parametrize("method", METHODS)
def test_rounding_noise_is_not_mistaken_for_a_preference(method: Method) -> None:
    # Rubric totals that are mathematically equal may differ in the last bit.
    x = 7.3
    scores = scores_of("cy", {"A": x, "B": math.nextafter(x, math.inf), "C": x})
    assert all(s.flagged and s.normalised == 0.0 for s in normalise(scores, method))


@pytest.mark.parametrize("method", METHODS)
def test_an_entry_nobody_scored_is_absent(method: Method) -> None:
    scores = [*scores_of("ana", {"A": 9.0, "B": 4.0}), *scores_of("ben", {"B": 5.0, "D": 2.0})]
    result = aggregate(scores, method)
    assert list(result) == ["A", "B", "D"]  # C was never scored
    assert {e: r.judge_count for e, r in result.items()} == {"A": 1, "B": 2, "D": 1}
    assert aggregate([], method) == {}
    assert normalise([], method) == []


def test_each_entry_gets_the_mean_of_its_own_judges_normalised_scores() -> None:
    scores = [
        *scores_of("ana", {"A": 9.0, "B": 4.0, "C": 7.0}),
        *scores_of("ben", {"A": 6.0, "C": 5.0, "D": 2.0}),
        *scores_of("cy", {"B": 3.0, "C": 8.0, "D": 1.0}),
    ]
    each = normalised_by_key(scores, "robust")
    result = aggregate(scores)
    assert result["C"].normalised_mean == pytest.approx(
        (each["ana", "C"] + each["ben", "C"] + each["cy", "C"]) / 3
    )
    assert result["D"].normalised_mean == pytest.approx((each["ben", "D"] + each["cy", "D"]) / 2)
    assert result["D"].raw_mean == 1.5
    assert result["D"].judge_count == 2


# --- Bad input ---------------------------------------------------------------------------------


def test_a_judge_may_score_an_entry_only_once() -> None:
    with pytest.raises(ValueError, match="'ana' scored entry 'A' more than once"):
        normalise([Score("ana", "A", 5.0), Score("ana", "B", 6.0), Score("ana", "A", 7.0)])


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_it_rejects_non_finite_scores(value: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        aggregate([Score("ana", "A", 5.0), Score("ana", "B", value)])


def test_it_rejects_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="'percentile'"):
        normalise([Score("ana", "A", 5.0)], "percentile")  # type: ignore[arg-type]


def test_output_keeps_the_input_order_and_works_with_any_hashable_keys() -> None:
    scores = [Score(2, 30, 1.0), Score(1, 10, 5.0), Score(2, 10, 3.0), Score(1, 30, 4.0)]
    result = normalise(scores)
    assert [(s.judge, s.entry, s.raw) for s in result] == [
        (2, 30, 1.0),
        (1, 10, 5.0),
        (2, 10, 3.0),
        (1, 30, 4.0),
    ]
    assert list(aggregate(scores)) == [30, 10]


# --- Properties on random juries (fixed seeds) -------------------------------------------------


def random_jury(seed: int) -> list[Score[str, int]]:
    """Judges with their own leniency and spread, each seeing a random subset of the entries."""
    rng = random.Random(seed)
    entries = range(rng.randint(1, 30))
    scores: list[Score[str, int]] = []
    for j in range(rng.randint(1, 8)):
        offset, stretch = rng.uniform(-5, 5), rng.uniform(0.1, 4)
        seen = rng.sample(entries, rng.randint(1, len(entries)))
        integer_scores = rng.random() < 0.5  # many ties, like a 1–10 scale
        for entry in seen:
            quality = rng.randint(1, 10) if integer_scores else rng.gauss(5, 2)
            scores.append(Score(f"judge {j}", entry, offset + stretch * quality))
    rng.shuffle(scores)
    return scores


def per_judge(result: Iterable[NormalisedScore[str, int]]) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = {}
    for s in result:
        grouped.setdefault(s.judge, []).append(s.normalised)
    return grouped


@pytest.mark.parametrize("seed", range(25))
def test_zscores_have_mean_zero_and_unit_spread_per_judge(seed: int) -> None:
    scores = random_jury(seed)
    result = normalise(scores, "zscore")
    flagged = {s.judge for s in result if s.flagged}
    for judge, values in per_judge(result).items():
        assert statistics.fmean(values) == pytest.approx(0.0, abs=1e-9)
        if judge in flagged:
            assert values == [0.0] * len(values)
        else:
            assert statistics.pstdev(values) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(25))
def test_robust_scores_have_median_zero_and_stay_within_the_cap(seed: int) -> None:
    scores = random_jury(seed)
    result = normalise(scores, "robust")
    for values in per_judge(result).values():
        assert statistics.median(values) == pytest.approx(0.0, abs=1e-9)
        assert all(-ROBUST_CLIP <= v <= ROBUST_CLIP for v in values)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", range(25))
def test_normalising_keeps_each_judges_order_and_aggregates_add_up(
    method: Method, seed: int
) -> None:
    scores = random_jury(seed)
    result = normalise(scores, method)
    for judge in {s.judge for s in result}:
        own = sorted((s.raw, s.normalised) for s in result if s.judge == judge)
        normalised_in_raw_order = [n for _, n in own]
        assert normalised_in_raw_order == sorted(normalised_in_raw_order)

    totals = aggregate(scores, method)
    assert sum(r.judge_count for r in totals.values()) == len(scores)
    assert set(totals) == {s.entry for s in scores}
    for entry, r in totals.items():
        own_scores = [s for s in result if s.entry == entry]
        assert r.normalised_mean == pytest.approx(
            statistics.fmean(s.normalised for s in own_scores)
        )
        assert r.raw_mean == pytest.approx(statistics.fmean(s.raw for s in own_scores))
        assert r.flagged_count == sum(s.flagged for s in own_scores)
