"""Mastering: gain to a loudness target and a look-ahead true-peak limiter."""

from __future__ import annotations

import numpy as np
import pytest

from crowdstudio.lib.audio import loudness, master

RATE = 44_100


def speechlike(seconds: float = 4.0, *, seed: int = 7) -> np.ndarray:
    """Noise bursts with sharp transients: a crest factor like speech's, quiet on average."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    noise = rng.normal(0, 0.02, n)
    envelope = (np.sin(np.arange(n) / RATE * 2 * np.pi * 3) > 0).astype(float)
    clicks = np.zeros(n)
    clicks[rng.integers(0, n, 40)] = rng.choice([-0.6, 0.6], 40)
    return (noise * envelope + clicks).astype(np.float32)


def test_the_limiter_keeps_the_true_peak_under_the_ceiling():
    loud = speechlike() * 3.0  # transients at +5 dBFS
    limited = master.limit(loud, RATE, ceiling_dbtp=-1.0)
    assert loudness.true_peak_dbtp(limited, RATE) <= -1.0
    assert np.max(np.abs(limited)) <= master.db_to_gain(-1.0)


def test_the_limiter_leaves_a_signal_under_the_ceiling_alone():
    quiet = speechlike() * 0.5
    assert np.allclose(master.limit(quiet, RATE, ceiling_dbtp=-1.0), quiet, atol=1e-6)


def test_the_limiter_only_touches_the_neighbourhood_of_a_peak():
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(RATE * 2) / RATE)).astype(np.float32)
    tone[RATE] = 1.0  # one click in the middle
    limited = master.limit(tone, RATE, ceiling_dbtp=-1.0)
    # Half a second away from the click the tone is untouched.
    assert np.allclose(limited[: RATE // 2], tone[: RATE // 2], atol=1e-6)
    assert loudness.true_peak_dbtp(limited, RATE) <= -1.0


def test_mastering_reaches_the_target_with_no_true_peak_over_the_ceiling():
    signal = speechlike()
    before = loudness.integrated_loudness(signal, RATE)
    out, report = master.master(signal, RATE, target_lufs=-16.0, ceiling_dbtp=-1.0)
    assert before < -20  # it needed gain…
    assert loudness.integrated_loudness(out, RATE) == pytest.approx(-16.0, abs=0.2)
    # …and gain alone would have clipped: the limiter worked.
    assert loudness.true_peak_dbtp(signal, RATE) + report.gain_db > 0
    assert report.max_reduction_db > 1
    assert loudness.true_peak_dbtp(out, RATE) <= -1.0


def test_mastering_silence_is_refused():
    with pytest.raises(ValueError, match="silent"):
        master.master(np.zeros(RATE, dtype=np.float32), RATE)


def test_the_limiter_looks_ahead_and_fades_instead_of_clipping():
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(RATE) / RATE)).astype(np.float32)
    click = RATE // 2
    tone[click] = 1.0
    gain = master.limiter_gain(tone, RATE, ceiling_dbtp=-1.0)
    # The reduction has started 2 ms before the click and is gone again 0.2 s after it.
    assert gain[click - int(0.002 * RATE)] < 0.99
    assert gain[click + int(0.2 * RATE)] == 1.0
    # No jumps: the gain changes by small steps only.
    assert np.max(np.abs(np.diff(gain))) < 0.05
