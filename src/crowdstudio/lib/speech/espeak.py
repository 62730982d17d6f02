"""eSpeak NG through its command line (Debian package espeak-ng, installed by scripts/system-deps).

Each voice is an English voice with one of eSpeak's variants (m1…m7 male, f1…f5 female) and a
pitch, chosen so neighbouring voices in the list differ in sex, accent (British/American) and
pitch. The text goes in on stdin (never through a shell or the argument list), the WAV comes
back on stdout.
"""

from __future__ import annotations

import shutil
import struct
import subprocess

import numpy as np
from numpy.typing import NDArray

from crowdstudio.lib.speech.base import SpeechEngine, SpeechError, Voice

BINARY = "espeak-ng"
TIMEOUT_SECONDS = 60
BASE_WORDS_PER_MINUTE = 165
MAX_TEXT_CHARS = 20_000

# (language, variant, pitch 0-99, label): the most distinct first.
_CATALOGUE: tuple[tuple[str, str, int, str], ...] = (
    ("en", "m3", 40, "Narrator (British, male, low)"),
    ("en-us", "f2", 60, "American, female, high"),
    ("en", "m1", 50, "British, male"),
    ("en-us", "m4", 35, "American, male, deep"),
    ("en", "f4", 50, "British, female"),
    ("en-us", "m7", 55, "American, male, light"),
    ("en", "f1", 70, "British, female, bright"),
    ("en-us", "m2", 45, "American, male"),
    ("en-us", "f3", 45, "American, female, low"),
    ("en", "m6", 30, "British, male, gravelly"),
    ("en", "f5", 60, "British, female, soft"),
    ("en-us", "m5", 60, "American, male, high"),
    ("en", "m2", 65, "British, male, high"),
    ("en-us", "f1", 35, "American, female, deep"),
    ("en", "m4", 25, "British, male, very deep"),
    ("en-us", "f4", 75, "American, female, very high"),
    ("en", "m7", 40, "British, male, husky"),
    ("en-us", "m1", 50, "American, male, plain"),
)


def voice_id(language: str, variant: str, pitch: int) -> str:
    return f"{language}+{variant}@{pitch}"


def parse_voice_id(value: str) -> tuple[str, str, int]:
    """("en-us", "f2", 60) from "en-us+f2@60"; SpeechError for anything else."""
    try:
        name, pitch_text = value.rsplit("@", 1)
        language, variant = name.split("+", 1)
        pitch = int(pitch_text)
    except ValueError:
        raise SpeechError(f"not an eSpeak voice id: {value!r}") from None
    if not (0 <= pitch <= 99) or not language or not variant:
        raise SpeechError(f"not an eSpeak voice id: {value!r}")
    return language, variant, pitch


def decode_wav(data: bytes) -> tuple[NDArray[np.float32], int]:
    """Samples of eSpeak's 16-bit PCM WAV. Streamed to a pipe, its RIFF and data sizes are
    placeholders, so the data chunk is read to the end of the bytes."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError("espeak-ng did not return a WAV file")
    pos = 12
    rate = channels = bits = 0
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if chunk == b"fmt ":
            if size < 16 or len(data) < body + 16:
                raise SpeechError("espeak-ng returned a WAV with a short format chunk")
            fmt, channels, rate = struct.unpack("<HHI", data[body : body + 8])
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
            if fmt != 1 or bits != 16 or channels < 1 or rate < 1:
                raise SpeechError("espeak-ng returned an unexpected WAV format")
        elif chunk == b"data":
            if not rate:
                raise SpeechError("espeak-ng returned a WAV without a format chunk")
            pcm = data[body : min(len(data), body + size)]
            pcm = pcm[: len(pcm) - len(pcm) % (2 * channels)]
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
            if channels > 1:
                samples = samples.reshape(-1, channels).mean(axis=1).astype(np.float32)
            return samples, rate
        pos = body + size + (size & 1)
    raise SpeechError("espeak-ng returned a WAV without audio")


class EspeakEngine(SpeechEngine):
    name = "espeak"

    def __init__(self, binary: str = BINARY, timeout: float = TIMEOUT_SECONDS) -> None:
        self.binary = binary
        self.timeout = timeout

    def voices(self) -> list[Voice]:
        return [
            Voice(
                id=voice_id(language, variant, pitch),
                label=label,
                gender="female" if variant.startswith("f") else "male",
            )
            for language, variant, pitch, label in _CATALOGUE
        ]

    def executable(self) -> str:
        path = shutil.which(self.binary)
        if path is None:
            raise SpeechError(
                f"{self.binary} is not installed: install the espeak-ng package "
                "(scripts/system-deps does) to render table reads"
            )
        return path

    def synthesize(
        self, text: str, voice: Voice | str, *, rate: float = 1.0
    ) -> tuple[NDArray[np.float32], int]:
        language, variant, pitch = parse_voice_id(voice.id if isinstance(voice, Voice) else voice)
        if len(text) > MAX_TEXT_CHARS:
            raise SpeechError("the text is too long for one synthesis call")
        words_per_minute = round(BASE_WORDS_PER_MINUTE * min(max(rate, 0.5), 2.0))
        command = [
            self.executable(),
            "--stdin",
            "--stdout",
            "-v",
            f"{language}+{variant}",
            "-p",
            str(pitch),
            "-s",
            str(words_per_minute),
        ]
        try:
            result = subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SpeechError(f"espeak-ng took longer than {self.timeout:g} s") from None
        except OSError as error:
            raise SpeechError(f"espeak-ng could not be started: {error}") from None
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()[:300]
            raise SpeechError(f"espeak-ng failed ({result.returncode}): {message}")
        return decode_wav(result.stdout)
