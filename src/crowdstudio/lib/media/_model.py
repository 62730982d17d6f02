"""Value types of the media pipeline and the uploader-facing rejection messages."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

KINDS = ("image", "video", "audio")

#: How each kind is named to an uploader, in "this campaign accepts only ..." sentences.
_KIND_PLURAL = {"image": "photos", "video": "videos", "audio": "audio recordings"}
_KIND_SINGULAR = {"image": "a photo", "video": "a video", "audio": "an audio recording"}

ACCEPTED_FORMATS_SENTENCE = (
    "Send a JPEG, PNG, WebP, GIF or HEIC photo, an MP4, MOV, WebM or MKV video, "
    "or a WAV, MP3, M4A, AAC, FLAC or Ogg audio file."
)


@dataclass(frozen=True)
class MediaLimits:
    """What a campaign accepts. Every limit is checked before the expensive work it guards."""

    allowed_kinds: frozenset[str] = frozenset({"image", "video", "audio"})
    max_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_dimension: int = 20_000
    max_duration: float = 600.0
    timeout: float = 120.0


class MediaRejected(Exception):
    """The upload is refused. ``code`` is stable for machines, ``message`` is for the uploader.

    The message never contains internals (paths, library errors): it is shown as is.
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"MediaRejected({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class Rendition:
    """One public file derived from pixels/samples only: no metadata of the original survives."""

    role: str
    path: pathlib.Path
    content_type: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class MediaReport:
    """What the original turned out to be, and the renditions written for it."""

    kind: str
    mime: str
    format_name: str
    width: int | None
    height: int | None
    duration: float | None
    codecs: tuple[str, ...]
    stream_count: int
    phash: int | None
    renditions: tuple[Rendition, ...] = field(default=())


# --- rejection messages -------------------------------------------------------------------


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:.0f} MB"


def _megapixels(n: int) -> str:
    mp = f"{n / 1_000_000:.3g}"
    return f"{mp} megapixel" + ("" if mp == "1" else "s")


def _clock(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} seconds" if seconds >= 10 else f"{seconds:.1f} seconds"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


def _kinds_list(kinds: frozenset[str]) -> str:
    names = [_KIND_PLURAL[k] for k in KINDS if k in kinds]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def empty() -> MediaRejected:
    return MediaRejected("empty", "The file is empty.")


def too_large(size: int, limits: MediaLimits) -> MediaRejected:
    return MediaRejected(
        "too_large",
        f"The file is {_megabytes(size)}; this campaign accepts files up to "
        f"{_megabytes(limits.max_bytes)}.",
    )


def output_too_large() -> MediaRejected:
    return MediaRejected("too_large", "The file expands to more data than we can process.")


def unsupported_type() -> MediaRejected:
    return MediaRejected(
        "unsupported_type", f"This type of file is not accepted. {ACCEPTED_FORMATS_SENTENCE}"
    )


def unsupported_codec() -> MediaRejected:
    return MediaRejected(
        "unsupported_type",
        "The recording uses a video or audio encoding we cannot process. "
        + ACCEPTED_FORMATS_SENTENCE,
    )


def corrupt() -> MediaRejected:
    return MediaRejected("corrupt", "The file is truncated or damaged and could not be decoded.")


def decompression_bomb() -> MediaRejected:
    return MediaRejected(
        "decompression_bomb", "The image declares an enormous size and was refused for safety."
    )


def too_many_pixels(width: int, height: int, limits: MediaLimits) -> MediaRejected:
    return MediaRejected(
        "too_many_pixels",
        f"The picture is {width} × {height} pixels; this campaign accepts at most "
        f"{_megapixels(limits.max_pixels)} and {limits.max_dimension} pixels "
        "on the longest side.",
    )


def too_long(duration: float | None, limits: MediaLimits) -> MediaRejected:
    lasts = f"The recording lasts {_clock(duration)}" if duration else "The recording is too long"
    return MediaRejected(
        "too_long", f"{lasts}; this campaign accepts at most {_clock(limits.max_duration)}."
    )


def no_streams() -> MediaRejected:
    return MediaRejected("no_streams", "The file contains no playable video or audio.")


def timeout() -> MediaRejected:
    return MediaRejected("timeout", "The file took too long to decode and was refused.")


def kind_not_allowed(kind: str | None, limits: MediaLimits) -> MediaRejected:
    if not limits.allowed_kinds & set(KINDS):
        return MediaRejected("kind_not_allowed", "This campaign does not accept any files.")
    accepted = f"This campaign accepts only {_kinds_list(limits.allowed_kinds)}"
    this = f"; this file is {_KIND_SINGULAR[kind]}." if kind in _KIND_SINGULAR else "."
    return MediaRejected("kind_not_allowed", accepted + this)
