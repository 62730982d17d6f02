"""Clips in the montage: played by timestamp at the output rate, held, rotated, streamed."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from crowdstudio.studio.montage.clips import poster, shot_from_clip
from crowdstudio.studio.montage.plan import Card, Plan, PlannedShot, Shot, framing_for
from crowdstudio.studio.montage.render import frame_count, render_plan

OUT_FPS = 30.0
SIZE = (160, 90)
LEVELS = 8  # clip frame k is a flat grey of level (k % LEVELS): neighbours differ clearly
STEP = 28


def grey_of(k: int) -> int:
    return 20 + (k % LEVELS) * STEP


def make_clip(
    path: Path, *, fps: int, seconds: float, size=(64, 48), rotation: int = 0, pattern=None
) -> None:
    """A clip whose frame k is flat grey `grey_of(k)` (or `pattern(k)`), at `fps`."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.options = {"crf": "10", "preset": "ultrafast"}
        if rotation:
            stream.set_display_rotation(rotation)
        for k in range(round(seconds * fps)):
            if pattern is None:
                pixels = np.full((size[1], size[0], 3), grey_of(k), dtype=np.uint8)
            else:
                pixels = pattern(k)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = k
            frame.time_base = Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def clip_plan(
    shot: Shot, *, start: float, end: float, duration: float, source_start=0.0, sizes=(SIZE,)
):
    return Plan(
        duration=duration,
        fps=OUT_FPS,
        seed=0,
        sizes=tuple(sizes),
        title=Card(0.0, start, ()),
        shots=(
            PlannedShot(
                entry_id=shot.entry_id,
                asset_id=shot.asset_id,
                contributor=shot.contributor,
                kind="video",
                start=start,
                end=end,
                framings=tuple(framing_for(shot, size, end - start) for size in sizes),
                source_start=source_start,
            ),
        ),
        end_credits=Card(end, duration, ()),
    )


def decoded_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [
            f.to_ndarray(format="rgb24").astype(np.int16)
            for f in container.decode(container.streams.video[0])
        ]


def no_image(_shot):
    raise AssertionError("a clip shot with load_clip must not load a still")


@pytest.mark.parametrize("fps", [24, 25, 60])
def test_a_clip_of_another_frame_rate_plays_at_its_own_speed_by_timestamp(tmp_path, fps):
    clip = tmp_path / f"c{fps}.mp4"
    make_clip(clip, fps=fps, seconds=1.6)
    shot = shot_from_clip(clip, contributor="cleo", entry_id=1, asset_id=7)
    assert (shot.kind, shot.width, shot.height) == ("video", 64, 48)
    assert shot.duration == pytest.approx(1.6, abs=1 / fps)
    start, end = 10 / OUT_FPS, 40 / OUT_FPS  # a one-second slot
    plan = clip_plan(shot, start=start, end=end, duration=50 / OUT_FPS, source_start=0.3)
    out = tmp_path / "out.mp4"
    asked: list[int] = []

    def load_clip(asset_id: int) -> str:
        asked.append(asset_id)
        return str(clip)

    render_plan(plan, load_image=no_image, load_clip=load_clip, audio_path=None, out_path=str(out))
    assert asked == [7]
    frames = decoded_frames(out)
    assert len(frames) == frame_count(plan) == 50
    for i in range(10, 40):
        t = 0.3 + (i - 10) / OUT_FPS  # the clip time this output frame shows
        k = int(t * fps + 1e-6)
        level = float(frames[i][20:70, 40:120].mean())
        assert abs(level - grey_of(k)) <= 6, (i, k, level, grey_of(k))


def test_a_clip_shorter_than_its_slot_holds_its_last_frame(tmp_path):
    clip = tmp_path / "short.mp4"
    make_clip(clip, fps=25, seconds=0.4)  # 10 frames
    shot = Shot(1, 7, "cleo", "video", 64, 48)
    plan = clip_plan(shot, start=0.2, end=1.2, duration=1.4)
    out = tmp_path / "out.mp4"
    render_plan(
        plan,
        load_image=no_image,
        load_clip=lambda _id: str(clip),
        audio_path=None,
        out_path=str(out),
    )
    frames = decoded_frames(out)
    last = grey_of(9)  # on screen from 0.36 s into the clip, then held
    for i in range(round((0.2 + 0.4) * OUT_FPS), round(1.2 * OUT_FPS)):
        assert abs(float(frames[i][20:70, 40:120].mean()) - last) <= 6


def half_white(k: int) -> np.ndarray:
    pixels = np.zeros((32, 64, 3), dtype=np.uint8)
    pixels[:, :32] = 235  # the left half of the stored picture is white
    return pixels


def test_the_display_rotation_of_a_phone_clip_is_honoured(tmp_path):
    clip = tmp_path / "phone.mp4"
    make_clip(clip, fps=30, seconds=0.5, size=(64, 32), rotation=90, pattern=half_white)
    image, info = poster(clip)
    assert (info.width, info.height, info.rotation) == (32, 64, 90)
    # 90 degrees counterclockwise: the stored left half ends up at the bottom.
    pixels = np.asarray(image.convert("L"), dtype=np.int16)
    assert pixels[48:, :].mean() > 200 and pixels[:16, :].mean() < 40
    shot = shot_from_clip(clip, contributor="cleo", entry_id=1, asset_id=7)
    assert (shot.width, shot.height) == (32, 64)
    plan = clip_plan(shot, start=0.1, end=0.5, duration=0.6, sizes=[(64, 64)])
    out = tmp_path / "out.mp4"
    render_plan(
        plan,
        load_image=no_image,
        load_clip=lambda _id: str(clip),
        audio_path=None,
        out_path=str(out),
    )
    frame = decoded_frames(out)[6]  # the whole crop, before the zoom
    assert frame[:24].mean() < 50  # top: dark
    assert frame[40:].mean() > 190  # bottom: white


def test_without_load_clip_a_clip_shot_shows_its_poster(tmp_path):
    shot = Shot(1, 7, "cleo", "video", 64, 48)
    plan = clip_plan(shot, start=0.1, end=0.5, duration=0.6)
    out = tmp_path / "out.mp4"
    render_plan(
        plan,
        load_image=lambda _s: Image.new("RGB", (64, 48), (200, 200, 200)),
        audio_path=None,
        out_path=str(out),
    )
    assert float(decoded_frames(out)[8].mean()) == pytest.approx(200, abs=6)


def test_a_full_range_clip_keeps_its_greys(tmp_path):
    clip = tmp_path / "full.mp4"
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuvj420p"
        stream.codec_context.options = {"crf": "5", "preset": "ultrafast"}
        for k in range(10):
            pixels = np.zeros((48, 64), dtype=np.uint8)
            pixels[:] = 64  # full-range Y 64: about grey 64 once decoded
            rest = np.full((24, 64), 128, dtype=np.uint8)  # neutral chroma (U, V)
            frame = av.VideoFrame.from_ndarray(np.vstack([pixels, rest]), format="yuvj420p")
            frame.pts = k
            frame.time_base = Fraction(1, 25)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    shot = Shot(1, 7, "cleo", "video", 64, 48)
    plan = clip_plan(shot, start=0.1, end=0.3, duration=0.4)
    out_path = tmp_path / "out.mp4"
    render_plan(
        plan,
        load_image=no_image,
        load_clip=lambda _id: str(clip),
        audio_path=None,
        out_path=str(out_path),
    )
    level = float(decoded_frames(out_path)[5].mean())
    assert level == pytest.approx(64, abs=3)  # read as limited range it would be about 56
