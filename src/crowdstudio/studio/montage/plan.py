"""The montage plan (edit decision list): pure, no Django, no rendering, no audio analysis.

`plan_montage(shots, beats, fps=..., seed=...)` lays out, over exactly the track's duration:

    title card | shot | shot | ... | shot | end credits

The cut rule (`cut_step`): walking the beat grid from the end of the title card, the next cut
comes 1 beat after the current one when the energy of the beat the shot starts on is high
(>= 0.66), 2 beats after when it is medium (>= 0.33) and 4 beats after when it is quiet. Every
cut is snapped to the nearest whole frame at the output frame rate; a shot is at least
`MIN_SHOT_FRAMES` long (a beat too close to the previous cut is skipped), and a gap longer
than `MAX_SHOT_SECONDS` without beats is split evenly (on whole frames).

The title card ends on the first beat at or after `TITLE_SECONDS`; the credits start on the
last beat at or before `duration - credits_seconds(...)` and run to the end of the track: at
least `CREDITS_SECONDS` (less on a short track), longer when the scrolling roll needs it for
every name to be readable at every output size (`credits_roll`), at most `MAX_CREDITS_SHARE`
of the track.

Shot order (`order=`): "variety" deals round-robin: each contributor's shots are sorted by
quality (ties broken by a seeded shuffle), contributors are put in a seeded order, and shots
are dealt one per contributor per turn, so one person's twenty photos cannot crowd out four
people with one each. "flow" (the default) keeps those rounds but orders each round for colour
continuity (`order_for_flow`); "chronological" follows `taken_at`. When the cut needs more
shots than there are, the sequence starts again. The same inputs and seed give the same plan.

Each shot gets a crop rectangle per output size (the largest rectangle of the output's
aspect ratio inside the image, centred on the point of interest as far as the image allows,
so the point of interest is always inside), and a Ken Burns motion relative to that crop: a
zoom from the whole crop toward the point of interest at a steady `ZOOM_PER_SECOND`, up to
`ZOOM`, clamped so the view never leaves the crop and the point of interest stays in view. The
motion depends on the slot's length, so edits re-time it (`retimed`) when a picture changes
slots or a slot changes length.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .credits_roll import required_seconds

PLAN_VERSION = 1
DEFAULT_SIZES: tuple[tuple[int, int], ...] = ((1920, 1080), (1080, 1920), (1080, 1080))

HIGH_ENERGY = 0.66
MEDIUM_ENERGY = 0.33
TITLE_SECONDS = 2.0
CREDITS_SECONDS = 4.0
MIN_SHOT_FRAMES = 3
MAX_SHOT_SECONDS = 6.0
# Ken Burns: a shot closes in on its point of interest at a steady pace, whatever its length,
# up to ZOOM. A fixed amount would lurch through a half-second shot on a fast beat (15 % in
# 0.5 s) and crawl through a long one; 6 % a second reaches the whole 15 % in 2.5 s.
ZOOM = 1.15
ZOOM_PER_SECOND = 0.06
MAX_CREDITS_SHARE = 0.3  # the credits roll never takes more of the track than this
ORDERS = ("flow", "variety", "chronological")
SAME_PERSON_PENALTY = 1.0  # in colour distance: avoid one person's shots back to back
FLOW_PASSES = 4  # 2-opt passes per round of the "flow" order
FLOW_WINDOW = 40  # longest stretch 2-opt reverses: linear time in big rounds


def cut_step(energy: float) -> int:
    """How many beats a shot starting on a beat of this energy lasts."""
    if energy >= HIGH_ENERGY:
        return 1
    if energy >= MEDIUM_ENERGY:
        return 2
    return 4


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    """A candidate picture or clip. `poi` is the point of interest, (x, y) in 0..1 of the image."""

    entry_id: int
    asset_id: int
    contributor: str
    kind: str  # "image" | "video"
    width: int
    height: int
    quality: float = 0.5
    poi: tuple[float, float] = (0.5, 0.5)
    # Measured by `shots.score_candidates` (or known from intake); None when unknown.
    colour: tuple[float, float, float] | None = None  # mean sRGB, 0..1 per channel
    phash: int | None = None  # unsigned 64-bit perceptual hash (imagehash.phash bit order)
    taken_at: float | None = None  # seconds since the epoch, for the chronological order
    duration: float = 0.0  # a clip's length in seconds (0 for a still)


@dataclass(frozen=True)
class BeatGrid:
    """The music analysis the plan needs: beat and downbeat times in seconds, an energy 0..1
    per beat (same length as `beats`) and the track's duration in seconds. The frame rate is
    the output's, given to `plan_montage`."""

    beats: tuple[float, ...]
    duration: float
    downbeats: tuple[float, ...] = ()
    energy: tuple[float, ...] = ()

    def energy_at(self, index: int) -> float:
        if 0 <= index < len(self.energy):
            return min(1.0, max(0.0, self.energy[index]))
        return 0.5


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Motion:
    """Ken Burns pan/zoom, relative to the crop: scale 1 shows the whole crop; centres are in
    0..1 of the crop. The view at scale s is the crop's 1/s-sized window around the centre."""

    start_scale: float
    end_scale: float
    start_center: tuple[float, float]
    end_center: tuple[float, float]


@dataclass(frozen=True)
class Framing:
    """Where one output size takes its picture from: a crop (x, y, w, h) in source pixels, the
    scale from crop to output (> 1 means the source is upscaled) and the motion."""

    size: tuple[int, int]
    crop: tuple[int, int, int, int]
    scale: float
    motion: Motion
    # The picture size the crop refers to (the shot's width and height), so a renderer given a
    # smaller rendition or proxy can scale the crop to it; (0, 0) in plans made before it.
    source: tuple[int, int] = (0, 0)
    # The point of interest in the crop (0..1), which the motion closes in on; kept so that a
    # shot moved to a slot of another length gets the motion of that length (None in plans
    # made before it: their motion stays as it was).
    poi: tuple[float, float] | None = None


@dataclass(frozen=True)
class PlannedShot:
    entry_id: int
    asset_id: int
    contributor: str
    kind: str
    start: float  # seconds on the track, on a whole frame
    end: float
    framings: tuple[Framing, ...]
    transition: str = "cut"
    source_start: float = 0.0  # where a clip starts playing


@dataclass(frozen=True)
class Card:
    """A title card or the end-credits segment. In the end credits the first `heading` lines
    (artist, track, organiser) come before the contributors' names and are set apart."""

    start: float
    end: float
    lines: tuple[str, ...]
    heading: int = 0


@dataclass(frozen=True)
class Plan:
    duration: float
    fps: float
    seed: int
    sizes: tuple[tuple[int, int], ...]
    title: Card
    shots: tuple[PlannedShot, ...]
    end_credits: Card
    version: int = PLAN_VERSION
    order: str = "flow"

    def credits(self) -> list[str]:
        """Every contributor whose material appears, once, in order of first appearance."""
        seen: dict[str, None] = {}
        for shot in self.shots:
            seen.setdefault(shot.contributor, None)
        return list(seen)

    def cuts(self) -> list[float]:
        """Every boundary between segments (title, shots, credits), in seconds."""
        return [self.title.end] + [s.end for s in self.shots]

    def entry_ids(self) -> list[int]:
        return sorted({s.entry_id for s in self.shots})

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        if data.get("version") != PLAN_VERSION:
            raise ValueError(f"unsupported plan version {data.get('version')!r}")
        return cls(
            duration=float(data["duration"]),
            fps=float(data["fps"]),
            seed=int(data["seed"]),
            sizes=tuple(_pair(s) for s in data["sizes"]),
            title=_card(data["title"]),
            shots=tuple(_planned_shot(s) for s in data["shots"]),
            end_credits=_card(data["end_credits"]),
            version=int(data["version"]),
            order=str(data.get("order", "flow")),
        )


def _pair(value: Sequence[Any]) -> tuple[int, int]:
    return (int(value[0]), int(value[1]))


def _fpair(value: Sequence[Any]) -> tuple[float, float]:
    return (float(value[0]), float(value[1]))


def _card(data: dict[str, Any]) -> Card:
    return Card(
        start=float(data["start"]),
        end=float(data["end"]),
        lines=tuple(str(line) for line in data["lines"]),
        heading=int(data.get("heading", 0)),
    )


def _planned_shot(data: dict[str, Any]) -> PlannedShot:
    framings = tuple(
        Framing(
            size=_pair(f["size"]),
            crop=(
                int(f["crop"][0]),
                int(f["crop"][1]),
                int(f["crop"][2]),
                int(f["crop"][3]),
            ),
            scale=float(f["scale"]),
            motion=Motion(
                start_scale=float(f["motion"]["start_scale"]),
                end_scale=float(f["motion"]["end_scale"]),
                start_center=_fpair(f["motion"]["start_center"]),
                end_center=_fpair(f["motion"]["end_center"]),
            ),
            source=_pair(f.get("source", (0, 0))),
            poi=_fpair(f["poi"]) if f.get("poi") is not None else None,
        )
        for f in data["framings"]
    )
    return PlannedShot(
        entry_id=int(data["entry_id"]),
        asset_id=int(data["asset_id"]),
        contributor=str(data["contributor"]),
        kind=str(data["kind"]),
        start=float(data["start"]),
        end=float(data["end"]),
        framings=framings,
        transition=str(data.get("transition", "cut")),
        source_start=float(data.get("source_start", 0.0)),
    )


# --- timing -----------------------------------------------------------------------------------


def _frame(t: float, fps: float) -> int:
    return round(t * fps)


def frame_count(duration: float, fps: float) -> int:
    """The number of frames of a video `duration` seconds long: at least one."""
    return max(1, _frame(duration, fps))


def _cut_frames(beats: BeatGrid, *, fps: float, start: int, end: int) -> list[int]:
    """Cut frames strictly between `start` and `end` (frames), following the documented rule."""
    min_gap = MIN_SHOT_FRAMES
    max_gap = max(min_gap, round(MAX_SHOT_SECONDS * fps))
    beat_frames = [_frame(t, fps) for t in beats.beats]
    cuts: list[int] = []
    last = start
    # The beat the current shot starts on (the title ends on a beat when there is one).
    i = next((k for k, f in enumerate(beat_frames) if f >= start), len(beat_frames))
    if i < len(beat_frames) and beat_frames[i] != start:
        i -= 1  # the shot starts between beats: count from the beat before
    while True:
        step = cut_step(beats.energy_at(i)) if i >= 0 else 1
        j = i + step
        while j < len(beat_frames) and beat_frames[j] - last < min_gap:
            j += 1
        target = beat_frames[j] if j < len(beat_frames) else end
        if target > end - min_gap:
            target = end
        # A long stretch without beats is split evenly rather than held.
        while target - last > max_gap:
            pieces = math.ceil((target - last) / max_gap)
            last = last + round((target - last) / pieces)
            cuts.append(last)
        if target >= end:
            break
        cuts.append(target)
        last, i = target, j
    return cuts


def credits_seconds(
    duration: float, *, headings: int, names: int, sizes: Sequence[tuple[int, int]]
) -> float:
    """How long the end credits run: `CREDITS_SECONDS` (less on a short track), or longer when
    the roll needs it for every name to be on screen long enough to read at every output size
    (`credits_roll.required_seconds`), but never more than `MAX_CREDITS_SHARE` of the track."""
    base = min(CREDITS_SECONDS, duration * 0.2)
    needed = max((required_seconds(headings, names, size) for size in sizes), default=0.0)
    return max(base, min(needed, duration * MAX_CREDITS_SHARE))


def _boundaries(
    beats: BeatGrid, fps: float, credits_s: float | None = None
) -> tuple[int, int, int]:
    """(title end, credits start, last frame) in frames."""
    total = frame_count(beats.duration, fps)
    title_s = min(TITLE_SECONDS, beats.duration * 0.1)
    if credits_s is None:
        credits_s = min(CREDITS_SECONDS, beats.duration * 0.2)
    beat_frames = [_frame(t, fps) for t in beats.beats]
    title_end = next(
        (f for f in beat_frames if f >= _frame(title_s, fps) and f > 0),
        _frame(title_s, fps),
    )
    credits_latest = _frame(beats.duration - credits_s, fps)
    credits_start = next(
        (f for f in reversed(beat_frames) if f <= credits_latest and f > title_end),
        credits_latest,
    )
    title_end = max(1, min(title_end, total - 2))
    credits_start = min(max(credits_start, title_end + 1), total - 1)
    return title_end, credits_start, total


# --- order and framing --------------------------------------------------------------------------


def order_for_variety(shots: Sequence[Shot], *, seed: int) -> list[Shot]:
    """Round-robin across contributors (seeded order), best shots of each first."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    return _deal(_queues(shots, rng))


def _deal(queues: list[list[Shot]]) -> list[Shot]:
    return [shot for turn in _rounds(queues) for shot in turn]


def _rounds(queues: list[list[Shot]]) -> list[list[Shot]]:
    """Turn by turn, one shot of each contributor who has one left, in the queues' order."""
    rounds: list[list[Shot]] = []
    turn = 0
    while any(len(q) > turn for q in queues):
        rounds.append([q[turn] for q in queues if len(q) > turn])
        turn += 1
    return rounds


def _queues(shots: Sequence[Shot], rng: random.Random) -> list[list[Shot]]:
    by_person: dict[str, list[Shot]] = {}
    for shot in sorted(shots, key=lambda s: (s.contributor, s.entry_id, s.asset_id)):
        by_person.setdefault(shot.contributor, []).append(shot)
    queues = []
    for person in sorted(by_person):
        mine = by_person[person]
        rng.shuffle(mine)
        mine.sort(key=lambda s: -s.quality)  # stable: the shuffle only breaks ties
        queues.append(mine)
    rng.shuffle(queues)
    return queues


def colour_distance(a: Shot, b: Shot) -> float:
    """How far apart two shots' mean colours are (0..~1.7; 0.5 when either is unknown). Luma
    differences count double: a jump in brightness shows more than a shift in hue."""
    if a.colour is None or b.colour is None:
        return 0.5
    (r1, g1, b1), (r2, g2, b2) = a.colour, b.colour
    luma = 0.2126 * (r1 - r2) + 0.7152 * (g1 - g2) + 0.0722 * (b1 - b2)
    return math.sqrt((r1 - r2) ** 2 + (g1 - g2) ** 2 + (b1 - b2) ** 2 + 3 * luma**2)


def _step(a: Shot | None, b: Shot) -> float:
    if a is None:
        return 0.0
    same = SAME_PERSON_PENALTY if a.contributor == b.contributor else 0.0
    return colour_distance(a, b) + same


def _chain(prev: Shot | None, turn: list[Shot]) -> list[Shot]:
    """`turn` ordered so the colour path from `prev` through it is short: nearest neighbour
    (among the next `2 * FLOW_WINDOW` in the seeded order) first, then 2-opt (reverse a
    stretch of up to `FLOW_WINDOW` shots when that shortens the path) until nothing improves
    or `FLOW_PASSES` passes. The path's end is open; without `prev` its start is open too."""
    left = list(turn)
    path: list[Shot] = []
    last = prev
    while left:
        reach = range(min(len(left), 2 * FLOW_WINDOW))  # the next few in the seeded order
        pick = min(reach, key=lambda k: (_step(last, left[k]), k)) if last else 0
        last = left.pop(pick)
        path.append(last)
    n = len(path)
    for _ in range(FLOW_PASSES):
        improved = False
        for i in range(n - 1):
            before = prev if i == 0 else path[i - 1]
            for j in range(i + 1, min(n, i + FLOW_WINDOW)):
                after = path[j + 1] if j + 1 < n else None
                old = _step(before, path[i]) + (_step(path[j], after) if after else 0.0)
                new = _step(before, path[j]) + (_step(path[i], after) if after else 0.0)
                if new < old - 1e-9:
                    path[i : j + 1] = path[i : j + 1][::-1]
                    improved = True
        if not improved:
            break
    return path


def order_for_flow(shots: Sequence[Shot], *, seed: int) -> list[Shot]:
    """Contributor variety with colour continuity: the same rounds as `order_for_variety` (one
    shot per contributor per turn, best first), but each round is ordered so the colour path
    through it, starting from the previous round's last shot, is short (`_chain`; one person
    twice in a row counts as a jump of `SAME_PERSON_PENALTY`). Deterministic for a seed."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    ordered: list[Shot] = []
    for turn in _rounds(_queues(shots, rng)):
        ordered.extend(_chain(ordered[-1] if ordered else None, turn))
    return ordered


def order_chronological(shots: Sequence[Shot]) -> list[Shot]:
    """By when the picture was taken (`taken_at`; unknown last), then by entry (the order they
    were sent in), then by asset."""
    return sorted(
        shots,
        key=lambda s: (s.taken_at is None, s.taken_at or 0.0, s.entry_id, s.asset_id),
    )


def order_shots(shots: Sequence[Shot], *, order: str = "flow", seed: int = 0) -> list[Shot]:
    """The shots in the order the plan uses them: "flow", "variety" or "chronological"."""
    if order == "flow":
        return order_for_flow(shots, seed=seed)
    if order == "variety":
        return order_for_variety(shots, seed=seed)
    if order == "chronological":
        return order_chronological(shots)
    raise ValueError(f"unknown shot order {order!r} (one of {', '.join(ORDERS)})")


def crop_for(
    width: int, height: int, poi: tuple[float, float], size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The largest rectangle of the output's aspect inside the image, around the point of
    interest, which it always contains."""
    width, height = max(1, width), max(1, height)
    out_w, out_h = size
    if width * out_h >= height * out_w:  # the image is wider than the output
        ch = height
        cw = max(1, min(width, round(height * out_w / out_h)))
    else:
        cw = width
        ch = max(1, min(height, round(width * out_h / out_w)))
    px = min(1.0, max(0.0, poi[0])) * width
    py = min(1.0, max(0.0, poi[1])) * height
    x = min(max(0, round(px - cw / 2)), width - cw)
    y = min(max(0, round(py - ch / 2)), height - ch)
    return (x, y, cw, ch)


def _clamp_center(c: float, scale: float) -> float:
    half = 0.5 / scale
    return min(max(c, half), 1.0 - half)


def motion_for(poi: tuple[float, float], seconds: float) -> Motion:
    """The Ken Burns move of a shot lasting `seconds`: from the whole crop toward `poi`
    (crop coordinates), closing in at `ZOOM_PER_SECOND` up to `ZOOM`, the point of interest
    always in view."""
    scale = round(1.0 + min(ZOOM - 1.0, ZOOM_PER_SECOND * max(0.0, seconds)), 6)
    return Motion(
        start_scale=1.0,
        end_scale=scale,
        start_center=(0.5, 0.5),
        end_center=(round(_clamp_center(poi[0], scale), 6), round(_clamp_center(poi[1], scale), 6)),
    )


def framing_for(shot: Shot, size: tuple[int, int], seconds: float) -> Framing:
    """How `shot` fills `size` in a slot of `seconds`."""
    x, y, cw, ch = crop_for(shot.width, shot.height, shot.poi, size)
    # The point of interest in crop coordinates (0..1).
    qx = (min(1.0, max(0.0, shot.poi[0])) * max(1, shot.width) - x) / cw
    qy = (min(1.0, max(0.0, shot.poi[1])) * max(1, shot.height) - y) / ch
    poi = (round(min(1.0, max(0.0, qx)), 6), round(min(1.0, max(0.0, qy)), 6))
    return Framing(
        size=size,
        crop=(x, y, cw, ch),
        scale=round(size[0] / cw, 6),
        motion=motion_for(poi, seconds),
        source=(max(1, shot.width), max(1, shot.height)),
        poi=poi,
    )


def retimed(shot: PlannedShot) -> PlannedShot:
    """`shot` with each framing's motion made for the slot's length (after an edit moved the
    picture to another slot or changed the slot's times)."""
    seconds = shot.end - shot.start
    framings = tuple(
        f if f.poi is None else dataclasses.replace(f, motion=motion_for(f.poi, seconds))
        for f in shot.framings
    )
    return shot if framings == shot.framings else dataclasses.replace(shot, framings=framings)


# --- the planner --------------------------------------------------------------------------------


def plan_montage(
    shots: Sequence[Shot],
    beats: BeatGrid,
    *,
    fps: float = 30.0,
    seed: int = 0,
    sizes: Sequence[tuple[int, int]] = DEFAULT_SIZES,
    title: str = "",
    credits: Sequence[str] = (),
    order: str = "flow",
) -> Plan:
    """Lay the shots on the beat grid; `credits` are lines shown before the contributors' names
    in the end credits (artist, track, organiser); `order` is one of `ORDERS` (see
    `order_shots`)."""
    if beats.duration <= 0 or fps <= 0:
        raise ValueError("the track's duration and the frame rate must be positive")
    sizes = tuple((int(w), int(h)) for w, h in sizes)
    ordered = order_shots(shots, order=order, seed=seed)
    # Room for every contributor who may appear (an upper bound: all the candidates' people).
    credits_s = credits_seconds(
        beats.duration,
        headings=len(credits),
        names=len({s.contributor for s in shots}),
        sizes=sizes,
    )
    title_end, credits_start, _total = _boundaries(beats, fps, credits_s)

    planned: list[PlannedShot] = []
    if ordered:
        starts = [title_end, *_cut_frames(beats, fps=fps, start=title_end, end=credits_start)]
        ends = [*starts[1:], credits_start]
        for n, (a, b) in enumerate(zip(starts, ends, strict=True)):
            shot = ordered[n % len(ordered)]
            planned.append(
                PlannedShot(
                    entry_id=shot.entry_id,
                    asset_id=shot.asset_id,
                    contributor=shot.contributor,
                    kind=shot.kind,
                    start=a / fps,
                    end=b / fps,
                    framings=tuple(framing_for(shot, size, (b - a) / fps) for size in sizes),
                )
            )
    else:
        title_end = credits_start  # nothing to show: the title holds until the credits

    contributors = tuple(dict.fromkeys(s.contributor for s in planned))
    return Plan(
        duration=beats.duration,
        fps=fps,
        seed=seed,
        sizes=sizes,
        title=Card(start=0.0, end=title_end / fps, lines=(title,) if title else ()),
        shots=tuple(planned),
        end_credits=Card(
            start=credits_start / fps,
            end=beats.duration,
            lines=(*credits, *contributors),
            heading=len(credits),
        ),
        order=order,
    )
