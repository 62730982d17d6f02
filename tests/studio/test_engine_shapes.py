"""One plan, three shapes: 16:9, 9:16 and 1:1 renders (tiny), and the command's --size."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from crowdstudio.studio.montage.plan import BeatGrid, Shot, plan_montage
from crowdstudio.studio.montage.render import frame_count, render_plan

FPS = 12.0
SIZES = [(160, 90), (90, 160), (96, 96)]
DURATION = 5.0
COLOURS = {
    1: ((1600, 900), (220, 40, 40)),  # landscape
    2: ((600, 1000), (40, 200, 60)),  # portrait
    3: ((37, 23), (40, 60, 220)),  # tiny
    4: ((1001, 777), (230, 220, 40)),  # odd
}


def write_track(path: Path, seconds: float, rate: int = 22_050) -> None:
    n = round(seconds * rate)
    signal = np.zeros(n, dtype=np.float32)
    click = np.sin(2 * np.pi * 1000 * np.arange(300) / rate) * np.hanning(300)
    for k in range(int(seconds * 2)):
        i = round((0.25 + 0.5 * k) * rate)
        if i < n:
            signal[i : i + 300] += click[: n - i].astype(np.float32) * 0.8
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((signal * 32767).astype("<i2").tobytes())


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shapes")
    files = {}
    shots = []
    for n, (size, colour) in COLOURS.items():
        files[n] = tmp / f"{n}.jpg"
        Image.new("RGB", size, colour).save(files[n], quality=95)
        shots.append(Shot(n, n, f"person {n}", "image", size[0], size[1]))
    beats = tuple(0.25 + 0.5 * k for k in range(10))
    grid = BeatGrid(beats=beats, duration=DURATION, energy=(0.5,) * len(beats))
    plan = plan_montage(
        shots, grid, fps=FPS, seed=2, sizes=SIZES, title="Shapes", credits=["Music: Test"]
    )
    track = tmp / "t.wav"
    write_track(track, DURATION)
    outputs = []
    for index in range(len(SIZES)):
        out = tmp / f"{index}.mp4"
        render_plan(
            plan,
            size_index=index,
            load_image=lambda shot: Image.open(files[shot.asset_id]),
            audio_path=str(track),
            out_path=str(out),
        )
        outputs.append(out)
    return plan, outputs


@pytest.mark.parametrize("index", range(len(SIZES)), ids=["16:9", "9:16", "1:1"])
def test_each_shape_has_its_size_length_sync_and_full_frame_pictures(shapes, index):
    plan, outputs = shapes
    with av.open(str(outputs[index])) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == SIZES[index]
        frames = [
            (float(f.time), f.to_ndarray(format="rgb24").astype(np.int16))
            for f in container.decode(video)
        ]
    with av.open(str(outputs[index])) as container:
        audio_end = max(
            float(f.time) + f.samples / f.sample_rate
            for f in container.decode(container.streams.audio[0])
        )
    assert len(frames) == frame_count(plan) == round(DURATION * FPS)
    video_end = frames[-1][0] + 1 / FPS
    assert abs(video_end - DURATION) <= 1 / FPS
    assert abs(audio_end - video_end) <= 1 / FPS
    # The middle frame of every shot is its photo, cropped to fill the frame: no bars, the
    # photo's colour everywhere (odd, portrait and tiny photos alike).
    for shot in plan.shots:
        middle = round((shot.start + shot.end) / 2 * FPS)
        pixels = frames[middle][1]
        colour = np.array(COLOURS[shot.asset_id][1])
        assert np.abs(pixels.reshape(-1, 3).mean(axis=0) - colour).max() <= 8, shot.asset_id
        assert np.abs(pixels - colour).max(axis=2).mean() <= 10


@pytest.mark.parametrize("size", ["90x160", "96x96"])
def test_the_command_renders_vertical_and_square_videos(tmp_path, size):
    photos = tmp_path / "photos"
    photos.mkdir()
    for n, (dims, colour) in COLOURS.items():
        Image.new("RGB", dims, colour).save(photos / f"p{n}_x.jpg")
    track = tmp_path / "t.wav"
    write_track(track, 4.0)
    out = tmp_path / "o.mp4"
    call_command(
        "montage",
        str(photos),
        str(track),
        "-o",
        str(out),
        "--size",
        size,
        "--fps",
        "8",
        verbosity=0,
    )
    width, height = (int(v) for v in size.split("x"))
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (width, height)
        assert sum(1 for _ in container.decode(video)) == 32
