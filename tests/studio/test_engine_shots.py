"""Shot selection without Django: scoring, near-duplicates, and the order of the cut."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from PIL import Image, ImageFilter

from crowdstudio.studio.montage.plan import (
    BeatGrid,
    Shot,
    colour_distance,
    order_chronological,
    order_for_flow,
    order_for_variety,
    order_shots,
    plan_montage,
)
from crowdstudio.studio.montage.shots import drop_near_duplicates, score_candidates


def photo(seed: int, size=(320, 240), colour=(128, 128, 128)) -> Image.Image:
    """A textured picture with detail in its lower right quarter."""
    rng = np.random.default_rng(seed)
    pixels = np.empty((size[1], size[0], 3), dtype=np.uint8)
    pixels[:] = colour
    h, w = size[1], size[0]
    pixels[h // 2 :, w // 2 :] = rng.integers(0, 255, (h - h // 2, w - w // 2, 3))
    return Image.fromarray(pixels)


def shot(n: int, person: str = "ann", **extra) -> Shot:
    fields = {"width": 1600, "height": 1200, **extra}
    return Shot(entry_id=n, asset_id=100 + n, contributor=person, kind="image", **fields)


def as_jpeg(image: Image.Image, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.jpg"
    image.save(path, quality=92)
    return str(path)


def test_scoring_measures_quality_subject_colour_and_hash_from_a_reduced_decode(tmp_path):
    sharp = photo(1, size=(1600, 1200), colour=(200, 60, 40))
    blurred = sharp.filter(ImageFilter.GaussianBlur(6))
    paths = {101: as_jpeg(sharp, tmp_path, "sharp"), 102: as_jpeg(blurred, tmp_path, "blur")}
    opened: list[Image.Image] = []

    def load(s: Shot) -> Image.Image:
        image = Image.open(paths[s.asset_id])
        opened.append(image)
        return image

    a, b = score_candidates([shot(1, width=1, height=1), shot(2)], load)
    assert (a.width, a.height) == (1600, 1200)  # the picture's size, not the guess
    assert a.quality > b.quality
    assert a.poi[0] > 0.5 and a.poi[1] > 0.5  # the detail is bottom right
    assert a.colour is not None and a.colour[0] > a.colour[2]  # reddish
    assert a.phash is not None and b.phash is not None
    assert bin(a.phash ^ b.phash).count("1") <= 16  # the same picture, blurred
    assert all(image.size[0] < 1600 for image in opened)  # JPEG draft: decoded smaller


def test_an_unreadable_picture_is_left_out_or_kept_unchanged(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")

    def load(_s: Shot) -> Image.Image:
        return Image.open(broken)

    assert score_candidates([shot(1)], load) == []
    assert score_candidates([shot(1)], load, keep_unreadable=True) == [shot(1)]


def test_a_clip_keeps_its_size_and_an_intake_hash_is_kept():
    clip = Shot(1, 5, "cleo", "video", 1920, 1080, phash=0xABC)
    [scored] = score_candidates([clip], lambda _s: photo(3, size=(320, 180)))
    assert (scored.width, scored.height, scored.kind, scored.phash) == (1920, 1080, "video", 0xABC)
    assert scored.colour is not None


def test_of_two_near_duplicates_the_better_scored_stays_and_others_are_untouched():
    base = 0x0F0F_F0F0_1234_5678
    shots = [
        shot(1, "ann", quality=0.4, phash=base),
        shot(2, "bob", quality=0.9, phash=base ^ 0b111),  # 3 bits away: the same picture
        shot(3, "cleo", quality=0.5, phash=~base & (2**64 - 1)),  # far away
        shot(4, "dan", quality=0.1),  # no hash
        shot(5, "eve", quality=0.3),
    ]
    kept = drop_near_duplicates(shots, max_distance=6, pairs=[(104, 105)])
    assert [s.entry_id for s in kept] == [2, 3, 5]  # original order, better of each pair
    assert drop_near_duplicates(shots, max_distance=2) == shots  # 3 bits apart: both stay


def test_equal_scores_keep_the_larger_picture():
    small = shot(1, width=800, height=600, phash=42)
    large = shot(2, width=4000, height=3000, phash=42)
    assert drop_near_duplicates([small, large]) == [large]


def colours(n: int, rng: random.Random) -> tuple[float, float, float]:
    return (rng.random(), rng.random(), rng.random())


def palette_shots() -> list[Shot]:
    rng = random.Random(5)
    out = []
    n = 0
    for person, count in {"many": 12, "a": 3, "b": 3, "c": 2, "d": 2, "e": 2}.items():
        for _ in range(count):
            n += 1
            out.append(shot(n, person, colour=colours(n, rng), quality=round(rng.random(), 2)))
    return out


def jumps(order: list[Shot]) -> float:
    return sum(colour_distance(a, b) for a, b in itertools.pairwise(order))


def test_flow_keeps_the_rounds_of_variety_but_chains_colours_closer():
    shots = palette_shots()
    variety = order_for_variety(shots, seed=3)
    flow = order_for_flow(shots, seed=3)
    assert sorted(s.asset_id for s in flow) == sorted(s.asset_id for s in shots)
    # the same rounds: the first six shots are one by each of the six people
    assert {s.contributor for s in flow[:6]} == {"many", "a", "b", "c", "d", "e"}
    rounds_v = [s.contributor for s in variety]
    rounds_f = [s.contributor for s in flow]
    for k in range(0, 12, 6):
        assert sorted(rounds_v[k : k + 6]) == sorted(rounds_f[k : k + 6])
    assert jumps(flow) < jumps(variety)
    seeds = [jumps(order_for_flow(shots, seed=s)) for s in range(5)]
    others = [jumps(order_for_variety(shots, seed=s)) for s in range(5)]
    assert sum(seeds) < 0.9 * sum(others)


def test_within_a_round_each_shot_follows_the_one_nearest_in_colour():
    dark, mid, light = (0.1, 0.1, 0.1), (0.5, 0.5, 0.5), (0.9, 0.9, 0.9)
    shots = [
        shot(1, "a", colour=dark),
        shot(2, "b", colour=light),
        shot(3, "c", colour=mid),
        shot(4, "d", colour=(0.12, 0.1, 0.1)),
    ]
    for seed in range(6):
        order = [s.colour for s in order_for_flow(shots, seed=seed)]
        # whichever comes first, no step jumps from dark straight to light or back
        for x, y in itertools.pairwise(order):
            assert {x, y} != {dark, light}


def test_every_order_is_deterministic_for_a_seed():
    shots = palette_shots()
    for order in ("flow", "variety", "chronological"):
        first = order_shots(shots, order=order, seed=9)
        assert order_shots(list(reversed(shots)), order=order, seed=9) == first


def test_the_chronological_order_follows_when_pictures_were_taken():
    shots = [shot(1, taken_at=300.0), shot(2, taken_at=100.0), shot(3), shot(4, taken_at=200.0)]
    assert [s.entry_id for s in order_chronological(shots)] == [2, 4, 1, 3]
    grid = BeatGrid(beats=tuple(0.5 * k for k in range(1, 40)), duration=20.0)
    plan = plan_montage(shots, grid, fps=30.0, order="chronological")
    assert [s.entry_id for s in plan.shots[:4]] == [2, 4, 1, 3]
    assert plan.order == "chronological"


def test_an_unknown_order_is_refused():
    with pytest.raises(ValueError, match="unknown shot order"):
        order_shots([shot(1)], order="random")
