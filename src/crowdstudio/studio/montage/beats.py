"""Beat analysis for the montage: tempo, beats, downbeats, energy per beat and sections.

Pure numpy (PyAV only to decode files); no librosa. The method:

1. **Onset strength** — an STFT at the file's native sample rate with a small hop (the power of
   two nearest 5.8 ms: 256 samples at 44.1/48 kHz) and a Hann window four hops long. Magnitudes
   are normalised to the loudest bin and log-compressed (``log1p(100 * |X|)``); the onset
   strength of a frame is the spectral flux, the positive log-magnitude increases from the
   previous frame summed with weights that give each third-octave band the same weight (so a
   kick drum counts as much as a snare), minus a 0.5 s moving average (clipped at zero).
2. **Tempo** — the autocorrelation of the onset envelope over lags of 40–240 BPM, weighted by a
   perceptual prior (log-Gaussian around 120 BPM, one octave wide); the best lag is refined by
   parabolic interpolation. This period drives the beat tracker. The reported tempo is then
   60 / the median interval between the tracked (refined) beats, which is far more precise.
3. **Beats** — dynamic programming after Ellis (2007): the cumulative score of a frame is its
   onset strength plus the best score of a predecessor 0.5–2 periods earlier, penalised by
   ``-alpha * log(interval / period)**2``; backtracking from the best-scoring frame of the last
   two periods gives the beat sequence. Weak beats at the very start and end (silence) are
   dropped.
4. **Refinement** — each beat is moved to the local onset-strength peak within an eighth of a
   period around it, located with sub-hop precision by parabolic interpolation, and
   shifted by the detector's own latency: the flux of frame *t* measures the change from frame
   *t-1* to *t*, and the centred Hann window sees an onset before its centre. That latency is
   measured once per sample rate by running a synthetic click through the same front end, so
   beats are neither late (as librosa's one-frame offset is) nor early. Four frames of silence
   are prepended, so an onset at time 0 is found too.
5. **Downbeats** — the bar phase (of 4) whose beats have the largest mean of beat-synchronous
   low-frequency energy (< 200 Hz) plus onset strength, each normalised by its mean.
6. **Energy** — the RMS of the samples between each beat and the next, divided by the maximum
   (0..1 per beat).
7. **Sections** — a beat-level novelty curve: the difference (in dB) between the mean RMS level of
   the 8 beats after and the 8 beats before each beat, smoothed; its peaks of at least 3 dB that
   are the largest within 8 beats become section boundaries (times in seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from os import PathLike

import av
import numpy as np

from .plan import BeatGrid

MIN_SECONDS = 3.0  # shorter audio cannot hold enough beats to estimate a tempo
SILENCE = 1e-4  # peak amplitude below which the audio counts as silent
MIN_BPM, MAX_BPM, PRIOR_BPM = 40.0, 240.0, 120.0
TIGHTNESS = 100.0  # alpha of the DP's log-Gaussian penalty on tempo deviation
BEATS_PER_BAR = 4
SECTION_BEATS = 8
SECTION_DB = 3.0
LOW_HZ = 200.0
_CHUNK = 2048  # STFT frames per chunk (keeps memory flat on long tracks)


@dataclass(frozen=True)
class Analysis:
    """The result of `analyse`: all times in seconds; `energy` has one value (0..1) per beat."""

    tempo: float
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    energy: tuple[float, ...]
    sections: tuple[float, ...]
    duration: float
    rate: int


@dataclass(frozen=True)
class _Frontend:
    hop: int
    n_fft: int
    lead: int  # frames of silence before the audio (frame `lead` is centred on time 0)
    onset: np.ndarray  # onset strength per frame
    low: np.ndarray  # low-frequency energy per frame

    def frame_rate(self, rate: int) -> float:
        return rate / self.hop


def _hop_for(rate: int) -> int:
    return max(16, 2 ** round(math.log2(rate * 0.0058)))


def _band_weights(n_fft: int, rate: int) -> np.ndarray:
    """Per-bin weights giving each third-octave band (from ~40 Hz) the same total weight, so a
    kick drum's few low bins count as much as a snare's hundreds of high ones."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)
    bands = np.floor(3 * np.log2(np.maximum(freqs, 40.0) / 40.0)).astype(int)
    bands[0] = -1  # DC
    counts = np.bincount(bands + 1)
    weights = 1.0 / counts[bands + 1]
    weights[0] = 0.0
    return weights


def _frontend(x: np.ndarray, rate: int) -> _Frontend:
    hop = _hop_for(rate)
    n_fft = 4 * hop
    window = np.hanning(n_fft + 1)[:-1].astype(np.float32)
    lead = 4  # frames of leading silence, so an onset at time 0 is seen as one
    padded = np.concatenate(
        [np.zeros(n_fft // 2 + lead * hop, np.float32), x, np.zeros(n_fft // 2 + n_fft, np.float32)]
    )
    n_frames = 1 + (len(x) + lead * hop) // hop
    low_bins = max(1, int(LOW_HZ * n_fft / rate))
    weights = _band_weights(n_fft, rate)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:n_frames]
    # The loudest bin first, so the log compression is independent of the level.
    peak = 0.0
    for start in range(0, n_frames, _CHUNK):
        mag = np.abs(np.fft.rfft(frames[start : start + _CHUNK] * window, axis=1))
        peak = max(peak, float(mag.max(initial=0.0)))
    scale = 100.0 / max(peak, 1e-12)
    flux = np.zeros(n_frames)
    low = np.zeros(n_frames)
    previous: np.ndarray | None = None
    for start in range(0, n_frames, _CHUNK):
        mag = np.abs(np.fft.rfft(frames[start : start + _CHUNK] * window, axis=1))
        low[start : start + len(mag)] = (mag[:, 1 : low_bins + 1] ** 2).sum(axis=1)
        logmag = np.log1p(scale * mag)
        prior = logmag[:1] if previous is None else previous[None, :]
        diff = np.diff(np.concatenate([prior, logmag]), axis=0)
        flux[start : start + len(mag)] = np.maximum(diff, 0.0) @ weights
        previous = logmag[-1]
    width = max(1, round(0.5 * rate / hop))
    local = np.convolve(flux, np.ones(width) / width, mode="same")
    return _Frontend(hop, n_fft, lead, np.maximum(flux - local, 0.0), low)


def _parabolic(y: np.ndarray, i: int) -> float:
    """The sub-sample position of the peak at `i` from a parabola through its neighbours."""
    if i <= 0 or i >= len(y) - 1:
        return float(i)
    a, b, c = float(y[i - 1]), float(y[i]), float(y[i + 1])
    denominator = a - 2 * b + c
    if denominator >= 0:
        return float(i)
    return i + 0.5 * (a - c) / denominator


def _peak_near(onset: np.ndarray, frame: int, radius: int) -> float:
    lo, hi = max(0, frame - radius), min(len(onset), frame + radius + 1)
    i = lo + int(np.argmax(onset[lo:hi]))
    return _parabolic(onset, i)


@lru_cache(maxsize=8)
def _latency(rate: int) -> float:
    """Seconds by which the refined onset peak of the front end trails a click's true start."""
    hop = _hop_for(rate)
    click_at = 1.0 + 0.37 * hop / rate  # deliberately off the frame grid
    x = np.zeros(int(2.0 * rate), np.float32)
    start = round(click_at * rate)
    x[start : start + len(_click(rate))] += _click(rate)
    front = _frontend(x, rate)
    peak = _peak_near(front.onset, round(click_at * rate / hop) + front.lead, 8)
    return (peak - front.lead) * hop / rate - start / rate


def _click(rate: int) -> np.ndarray:
    """A short (2 ms) decaying noise burst, the reference onset for the latency measurement."""
    n = max(4, int(0.002 * rate))
    rng = np.random.default_rng(0)
    return (rng.standard_normal(n) * np.exp(-np.arange(n) / (n / 4))).astype(np.float32)


def _tempo_period(onset: np.ndarray, frame_rate: float) -> float:
    """The beat period in frames from the prior-weighted autocorrelation of the onset envelope."""
    o = onset - onset.mean()
    n = len(o)
    spectrum = np.fft.rfft(o, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    acf /= np.arange(n, 0, -1)  # unbiased: lags with fewer overlapping frames are not penalised
    lo = max(2, int(frame_rate * 60.0 / MAX_BPM))
    hi = min(n - 2, int(frame_rate * 60.0 / MIN_BPM) + 1)
    if hi <= lo + 2:
        raise ValueError("the audio is too short to estimate a tempo")
    lags = np.arange(lo, hi + 1)
    bpm = 60.0 * frame_rate / lags
    prior = np.exp(-0.5 * np.log2(bpm / PRIOR_BPM) ** 2)
    weighted = acf[lo : hi + 1] * prior
    best = int(np.argmax(weighted))
    if weighted[best] <= 0:
        raise ValueError("no periodic onsets found in the audio")
    return lo + _parabolic(weighted, best)


def _track(onset: np.ndarray, period: float) -> np.ndarray:
    """Beat frames by dynamic programming (Ellis 2007)."""
    o = onset / (onset.std() + 1e-12)
    n = len(o)
    score = o.copy()
    back = np.full(n, -1)
    lo, hi = max(1, round(period / 2)), round(2 * period)
    offsets = np.arange(lo, hi + 1)
    penalty = -TIGHTNESS * np.log(offsets / period) ** 2
    for t in range(lo, n):
        valid = offsets <= t
        candidates = score[t - offsets[valid]] + penalty[valid]
        k = int(np.argmax(candidates))
        if candidates[k] > 0:
            score[t] += candidates[k]
            back[t] = t - offsets[valid][k]
    tail = max(0, n - round(2 * period))
    t = tail + int(np.argmax(score[tail:]))
    beats = [t]
    while back[t] >= 0:
        t = int(back[t])
        beats.append(t)
    return np.array(beats[::-1])


def _trim_weak(beats: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """Drop beats at the start and end whose onset is far weaker than the typical beat's."""
    threshold = 0.1 * float(np.median(strength))
    strong = np.nonzero(strength >= threshold)[0]
    if len(strong) == 0:
        return beats[:0]
    return beats[strong[0] : strong[-1] + 1]


def _sections(levels_db: np.ndarray, beat_times: np.ndarray) -> tuple[float, ...]:
    n, w = len(levels_db), SECTION_BEATS
    if n < 2 * w:
        return ()
    novelty = np.zeros(n)
    for i in range(w, n - w + 1):
        novelty[i] = abs(levels_db[i : i + w].mean() - levels_db[i - w : i].mean())
    novelty = np.convolve(novelty, np.ones(3) / 3, mode="same")
    boundaries: list[int] = []
    for i in range(w, n - w + 1):
        window = novelty[max(0, i - w) : i + w + 1]
        if novelty[i] >= SECTION_DB and novelty[i] == window.max():
            if not boundaries or i - boundaries[-1] > w:
                boundaries.append(i)
    return tuple(float(beat_times[i]) for i in boundaries)


def analyse(samples: np.ndarray, rate: int) -> Analysis:
    """Analyse mono audio (float, -1..1) at `rate` Hz; raises ValueError when it has no beat."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError("analyse() takes mono samples (a 1-D array)")
    if rate <= 0:
        raise ValueError("the sample rate must be positive")
    duration = len(x) / rate
    if duration < MIN_SECONDS:
        raise ValueError(f"the audio is too short ({duration:.2f} s; need {MIN_SECONDS:.0f} s)")
    if not np.all(np.isfinite(x)):
        raise ValueError("the audio contains NaN or infinite samples")
    if float(np.abs(x).max()) < SILENCE:
        raise ValueError("the audio is silent: no beats to find")

    front = _frontend(x, rate)
    onset, hop = front.onset, front.hop
    if float(onset.max()) <= 0:
        raise ValueError("no onsets found in the audio")
    frame_rate = front.frame_rate(rate)
    period = _tempo_period(onset, frame_rate)
    frames = _track(onset, period)
    radius = max(1, round(period / 8))
    refined = np.array([_peak_near(onset, int(f), radius) for f in frames])
    strength = np.array([onset[round(r)] for r in refined])
    keep = _trim_weak(np.arange(len(refined)), strength)
    refined, strength = refined[keep], strength[keep]
    times = (refined - front.lead) * hop / rate - _latency(rate)
    times = np.clip(times, 0.0, duration)
    if len(times) < 4:
        raise ValueError("too few beats found in the audio")
    tempo = 60.0 / float(np.median(np.diff(times)))

    # Beat-synchronous features: each beat's span runs to the next beat (the last to the end).
    edges = np.append(times, duration)
    rms = np.empty(len(times))
    low = np.empty(len(times))
    for i in range(len(times)):
        a, b = int(edges[i] * rate), max(int(edges[i] * rate) + 1, int(edges[i + 1] * rate))
        rms[i] = math.sqrt(float(np.mean(np.square(x[a:b], dtype=np.float64))))
        fa = front.lead + int(edges[i] * frame_rate)
        fb = max(fa + 1, front.lead + int(edges[i + 1] * frame_rate))
        low[i] = float(front.low[fa:fb].mean()) if fa < len(front.low) else 0.0
    accent = strength / (strength.mean() + 1e-12) + low / (low.mean() + 1e-12)
    phases = [accent[k::BEATS_PER_BAR].mean() for k in range(min(BEATS_PER_BAR, len(times)))]
    phase = int(np.argmax(phases))
    energy = rms / max(float(rms.max()), 1e-12)
    levels_db = 20 * np.log10(np.maximum(rms, 1e-9))

    return Analysis(
        tempo=tempo,
        beats=tuple(float(t) for t in times),
        downbeats=tuple(float(t) for t in times[phase::BEATS_PER_BAR]),
        energy=tuple(float(e) for e in energy),
        sections=_sections(levels_db, times),
        duration=duration,
        rate=rate,
    )


def decode_mono(path: str | PathLike[str]) -> tuple[np.ndarray, int]:
    """Decode the first audio stream of any file PyAV reads: (mono float32 samples, rate)."""
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise ValueError(f"{path}: no audio stream")
        stream = container.streams.audio[0]
        rate = int(stream.rate or stream.codec_context.sample_rate)
        resampler = av.AudioResampler(format="fltp")  # keeps the layout and the native rate
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().mean(axis=0, dtype=np.float32))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().mean(axis=0, dtype=np.float32))
    if not rate or not chunks:
        raise ValueError(f"{path}: no audio samples")
    return np.concatenate(chunks).astype(np.float32), rate


def analyse_file(path: str | PathLike[str]) -> Analysis:
    """Decode `path` (any format PyAV reads), mix to mono at its native rate, and analyse it."""
    samples, rate = decode_mono(path)
    return analyse(samples, rate)


def to_beat_grid(analysis: Analysis) -> BeatGrid:
    """The plan's input from an analysis."""
    return BeatGrid(
        beats=analysis.beats,
        duration=analysis.duration,
        downbeats=analysis.downbeats,
        energy=analysis.energy,
    )
