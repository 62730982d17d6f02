"""The end-credits roll: every name placed and readable, scrolling to end with the track."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from crowdstudio.studio.montage.credits_roll import (
    READ_SECONDS,
    layout_roll,
    required_seconds,
    sprite,
)
from crowdstudio.studio.montage.plan import (
    DEFAULT_SIZES,
    MAX_CREDITS_SHARE,
    BeatGrid,
    Card,
    Shot,
    plan_montage,
)
from crowdstudio.studio.montage.render import CreditsSource, draw_card

SHAPES = {"landscape": (1920, 1080), "vertical": (1080, 1920), "square": (1080, 1080)}
TINY = {"landscape": (160, 90), "vertical": (90, 160), "square": (96, 96)}


def credit_lines(names: int) -> list[str]:
    return ["Music: Lumen", "Summer Nights", *(f"Contributor number {n}" for n in range(names))]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("names", [3, 40, 250])
def test_with_the_time_it_asks_for_every_line_is_placed_once_and_readable(shape, names):
    size = SHAPES[shape]
    lines = credit_lines(names)
    duration = required_seconds(2, names, size)
    layout = layout_roll(lines, heading=2, size=size, duration=duration)
    assert [line.text for line in layout.lines] == lines
    assert [line.heading for line in layout.lines] == [True, True] + [False] * names
    for line in layout.lines:
        assert 0 <= line.x - line.width / 2 and line.x + line.width / 2 <= size[0] + 1
        assert layout.seconds_on_screen(line) >= READ_SECONDS - 1e-6, line
    # no two lines share a place
    assert len({(round(line.x), line.y) for line in layout.lines}) == len(lines)
    assert layout.scrolls == (names > 3)


def test_the_roll_starts_with_its_first_row_and_ends_with_its_last_row_centred():
    size = (1920, 1080)
    layout = layout_roll(credit_lines(100), heading=2, size=size, duration=30.0)
    first, last = layout.lines[0], layout.lines[-1]
    middle = (size[1] - layout.pitch) / 2
    assert layout.top_at(0.0) + first.y == pytest.approx(middle)
    assert layout.top_at(30.0) + last.y == pytest.approx(middle)
    tops = [layout.top_at(t) for t in np.linspace(0, 30, 50)]
    assert all(b < a for a, b in itertools.pairwise(tops))  # always moving up


def test_too_little_time_falls_back_to_smaller_type_rather_than_losing_names():
    size = (1080, 1080)
    lines = credit_lines(250)
    roomy = layout_roll(lines, heading=2, size=size, duration=200.0)
    tight = layout_roll(lines, heading=2, size=size, duration=40.0)
    assert tight.pitch < roomy.pitch
    assert len(tight.lines) == len(roomy.lines) == len(lines)


def test_the_plan_gives_the_credits_the_time_every_size_needs_but_not_the_whole_track():
    shots = [Shot(n, n, f"fan {n}", "image", 1600, 900) for n in range(40)]
    beats = tuple(0.5 * k for k in range(1, 240))
    grid = BeatGrid(beats=beats, duration=120.0, energy=(0.8,) * len(beats))
    plan = plan_montage(shots, grid, fps=30.0, seed=1, credits=["Music: Lumen"])
    credits = plan.end_credits
    assert credits.heading == 1
    need = max(required_seconds(1, len(plan.credits()), size) for size in DEFAULT_SIZES)
    assert credits.end - credits.start >= need - 1.0  # starts on a beat at or before
    assert credits.end - credits.start <= need + 1.0
    crowded = [Shot(n, n, f"fan {n}", "image", 1600, 900) for n in range(2000)]
    plan = plan_montage(crowded, grid, fps=30.0, seed=1)
    assert plan.end_credits.end - plan.end_credits.start <= 120.0 * MAX_CREDITS_SHARE + 0.5


@pytest.mark.parametrize("shape", TINY)
def test_the_rendered_roll_scrolls_and_draws_every_line(shape):
    size = TINY[shape]
    lines = credit_lines(60)
    card = Card(start=0.0, end=4.0, lines=tuple(lines), heading=2)
    frames = 48
    source = CreditsSource(card, size, frames, fps=12.0)
    layout = source.layout
    assert layout.scrolls
    masks = []
    for k in range(frames):
        masks.append(np.asarray(source.painter.mask(source.seconds(k)), dtype=np.int16))
        assert source.painter.cached <= size[1] // layout.pitch * 3 + 6  # only visible lines
    assert all(m.max() > 0 for m in masks)
    moved = sum(bool(np.any(a != b)) for a, b in itertools.pairwise(masks))
    assert moved >= frames // 2
    # every line is whole on screen at some frame, and its sprite has ink
    for line in layout.lines:
        assert sprite(line, layout.pitch).getbbox() is not None, line.text
        assert any(
            0 <= layout.top_at(source.seconds(k)) + line.y
            and layout.top_at(source.seconds(k)) + line.y + layout.pitch <= size[1]
            for k in range(frames)
        ), line.text
    # the frames as pictures: light text on the dark card, changing as it scrolls
    first, last = source.picture(0), source.picture(frames - 1)
    assert first.size == last.size == size
    assert np.any(np.asarray(first) != np.asarray(last))


@pytest.mark.parametrize("shape", TINY)
def test_a_long_title_fits_the_card_in_every_shape(shape):
    size = TINY[shape]
    title = "A very long title for a very small frame indeed"
    image = draw_card(Card(0.0, 1.0, (title,)), size, heading=True)
    ink = np.flatnonzero(np.asarray(image.convert("L")).max(axis=0) > 100)
    assert ink.size and ink[0] > 0 and ink[-1] < size[0] - 1  # text, not cut at the edges
