"""The `montage` management command end to end: photos + click track -> MP4, plan, credits."""

from __future__ import annotations

import csv
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from crowdstudio.studio.montage.plan import Plan
from crowdstudio.studio.montage.shots import shot_from_image

RATE = 22_050
DURATION = 6.0
BPM = 120.0


def make_click_track(path: Path) -> None:
    n = round(DURATION * RATE)
    signal = np.zeros(n, dtype=np.float32)
    click = (np.sin(2 * np.pi * 1000 * np.arange(441) / RATE) * np.hanning(441)).astype(np.float32)
    for k in range(int(DURATION * BPM / 60)):
        i = round((0.25 + k * 60 / BPM) * RATE)
        if i < n:
            signal[i : i + 441] += click[: n - i] * 0.8
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((signal * 32767).astype("<i2").tobytes())


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(40, 215, size=(size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


def test_montage_command_renders_plans_and_credits(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    names = [
        "alice_1.jpg",
        "alice_2.png",
        "bob-beach.jpg",
        "bob-2.webp",
        "carol.jpg",
        "carol_x.png",
    ]
    for n, name in enumerate(names):
        make_photo(photos / name, (240 + 16 * n, 160 if n % 2 else 300), n)
    (photos / "notes.txt").write_text("not a photo")
    track = tmp_path / "click.wav"
    make_click_track(track)
    out = tmp_path / "out.mp4"
    plan_path = tmp_path / "plan.json"
    credits_path = tmp_path / "credits.csv"

    call_command(
        "montage",
        str(photos),
        str(track),
        "-o",
        str(out),
        "--size",
        "320x180",
        "--fps",
        "12",
        "--seed",
        "3",
        "--plan-out",
        str(plan_path),
        "--credits",
        str(credits_path),
        verbosity=0,
    )

    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
        assert container.streams.audio
        frames = sum(1 for _ in container.decode(stream))
    assert abs(frames / 12 - DURATION) <= 1 / 12 + 1e-6

    plan = Plan.from_json(plan_path.read_text())
    assert plan.sizes == ((320, 180),)
    assert plan.fps == 12
    assert plan.seed == 3
    assert abs(plan.duration - DURATION) <= 1 / 12
    assert plan.shots

    with credits_path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["contributor"] for r in rows} == {"alice", "bob", "carol"}
    times = [float(r["first_appearance"]) for r in rows]
    assert times == sorted(times)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    track = tmp_path / "click.wav"
    make_click_track(track)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match="no readable photos"):
        call_command("montage", str(empty), str(track), "-o", str(tmp_path / "o.mp4"))


@pytest.mark.parametrize("size", ["big", "321x180", "0x0"])
def test_bad_size_is_a_clear_error(tmp_path: Path, size: str) -> None:
    with pytest.raises(CommandError, match="--size"):
        call_command("montage", str(tmp_path), "t.wav", "-o", "o.mp4", "--size", size)


def test_unreadable_track_is_a_clear_error(tmp_path: Path) -> None:
    make_photo(tmp_path / "dana_1.png", (64, 48), 1)
    track = tmp_path / "track.mp3"
    track.write_bytes(b"not audio at all")
    with pytest.raises(CommandError, match="cannot read the track"):
        call_command("montage", str(tmp_path), str(track), "-o", str(tmp_path / "o.mp4"))


def test_oversized_photo_is_skipped_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pillow refuses pictures over twice MAX_IMAGE_PIXELS with an error that is not an OSError.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    photos = tmp_path / "photos"
    photos.mkdir()
    make_photo(photos / "erin_1.png", (100, 100), 1)
    track = tmp_path / "t.wav"
    track.write_bytes(b"")  # never read: the photos are checked first
    with pytest.raises(CommandError, match="no readable photos"):
        call_command("montage", str(photos), str(track), "-o", str(tmp_path / "o.mp4"))


def test_shot_from_image_scores_sharp_above_blurred_and_finds_the_subject() -> None:
    flat = Image.new("RGB", (400, 300), (128, 128, 128))
    sharp = flat.copy()
    pixels = np.asarray(sharp).copy()
    pixels[200:280, 280:380] = np.random.default_rng(0).integers(0, 255, (80, 100, 3))
    sharp = Image.fromarray(pixels)
    a = shot_from_image(sharp, contributor="a", entry_id=1, asset_id=1)
    b = shot_from_image(flat, contributor="a", entry_id=2, asset_id=2)
    assert a.quality > b.quality
    assert (a.width, a.height) == (400, 300)
    assert a.poi[0] > 0.6 and a.poi[1] > 0.6
    assert b.poi == (0.5, 0.5)
    assert 0.0 <= b.quality <= 1.0


def test_the_command_drops_near_duplicates_and_plays_clips(tmp_path: Path) -> None:
    from tests.studio.test_engine_clips import make_clip

    photos = tmp_path / "photos"
    photos.mkdir()
    make_photo(photos / "alice_1.jpg", (320, 240), 1)
    original = Image.open(photos / "alice_1.jpg")
    original.resize((160, 120)).save(photos / "alice_2.jpg")  # the same picture, smaller
    make_photo(photos / "bob_1.png", (300, 200), 2)
    make_clip(photos / "cleo_clip.mp4", fps=25, seconds=1.0)
    track = tmp_path / "click.wav"
    make_click_track(track)
    plan_path = tmp_path / "plan.json"

    call_command(
        "montage",
        str(photos),
        str(track),
        "-o",
        str(tmp_path / "out.mp4"),
        "--size",
        "160x90",
        "--fps",
        "10",
        "--order",
        "chronological",
        "--plan-out",
        str(plan_path),
        verbosity=0,
    )
    plan = Plan.from_json(plan_path.read_text())
    assert plan.order == "chronological"
    used = {(s.contributor, s.kind, s.asset_id) for s in plan.shots}
    # alice_1.jpg is asset 1 (sorted names), the smaller copy asset 2 is left out
    assert ("alice", "image", 1) in used
    assert all(asset != 2 for _, _, asset in used)
    assert ("cleo", "video", 4) in used
    with av.open(str(tmp_path / "out.mp4")) as container:
        assert sum(1 for _ in container.decode(container.streams.video[0])) == 60
