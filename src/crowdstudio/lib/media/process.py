"""The single entry point: detect the type by content, check the limits, dispatch."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from . import _model as m
from ._model import MediaLimits, MediaReport
from .avmedia import AV_OUTPUT_NAMES, process_av
from .image import process_image
from .sniff import HEAD_BYTES, refine_mime, sniff_head

#: Every file name the pipeline may write into ``out_dir``.
OUTPUT_NAMES = (*AV_OUTPUT_NAMES, "web.jpg", "web.webp", "thumb.jpg", "thumb.webp")


def _guard_original(path: Path, out_dir: Path) -> None:
    """Refuse an ``out_dir`` where writing a rendition would replace the original."""
    original = path.resolve()
    for name in OUTPUT_NAMES:
        target = out_dir / name
        if target.resolve() == original or (target.exists() and os.path.samefile(target, path)):
            raise ValueError(f"out_dir {out_dir} would overwrite the original {path}")


def process_media(path: Path, out_dir: Path, limits: MediaLimits) -> MediaReport:
    """Decode the upload at ``path``, validate it and write public renditions to ``out_dir``.

    The original is only ever opened for reading. Every problem with the file's content
    raises :class:`MediaRejected`; other exceptions mean a problem on our side (missing
    file, full disk, bad arguments) and are worth a retry or a bug report.
    """
    path = Path(path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _guard_original(path, out_dir)
    with open(path, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise m.unsupported_type()
        if info.st_size == 0:
            raise m.empty()
        if info.st_size > limits.max_bytes:
            raise m.too_large(info.st_size, limits)
        sniffed = sniff_head(fh.read(HEAD_BYTES))
        if sniffed is None:
            raise m.unsupported_type()
        if sniffed.family == "image":
            if "image" not in limits.allowed_kinds:
                raise m.kind_not_allowed("image", limits)
            fh.seek(0)
            fields, renditions = process_image(fh, sniffed, out_dir, limits)
            return MediaReport(renditions=tuple(renditions), **fields)  # type: ignore[arg-type]
    # Video and audio are decoded by a child process that opens the file itself.
    if sniffed.audio_only and "audio" not in limits.allowed_kinds:
        raise m.kind_not_allowed("audio", limits)
    if not limits.allowed_kinds & {"video", "audio"}:
        raise m.kind_not_allowed(None, limits)
    fields, renditions = process_av(path, sniffed, out_dir, limits)
    mime = refine_mime(sniffed.mime, str(fields["kind"]))
    return MediaReport(mime=mime, renditions=tuple(renditions), **fields)  # type: ignore[arg-type]
