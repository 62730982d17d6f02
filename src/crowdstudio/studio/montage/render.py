"""Render a montage plan to an H.264 + AAC MP4 with PyAV, streaming.

Frames are made one at a time from the plan and encoded as they are made, so memory stays flat
whatever the number of shots or the length of the track.

Stills: each shot's picture is loaded once (a JPEG decoded at 1/2..1/8 scale by `draft` when
that is still larger than needed), cut to its framing at whole pixels, and scaled to the output
size times the motion's closest zoom and converted to BT.709 TV-range yuv420p planes in one
libswscale pass. Every frame is then a window of those planes, handed to libswscale as a
yuv420p frame that views them (no copy) and scaled in one call into the frame the encoder
takes: no per-frame RGB picture, colour conversion or copy. The libswscale contexts are kept
from frame to frame (`Scaler`). The picture is dropped when its shot ends.

Clips (`load_clip(asset_id) -> path`): decoded with PyAV as a stream (a frame at a time, from a
seek to `source_start`); output frame k of the shot shows the clip frame on screen at
`source_start + k / fps` by its timestamp, so 24, 25 or 60 fps clips play at their speed in a
30 fps video; the display rotation is honoured; a clip shorter than its slot holds its last
frame. Without `load_clip` a clip shot shows the picture `load_image` gives (its poster).

Title card: Pillow's default font on a dark background. End credits: a scrolling roll laid out
by `credits_roll` (every name on screen long enough to read, ending with the track), drawn as
a text mask turned into the planes by table lookup.

Video: yuv420p, BT.709, TV (limited) range, whatever the sources (JPEGs would otherwise make
the output full-range), x264 frame threading (PyAV's default slice threading keeps x264 on one
core), `+faststart`. Audio: the track decoded, resampled to 48 kHz stereo fltp, cut (or padded
with silence) to exactly the video's length so AAC's padding cannot make it outlast the video.
Audio and video are interleaved as they are made. Frames are made in a second thread at a lower
CPU priority, up to 24 ahead of the encoder (`made_ahead`): x264 never waits for the next
picture, and the maker uses the time x264's frame threads leave idle rather than theirs.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Callable, Iterator
from fractions import Fraction

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.video.frame import VideoFrame
from av.video.plane import VideoPlane
from av.video.reformatter import ColorRange, Colorspace, Interpolation, VideoReformatter
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .credits_roll import RollPainter, fitted_font, font, layout_roll
from .plan import Card, Framing, Motion, Plan, PlannedShot
from .plan import frame_count as plan_frame_count
from .shots import EXIF_ORIENTATION

AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
AUDIO_FRAME = 1024  # AAC's frame size
CARD_BACKGROUND = (14, 14, 18)
CARD_TEXT = (235, 235, 235)

BT709 = 1  # AVCOL_PRI_BT709 / AVCOL_TRC_BT709 / AVCOL_SPC_BT709

LoadImage = Callable[[PlannedShot], Image.Image]
LoadClip = Callable[[int], str]
Progress = Callable[[float], None]
Box = tuple[float, float, float, float]


def frame_count(plan: Plan) -> int:
    """The number of frames of the rendered video: the plan's duration on whole frames."""
    return plan_frame_count(plan.duration, plan.fps)


def _rate(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)


# --- colour -------------------------------------------------------------------------------------


def yuv709(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """An sRGB colour (0..255) as BT.709 TV-range Y, Cb, Cr."""
    r, g, b = rgb
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (
        16 + 219 * luma / 255,
        128 + 224 * (b - luma) / 1.8556 / 255,
        128 + 224 * (r - luma) / 1.5748 / 255,
    )


def _tag(frame: VideoFrame) -> VideoFrame:
    frame.color_range = int(ColorRange.MPEG)
    frame.colorspace = BT709
    frame.color_primaries = BT709
    frame.color_trc = BT709
    return frame


def _to_yuv(picture: Image.Image) -> VideoFrame:
    """RGB to yuv420p, BT.709 matrix, TV range, tagged so."""
    frame = VideoFrame.from_image(picture).reformat(
        format="yuv420p",
        dst_colorspace=Colorspace.ITU709,
        dst_color_range=ColorRange.MPEG,
    )
    return _tag(frame)


class Scaler:
    """libswscale contexts kept from frame to frame: making a context costs more than the
    scale itself (a fresh one per plane and frame once took two thirds of a frame's time).
    Not thread-safe: one per frame maker."""

    def __init__(self) -> None:
        self.window = VideoReformatter()  # a window of a shot's planes to the output size
        self.convert = VideoReformatter()  # a shot's picture or a clip's frame to planes


class Planes:
    """A picture as BT.709 TV-range planes: Y at full size, Cb and Cr at half size (rounded
    up), each a 2-D uint8 array.

    A frame is a window of the planes scaled to the output size. When the window is at least
    as large as the output (the usual case: sources are kept at about 1.15x the output), the
    window is cut at whole source pixels as a yuv420p frame viewing the planes (no copy) and
    scaled by libswscale (bilinear) in one call straight into the frame the encoder takes. A
    window smaller than the output would magnify the rounding, so it is scaled by Pillow from
    sub-pixel boxes; `StillSource` enlarges small photos once up front so that this slow path
    is only a fallback.
    """

    def __init__(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        # Windows are handed to libswscale by DLPack, which cannot mark an array read-only.
        self.y, self.u, self.v = (p if p.flags.writeable else p.copy() for p in (y, u, v))
        self._images: tuple[Image.Image, ...] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return (self.y.shape[1], self.y.shape[0])

    @classmethod
    def from_video_frame(
        cls,
        frame: VideoFrame,
        rotation: int = 0,
        *,
        size: tuple[int, int] | None = None,
        reformatter: VideoReformatter | None = None,
    ) -> Planes:
        """Any decoded (or RGB) frame, scaled to `size` (before turning) and converted in one
        libswscale pass, then turned upright by `rotation` (degrees counterclockwise, a
        multiple of 90)."""
        w, h = size or (frame.width, frame.height)
        full = frame.color_range == int(ColorRange.JPEG)  # e.g. yuvj420p from a camera
        enlarging = w * h > frame.width * frame.height
        yuv = (reformatter or VideoReformatter()).reformat(
            frame,
            w,
            h,
            format="yuv420p",
            dst_colorspace=Colorspace.ITU709,
            src_color_range=ColorRange.JPEG if full else None,
            dst_color_range=ColorRange.MPEG,
            interpolation=Interpolation.BICUBIC if enlarging else Interpolation.BILINEAR,
            threads=1,
        )
        y, u, v = (plane_array(plane) for plane in yuv.planes)
        turns = round(rotation / 90) % 4
        if turns:
            y, u, v = (np.ascontiguousarray(np.rot90(p, k=turns)) for p in (y, u, v))
        return cls(y, u, v)

    def frame(self, box: Box, size: tuple[int, int], scaler: Scaler | None = None) -> VideoFrame:
        """The window `box` (left, top, right, bottom in Y pixels) scaled to `size`."""
        w, h = size
        sw, sh = self.size
        fx, fy = self.u.shape[1] / sw, self.u.shape[0] / sh
        cbox = (box[0] * fx, box[1] * fy, box[2] * fx, box[3] * fy)
        if box[2] - box[0] >= w and box[3] - box[1] >= h:
            scaled = (scaler or Scaler()).window.reformat(
                self.window(box, cbox),
                w,
                h,
                src_colorspace=Colorspace.ITU709,
                dst_colorspace=Colorspace.ITU709,
                src_color_range=ColorRange.MPEG,
                dst_color_range=ColorRange.MPEG,
                interpolation=Interpolation.BILINEAR,
                # One thread: x264 keeps the cores busy, and sws threads cost more than they save.
                threads=1,
            )
            return _tag(scaled)
        if self._images is None:
            self._images = tuple(Image.fromarray(p) for p in (self.y, self.u, self.v))
        yi, ui, vi = self._images
        bilinear = Image.Resampling.BILINEAR
        half = (w // 2, h // 2)
        return pack(
            np.asarray(yi.resize(size, bilinear, box=box)),
            np.asarray(ui.resize(half, bilinear, box=cbox)),
            np.asarray(vi.resize(half, bilinear, box=cbox)),
        )

    def window(self, box: Box, cbox: Box) -> VideoFrame:
        """The planes' window as a yuv420p frame whose planes are views of these (no copy):
        Y cut at whole pixels to an even size, Cb and Cr at the chroma box's whole pixels.
        Rounding moves the picture by under half a source pixel (a chroma pixel for colour)."""
        ph, pw = self.y.shape
        x0 = min(max(0, round(box[0])), pw - 2)
        y0 = min(max(0, round(box[1])), ph - 2)
        width = (min(pw, max(x0 + 2, round(box[2]))) - x0) & ~1
        height = (min(ph, max(y0 + 2, round(box[3]))) - y0) & ~1
        ch, cw = self.u.shape
        half_w, half_h = width // 2, height // 2
        cx0 = min(max(0, round(cbox[0])), cw - half_w)
        cy0 = min(max(0, round(cbox[1])), ch - half_h)
        return VideoFrame.from_dlpack(
            (
                self.y[y0 : y0 + height, x0 : x0 + width],
                self.u[cy0 : cy0 + half_h, cx0 : cx0 + half_w],
                self.v[cy0 : cy0 + half_h, cx0 : cx0 + half_w],
            ),
            format="yuv420p",
        )


def plane_array(plane: VideoPlane) -> np.ndarray:
    """A frame's plane as a 2-D uint8 array (a view: writing to it writes the frame)."""
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(-1, plane.line_size)
    return rows[: plane.height, : plane.width]


def pack(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> VideoFrame:
    """Three planes (chroma at half size) as a tagged yuv420p frame (one copy of each)."""
    h, w = y.shape
    frame = VideoFrame(w, h, "yuv420p")
    for source, plane in zip((y, u, v), frame.planes, strict=True):
        plane_array(plane)[...] = source
    return _tag(frame)


# --- framing ------------------------------------------------------------------------------------


def window(motion: Motion, progress: float, width: float, height: float) -> Box:
    """The Ken Burns view at `progress` (0..1) of a `width` x `height` crop: a box in the crop's
    pixels, never outside it."""
    m = motion
    p = min(1.0, max(0.0, progress))
    scale = max(1e-6, m.start_scale + (m.end_scale - m.start_scale) * p)
    cx = m.start_center[0] + (m.end_center[0] - m.start_center[0]) * p
    cy = m.start_center[1] + (m.end_center[1] - m.start_center[1]) * p
    half_w, half_h = min(width, width / scale) / 2, min(height, height / scale) / 2
    left = min(max(cx * width - half_w, 0.0), width - 2 * half_w)
    top = min(max(cy * height - half_h, 0.0), height - 2 * half_h)
    return (left, top, left + 2 * half_w, top + 2 * half_h)


def crop_in(framing: Framing, width: int, height: int) -> Box:
    """The framing's crop in a picture of `width` x `height` (a rendition or proxy of the one
    the plan measured: the crop is scaled by the ratio of sizes), clamped to the picture."""
    x, y, cw, ch = (float(v) for v in framing.crop)
    ref_w, ref_h = framing.source
    if ref_w > 0 and ref_h > 0:
        if (ref_w > ref_h) != (width > height) and ref_w != ref_h and width != height:
            ref_w, ref_h = ref_h, ref_w  # the size was recorded before the rotation
        fx, fy = width / ref_w, height / ref_h
        x, y, cw, ch = x * fx, y * fy, cw * fx, ch * fy
    x = min(max(0.0, x), max(0.0, width - 1.0))
    y = min(max(0.0, y), max(0.0, height - 1.0))
    cw = max(1.0, min(cw, width - x))
    ch = max(1.0, min(ch, height - y))
    return (x, y, x + cw, y + ch)


def _zoom(framing: Framing) -> float:
    """How much of the output's resolution a shot's picture is kept at: its closest zoom. That
    is detail enough for the whole motion, and far less memory and per-frame work than a
    24-megapixel original."""
    m = framing.motion
    return max(m.start_scale, m.end_scale, 1.0)


def _oriented(image: Image.Image) -> tuple[int, int, int]:
    orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    w, h = image.size
    return (h, w, orientation) if orientation in (5, 6, 7, 8) else (w, h, orientation)


class StillSource:
    """One shot's picture, cropped, reduced and converted once; frames are windows of it."""

    def __init__(
        self,
        image: Image.Image,
        framing: Framing,
        size: tuple[int, int],
        scaler: Scaler | None = None,
    ) -> None:
        self.scaler = scaler or Scaler()
        ow, oh, orientation = _oriented(image)
        x0, y0, x1, y1 = crop_in(framing, ow, oh)
        target_w = max(1, math.ceil(size[0] * _zoom(framing)))
        reduce_by = target_w / (x1 - x0)
        if reduce_by < 0.5 and image.format == "JPEG" and image.mode in ("RGB", "L"):
            # Decode at 1/2, 1/4 or 1/8 scale, still at least as large as needed.
            w, h = image.size
            image.draft(image.mode, (math.ceil(w * reduce_by), math.ceil(h * reduce_by)))
        if orientation != 1:
            image = ImageOps.exif_transpose(image)
        if image.mode != "RGB":
            image = image.convert("RGB")
        if image.size != (ow, oh):  # decoded smaller: the crop follows
            fx, fy = image.width / ow, image.height / oh
            x0, y0, x1, y1 = x0 * fx, y0 * fy, x1 * fx, y1 * fy
        # Cut at whole pixels (a view of the decoded picture), then reduced (or, for a small
        # photo, enlarged) and converted in one libswscale pass to the size the closest zoom
        # needs, so every frame's window is at least the output's size and takes the fast path.
        rgb = np.asarray(image)
        ih, iw = rgb.shape[:2]
        left, top = min(max(0, round(x0)), iw - 1), min(max(0, round(y0)), ih - 1)
        right, bottom = min(iw, max(left + 1, round(x1))), min(ih, max(top + 1, round(y1)))
        cut = rgb[top:bottom, left:right]
        cw, ch = right - left, bottom - top
        keep = target_w <= cw <= target_w * 1.25  # near enough: scaled per frame anyway
        out = (cw, ch) if keep else (target_w, max(1, round(ch * target_w / cw)))
        self.planes = Planes.from_video_frame(
            VideoFrame.from_numpy_buffer(cut, format="rgb24"),
            size=out,
            reformatter=self.scaler.convert,
        )
        self.motion = framing.motion
        self.size = size

    def frame(self, progress: float) -> VideoFrame:
        w, h = self.planes.size
        return self.planes.frame(window(self.motion, progress, w, h), self.size, self.scaler)


class ClipSource:
    """A video clip played from `start` seconds, decoded a frame at a time."""

    def __init__(
        self,
        path: str,
        framing: Framing,
        size: tuple[int, int],
        start: float,
        scaler: Scaler | None = None,
    ) -> None:
        self.scaler = scaler or Scaler()
        self.container = av.open(path)
        try:
            self.stream = self.container.streams.video[0]
        except IndexError:
            self.container.close()
            raise ValueError(f"{path}: no video stream") from None
        self.stream.thread_type = "AUTO"
        base = self.stream.start_time
        tb = self.stream.time_base
        self.origin = float(base * tb) if base is not None and tb is not None else 0.0
        self.start = max(0.0, start)
        if self.start > 0 and tb is not None:
            target = int((self.origin + self.start) / tb)
            self.container.seek(target, stream=self.stream, backward=True, any_frame=False)
        self.frames = self.container.decode(self.stream)
        self.framing, self.size = framing, size
        self.current: VideoFrame | None = None
        self.pending: VideoFrame | None = self._next()
        self.planes: Planes | None = None
        self.box: Box = (0.0, 0.0, 1.0, 1.0)
        self.shown: VideoFrame | None = None

    def _next(self) -> VideoFrame | None:
        for frame in self.frames:
            if frame.time is not None:
                return frame
        return None

    def _at(self, t: float) -> VideoFrame | None:
        """The clip frame on screen at `t` seconds into the clip (its last after the end)."""
        when = self.origin + t + 1e-6
        while self.pending is not None and (self.pending.time or 0.0) <= when:
            self.current, self.pending = self.pending, self._next()
        return self.current if self.current is not None else self.pending

    def frame(self, progress: float, seconds: float) -> VideoFrame:
        source = self._at(self.start + seconds)
        if source is None:
            raise ValueError("the clip has no frames")
        if source is not self.shown:
            self.shown = source
            rotation = getattr(source, "rotation", 0) or 0
            turned = round(rotation / 90) % 2 == 1
            w, h = (source.height, source.width) if turned else (source.width, source.height)
            x0, y0, x1, y1 = crop_in(self.framing, w, h)
            # Scaled while converting (one pass), to about the size the motion needs.
            factor = min(1.0, self.size[0] * _zoom(self.framing) / (x1 - x0))
            sw, sh = max(2, round(w * factor)), max(2, round(h * factor))
            fw, fh = (sh, sw) if turned else (sw, sh)
            self.planes = Planes.from_video_frame(
                source, rotation, size=(fw, fh), reformatter=self.scaler.convert
            )
            fx, fy = self.planes.size[0] / w, self.planes.size[1] / h
            self.box = (x0 * fx, y0 * fy, x1 * fx, y1 * fy)
        assert self.planes is not None
        x0, y0, x1, y1 = self.box
        left, top, right, bottom = window(self.framing.motion, progress, x1 - x0, y1 - y0)
        box = (x0 + left, y0 + top, x0 + right, y0 + bottom)
        return self.planes.frame(box, self.size, self.scaler)

    def close(self) -> None:
        self.container.close()


# --- cards --------------------------------------------------------------------------------------


def draw_card(card: Card, size: tuple[int, int], *, heading: bool = False) -> Image.Image:
    """A dark card with the lines centred, Pillow's default font. A line too wide for the
    frame is wrapped at spaces (and what is still too wide shrunk), so nothing is cut off."""
    image = Image.new("RGB", size, CARD_BACKGROUND)
    lines = [line for line in card.lines if line]
    if not lines:
        return image
    draw = ImageDraw.Draw(image)
    w, h = size
    room = round(w * 0.92)
    body = max(8, min(h // (len(lines) + 4), w // 24))
    rows: list[tuple[str, ImageFont.FreeTypeFont | ImageFont.ImageFont]] = []
    for n, line in enumerate(lines):
        px = round(body * 1.6) if heading and n == 0 else body
        for part in wrap(line, font(px), room):
            rows.append((part, fitted_font(part, px, room)))
    heights = [draw.textbbox((0, 0), "Ag", font=f)[3] for _, f in rows]  # even line spacing
    gap = max(1, body // 3)
    y = (h - (sum(heights) + gap * (len(rows) - 1))) / 2
    for (text, f), lh in zip(rows, heights, strict=True):
        draw.text((w / 2, y), text, font=f, fill=CARD_TEXT, anchor="ma")
        y += lh + gap
    return image


def wrap(text: str, f: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    """`text` in as few rows as fit `width` at font `f`, broken at spaces (greedy)."""
    rows: list[str] = []
    current = ""
    for word in text.split():
        attempt = f"{current} {word}" if current else word
        if current and f.getlength(attempt) > width:
            rows.append(current)
            current = word
        else:
            current = attempt
    if current:
        rows.append(current)
    return rows or [text]


class CreditsSource:
    """The end-credits roll over `frames` frames: a text mask blended into flat planes."""

    def __init__(self, card: Card, size: tuple[int, int], frames: int, fps: float) -> None:
        self.size = size
        self.frames = max(1, frames)
        self.layout = layout_roll(
            card.lines, heading=card.heading, size=size, duration=self.frames / fps
        )
        self.painter = RollPainter(self.layout)
        # The text mask's 256 levels blended from the background to the text colour, once per
        # plane: a frame is then three table lookups instead of float arithmetic per pixel.
        bg, fg = yuv709(CARD_BACKGROUND), yuv709(CARD_TEXT)
        alpha = np.arange(256, dtype=np.float32) * (1 / 255)
        self.tables = tuple(
            np.rint(bg[n] + (fg[n] - bg[n]) * alpha).astype(np.uint8).tolist() for n in range(3)
        )
        self._last: tuple[int, VideoFrame] | None = None

    def seconds(self, k: int) -> float:
        """Frame k's time in the roll: the last frame shows the roll's end."""
        return self.layout.duration * (k / max(1, self.frames - 1))

    def frame(self, k: int) -> VideoFrame:
        t = self.seconds(k)
        top = round(self.layout.top_at(t))
        if self._last is not None and self._last[0] == top:
            return self._last[1]
        mask = self.painter.mask(t)
        w, h = self.size
        half = mask.reduce(2).crop((0, 0, w // 2, h // 2))
        y_table, u_table, v_table = self.tables
        frame = pack(
            np.asarray(mask.point(y_table)),
            np.asarray(half.point(u_table)),
            np.asarray(half.point(v_table)),
        )
        self._last = (top, frame)
        return frame

    def picture(self, k: int) -> Image.Image:
        """Frame k as an RGB picture (for previews and tests)."""
        return self.frame(k).to_image()


# --- frames -------------------------------------------------------------------------------------


def _segments(plan: Plan) -> list[tuple[int, int, Card | PlannedShot]]:
    """(first frame, end frame, what) for every segment, on whole frames, covering the video."""
    n = frame_count(plan)
    fps = plan.fps
    segs: list[tuple[int, int, Card | PlannedShot]] = []
    items: list[Card | PlannedShot] = [plan.title, *plan.shots, plan.end_credits]
    for item in items:
        a = min(n, round(item.start * fps))
        b = min(n, round(item.end * fps))
        if b > a:
            segs.append((a, b, item))
    if segs:  # the credits run to the last frame whatever the rounding
        a, _b, last = segs[-1]
        segs[-1] = (a, n, last)
    return segs


def iter_frames(
    plan: Plan,
    *,
    size_index: int,
    load_image: LoadImage,
    load_clip: LoadClip | None = None,
) -> Iterator[VideoFrame]:
    """Every frame of the video as a tagged yuv420p frame, made one at a time. A frame that
    repeats (a card) is the same object: callers set `pts` as they encode."""
    size = plan.sizes[size_index]
    n = frame_count(plan)
    fps = plan.fps
    emitted = 0
    black: VideoFrame | None = None
    scaler = Scaler()

    def blank() -> VideoFrame:
        nonlocal black
        if black is None:
            black = _to_yuv(Image.new("RGB", size, CARD_BACKGROUND))
        return black

    for a, b, item in _segments(plan):
        if a > emitted:  # a hole in the plan: hold the background
            for _ in range(a - emitted):
                yield blank()
            emitted = a
        a = max(a, emitted)
        if item is plan.end_credits and isinstance(item, Card):
            credits = CreditsSource(item, size, b - a, fps)
            for i in range(a, b):
                yield credits.frame(i - a)
            del credits
        elif isinstance(item, Card):
            card = _to_yuv(draw_card(item, size, heading=item is plan.title))
            for _ in range(a, b):
                yield card
            del card
        else:
            span = max(1, b - a - 1)
            framing = item.framings[size_index]
            if item.kind == "video" and load_clip is not None:
                clip = ClipSource(
                    load_clip(item.asset_id), framing, size, item.source_start, scaler
                )
                try:
                    for i in range(a, b):
                        yield clip.frame((i - a) / span, (i - a) / fps)
                finally:
                    clip.close()
                del clip
            else:
                image = load_image(item)
                try:
                    still = StillSource(image, framing, size, scaler)
                finally:
                    image.close()
                del image
                for i in range(a, b):
                    yield still.frame((i - a) / span)
                del still
        emitted = max(emitted, b)
    for _ in range(emitted, n):
        yield blank()


# --- audio --------------------------------------------------------------------------------------


def _audio_frames(path: str | None, total_samples: int) -> Iterator[AudioFrame]:
    """The track as 48 kHz stereo fltp frames of AAC's size, exactly `total_samples` long."""
    fifo = av.AudioFifo()
    done = 0

    def silence(count: int) -> AudioFrame:
        frame = AudioFrame.from_ndarray(
            np.zeros((2, count), dtype=np.float32), format="fltp", layout=AUDIO_LAYOUT
        )
        frame.sample_rate = AUDIO_RATE
        return frame

    def stamped(frame: AudioFrame) -> AudioFrame:
        frame.pts = done
        frame.time_base = Fraction(1, AUDIO_RATE)
        return frame

    if path is not None:
        resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
        with av.open(path) as container:
            stream = container.streams.audio[0]
            for frame in _with_flush(container.decode(stream)):
                for out in resampler.resample(frame):
                    out.pts = None
                    fifo.write(out)
                while fifo.samples >= AUDIO_FRAME and done < total_samples:
                    chunk = fifo.read(min(AUDIO_FRAME, total_samples - done))
                    assert chunk is not None
                    yield stamped(chunk)
                    done += chunk.samples
                if done >= total_samples:
                    return
        while fifo.samples and done < total_samples:
            chunk = fifo.read(min(AUDIO_FRAME, total_samples - done, fifo.samples))
            assert chunk is not None
            yield stamped(chunk)
            done += chunk.samples
    while done < total_samples:  # the track is shorter than the plan: silence
        count = min(AUDIO_FRAME, total_samples - done)
        yield stamped(silence(count))
        done += count


def _with_flush(frames: Iterator[AudioFrame]) -> Iterator[AudioFrame | None]:
    yield from frames
    yield None  # flushes the resampler


# --- the renderer -------------------------------------------------------------------------------


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def lower_priority(steps: int) -> None:
    """Lower the calling thread's CPU priority by `steps` (a no-op where threads cannot have
    their own, or when it is not allowed)."""
    if steps <= 0:
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + steps))
    except (AttributeError, OSError):
        pass


# How far ahead the frame maker may run (frames), and how much lower its CPU priority is than
# the encoder's. x264's frame threads often wait for one another (a frame's motion search needs
# rows of the frame before it); a maker that runs only when they leave a core idle, with room to
# bank frames, fills those gaps instead of competing with x264. Measured on 2 cores: 7-9 % less
# wall time than a maker at the same priority 4 frames ahead (docs/benchmarks.md).
MADE_AHEAD = 24  # frames: about 75 MB at 1080p
MAKER_NICENESS = 10


def made_ahead(
    frames: Iterator[VideoFrame], *, depth: int = MADE_AHEAD, niceness: int = MAKER_NICENESS
) -> Iterator[VideoFrame]:
    """The same frames, made in a second thread up to `depth` ahead of the caller.

    x264's frame threads keep the cores busy only while frames keep coming; made ahead, the next
    frames are ready whenever the encoder can take one (Pillow, numpy and libswscale release the
    GIL while they work). The maker thread runs `niceness` steps below the caller's priority
    (Linux gives threads their own), so it takes the time x264 leaves idle rather than x264's.
    An error in the maker is raised here; leaving early stops the maker.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        lower_priority(niceness)
        try:
            for frame in frames:
                if not hand_over(frame):
                    return
            hand_over(_END)
        except BaseException as error:  # handed to the caller, who raises it
            hand_over(_Failed(error))
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # the maker's generator releases its pictures and clips in this thread

    maker = threading.Thread(target=make, name="montage-frames", daemon=True)
    maker.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            assert isinstance(item, VideoFrame)
            yield item
    finally:
        stop.set()
        maker.join()


def render_plan(
    plan: Plan,
    *,
    size_index: int = 0,
    load_image: LoadImage,
    audio_path: str | None,
    out_path: str,
    progress: Progress | None = None,
    crf: int = 23,
    preset: str = "veryfast",
    load_clip: LoadClip | None = None,
) -> None:
    """Write `plan` at `plan.sizes[size_index]` and `plan.fps` to `out_path` (MP4).

    `load_image(planned_shot)` opens a shot's picture (it is closed after use);
    `load_clip(asset_id)` gives a local path to a clip shot's video file."""
    width, height = plan.sizes[size_index]
    if width % 2 or height % 2:
        raise ValueError(f"yuv420p needs even dimensions, got {width}x{height}")
    n = frame_count(plan)
    rate = _rate(plan.fps)
    total_samples = round(n / rate * AUDIO_RATE)

    with av.open(out_path, mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=rate)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p"
        cc = video.codec_context
        cc.options = {"crf": str(crf), "preset": preset}
        cc.thread_type = "FRAME"
        cc.thread_count = 0
        cc.color_range = int(ColorRange.MPEG)
        cc.colorspace = BT709
        cc.color_primaries = BT709
        cc.color_trc = BT709
        audio = out.add_stream("aac", rate=AUDIO_RATE)
        assert isinstance(audio, AudioStream)
        audio.layout = AUDIO_LAYOUT
        audio.time_base = Fraction(1, AUDIO_RATE)

        sound = _audio_frames(audio_path, total_samples)
        audio_pts = 0
        last_reported = -1.0
        frames = made_ahead(
            iter_frames(plan, size_index=size_index, load_image=load_image, load_clip=load_clip)
        )
        for i, frame in enumerate(frames):
            if i >= n:
                break
            frame.pts = i
            out.mux(video.encode(frame))
            # Keep the audio abreast of the video, so the muxer never holds much.
            until = (i + 1) / rate * AUDIO_RATE
            while audio_pts < until:
                chunk = next(sound, None)
                if chunk is None:
                    audio_pts = total_samples
                    break
                out.mux(audio.encode(chunk))
                audio_pts += chunk.samples
            if progress is not None:
                done = (i + 1) / n * 0.99
                if done - last_reported >= 0.005:
                    progress(done)
                    last_reported = done
        for chunk in sound:
            out.mux(audio.encode(chunk))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
    if progress is not None:
        progress(1.0)
