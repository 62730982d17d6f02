"""The beat analyser on numpy-made click tracks: tempo, beat timing, downbeats, energy, sections."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from crowdstudio.studio.montage.beats import Analysis, analyse, analyse_file, to_beat_grid
from crowdstudio.studio.montage.plan import Shot, plan_montage

RATE = 44100


def click() -> np.ndarray:
    """A 10 ms 1 kHz click with a 2 ms decay."""
    t = np.arange(int(0.01 * RATE)) / RATE
    return (np.sin(2 * np.pi * 1000 * t) * np.exp(-t / 0.002)).astype(np.float32)


def click_track(
    bpm: float,
    seconds: float = 24.0,
    *,
    start: float = 0.0,
    gains=lambda k, t: 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Clicks every beat from `start`; returns (samples, true click onset times)."""
    x = np.zeros(int(seconds * RATE), np.float32)
    c = click()
    period = 60.0 / bpm
    onsets = []
    k = 0
    while start + k * period + 0.02 < seconds:
        i = round((start + k * period) * RATE)
        x[i : i + len(c)] += gains(k, i / RATE) * c
        onsets.append(i / RATE)
        k += 1
    return x, np.array(onsets)


def beat_errors(found: Analysis, truth: np.ndarray) -> np.ndarray:
    beats = np.array(found.beats)
    return np.array([np.min(np.abs(beats - t)) for t in truth])


@pytest.fixture(scope="module")
def at_120() -> tuple[np.ndarray, np.ndarray, Analysis]:
    x, truth = click_track(120.0, start=0.0)
    return x, truth, analyse(x, RATE)


@pytest.mark.parametrize("bpm,start", [(120.0, 0.0), (97.0, 0.31)])
def test_click_track_tempo_and_beats(bpm, start):
    x, truth = click_track(bpm, start=start)
    found = analyse(x, RATE)
    assert found.tempo == pytest.approx(bpm, abs=0.5)
    assert len(found.beats) == len(truth)  # every beat, the first ones included, none extra
    errors = beat_errors(found, truth)
    assert np.median(errors) < 0.005
    assert errors.max() < 0.015
    assert found.duration == pytest.approx(len(x) / RATE)
    assert len(found.energy) == len(found.beats)
    assert all(0.0 <= e <= 1.0 for e in found.energy)
    assert found.sections == ()


def test_accent_every_fourth_beat_gives_downbeats():
    x, truth = click_track(120.0, start=0.5, gains=lambda k, t: 1.0 if k % 4 == 1 else 0.3)
    found = analyse(x, RATE)
    accented = truth[1::4]
    downbeats = np.array(found.downbeats)
    assert len(downbeats) == len(accented)
    assert np.abs(downbeats - accented).max() < 0.015


def test_louder_second_half_gives_a_section_and_more_energy():
    change = 12.0
    x, _truth = click_track(120.0, gains=lambda k, t: 0.9 if t >= change else 0.1)
    found = analyse(x, RATE)
    assert len(found.sections) == 1
    assert found.sections[0] == pytest.approx(change, abs=1.0)
    beats = np.array(found.beats)
    energy = np.array(found.energy)
    assert energy[beats >= change + 0.1].min() > 2 * energy[beats < change - 0.1].max()


def test_beat_grid_feeds_the_plan(at_120):
    _x, _truth, found = at_120
    grid = to_beat_grid(found)
    assert grid.beats == found.beats and grid.duration == found.duration
    assert grid.downbeats == found.downbeats and grid.energy == found.energy
    shots = [
        Shot(entry_id=n, asset_id=n, contributor=f"p{n % 3}", kind="image", width=1600, height=1200)
        for n in range(6)
    ]
    plan = plan_montage(shots, grid, fps=25.0, seed=1)
    assert plan is not None


def test_silence_and_short_audio_are_rejected():
    with pytest.raises(ValueError, match="silent"):
        analyse(np.zeros(10 * RATE, np.float32), RATE)
    with pytest.raises(ValueError, match="too short"):
        analyse(click_track(120.0, seconds=1.0)[0], RATE)
    with pytest.raises(ValueError):
        analyse(np.zeros((2, 10 * RATE), np.float32), RATE)


def test_analyse_file_matches_analyse(tmp_path: Path, at_120):
    x, _truth, found = at_120
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    path = tmp_path / "clicks.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    from_file = analyse_file(path)
    assert from_file.rate == RATE
    assert from_file.duration == pytest.approx(found.duration, abs=1e-3)
    assert from_file.tempo == pytest.approx(found.tempo, abs=0.05)
    assert len(from_file.beats) == len(found.beats)
    assert np.abs(np.array(from_file.beats) - np.array(found.beats)).max() < 0.001
    assert from_file.downbeats == pytest.approx(found.downbeats, abs=0.001)
