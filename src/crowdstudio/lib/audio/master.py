"""Mastering to a loudness target with a true-peak ceiling: gain, then a look-ahead limiter.

Gain alone cannot reach a podcast target such as −16 LUFS on speech whose peaks sit 15–20 dB
above its loudness without clipping, so `master` raises (or lowers) the level to the target and
then limits the true peak:

1. the required gain per sample is `ceiling / peak`, where the peak is taken on the 4x
   oversampled signal around each sample (so inter-sample overs are caught);
2. a minimum filter spreads each reduction over a look-ahead window before and after the peak,
   and a moving average of the same length smooths it into a fade in and out; since every value
   averaged is a minimum over a window that contains the peak, the smoothed gain never exceeds
   the gain the peak needs (no overshoot), yet it changes without clicks;
3. limiting lowers the loudness a little, so gain and limiter run again with the difference
   (a few rounds converge within a few hundredths of an LU).

Offline, the look-ahead costs no latency: the whole signal is known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from crowdstudio.lib.audio import loudness

DEFAULT_TARGET_LUFS = -16.0
DEFAULT_CEILING_DBTP = -1.0
LOOKAHEAD_SECONDS = 0.005
RELEASE_SECONDS = 0.05
SAFETY_DB = 0.01


@dataclass(frozen=True)
class MasterReport:
    input_lufs: float
    output_lufs: float
    output_true_peak_dbtp: float
    gain_db: float
    max_reduction_db: float


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def peak_envelope(samples: NDArray[np.floating], sample_rate: int) -> NDArray[np.float64]:
    """Per sample, the largest absolute value of the oversampled signal around it (between the
    previous and the next sample, all channels). Scales linearly with gain, so mastering
    computes it once."""
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 1:
        data = data[np.newaxis, :]
    n = data.shape[1]
    if n == 0:
        return np.zeros(0)
    peak = np.abs(data).max(axis=0)
    for phase in loudness.phases(data, sample_rate):
        np.maximum(peak, np.abs(phase).max(axis=0), out=peak)
    return np.asarray(ndimage.maximum_filter1d(peak, size=3, mode="nearest"))


def gain_curve(
    envelope: NDArray[np.float64],
    sample_rate: int,
    *,
    ceiling_dbtp: float,
    lookahead_seconds: float = LOOKAHEAD_SECONDS,
    release_seconds: float = RELEASE_SECONDS,
) -> NDArray[np.float64]:
    """The smooth per-sample gain (≤ 1) that holds a signal with this peak envelope under the
    ceiling."""
    n = len(envelope)
    ceiling = db_to_gain(ceiling_dbtp)
    required = np.where(envelope > ceiling, ceiling / np.maximum(envelope, 1e-12), 1.0)
    if n == 0 or np.all(required >= 1.0):
        return np.ones(n)
    window = max(1, int(lookahead_seconds * sample_rate))
    release = max(window, int(release_seconds * sample_rate))
    gain = ndimage.minimum_filter1d(required, size=2 * window + 1, mode="nearest")
    gain = ndimage.uniform_filter1d(gain, size=window + 1, mode="nearest")
    # A slower release: the same construction over a longer window, never above the fast one.
    slow = ndimage.minimum_filter1d(required, size=2 * release + 1, mode="nearest")
    slow = ndimage.uniform_filter1d(slow, size=release + 1, mode="nearest")
    gain = np.maximum(slow, gain)
    # Rounding in the moving averages must never leave a sample above what its peak needs.
    gain = np.minimum(gain, required)
    return np.asarray(np.clip(gain, 0.0, 1.0))


def limiter_gain(
    samples: NDArray[np.floating], sample_rate: int, *, ceiling_dbtp: float
) -> NDArray[np.float64]:
    """The per-sample gain (≤ 1) that keeps the signal's true peak under the ceiling."""
    return gain_curve(peak_envelope(samples, sample_rate), sample_rate, ceiling_dbtp=ceiling_dbtp)


def _apply(data: NDArray[np.float64], gain: NDArray[np.float64] | float) -> NDArray[np.float32]:
    return np.asarray(data * gain, dtype=np.float32)


def _safety_net(
    limited: NDArray[np.float32], sample_rate: int, ceiling_dbtp: float
) -> tuple[NDArray[np.float32], float]:
    """Scale down in the rare case the gain curve itself created an inter-sample over.
    Returns the signal and its true peak (linear)."""
    peak = loudness.true_peak(limited, sample_rate)
    for _ in range(4):
        if peak <= db_to_gain(ceiling_dbtp):
            break
        limited = _apply(limited.astype(np.float64), db_to_gain(ceiling_dbtp - SAFETY_DB) / peak)
        peak = loudness.true_peak(limited, sample_rate)
    return limited, peak


def limit(
    samples: NDArray[np.floating], sample_rate: int, *, ceiling_dbtp: float
) -> NDArray[np.float32]:
    """The signal with its true peak held under `ceiling_dbtp` (mono or (channels, n))."""
    data = np.asarray(samples, dtype=np.float64)
    # Aim a hair under the ceiling so float32 rounding cannot lift a peak over it.
    gain = limiter_gain(data, sample_rate, ceiling_dbtp=ceiling_dbtp - SAFETY_DB)
    return _safety_net(_apply(data, gain), sample_rate, ceiling_dbtp)[0]


def master(
    samples: NDArray[np.floating],
    sample_rate: int,
    *,
    target_lufs: float = DEFAULT_TARGET_LUFS,
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP,
    rounds: int = 5,
) -> tuple[NDArray[np.float32], MasterReport]:
    """Bring `samples` to `target_lufs` with no true peak above `ceiling_dbtp`.

    Raises ValueError on silence (there is no loudness to adjust).
    """
    data = np.asarray(samples, dtype=np.float64)
    measured = loudness.integrated_loudness(data, sample_rate)
    if not math.isfinite(measured):
        raise ValueError("the audio is silent: there is no loudness to master")
    envelope = peak_envelope(data, sample_rate)
    gain_db = target_lufs - measured
    out = _apply(data, 1.0)
    curve = np.ones(len(envelope))
    output_lufs = measured
    for _ in range(rounds):
        gain = db_to_gain(gain_db)
        curve = gain_curve(envelope * gain, sample_rate, ceiling_dbtp=ceiling_dbtp - SAFETY_DB)
        out = _apply(data, gain * curve)
        output_lufs = loudness.integrated_loudness(out, sample_rate)
        error = target_lufs - output_lufs
        if abs(error) < 0.05:
            break
        gain_db += error
    out, peak = _safety_net(out, sample_rate, ceiling_dbtp)
    output_peak = 20.0 * math.log10(peak) if peak > 0 else loudness.SILENCE
    return out, MasterReport(
        input_lufs=measured,
        output_lufs=output_lufs,
        output_true_peak_dbtp=output_peak,
        gain_db=gain_db,
        max_reduction_db=float(-20 * np.log10(max(float(curve.min()), 1e-9))),
    )
