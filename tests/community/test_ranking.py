"""Ranking: Wilson lower bound, Bayesian average, and the jury ⊕ audience final standings."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from crowdstudio.community.ranking import (
    EUROVISION_POINTS,
    Prior,
    Standing,
    TieBreak,
    bayesian_average,
    combine,
    round_prior,
    wilson_lower_bound,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def order(standings: list[Standing[str]]) -> list[str]:
    return [s.entry for s in standings]


# --- Wilson -------------------------------------------------------------------------------


def test_no_votes_scores_zero() -> None:
    assert wilson_lower_bound(0, 0) == 0.0


def test_only_down_votes_score_zero_not_a_negative_number() -> None:
    assert wilson_lower_bound(0, 10) == 0.0
    assert wilson_lower_bound(0, 1_000_000) == 0.0


def test_more_unanimous_votes_earn_more_confidence() -> None:
    assert wilson_lower_bound(1, 1) < wilson_lower_bound(10, 10) < wilson_lower_bound(100, 100)


def test_it_matches_a_hand_computed_value() -> None:
    # 8 of 10 at 95 %: z = 1.959964, p = 0.8, n = 10
    # centre = p + z²/2n = 0.8 + 0.192073 = 0.992073
    # margin = z·√(p(1-p)/n + z²/4n²) = 1.959964·√(0.016 + 0.009604) = 0.313615
    # bound  = (0.992073 - 0.313615) / (1 + z²/n) = 0.678458 / 1.384146 = 0.4902
    assert wilson_lower_bound(8, 10) == pytest.approx(0.4902, abs=5e-5)
    # 1 of 1: centre = 1 + z²/2, margin = z·√(z²/4) = z²/2, so bound = 1 / (1 + z²) = 0.2065
    assert wilson_lower_bound(1, 1) == pytest.approx(0.2065, abs=5e-5)


def test_it_never_exceeds_the_observed_share_and_falls_with_more_confidence() -> None:
    assert wilson_lower_bound(90, 100) < 0.9
    assert (
        wilson_lower_bound(90, 100, confidence=0.99)
        < wilson_lower_bound(90, 100, confidence=0.95)
        < wilson_lower_bound(90, 100, confidence=0.80)
    )


def test_a_few_perfect_votes_rank_below_many_nearly_perfect_ones() -> None:
    assert wilson_lower_bound(3, 3) < wilson_lower_bound(90, 100)


@pytest.mark.parametrize(
    ("up", "total", "confidence"),
    [(-1, 5, 0.95), (1, -1, 0.95), (6, 5, 0.95), (1, 5, 0.0), (1, 5, 1.0), (1, 5, 1.5)],
)
def test_wilson_rejects_impossible_inputs(up: int, total: int, confidence: float) -> None:
    with pytest.raises(ValueError):
        wilson_lower_bound(up, total, confidence)


# --- Bayesian average ---------------------------------------------------------------------


def test_bayesian_average_matches_the_formula() -> None:
    # (4 · 3.6 + 5) / (4 + 1) = 19.4 / 5
    assert bayesian_average(5, 1, prior_mean=3.6, prior_weight=4) == pytest.approx(3.88)
    assert bayesian_average(0, 0, prior_mean=3.6, prior_weight=4) == pytest.approx(3.6)


def test_few_ratings_are_pulled_towards_the_prior_and_many_ratings_are_not() -> None:
    one_five_star = bayesian_average(5, 1, prior_mean=3.6, prior_weight=4)
    forty_at_4_5 = bayesian_average(180, 40, prior_mean=3.6, prior_weight=4)
    assert abs(one_five_star - 3.6) < abs(5 - 3.6) / 4
    assert abs(forty_at_4_5 - 4.5) < 0.1
    assert one_five_star < forty_at_4_5


def test_a_stronger_prior_pulls_harder() -> None:
    weak = bayesian_average(10, 2, prior_mean=3.0, prior_weight=1)
    strong = bayesian_average(10, 2, prior_mean=3.0, prior_weight=20)
    assert abs(strong - 3.0) < abs(weak - 3.0)


@pytest.mark.parametrize(("count", "weight"), [(-1, 4), (3, -1), (0, 0)])
def test_bayesian_average_rejects_impossible_inputs(count: int, weight: float) -> None:
    with pytest.raises(ValueError):
        bayesian_average(5, count, prior_mean=3.0, prior_weight=weight)


def test_round_prior_uses_the_mean_of_all_ratings_and_the_median_count() -> None:
    # 51 ratings summing to 221; counts of the rated entries 1, 10, 40 → median 10.
    prior = round_prior([(5, 1), (180, 40), (0, 0), (36, 10)])
    assert prior.mean == pytest.approx(221 / 51)
    assert prior.weight == 10.0
    assert prior.average(5, 1) == pytest.approx((10 * 221 / 51 + 5) / 11)


def test_unrated_entries_do_not_shrink_the_prior_weight() -> None:
    prior = round_prior([(20, 5), (20, 5), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)])
    assert prior.weight == 5.0


def test_round_prior_weight_is_at_least_one() -> None:
    assert round_prior([(4, 1), (0, 0)]).weight == 1.0
    assert round_prior([(4, 1), (6, 2)]).weight == 1.5


def test_round_prior_without_ratings_falls_back_to_the_default_mean() -> None:
    assert round_prior([]) == Prior(mean=3.0, weight=1.0)
    assert round_prior([(0, 0)], default_mean=5.5) == Prior(mean=5.5, weight=1.0)


def test_round_prior_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        round_prior([(3, -1)])


# --- combine: points ----------------------------------------------------------------------


def test_linear_points_run_from_the_field_size_down_to_one() -> None:
    result = combine(
        {"a": 9.0, "b": 5.0, "c": 1.0},
        {},
        jury_weight=1,
        audience_weight=0,
        submitted_at={"a": at(0), "b": at(1), "c": at(2)},
    )
    assert [(s.entry, s.rank, s.jury_rank, s.jury_points) for s in result] == [
        ("a", 1, 1, 3.0),
        ("b", 2, 2, 2.0),
        ("c", 3, 3, 1.0),
    ]
    assert all(s.audience_rank is None and s.audience_points == 0.0 for s in result)


def test_equal_scores_share_the_better_rank_and_the_mean_of_the_points() -> None:
    result = combine(
        {"a": 7.0, "b": 7.0, "c": 1.0},
        {},
        jury_weight=1,
        audience_weight=0,
        submitted_at={"a": at(0), "b": at(1), "c": at(2)},
    )
    assert [(s.jury_rank, s.jury_points) for s in result] == [(1, 2.5), (1, 2.5), (3, 1.0)]


def test_eurovision_scale_gives_12_10_8_down_to_1_and_nothing_after_tenth() -> None:
    names = [f"e{i:02d}" for i in range(12)]
    result = combine(
        {name: float(100 - i) for i, name in enumerate(names)},
        {},
        jury_weight=1,
        audience_weight=0,
        submitted_at={name: at(i) for i, name in enumerate(names)},
        scale="eurovision",
    )
    assert [s.jury_points for s in result] == [*map(float, EUROVISION_POINTS), 0.0, 0.0]


def test_points_are_the_weighted_mean_of_both_sides() -> None:
    result = combine(
        {"a": 9.0, "b": 1.0},
        {"a": 1.0, "b": 9.0},
        jury_weight=70,
        audience_weight=30,
        submitted_at={"a": at(0), "b": at(1)},
    )
    assert [(s.entry, s.points) for s in result] == [
        ("a", pytest.approx(0.7 * 2 + 0.3 * 1)),
        ("b", pytest.approx(0.7 * 1 + 0.3 * 2)),
    ]


def test_an_entry_missing_from_one_side_gets_no_points_from_it() -> None:
    result = combine(
        {"judged": 5.0},
        {"judged": 1.0, "voted_only": 9.0, "unseen": 0.0},
        jury_weight=50,
        audience_weight=50,
        submitted_at={"judged": at(0), "voted_only": at(1), "unseen": at(2), "nobody": at(3)},
    )
    by_entry = {s.entry: s for s in result}
    assert by_entry["voted_only"].jury_rank is None
    assert by_entry["voted_only"].jury_points == 0.0
    assert by_entry["voted_only"].audience_points == 4.0
    assert by_entry["judged"].points == pytest.approx((4 + 3) / 2)
    # An entry nobody scored is still in the standings, last.
    assert result[-1].entry == "nobody"
    assert result[-1].points == 0.0
    assert (result[-1].jury_rank, result[-1].audience_rank) == (None, None)


def test_weights_of_100_to_0_reproduce_the_jury_order() -> None:
    jury = {"a": 3.0, "b": 9.5, "c": -1.0, "d": 4.0}
    audience = {"a": 100.0, "b": 0.0, "c": 50.0, "d": 7.0}
    result = combine(
        jury,
        audience,
        jury_weight=100,
        audience_weight=0,
        submitted_at={"a": at(3), "b": at(2), "c": at(1), "d": at(0)},
    )
    assert order(result) == ["b", "d", "a", "c"]
    assert all(s.decided_by is None for s in result)


def test_weights_of_0_to_100_reproduce_the_audience_order() -> None:
    result = combine(
        {"a": 3.0, "b": 9.5, "c": -1.0},
        {"a": 100.0, "b": 0.0, "c": 50.0},
        jury_weight=0,
        audience_weight=1,
        submitted_at={"a": at(0), "b": at(1), "c": at(2)},
    )
    assert order(result) == ["a", "c", "b"]


def test_decimal_weights_keep_exact_ties_exact() -> None:
    # 0.7·10 + 0.3·3 = 0.7·7 + 0.3·10 = 7.9 on paper; in binary floats the two sums differ.
    assert 0.7 * 10 + 0.3 * 3 != 0.7 * 7 + 0.3 * 10
    names = [f"e{i}" for i in range(10)]
    jury = {name: float(10 - i) for i, name in enumerate(names)}  # e0 1st, e3 4th
    audience = {name: float(i) for i, name in enumerate(names)}  # e9 1st … e0 10th
    audience["e0"], audience["e2"] = audience["e2"], audience["e0"]  # e0 8th
    audience["e3"], audience["e9"] = audience["e9"], audience["e3"]  # e3 1st
    result = combine(
        jury,
        audience,
        jury_weight=0.7,
        audience_weight=0.3,
        submitted_at={name: at(-i) for i, name in enumerate(names)},
    )
    by_entry = {s.entry: s for s in result}
    assert (by_entry["e0"].jury_points, by_entry["e0"].audience_points) == (10.0, 3.0)
    assert (by_entry["e3"].jury_points, by_entry["e3"].audience_points) == (7.0, 10.0)
    assert by_entry["e0"].points == by_entry["e3"].points
    assert order(result)[:2] == ["e0", "e3"]
    assert by_entry["e0"].decided_by is TieBreak.JURY


# --- combine: tie-breaks ------------------------------------------------------------------
# In each case every rule after the deciding one points the other way, so only that rule can
# explain the order.


def test_equal_points_go_to_the_higher_jury_score_first() -> None:
    result = combine(
        {"b": 9.0, "a": 5.0},
        {"b": 1.0, "a": 8.0},
        jury_weight=50,
        audience_weight=50,
        submitted_at={"b": at(10), "a": at(0)},
    )
    assert result[0].points == result[1].points
    assert order(result) == ["b", "a"]
    assert [s.decided_by for s in result] == [TieBreak.JURY, None]


def test_then_the_higher_audience_score() -> None:
    result = combine(
        {"b": 7.0, "a": 7.0},
        {"b": 9.0, "a": 2.0},
        jury_weight=100,
        audience_weight=0,
        submitted_at={"b": at(10), "a": at(0)},
    )
    assert order(result) == ["b", "a"]
    assert [s.decided_by for s in result] == [TieBreak.AUDIENCE, None]


def test_audience_score_decides_below_the_eurovision_points_line() -> None:
    # x and y tie for the jury's top place and both miss the audience's top ten (0 points),
    # so their points are equal although their audience scores differ.
    fillers = [f"f{i}" for i in range(10)]
    jury = {"x": 50.0, "y": 50.0} | {name: float(i) for i, name in enumerate(fillers)}
    audience = {"x": 5.0, "y": 3.0} | {name: 100.0 + i for i, name in enumerate(fillers)}
    times = {"x": at(10), "y": at(0)} | {name: at(i) for i, name in enumerate(fillers)}
    result = combine(
        jury, audience, jury_weight=70, audience_weight=30, submitted_at=times, scale="eurovision"
    )
    x, y = order(result).index("x"), order(result).index("y")
    assert y == x + 1
    assert result[x].points == result[y].points == pytest.approx(0.7 * 11)
    assert result[x].decided_by is TieBreak.AUDIENCE


def test_then_the_earlier_submission() -> None:
    result = combine(
        {"b": 7.0, "a": 7.0},
        {"b": 2.0, "a": 2.0},
        jury_weight=70,
        audience_weight=30,
        submitted_at={"b": at(0), "a": at(10)},
    )
    assert order(result) == ["b", "a"]
    assert [s.decided_by for s in result] == [TieBreak.SUBMITTED, None]


def test_then_the_lower_entry_key() -> None:
    result = combine(
        {"b": 7.0, "a": 7.0, "c": 7.0},
        {"b": 2.0, "a": 2.0, "c": 2.0},
        jury_weight=70,
        audience_weight=30,
        submitted_at={"b": at(0), "a": at(0), "c": at(0)},
    )
    assert order(result) == ["a", "b", "c"]
    assert [s.rank for s in result] == [1, 2, 3]
    assert [s.decided_by for s in result] == [TieBreak.ENTRY, TieBreak.ENTRY, None]


def test_integer_entry_ids_break_ties_numerically() -> None:
    result = combine(
        {10: 1.0, 9: 1.0},
        {},
        jury_weight=1,
        audience_weight=0,
        submitted_at={10: at(0), 9: at(0)},
    )
    assert [s.entry for s in result] == [9, 10]


def test_the_tie_break_order_is_configurable() -> None:
    jury = {"b": 9.0, "a": 5.0}
    audience = {"b": 1.0, "a": 8.0}
    times = {"b": at(0), "a": at(10)}
    audience_first = combine(
        jury,
        audience,
        jury_weight=1,
        audience_weight=1,
        submitted_at=times,
        tie_breaks=(TieBreak.AUDIENCE, TieBreak.JURY, TieBreak.SUBMITTED),
    )
    assert order(audience_first) == ["a", "b"]
    assert audience_first[0].decided_by is TieBreak.AUDIENCE
    time_only = combine(
        jury,
        audience,
        jury_weight=1,
        audience_weight=1,
        submitted_at=times,
        tie_breaks=(TieBreak.SUBMITTED,),
    )
    assert order(time_only) == ["b", "a"]
    assert time_only[0].decided_by is TieBreak.SUBMITTED


def test_an_entry_the_jury_did_not_score_loses_the_jury_tie_break() -> None:
    # Each has first place on one side only: equal points, even with a negative jury score.
    result = combine(
        {"b": -5.0},
        {"a": 9.0},
        jury_weight=1,
        audience_weight=1,
        submitted_at={"a": at(0), "b": at(1)},
    )
    assert result[0].points == result[1].points
    assert order(result) == ["b", "a"]
    assert result[0].decided_by is TieBreak.JURY


# --- combine: validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jury_weight", "audience_weight"),
    [(-1, 1), (1, -0.5), (0, 0), (math.nan, 1), (1, math.inf)],
)
def test_combine_rejects_bad_weights(jury_weight: float, audience_weight: float) -> None:
    with pytest.raises(ValueError):
        combine(
            {"a": 1.0},
            {},
            jury_weight=jury_weight,
            audience_weight=audience_weight,
            submitted_at={"a": at(0)},
        )


def test_combine_rejects_an_unknown_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        combine(
            {"a": 1.0},
            {},
            jury_weight=1,
            audience_weight=0,
            submitted_at={"a": at(0)},
            scale="borda",  # type: ignore[arg-type]
        )


def test_combine_rejects_scores_for_entries_without_a_submission_time() -> None:
    with pytest.raises(ValueError, match="submission time"):
        combine({"a": 1.0}, {"b": 2.0}, jury_weight=1, audience_weight=1, submitted_at={"a": at(0)})


def test_combine_rejects_non_finite_scores() -> None:
    with pytest.raises(ValueError, match="finite"):
        combine({"a": math.nan}, {}, jury_weight=1, audience_weight=1, submitted_at={"a": at(0)})


@pytest.mark.parametrize(
    "tie_breaks",
    [
        (TieBreak.JURY, TieBreak.JURY),
        (TieBreak.ENTRY, TieBreak.JURY),
    ],
)
def test_combine_rejects_a_malformed_tie_break_order(tie_breaks: tuple[TieBreak, ...]) -> None:
    with pytest.raises(ValueError):
        combine(
            {"a": 1.0},
            {},
            jury_weight=1,
            audience_weight=0,
            submitted_at={"a": at(0)},
            tie_breaks=tie_breaks,
        )


def test_combine_rejects_mixed_naive_and_aware_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        combine(
            {},
            {},
            jury_weight=1,
            audience_weight=0,
            submitted_at={"a": at(0), "b": datetime(2026, 5, 1, 12, 0)},
        )


def test_an_empty_round_has_no_standings() -> None:
    assert combine({}, {}, jury_weight=1, audience_weight=1, submitted_at={}) == []


# --- combine: properties on random rounds -------------------------------------------------


def random_round(
    rng: random.Random,
) -> tuple[dict[int, float], dict[int, float], dict[int, datetime]]:
    size = rng.randint(1, 40)
    ids = rng.sample(range(1, 10_000), size)
    # Small integer scores and a handful of distinct times, so that ties are common.
    times = {entry: at(rng.randint(0, 5)) for entry in ids}
    jury = {entry: float(rng.randint(0, 8)) for entry in ids if rng.random() < 0.8}
    audience = {entry: float(rng.randint(0, 8)) for entry in ids if rng.random() < 0.9}
    return jury, audience, times


SEEDS = range(200)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_rounds_rank_every_entry_once_from_1_to_n(seed: int) -> None:
    rng = random.Random(seed)
    jury, audience, times = random_round(rng)
    result = combine(
        jury,
        audience,
        jury_weight=rng.choice([0, 1, 30, 50, 70, 0.25]),
        audience_weight=rng.choice([1, 30, 50, 0.75]),
        submitted_at=times,
        scale=rng.choice(["linear", "eurovision"]),
    )
    assert [s.rank for s in result] == list(range(1, len(times) + 1))
    assert sorted(s.entry for s in result) == sorted(times)
    assert all(a.points >= b.points for a, b in itertools.pairwise(result))
    for upper, lower in itertools.pairwise(result):
        assert (upper.decided_by is None) == (upper.points != lower.points)
    assert result[-1].decided_by is None


@pytest.mark.parametrize("seed", SEEDS)
def test_random_rounds_do_not_depend_on_the_order_the_scores_arrive_in(seed: int) -> None:
    rng = random.Random(seed)
    jury, audience, times = random_round(rng)

    def shuffled(mapping: dict[int, float]) -> dict[int, float]:
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    kwargs = {"jury_weight": 70, "audience_weight": 30, "submitted_at": times}
    first = combine(jury, audience, **kwargs)  # type: ignore[arg-type]
    second = combine(shuffled(jury), shuffled(audience), **kwargs)  # type: ignore[arg-type]
    assert first == second


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("factor", [0.1, 3.7, 1e6])
def test_multiplying_jury_scores_by_a_positive_constant_changes_nothing(
    seed: int, factor: float
) -> None:
    rng = random.Random(seed)
    jury, audience, times = random_round(rng)
    scaled = {entry: score * factor for entry, score in jury.items()}
    scale = rng.choice(["linear", "eurovision"])
    kwargs = {"jury_weight": 70, "audience_weight": 30, "submitted_at": times, "scale": scale}
    assert combine(scaled, audience, **kwargs) == combine(jury, audience, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", SEEDS)
def test_full_jury_weight_reproduces_the_jury_order_on_random_rounds(seed: int) -> None:
    rng = random.Random(seed)
    _, audience, times = random_round(rng)
    jury = {entry: rng.uniform(-3, 3) for entry in times}  # distinct, every entry judged
    result = combine(
        jury,
        audience,
        jury_weight=100,
        audience_weight=0,
        submitted_at=times,
        scale="linear",
    )
    assert [s.entry for s in result] == sorted(jury, key=lambda entry: -jury[entry])
    assert [s.jury_rank for s in result] == [s.rank for s in result]
