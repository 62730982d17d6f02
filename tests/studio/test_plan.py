"""The montage plan, without Django: cuts on beats, variety, framing, JSON, credits."""

from __future__ import annotations

import json

import pytest

from crowdstudio.studio.montage.plan import (
    DEFAULT_SIZES,
    ZOOM,
    ZOOM_PER_SECOND,
    BeatGrid,
    Plan,
    Shot,
    crop_for,
    motion_for,
    plan_montage,
    retimed,
)

FPS = 30.0


def grid(duration: float = 60.0, bpm: float = 120.0, energy=None, offset: float = 0.013):
    """Beats at `bpm` from `offset` (deliberately off the frame grid), downbeats every 4th."""
    period = 60.0 / bpm
    beats = []
    t = offset
    while t < duration:
        beats.append(round(t, 6))
        t += period
    energies = tuple(energy(b) if energy else 0.8 for b in beats)
    return BeatGrid(
        beats=tuple(beats),
        downbeats=tuple(beats[::4]),
        energy=energies,
        duration=duration,
    )


def shots_of(counts: dict[str, int], *, width: int = 1600, height: int = 1200) -> list[Shot]:
    shots = []
    n = 0
    for person, count in counts.items():
        for _ in range(count):
            n += 1
            shots.append(Shot(n, 100 + n, person, "image", width, height, 0.5, (0.5, 0.5)))
    return shots


def test_every_cut_lies_on_a_whole_frame_within_one_frame_of_a_beat():
    beats = grid(duration=47.3)
    plan = plan_montage(shots_of({"ann": 3, "bob": 2}), beats, fps=FPS, seed=1)
    assert len(plan.cuts()) > 10
    for cut in plan.cuts():
        assert abs(cut * FPS - round(cut * FPS)) < 1e-6
        assert min(abs(cut - b) for b in beats.beats) <= 1 / FPS


def test_the_plan_covers_exactly_the_track_duration_without_gaps():
    beats = grid(duration=47.3)
    plan = plan_montage(shots_of({"ann": 3}), beats, fps=FPS, seed=1, title="Summer")
    assert plan.title.start == 0.0
    assert plan.title.lines == ("Summer",)
    assert plan.shots[0].start == plan.title.end
    for a, b in zip(plan.shots, plan.shots[1:], strict=False):
        assert a.end == b.start
        assert a.end > a.start
    assert plan.shots[-1].end == plan.end_credits.start
    assert plan.end_credits.end == 47.3
    assert plan.duration == 47.3


def test_cuts_are_denser_in_high_energy_parts_than_in_quiet_ones():
    # quiet first half, loud second half
    beats = grid(duration=60.0, energy=lambda t: 0.1 if t < 30 else 0.9)
    plan = plan_montage(shots_of({"ann": 5, "bob": 5}), beats, fps=FPS, seed=3)
    quiet = [s for s in plan.shots if 5 < s.start < 28]
    loud = [s for s in plan.shots if 32 < s.start < 54]
    quiet_len = sum(s.end - s.start for s in quiet) / len(quiet)
    loud_len = sum(s.end - s.start for s in loud) / len(loud)
    assert loud_len == pytest.approx(0.5, abs=1 / FPS)  # every beat at 120 BPM
    assert quiet_len == pytest.approx(2.0, abs=1 / FPS)  # every 4th beat
    medium = plan_montage(shots_of({"ann": 5}), grid(energy=lambda t: 0.5), fps=FPS, seed=3)
    middle = [s for s in medium.shots if 5 < s.start < 50]
    assert sum(s.end - s.start for s in middle) / len(middle) == pytest.approx(1.0, abs=1 / FPS)


def test_one_persons_twenty_photos_do_not_crowd_out_four_people_with_one_each():
    shots = shots_of({"many": 20, "a": 1, "b": 1, "c": 1, "d": 1})
    beats = grid(duration=12.0)  # room for only a handful of shots
    plan = plan_montage(shots, beats, fps=FPS, seed=7)
    assert len(plan.shots) < 24
    used = {s.contributor for s in plan.shots}
    assert used == {"many", "a", "b", "c", "d"}
    assert {s.contributor for s in plan.shots[:5]} == used


def test_the_plan_is_deterministic_for_a_seed():
    shots = shots_of({"many": 20, "a": 1, "b": 1, "c": 1, "d": 1})
    beats = grid(duration=30.0)
    first = plan_montage(shots, beats, fps=FPS, seed=42)
    assert plan_montage(list(reversed(shots)), beats, fps=FPS, seed=42) == first
    others = [plan_montage(shots, beats, fps=FPS, seed=s) for s in range(1, 6)]
    assert any([x.asset_id for x in o.shots] != [x.asset_id for x in first.shots] for o in others)


@pytest.mark.parametrize(
    ("width", "height"),
    [(4000, 3000), (3000, 4000), (1920, 1080), (1080, 1920), (40, 30), (12, 50), (1, 1)],
    ids=["landscape", "portrait", "hd", "vertical", "tiny", "tiny-portrait", "one-pixel"],
)
@pytest.mark.parametrize("poi", [(0.5, 0.5), (0.0, 0.0), (1.0, 1.0), (0.9, 0.1), (0.15, 0.8)])
def test_crops_stay_inside_the_image_and_contain_the_point_of_interest(width, height, poi):
    for size in DEFAULT_SIZES:
        x, y, w, h = crop_for(width, height, poi, size)
        assert 0 <= x and 0 <= y and w >= 1 and h >= 1
        assert x + w <= width and y + h <= height
        assert x <= poi[0] * width <= x + w
        assert y <= poi[1] * height <= y + h
        # the output's aspect ratio, to within a pixel of rounding
        if w > 1 and h > 1:
            assert abs(w / h - size[0] / size[1]) <= max(1 / h, 1 / w) * (1 + size[0] / size[1])


def test_every_planned_shot_has_a_framing_per_size_with_a_motion_toward_the_point_of_interest():
    shot = Shot(1, 11, "ann", "image", 3000, 4000, 0.9, (0.8, 0.2))
    plan = plan_montage([shot], grid(duration=20.0), fps=FPS, seed=0)
    for planned in plan.shots:
        assert planned.transition == "cut"
        assert [f.size for f in planned.framings] == list(DEFAULT_SIZES)
        for framing in planned.framings:
            x, y, w, h = framing.crop
            m = framing.motion
            assert m.end_scale > m.start_scale == 1.0
            half = 0.5 / m.end_scale
            # the point of interest, in crop coordinates, stays in the final view
            qx, qy = (0.8 * 3000 - x) / w, (0.2 * 4000 - y) / h
            assert m.end_center[0] - half - 1e-6 <= qx <= m.end_center[0] + half + 1e-6
            assert m.end_center[1] - half - 1e-6 <= qy <= m.end_center[1] + half + 1e-6
            # and the view never leaves the crop
            assert half - 1e-6 <= m.end_center[0] <= 1 - half + 1e-6
            assert framing.scale == pytest.approx(framing.size[0] / w, rel=1e-5)


def test_the_plan_survives_a_json_round_trip():
    clip = Shot(99, 199, "cleo", "video", 1280, 720, 0.7, (0.3, 0.6))
    shots = [*shots_of({"ann": 2, "bob": 1}), clip]
    plan = plan_montage(
        shots, grid(duration=33.3), fps=25.0, seed=5, title="Nights", credits=["Music: Lumen"]
    )
    again = Plan.from_json(plan.to_json())
    assert again == plan
    assert again.to_json() == plan.to_json()


def test_credits_name_every_contributor_once_in_order_of_first_appearance():
    shots = shots_of({"ann": 4, "bob": 1, "cleo": 2})
    plan = plan_montage(shots, grid(duration=40.0), fps=FPS, seed=9, credits=["Music: Lumen"])
    order = []
    for s in plan.shots:
        if s.contributor not in order:
            order.append(s.contributor)
    assert plan.credits() == order
    assert sorted(plan.credits()) == ["ann", "bob", "cleo"]
    assert plan.end_credits.lines == ("Music: Lumen", *order)
    assert plan.end_credits.end == 40.0


def test_a_track_without_beats_or_shots_still_gets_a_complete_plan():
    beats = BeatGrid(beats=(), duration=25.0)
    plan = plan_montage(shots_of({"ann": 2}), beats, fps=FPS, seed=0)
    assert plan.shots and plan.shots[-1].end == plan.end_credits.start
    assert all(s.end - s.start <= 6.0 + 1e-9 for s in plan.shots)
    empty = plan_montage([], grid(duration=10.0), fps=FPS, seed=0)
    assert empty.shots == () and empty.title.end == empty.end_credits.start
    assert empty.credits() == []


def test_the_zoom_closes_in_at_a_steady_pace_up_to_its_limit():
    for seconds in (0.0, 0.2, 0.5, 1.0, 2.0, 2.5, 4.0, 30.0):
        m = motion_for((0.9, 0.1), seconds)
        assert m.start_scale == 1.0 and m.start_center == (0.5, 0.5)
        assert m.end_scale == pytest.approx(1 + min(ZOOM - 1, ZOOM_PER_SECOND * seconds), abs=1e-6)
        half = 0.5 / m.end_scale
        assert m.end_center[0] - half - 1e-6 <= 0.9 and m.end_center[1] + half + 1e-6 >= 0.1
    assert motion_for((0.9, 0.1), 0.0).end_center == (0.5, 0.5)  # no time: no move
    # a fast-cut stretch: every shot's zoom moves at most ZOOM_PER_SECOND a second
    energy = grid(duration=40.0, energy=lambda t: 0.9 if t < 20 else 0.1)  # fast, then slow
    plan = plan_montage(shots_of({"ann": 30, "bob": 30}), energy, fps=FPS, seed=2)
    lengths = set()
    for planned in plan.shots:
        seconds = planned.end - planned.start
        lengths.add(round(seconds, 3))
        for framing in planned.framings:
            growth = framing.motion.end_scale - framing.motion.start_scale
            assert growth <= ZOOM_PER_SECOND * seconds + 1e-6
            assert growth == pytest.approx(min(ZOOM - 1, ZOOM_PER_SECOND * seconds), abs=1e-6)
            assert framing.poi is not None
    assert len(lengths) > 1  # shots of several lengths, each with its own move


def test_a_plan_made_before_the_point_of_interest_was_kept_loads_and_keeps_its_motion():
    plan = plan_montage(shots_of({"ann": 3}), grid(duration=12.0), fps=FPS, seed=1)
    data = json.loads(plan.to_json())
    for shot in data["shots"]:
        for framing in shot["framings"]:
            del framing["poi"]
            framing["motion"]["end_scale"] = 1.15
    old = Plan.from_json(json.dumps(data))
    assert all(f.poi is None for s in old.shots for f in s.framings)
    assert [retimed(s) for s in old.shots] == list(old.shots)
    assert all(f.motion.end_scale == 1.15 for s in old.shots for f in s.framings)
