"""ITU-R BS.1770-4 loudness and true peak against signals with known readings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from crowdstudio.lib.audio import loudness

RATE = 48_000


def sine(freq: float, seconds: float, *, dbfs: float = 0.0, rate: int = RATE, phase: float = 0.0):
    t = np.arange(int(seconds * rate)) / rate
    return (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def test_the_k_weighting_filters_at_48_khz_match_the_recommendations_tables():
    shelf, highpass = loudness.k_weighting(48_000)
    assert shelf.b == pytest.approx((1.53512485958697, -2.69169618940638, 1.19839281085285))
    assert shelf.a == pytest.approx((1.0, -1.69065929318241, 0.73248077421585))
    assert highpass.b == (1.0, -2.0, 1.0)
    assert highpass.a == pytest.approx((1.0, -1.99004745483398, 0.99007225036621))


def test_a_full_scale_997_hz_sine_in_one_channel_reads_minus_3_01_lufs():
    assert loudness.integrated_loudness(sine(997, 5), RATE) == pytest.approx(-3.01, abs=0.01)


def test_a_1_khz_sine_at_minus_20_dbfs_reads_minus_23_lufs():
    assert loudness.integrated_loudness(sine(1000, 5, dbfs=-20), RATE) == pytest.approx(
        -23.0, abs=0.05
    )


def test_the_reading_does_not_depend_on_the_sample_rate():
    for rate in (22_050, 44_100):
        assert loudness.integrated_loudness(
            sine(997, 4, dbfs=-10, rate=rate), rate
        ) == pytest.approx(-13.01, abs=0.05)


def test_stereo_sums_the_channels():
    mono = sine(997, 4, dbfs=-10)
    stereo = np.stack([mono, mono])
    # Two identical channels carry twice the power: +3.01 LU.
    assert loudness.integrated_loudness(stereo, RATE) == pytest.approx(
        loudness.integrated_loudness(mono, RATE) + 3.01, abs=0.01
    )


def test_silence_and_too_short_audio_have_no_loudness():
    assert loudness.integrated_loudness(np.zeros(RATE * 2, dtype=np.float32), RATE) == -math.inf
    assert loudness.integrated_loudness(sine(997, 0.2), RATE) == -math.inf


def test_the_absolute_gate_ignores_very_quiet_passages():
    loud = sine(997, 4, dbfs=-20)
    whisper = sine(997, 20, dbfs=-80)
    # Ungated, 4 s of programme in 24 s would read 7.8 LU lower; gated, only the few blocks
    # that straddle the change pull it down a little.
    gated = loudness.integrated_loudness(np.concatenate([loud, whisper]), RATE)
    assert gated == pytest.approx(loudness.integrated_loudness(loud, RATE), abs=0.25)


def test_the_relative_gate_ignores_passages_far_below_the_programme():
    # -26 dBFS passages sit 20 LU under the -6 dBFS ones: the relative gate drops them.
    loud = sine(997, 4, dbfs=-6)
    quiet = sine(997, 4, dbfs=-26)
    gated = loudness.integrated_loudness(np.concatenate([loud, quiet]), RATE)
    assert gated == pytest.approx(loudness.integrated_loudness(loud, RATE), abs=0.25)
    # Without the relative gate the quiet half would lower the reading by about 3 LU.
    assert gated > loudness.integrated_loudness(loud, RATE) - 1


def test_an_inter_sample_peak_reads_above_the_sample_peak():
    # A quarter-rate sine shifted by 45°: every sample is at ±0.707, the waveform reaches 1.0.
    signal = sine(RATE / 4, 1, phase=math.pi / 4)
    assert loudness.sample_peak_dbfs(signal) == pytest.approx(-3.01, abs=0.01)
    assert loudness.true_peak_dbtp(signal, RATE) == pytest.approx(0.0, abs=0.2)
    assert loudness.true_peak_dbtp(signal, RATE) > loudness.sample_peak_dbfs(signal) + 2.5


def test_the_true_peak_of_a_low_tone_is_its_sample_peak():
    assert loudness.true_peak_dbtp(sine(100, 1, dbfs=-6), RATE) == pytest.approx(-6.0, abs=0.05)
