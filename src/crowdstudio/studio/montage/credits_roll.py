"""The end-credits roll: layout (pure arithmetic) and drawing (Pillow), no Django.

The roll is a column of heading lines (artist, track, organiser: one per row, centred) followed,
after a blank row, by the contributors' names in as many columns as the frame's width holds
(a column is `COLUMN_PITCHES` line pitches wide), filled row by row in credit order.

Reading time: while the roll scrolls, a line is whole on screen from the moment it clears the
bottom edge until it reaches the top edge. The roll starts with its first row at the vertical
centre of the frame and ends, on the track's last frame, with its last row at the centre, so
the first and the last lines are on screen for the shortest time: half a frame's height of
travel. The scroll speed is chosen so that even they stay `READ_SECONDS`. If the roll fits on
the screen with a margin it does not scroll at all: it stands centred for the whole segment.

The line pitch is a fraction of the frame's short side (so 9:16 gets more rows per screen than
16:9, and 16:9 more columns). `layout_roll` tries the `DENSITIES` from large type to small and
takes the first that gives every line its reading time in the segment's duration; when even the
smallest does not, it keeps the smallest and scrolls faster (the plan avoids this by giving the
credits the time `required_seconds` asks for).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

READ_SECONDS = 2.5
ROWS_PER_SHORT_SIDE = 14  # line pitch at density 1: the short side / 14
DENSITIES = (1.0, 0.8, 0.65, 0.5)
COLUMN_PITCHES = 7  # a names column is this many line pitches wide
FONT_SHARE = 0.62  # font size / line pitch for names
HEADING_SHARE = 0.75  # for heading lines


@dataclass(frozen=True)
class RollLine:
    """One line of the roll: its text centred on `x`, its row's top `y` pixels below the roll's
    first row, drawn at `font_px` (before shrinking to fit its column)."""

    text: str
    x: float
    y: int
    font_px: int
    width: int  # the room it has, in pixels
    heading: bool


@dataclass(frozen=True)
class RollLayout:
    size: tuple[int, int]
    pitch: int
    lines: tuple[RollLine, ...]
    height: int  # from the first row's top to the last row's bottom
    duration: float
    scrolls: bool

    def top_at(self, t: float) -> float:
        """Where the roll's first row's top is on screen (pixels from the top) `t` seconds
        into the segment."""
        h = self.size[1]
        if not self.scrolls:
            return (h - self.height) / 2
        start = (h - self.pitch) / 2  # first row centred
        end = (h - self.pitch) / 2 - (self.height - self.pitch)  # last row centred
        p = 0.0 if self.duration <= 0 else min(1.0, max(0.0, t / self.duration))
        return start + (end - start) * p

    def seconds_on_screen(self, line: RollLine) -> float:
        """How long `line` is whole on screen during the segment."""
        if not self.scrolls:
            return self.duration
        h = self.size[1]
        speed = (self.height - self.pitch) / self.duration if self.duration > 0 else math.inf
        # on screen while 0 <= top_at(t) + y and top_at(t) + y + pitch <= h
        top0 = self.top_at(0.0) + line.y
        t_enter = max(0.0, (top0 + self.pitch - h) / speed)
        t_leave = min(self.duration, top0 / speed)
        return max(0.0, t_leave - t_enter)


def _pitch(size: tuple[int, int], density: float) -> int:
    return max(6, round(min(size) / ROWS_PER_SHORT_SIDE * density))


def _columns(size: tuple[int, int], pitch: int) -> int:
    return max(1, size[0] // (pitch * COLUMN_PITCHES))


def _rows(headings: int, names: int, columns: int) -> int:
    gap = 1 if headings and names else 0
    return headings + gap + math.ceil(names / columns)


def _fits_still(rows: int, size: tuple[int, int], pitch: int) -> bool:
    return rows * pitch <= size[1] - 2 * pitch


def _needed(rows: int, size: tuple[int, int], pitch: int) -> float:
    """Seconds a roll of `rows` rows needs for every line to be read."""
    if _fits_still(rows, size, pitch):
        return READ_SECONDS
    travel = (rows - 1) * pitch
    half = (size[1] - pitch) / 2  # the first/last line's travel while whole on screen
    return READ_SECONDS * travel / half


def required_seconds(headings: int, names: int, size: tuple[int, int]) -> float:
    """The shortest credits segment in which every line is readable at the largest type."""
    pitch = _pitch(size, DENSITIES[0])
    return _needed(_rows(headings, names, _columns(size, pitch)), size, pitch)


def layout_roll(
    lines: Sequence[str], *, heading: int, size: tuple[int, int], duration: float
) -> RollLayout:
    """Place every line of the credits (the first `heading` of them are headings)."""
    heads = [line for line in lines[:heading]]
    names = [line for line in lines[heading:]]
    chosen = DENSITIES[-1]
    for density in DENSITIES:
        pitch = _pitch(size, density)
        if _needed(_rows(len(heads), len(names), _columns(size, pitch)), size, pitch) <= duration:
            chosen = density
            break
    pitch = _pitch(size, chosen)
    columns = min(_columns(size, pitch), max(1, len(names)))
    w = size[0]
    placed: list[RollLine] = []
    head_px = max(6, round(pitch * HEADING_SHARE))
    name_px = max(6, round(pitch * FONT_SHARE))
    for row, text in enumerate(heads):
        placed.append(RollLine(text, w / 2, row * pitch, head_px, w, True))
    first = len(heads) + (1 if heads and names else 0)
    col_w = w / columns
    for n, text in enumerate(names):
        row, col = divmod(n, columns)
        x = col_w * (col + 0.5)
        placed.append(RollLine(text, x, (first + row) * pitch, name_px, int(col_w * 0.94), False))
    rows = _rows(len(heads), len(names), columns) if (heads or names) else 0
    height = rows * pitch
    return RollLayout(
        size=size,
        pitch=pitch,
        lines=tuple(placed),
        height=height,
        duration=duration,
        scrolls=bool(placed) and not _fits_still(rows, size, pitch),
    )


# --- drawing ------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=px)


def fitted_font(text: str, px: int, width: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font at `px`, or smaller so `text` fits `width` pixels (never under 6 px)."""
    f = font(px)
    length = f.getlength(text)
    if length > width and px > 6:
        f = font(max(6, math.floor(px * width / length)))
    return f


def sprite(line: RollLine, pitch: int) -> Image.Image:
    """The line as an "L" mask `line.width` by `pitch` pixels (text 255, background 0)."""
    width = max(1, min(line.width, math.ceil(line.width)))
    image = Image.new("L", (width, pitch), 0)
    f = fitted_font(line.text, line.font_px, width)
    ImageDraw.Draw(image).text((width / 2, pitch / 2), line.text, font=f, fill=255, anchor="mm")
    return image


class RollPainter:
    """Draws the roll's mask frame by frame, keeping only the visible lines' sprites."""

    def __init__(self, layout: RollLayout) -> None:
        self.layout = layout
        self._sprites: dict[int, Image.Image] = {}

    def mask(self, t: float) -> Image.Image:
        lay = self.layout
        w, h = lay.size
        top = round(lay.top_at(t))
        frame = Image.new("L", (w, h), 0)
        visible: set[int] = set()
        for n, line in enumerate(lay.lines):
            y = top + line.y
            if y + lay.pitch <= 0 or y >= h:
                continue
            visible.add(n)
            image = self._sprites.get(n)
            if image is None:
                image = self._sprites[n] = sprite(line, lay.pitch)
            frame.paste(image, (round(line.x - image.width / 2), y))
        for n in [k for k in self._sprites if k not in visible]:
            del self._sprites[n]  # scrolled off: memory stays flat however long the roll
        return frame

    @property
    def cached(self) -> int:
        return len(self._sprites)
