"""Render a montage plan to an H.264 + AAC MP4 with PyAV, streaming.

Frames are made one at a time from the plan and encoded as they are made, so memory stays flat
whatever the number of shots: each shot's picture is loaded once, cropped to its framing and
reduced to a little more than the output size, and dropped when the shot ends. The Ken Burns
motion is a crop window interpolated between the motion's start and end, resampled by Pillow
(sub-pixel boxes, so slow zooms do not judder). Title and credits are Pillow's default font on a
dark background.

Video: yuv420p, BT.709, TV (limited) range, whatever the sources (JPEGs would otherwise make
the output full-range), x264 frame threading (PyAV's default slice threading keeps x264 on one
core), `+faststart`. Audio: the track decoded, resampled to 48 kHz stereo fltp, cut (or padded
with silence) to exactly the video's length so AAC's padding cannot make it outlast the video.
Audio and video are interleaved as they are made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from fractions import Fraction

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.video.frame import VideoFrame
from av.video.reformatter import ColorRange, Colorspace
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .plan import Card, Framing, Plan, PlannedShot
from .plan import frame_count as plan_frame_count
from .shots import EXIF_ORIENTATION

AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
AUDIO_FRAME = 1024  # AAC's frame size
CARD_BACKGROUND = (14, 14, 18)
CARD_TEXT = (235, 235, 235)
# Keep a shot's source at this much of the output resolution at its closest zoom: enough detail
# for the whole motion, and far less memory and per-frame work than a 24-megapixel original.
OVERSAMPLE = 1.0

BT709 = 1  # AVCOL_PRI_BT709 / AVCOL_TRC_BT709 / AVCOL_SPC_BT709

LoadImage = Callable[[PlannedShot], Image.Image]
Progress = Callable[[float], None]


def frame_count(plan: Plan) -> int:
    """The number of frames of the rendered video: the plan's duration on whole frames."""
    return plan_frame_count(plan.duration, plan.fps)


def _rate(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)


# --- pictures -----------------------------------------------------------------------------------


class _ShotSource:
    """One shot's picture, cropped and reduced once; frames are windows of it."""

    def __init__(self, image: Image.Image, framing: Framing, size: tuple[int, int]) -> None:
        if image.getexif().get(EXIF_ORIENTATION, 1) != 1:  # a copy only when it must turn
            image = ImageOps.exif_transpose(image)
        if image.mode != "RGB":
            image = image.convert("RGB")
        x, y, cw, ch = framing.crop
        # Clamp the crop to the picture actually loaded (a proxy or an odd file).
        x = min(max(0, x), max(0, image.width - 1))
        y = min(max(0, y), max(0, image.height - 1))
        cw = max(1, min(cw, image.width - x))
        ch = max(1, min(ch, image.height - y))
        m = framing.motion
        zoom = max(m.start_scale, m.end_scale, 1.0)
        target_w = max(1, math.ceil(size[0] * zoom * OVERSAMPLE))
        if cw > target_w * 1.25:
            target_h = max(1, round(ch * target_w / cw))
            image = image.resize(
                (target_w, target_h),
                Image.Resampling.BILINEAR,
                box=(x, y, x + cw, y + ch),
                reducing_gap=2.0,
            )
        else:
            image = image.crop((x, y, x + cw, y + ch))
            image.load()
        self.image = image
        self.motion = m
        self.size = size

    def frame(self, progress: float) -> Image.Image:
        m = self.motion
        p = min(1.0, max(0.0, progress))
        scale = m.start_scale + (m.end_scale - m.start_scale) * p
        cx = m.start_center[0] + (m.end_center[0] - m.start_center[0]) * p
        cy = m.start_center[1] + (m.end_center[1] - m.start_center[1]) * p
        w, h = self.image.size
        half_w, half_h = w / (2 * scale), h / (2 * scale)
        left = min(max(cx * w - half_w, 0.0), w - 2 * half_w)
        top = min(max(cy * h - half_h, 0.0), h - 2 * half_h)
        box = (left, top, left + 2 * half_w, top + 2 * half_h)
        return self.image.resize(self.size, Image.Resampling.BILINEAR, box=box)


def draw_card(card: Card, size: tuple[int, int], *, heading: bool = False) -> Image.Image:
    """A dark card with the lines centred, Pillow's default font."""
    image = Image.new("RGB", size, CARD_BACKGROUND)
    lines = [line for line in card.lines if line]
    if not lines:
        return image
    draw = ImageDraw.Draw(image)
    w, h = size
    body = max(10, min(h // (len(lines) + 4), w // 24))
    font = ImageFont.load_default(size=body)
    big = ImageFont.load_default(size=round(body * 1.6)) if heading else font
    fonts = [big if heading and n == 0 else font for n in range(len(lines))]
    heights = [draw.textbbox((0, 0), "Ag", font=f)[3] for f in fonts]  # even line spacing
    gap = body // 2
    y = (h - (sum(heights) + gap * (len(lines) - 1))) / 2
    for line, f, lh in zip(lines, fonts, heights, strict=True):
        draw.text((w / 2, y), line, font=f, fill=CARD_TEXT, anchor="ma")
        y += lh + gap
    return image


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


def iter_pictures(plan: Plan, *, size_index: int, load_image: LoadImage) -> Iterator[Image.Image]:
    """Every frame of the video as a Pillow image, made one at a time."""
    size = plan.sizes[size_index]
    n = frame_count(plan)
    emitted = 0
    for a, b, item in _segments(plan):
        if a > emitted:  # a hole in the plan: hold black
            for _ in range(a - emitted):
                yield Image.new("RGB", size, CARD_BACKGROUND)
            emitted = a
        a = max(a, emitted)
        if isinstance(item, Card):
            card = draw_card(item, size, heading=item is plan.title)
            for _ in range(a, b):
                yield card
        else:
            source = _ShotSource(load_image(item), item.framings[size_index], size)
            span = max(1, b - a - 1)
            for i in range(a, b):
                yield source.frame((i - a) / span)
            del source
        emitted = max(emitted, b)
    for _ in range(emitted, n):
        yield Image.new("RGB", size, CARD_BACKGROUND)


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


def _to_yuv(picture: Image.Image) -> VideoFrame:
    """RGB to yuv420p, BT.709 matrix, TV range, tagged so."""
    frame = VideoFrame.from_image(picture).reformat(
        format="yuv420p",
        dst_colorspace=Colorspace.ITU709,
        dst_color_range=ColorRange.MPEG,
    )
    frame.color_range = int(ColorRange.MPEG)
    frame.colorspace = BT709
    frame.color_primaries = BT709
    frame.color_trc = BT709
    return frame


# --- the renderer -------------------------------------------------------------------------------


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
) -> None:
    """Write `plan` at `plan.sizes[size_index]` and `plan.fps` to `out_path` (MP4)."""
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
        last_picture: Image.Image | None = None
        frame = VideoFrame(width, height)
        for i, picture in enumerate(
            iter_pictures(plan, size_index=size_index, load_image=load_image)
        ):
            if i >= n:
                break
            if picture is not last_picture:  # a card repeats one picture: convert it once
                frame = _to_yuv(picture)
                last_picture = picture
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
