"""The renderer, end to end: plan generated photos on a click track, render, decode with PyAV."""

from __future__ import annotations

import gc
import itertools
import time
import wave
import weakref
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from crowdstudio.studio.montage.plan import BeatGrid, PlannedShot, Shot, plan_montage
from crowdstudio.studio.montage.render import frame_count, render_plan

FPS = 24.0
SIZE = (320, 180)
DURATION = 6.5  # deliberately not on the frame grid of a whole second
BPM = 120.0
RATE = 44_100
# Beats off the frame grid (0.013 s), as a real track's are.
BEATS = tuple(
    t for t in (0.013 + k * 60.0 / BPM for k in range(int(DURATION * BPM / 60) + 1)) if t < DURATION
)

# Very different colours, so every cut is an obvious jump.
PHOTOS = {
    1: ("landscape", (1600, 900), (220, 30, 30)),
    2: ("portrait", (600, 1000), (30, 200, 40)),
    3: ("tiny", (37, 23), (30, 40, 230)),
    4: ("odd", (1001, 777), (240, 230, 40)),
}


def click_track(path: Path, beats: list[float]) -> None:
    n = round(DURATION * RATE)
    signal = np.zeros(n, dtype=np.float32)
    click = np.sin(2 * np.pi * 1000 * np.arange(441) / RATE) * np.hanning(441)
    for t in beats:
        i = round(t * RATE)
        signal[i : i + 441] += click[: n - i].astype(np.float32) * 0.8
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((signal * 32767).astype("<i2").tobytes())


def make_photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    image = Image.new("RGB", size, colour)
    # A little texture, so the Ken Burns motion changes something (but far less than a cut).
    pixels = np.asarray(image, dtype=np.int16).copy()
    pixels[:: max(1, size[1] // 8), :, :] //= 2
    Image.fromarray(pixels.astype(np.uint8)).save(path, quality=90)  # JPEG: full-range source


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("render")
    beats = list(BEATS)
    track = tmp / "clicks.wav"
    click_track(track, beats)
    files: dict[int, Path] = {}
    shots = []
    for asset_id, (name, size, colour) in PHOTOS.items():
        files[asset_id] = tmp / f"{name}.jpg"
        make_photo(files[asset_id], size, colour)
        shots.append(
            Shot(
                entry_id=asset_id,
                asset_id=asset_id,
                contributor=f"person {asset_id}",
                kind="image",
                width=size[0],
                height=size[1],
            )
        )
    grid = BeatGrid(beats=tuple(beats), duration=DURATION, energy=tuple(0.9 for _ in beats))
    plan = plan_montage(shots, grid, fps=FPS, seed=3, sizes=[SIZE], title="Test", credits=["x"])

    loads: list[int] = []
    leaked: list[object] = []
    live_images: list[int] = []
    alive: list[weakref.ref[Image.Image]] = []

    def load_image(shot: PlannedShot) -> Image.Image:
        # Streaming: the previous shot's picture is gone by the time the next one is loaded,
        # and only a frame or two of pictures are alive, however many shots came before.
        leaked.extend(ref for ref in alive if ref() is not None)
        live_images.append(sum(isinstance(o, Image.Image) for o in gc.get_objects()))
        loads.append(shot.asset_id)
        image = Image.open(files[shot.asset_id])
        alive.append(weakref.ref(image))
        return image

    reports: list[float] = []
    out = tmp / "out.mp4"
    started = time.perf_counter()
    render_plan(
        plan,
        size_index=0,
        load_image=load_image,
        audio_path=str(track),
        out_path=str(out),
        progress=reports.append,
    )
    elapsed = time.perf_counter() - started
    print(f"rendered {DURATION:.1f}s in {elapsed:.2f}s: {DURATION / elapsed:.1f}x real time")
    return plan, out, reports, loads, leaked, live_images


def decode(path: Path):
    with av.open(str(path)) as container:
        v = container.streams.video[0]
        a = container.streams.audio[0]
        info = {
            "vcodec": v.codec_context.name,
            "acodec": a.codec_context.name,
            "pix_fmt": v.codec_context.pix_fmt,
            "range": v.codec_context.color_range,
            "size": (v.codec_context.width, v.codec_context.height),
            "rate": v.average_rate,
        }
        frames = []
        times = []
        ranges = set()
        for frame in container.decode(v):
            ranges.add(frame.color_range)
            times.append(float(frame.time))
            frames.append(frame.to_ndarray(format="rgb24").astype(np.int16))
        info["frame_ranges"] = ranges
        info["times"] = times
        info["frames"] = frames
    with av.open(str(path)) as container:
        audio_end = 0.0
        chunks = []
        first = None
        for frame in container.decode(container.streams.audio[0]):
            first = float(frame.time) if first is None else first
            audio_end = max(audio_end, float(frame.time) + frame.samples / frame.sample_rate)
            chunks.append(frame.to_ndarray()[0])
            rate = frame.sample_rate
    signal = np.concatenate(chunks)
    loud = np.flatnonzero(np.abs(signal) > 0.3)
    onsets = [b for a, b in itertools.pairwise([-rate, *loud]) if b - a > rate // 10]
    info["audio_end"] = audio_end
    info["clicks"] = [(first or 0.0) + i / rate for i in onsets]
    return info


@pytest.fixture(scope="module")
def decoded(rendered):
    return decode(rendered[1])


def test_format(decoded):
    info = decoded
    assert info["vcodec"] == "h264"
    assert info["acodec"] == "aac"
    assert info["pix_fmt"] == "yuv420p"
    assert info["range"] == 1  # MPEG / TV range, although the sources are JPEGs
    assert info["frame_ranges"] == {1}
    assert info["size"] == SIZE
    assert float(info["rate"]) == pytest.approx(FPS)


def test_duration_and_sync(rendered, decoded):
    plan = rendered[0]
    frames, times = decoded["frames"], decoded["times"]
    assert abs(len(frames) - DURATION * FPS) <= 1
    assert len(frames) == frame_count(plan)
    video_end = times[-1] + 1 / FPS
    assert abs(video_end - plan.duration) <= 1 / FPS
    assert abs(decoded["audio_end"] - video_end) <= 1 / FPS


def test_cuts_on_planned_frames(rendered, decoded):
    plan = rendered[0]
    frames, times = decoded["frames"], decoded["times"]
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(frames)]
    detected = [times[i + 1] for i, d in enumerate(diffs) if d > 30]
    planned = plan.cuts()  # title|shot, shot|shot, ..., shot|credits
    # Two shots in a row of the same photo would not show as a cut: only expect the others.
    ids = [None, *(s.asset_id for s in plan.shots), None]
    visible = [c for c, (a, b) in zip(planned, itertools.pairwise(ids), strict=True) if a != b]
    assert len(visible) >= 6
    tolerance = 1 / FPS + 1e-6
    for c in detected:
        assert min(abs(c - p) for p in planned) <= tolerance, (c, planned)
    for p in visible:
        assert min(abs(c - p) for c in detected) <= tolerance, (p, detected)


def test_progress_and_one_picture_at_a_time(rendered):
    plan, _out, reports, loads, leaked, live_images = rendered
    assert reports and reports[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(reports))
    assert all(0.0 <= r <= 1.0 for r in reports)
    assert len(loads) == len(plan.shots)
    assert not leaked
    assert max(live_images) <= 3, live_images  # a frame, a card: not one per shot


def test_clicks_stay_on_the_beats(decoded):
    """Audio in sync: every click of the track is heard within one frame of its beat (AAC's
    priming is trimmed, nothing drifts), and none is lost or added."""
    clicks = decoded["clicks"]
    assert len(clicks) == len(BEATS)
    for click, beat in zip(clicks, BEATS, strict=True):
        assert abs(click - beat) <= 1 / FPS, (click, beat)


def test_vertical_size_without_a_track(tmp_path: Path):
    """Another size of the same plan, another frame rate, no music: silence of the right length."""
    photo = tmp_path / "p.png"
    Image.new("RGBA", (500, 300), (200, 100, 50, 255)).save(photo)
    shot = Shot(entry_id=1, asset_id=1, contributor="a", kind="image", width=500, height=300)
    beats = tuple(0.25 + k * 0.75 for k in range(6))
    grid = BeatGrid(beats=beats, duration=4.3, energy=tuple(0.5 for _ in beats))
    plan = plan_montage([shot], grid, fps=12.0, sizes=[(320, 180), (180, 320)])
    out = tmp_path / "v.mp4"
    render_plan(
        plan,
        size_index=1,
        load_image=lambda _shot: Image.open(photo),
        audio_path=None,
        out_path=str(out),
    )
    info = decode(out)
    assert info["size"] == (180, 320)
    assert float(info["rate"]) == pytest.approx(12.0)
    assert len(info["frames"]) == frame_count(plan) == round(4.3 * 12)
    video_end = info["times"][-1] + 1 / 12
    assert abs(info["audio_end"] - video_end) <= 1 / 12
    assert info["clicks"] == []


def test_odd_sizes_are_refused(tmp_path: Path):
    grid = BeatGrid(beats=(0.5, 1.0), duration=2.0)
    plan = plan_montage([], grid, fps=12.0, sizes=[(321, 180)])
    with pytest.raises(ValueError, match="even"):
        render_plan(
            plan,
            load_image=lambda _shot: Image.new("RGB", (2, 2)),
            audio_path=None,
            out_path=str(tmp_path / "x.mp4"),
        )


def test_every_visible_cut_in_the_file_lies_within_a_frame_of_a_beat_of_the_click_track(decoded):
    frames, times = decoded["frames"], decoded["times"]
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(frames)]
    detected = [times[i + 1] for i, d in enumerate(diffs) if d > 30]
    assert len(detected) >= 6
    heard = decoded["clicks"]  # the beats as decoded from the file's own audio
    for cut in detected:
        assert min(abs(cut - b) for b in BEATS) <= 1 / FPS + 1e-6, cut
        assert min(abs(cut - c) for c in heard) <= 1 / FPS + 1e-6, cut


def test_the_frames_of_a_still_move_smoothly_without_jumps(rendered, decoded):
    """Ken Burns on whole-pixel cuts: consecutive frames within a shot differ only a little."""
    plan = rendered[0]
    frames = decoded["frames"]
    for shot in plan.shots:
        a, b = round(shot.start * FPS), round(shot.end * FPS)
        for i in range(a + 1, b):
            assert float(np.abs(frames[i] - frames[i - 1]).mean()) < 12, (shot.asset_id, i)
