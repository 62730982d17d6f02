"""The director's plan edits, pure (no Django): the cut's timing never moves, the credits follow."""

from __future__ import annotations

import pytest

from crowdstudio.studio.montage.edit import (
    EditError,
    apply_pins,
    check_timing,
    drop_shot,
    move_shot,
    shot_from_data,
    shot_to_data,
    swap_shot,
    unused_candidates,
)
from crowdstudio.studio.montage.plan import BeatGrid, Plan, Shot, motion_for, plan_montage

FPS = 25.0


def shot(n: int, who: str) -> Shot:
    return Shot(entry_id=100 + n, asset_id=n, contributor=who, kind="image", width=400, height=300)


def grid(seconds: float = 20.0) -> BeatGrid:
    beats = tuple(round(0.5 * k, 3) for k in range(int(seconds * 2)))
    return BeatGrid(beats=beats, duration=seconds, energy=(0.9,) * len(beats))


def make(candidates, seconds: float = 20.0) -> Plan:
    return plan_montage(
        candidates,
        grid(seconds),
        fps=FPS,
        seed=3,
        sizes=((64, 36), (36, 64)),
        title="Title",
        credits=("Music: Click",),
    )


PEOPLE = ["ada", "bo", "cy", "di", "ed", "flo"]
MANY = [shot(n, PEOPLE[n % len(PEOPLE)]) for n in range(1, 61)]


@pytest.fixture
def plan() -> Plan:
    made = make(MANY[:40])
    assert len(made.shots) < 40  # some candidates are left over for drops and swaps
    return made


def assert_sound(before: Plan, after: Plan) -> None:
    assert check_timing(after) == []
    assert after.title.end == before.title.end
    assert after.end_credits.start == before.end_credits.start
    assert after.end_credits.lines[:1] == ("Music: Click",)
    assert list(after.end_credits.lines[1:]) == after.credits()
    assert after.credits() == list(dict.fromkeys(s.contributor for s in after.shots))


def test_a_fresh_plan_is_sound(plan):
    assert_sound(plan, plan)


def test_a_dropped_shot_is_replaced_by_the_next_unused_candidate_in_the_same_slot(plan):
    spare = unused_candidates(plan, MANY[:40])
    after = drop_shot(plan, 2, MANY[:40])
    assert after.shots[2].asset_id == spare[0].asset_id
    assert (after.shots[2].start, after.shots[2].end) == (plan.shots[2].start, plan.shots[2].end)
    assert plan.shots[2].asset_id not in {s.asset_id for s in after.shots}
    assert_sound(plan, after)


def test_without_candidates_the_previous_shot_takes_the_dropped_shots_time(plan):
    used_only = [c for c in MANY if c.asset_id in {s.asset_id for s in plan.shots}]
    after = drop_shot(plan, 3, used_only)
    assert len(after.shots) == len(plan.shots) - 1
    assert after.shots[2].end == plan.shots[3].end
    assert_sound(plan, after)


def test_without_candidates_dropping_the_first_shot_lets_the_next_start_earlier(plan):
    after = drop_shot(plan, 0, [])
    assert after.shots[0].start == plan.title.end
    assert after.shots[0].asset_id == plan.shots[1].asset_id
    assert_sound(plan, after)


def test_a_dropped_contributor_leaves_the_credits():
    candidates = [shot(1, "ada"), shot(2, "bo"), shot(3, "cy")]
    plan = make(candidates, seconds=8.0)
    after = drop_shot(plan, 0, candidates)
    gone = plan.shots[0]
    assert gone.asset_id not in {s.asset_id for s in after.shots}
    assert gone.contributor not in after.credits()
    assert_sound(plan, after)


def test_previously_dropped_pictures_never_come_back(plan):
    spare = unused_candidates(plan, MANY[:40])
    after = drop_shot(plan, 1, MANY[:40], dropped=[spare[0].asset_id])
    assert after.shots[1].asset_id == spare[1].asset_id


def test_the_last_picture_cannot_be_dropped():
    only = [shot(1, "ada")]
    plan = make(only, seconds=8.0)
    with pytest.raises(EditError) as refused:
        drop_shot(plan, 0, only)
    assert refused.value.code == "last_shot"


def test_moving_swaps_the_contents_of_two_slots_and_keeps_their_times(plan):
    after = move_shot(plan, 4, -1)
    assert after.shots[3].asset_id == plan.shots[4].asset_id
    assert after.shots[4].asset_id == plan.shots[3].asset_id
    assert [(s.start, s.end) for s in after.shots] == [(s.start, s.end) for s in plan.shots]
    assert_sound(plan, after)
    with pytest.raises(EditError):
        move_shot(plan, 0, -1)
    with pytest.raises(EditError):
        move_shot(plan, len(plan.shots) - 1, 1)


def test_a_swap_shows_an_unused_candidate_and_refuses_one_in_the_cut(plan):
    spare = unused_candidates(plan, MANY[:40])
    after = swap_shot(plan, 0, spare[-1].asset_id, MANY[:40])
    assert after.shots[0].asset_id == spare[-1].asset_id
    assert after.shots[0].contributor == spare[-1].contributor
    assert len(after.shots[0].framings) == 2
    assert_sound(plan, after)
    with pytest.raises(EditError) as refused:
        swap_shot(plan, 0, plan.shots[1].asset_id, MANY[:40])
    assert refused.value.code == "not_a_candidate"
    with pytest.raises(EditError):
        swap_shot(plan, 99, spare[0].asset_id, MANY[:40])


def test_pins_put_their_shot_back_in_its_slot_after_a_replan(plan):
    pinned = plan.shots[5]
    other = make(MANY[10:50])  # another plan in which the pinned picture sits elsewhere or nowhere
    pinned_shot = next(c for c in MANY if c.asset_id == pinned.asset_id)
    after = apply_pins(other, {5: pinned_shot})
    assert after.shots[5].asset_id == pinned.asset_id
    assert [s.asset_id for s in after.shots].count(pinned.asset_id) >= 1
    assert_sound(other, after)
    # A pin whose slot is gone is left out.
    assert apply_pins(other, {999: pinned_shot}) == other


def test_a_plan_survives_json_and_edits_and_candidates_round_trip(plan):
    edited = move_shot(drop_shot(plan, 1, MANY[:40]), 0, 1)
    assert Plan.from_json(edited.to_json()) == edited
    assert [shot_from_data(shot_to_data(c)) for c in MANY[:3]] == MANY[:3]
    assert shot_from_data({**shot_to_data(MANY[0]), "invented": 1}) == MANY[0]


def motion_matches_slot(planned) -> bool:
    seconds = planned.end - planned.start
    return all(f.motion == motion_for(f.poi, seconds) for f in planned.framings)


def test_moved_swapped_and_widened_shots_get_the_motion_of_their_new_slot(plan):
    lengths = [round(s.end - s.start, 3) for s in plan.shots]
    slot = next(n for n in range(len(lengths) - 1) if lengths[n] != lengths[n + 1])
    moved = move_shot(plan, slot, +1)
    assert moved.shots[slot + 1].asset_id == plan.shots[slot].asset_id
    assert moved.shots[slot + 1].framings != plan.shots[slot].framings  # another length
    assert all(motion_matches_slot(s) for s in moved.shots)
    spare = unused_candidates(plan, MANY[:40])[0]
    swapped = swap_shot(plan, slot, spare.asset_id, MANY[:40])
    assert all(motion_matches_slot(s) for s in swapped.shots)
    # a dropped picture with no spare left: the neighbour takes its time, and a longer move
    few = make(MANY[:3])
    dropped = drop_shot(few, 1, MANY[:3])
    assert all(motion_matches_slot(s) for s in dropped.shots)
    assert all(motion_matches_slot(s) for s in few.shots)
