"""Render a reading script to one mastered audio file with a chapter per scene.

Steps (with the share of the progress bar each takes): synthesise every segment with its
speaker's voice (0–80 %), assemble them with pauses (longer before a scene, a little longer at a
change of speaker), master to the loudness target with the true-peak limiter (80–90 %), encode
AAC in an MP4 (.m4a) container with MP4 chapters written by PyAV's `set_chapters` (90–100 %),
then decode the file again and measure it: lossy coding can push peaks up a few tenths of a dB,
so when the decoded file's true peak is over the limit the master is limited lower and encoded
again. The figures reported are those of the decoded file, i.e. what listeners hear.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from scipy import signal

from crowdstudio.lib.audio import loudness
from crowdstudio.lib.audio.master import DEFAULT_CEILING_DBTP, DEFAULT_TARGET_LUFS, master
from crowdstudio.lib.speech.base import SpeechEngine
from crowdstudio.screenplays.tableread.script import ReadingScript

DEFAULT_SAMPLE_RATE = 22_050  # eSpeak's; the file takes the rate of the engine's first segment
BITRATE = 64_000  # mono speech
MIME = "audio/mp4"
EXTENSION = ".m4a"
LEAD_IN = 0.3
TAIL = 0.6
PAUSE_SAME_SPEAKER = 0.3
PAUSE_NEW_SPEAKER = 0.45
PAUSE_NEW_SCENE = 1.2
FIRST_CEILING_MARGIN_DB = 1.0  # headroom for the codec's overshoot, refined after decoding

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class RenderedChapter:
    title: str
    start: float
    end: float

    def as_dict(self) -> dict[str, object]:
        return {"title": self.title, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass
class RenderResult:
    duration: float  # of the decoded file, seconds
    loudness_lufs: float
    true_peak_dbtp: float
    chapters: list[RenderedChapter]
    segment_seconds: list[float] = field(default_factory=list)  # spoken length per segment
    expected_duration: float = 0.0  # speech + pauses, before encoding


def _silence(seconds: float, rate: int) -> NDArray[np.float32]:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def resample(samples: NDArray[np.float32], rate: int, target: int) -> NDArray[np.float32]:
    if rate == target:
        return samples
    divisor = math.gcd(target, rate)
    resampled = signal.resample_poly(samples, target // divisor, rate // divisor)
    return np.asarray(resampled, dtype=np.float32)


def assemble(
    script: ReadingScript,
    casting: Mapping[str, str],
    engine: SpeechEngine,
    progress: Progress,
    *,
    rate: float = 1.0,
) -> tuple[NDArray[np.float32], int, list[RenderedChapter], list[float]]:
    """The unmastered read, its sample rate, the chapters and each segment's speech length."""
    spoken: list[NDArray[np.float32]] = []
    sample_rate = 0
    total = max(1, len(script.segments))
    for index, segment in enumerate(script.segments):
        samples, rate_in = engine.synthesize(segment.text, casting[segment.speaker], rate=rate)
        sample_rate = sample_rate or rate_in
        spoken.append(resample(np.asarray(samples, dtype=np.float32), rate_in, sample_rate))
        progress("synthesising", int(80 * (index + 1) / total))
    sample_rate = sample_rate or DEFAULT_SAMPLE_RATE
    pieces: list[NDArray[np.float32]] = [_silence(LEAD_IN, sample_rate)]
    cursor = len(pieces[0])
    chapter_starts: dict[int, int] = {}
    segment_seconds: list[float] = []
    previous = None
    for segment, speech in zip(script.segments, spoken, strict=True):
        if previous is not None:
            if segment.scene != previous.scene:
                pause = PAUSE_NEW_SCENE
            elif segment.speaker != previous.speaker:
                pause = PAUSE_NEW_SPEAKER
            else:
                pause = PAUSE_SAME_SPEAKER
            gap = _silence(pause, sample_rate)
            if segment.scene not in chapter_starts:
                # The chapter starts half-way into the pause before its first words.
                chapter_starts[segment.scene] = cursor + len(gap) // 2
            pieces.append(gap)
            cursor += len(gap)
        chapter_starts.setdefault(segment.scene, 0)
        pieces.append(speech)
        cursor += len(speech)
        segment_seconds.append(len(speech) / sample_rate)
        previous = segment
    pieces.append(_silence(TAIL, sample_rate))
    cursor += len(pieces[-1])
    audio = np.concatenate(pieces)
    chapters = []
    ordered = sorted(chapter_starts.items())
    for position, (scene, start) in enumerate(ordered):
        end = ordered[position + 1][1] if position + 1 < len(ordered) else cursor
        chapters.append(
            RenderedChapter(
                title=script.chapters[scene].title,
                start=start / sample_rate,
                end=end / sample_rate,
            )
        )
    return audio, sample_rate, chapters, segment_seconds


def encode_m4a(
    samples: NDArray[np.float32],
    sample_rate: int,
    path: Path,
    chapters: list[RenderedChapter],
    *,
    title: str = "",
) -> None:
    """AAC in MP4 with one chapter per entry (millisecond time base)."""
    container = av.open(str(path), mode="w", format="mp4")
    try:
        if title:
            container.metadata["title"] = title
        stream = container.add_stream("aac", rate=sample_rate)
        stream.layout = "mono"
        stream.bit_rate = BITRATE
        container.set_chapters(
            [
                {
                    "id": number + 1,
                    "start": round(chapter.start * 1000),
                    "end": round(chapter.end * 1000),
                    "time_base": Fraction(1, 1000),
                    "metadata": {"title": chapter.title[:200]},
                }
                for number, chapter in enumerate(chapters)
            ]
        )
        # Large frames; PyAV cuts them to the encoder's frame size.
        frame_size = sample_rate
        for start in range(0, len(samples), frame_size):
            chunk = np.ascontiguousarray(samples[np.newaxis, start : start + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    finally:
        container.close()


def decode_audio(path: Path) -> tuple[NDArray[np.float32], int]:
    """Mono float32 samples of an audio file and their rate (for measuring the output)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate or DEFAULT_SAMPLE_RATE
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks = []
        for frame in container.decode(stream):
            for converted in resampler.resample(frame):
                chunks.append(converted.to_ndarray().reshape(-1))
        for converted in resampler.resample(None):
            chunks.append(converted.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, dtype=np.float32), rate
    return np.concatenate(chunks).astype(np.float32), rate


def render(
    script: ReadingScript,
    casting: Mapping[str, str],
    engine: SpeechEngine,
    output: Path,
    *,
    progress: Progress | None = None,
    target_lufs: float = DEFAULT_TARGET_LUFS,
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP,
    title: str = "",
    attempts: int = 4,
) -> RenderResult:
    """Write the table read to `output` (an .m4a path) and measure the result.

    Raises ValueError when there is nothing to read.
    """
    report = progress or (lambda stage, percent: None)
    if not script.segments:
        raise ValueError("this version has nothing to read aloud")
    report("synthesising", 0)
    audio, sample_rate, chapters, segment_seconds = assemble(script, casting, engine, report)
    expected = len(audio) / sample_rate
    report("mastering", 80)
    ceiling = ceiling_dbtp - FIRST_CEILING_MARGIN_DB
    decoded_peak = decoded_lufs = float("nan")
    decoded = np.zeros(0, dtype=np.float32)
    rate = sample_rate
    for attempt in range(attempts):
        mastered, _ = master(audio, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling)
        report("encoding", 90 + attempt)
        encode_m4a(mastered, sample_rate, output, chapters, title=title)
        decoded, rate = decode_audio(output)
        decoded_peak = loudness.true_peak_dbtp(decoded, rate)
        decoded_lufs = loudness.integrated_loudness(decoded, rate)
        if decoded_peak <= ceiling_dbtp:
            break
        ceiling -= decoded_peak - ceiling_dbtp + 0.1
    else:
        raise RuntimeError(
            f"could not keep the true peak under {ceiling_dbtp} dBTP (got {decoded_peak:.2f})"
        )
    report("done", 100)
    return RenderResult(
        duration=len(decoded) / rate,
        loudness_lufs=decoded_lufs,
        true_peak_dbtp=decoded_peak,
        chapters=chapters,
        segment_seconds=segment_seconds,
        expected_duration=expected,
    )
