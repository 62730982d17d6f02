"""Video and audio: run the PyAV worker in a child process and turn its answer into a report.

The web/worker process never imports PyAV for untrusted input. The child gets a wall-clock
timeout (killed with SIGKILL), an address-space cap, a CPU-seconds cap, an output-size cap,
no environment and no inherited file descriptors.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from . import _model as m
from ._model import MediaLimits, MediaRejected, Rendition
from .image import THUMB_SIZE, phash_of_image, save_rendition
from .sniff import Sniffed

logger = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("_avworker.py")

#: Address space of the child. ffmpeg, x264 and their thread stacks reserve a lot of
#: virtual memory that they never touch, so this is far above what the child really uses.
CHILD_MEMORY_BYTES = 3 * 1024**3
#: The largest file the child may write (a 10-minute 720p rendition is ~200 MB).
CHILD_OUTPUT_BYTES = 1024**3

AV_OUTPUT_NAMES = ("video.mp4", "audio.m4a", "poster.jpg")


def av_available() -> bool:
    return importlib.util.find_spec("av") is not None


def _child_env() -> dict[str, str]:
    """Nothing from our environment (secrets, proxies, FFREPORT, ...) reaches the child."""
    # Two malloc arenas instead of eight per core: less address space reserved per thread.
    return {"PATH": os.defpath, "LC_ALL": "C.UTF-8", "MALLOC_ARENA_MAX": "2"}


def _run_worker(job: dict[str, Any], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Start the worker and wait for it; raises TimeoutExpired after ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, "-I", str(WORKER)],
        input=json.dumps(job).encode(),
        capture_output=True,
        timeout=timeout,
        env=_child_env(),
        cwd=job["out_dir"],
        close_fds=True,
        start_new_session=True,
        check=False,
    )


def _reject_from_child(result: dict[str, Any], limits: MediaLimits) -> MediaRejected:
    code = result.get("code")
    if code == "too_long":
        duration = result.get("duration")
        return m.too_long(float(duration) if duration is not None else None, limits)
    if code == "too_many_pixels":
        return m.too_many_pixels(int(result["width"]), int(result["height"]), limits)
    if code == "kind_not_allowed":
        return m.kind_not_allowed(str(result.get("kind")), limits)
    if code == "unsupported_codec":
        return m.unsupported_codec()
    if code == "output_too_large":
        return m.output_too_large()
    simple = {
        "no_streams": m.no_streams,
        "unsupported_type": m.unsupported_type,
        "corrupt": m.corrupt,
        "timeout": m.timeout,
    }
    return simple.get(str(code), m.corrupt)()


def _cleanup(out_dir: Path) -> None:
    for name in (*AV_OUTPUT_NAMES, "thumb.jpg", "thumb.webp"):
        (out_dir / name).unlink(missing_ok=True)


def process_av(
    path: Path, sniffed: Sniffed, out_dir: Path, limits: MediaLimits
) -> tuple[dict[str, object], list[Rendition]]:
    """Probe, validate and re-encode a video or audio file in the worker process."""
    if not av_available():
        raise m.unsupported_type()
    for name in AV_OUTPUT_NAMES:  # never write through a stale file or a hard link
        (out_dir / name).unlink(missing_ok=True)
    job = {
        "path": str(path.resolve()),
        "format": sniffed.decoder,
        "out_dir": str(out_dir.resolve()),
        "allowed_kinds": sorted(limits.allowed_kinds),
        "max_pixels": limits.max_pixels,
        "max_dimension": limits.max_dimension,
        "max_duration": limits.max_duration,
        "memory_bytes": CHILD_MEMORY_BYTES,
        # Threads add CPU seconds faster than wall-clock ones: allow every core the timeout.
        "cpu_seconds": math.ceil(limits.timeout * (os.cpu_count() or 1)) + 1,
        "output_bytes": CHILD_OUTPUT_BYTES,
    }
    try:
        proc = _run_worker(job, limits.timeout)
    except subprocess.TimeoutExpired:
        _cleanup(out_dir)
        raise m.timeout() from None
    try:
        result = json.loads(proc.stdout.decode() or "null")
    except ValueError:
        result = None
    if not isinstance(result, dict):
        _cleanup(out_dir)
        tail = proc.stderr[-2000:].decode(errors="replace")
        logger.warning("Media worker died (exit %s): %s", proc.returncode, tail)
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise m.timeout()
        raise m.corrupt()
    if not result.get("ok"):
        _cleanup(out_dir)
        if result.get("code") == "internal":
            raise RuntimeError(f"media worker cannot run: {result.get('detail')}")
        if proc.stderr:
            logger.info("Media worker rejected %s: %s", path.name, proc.stderr[-2000:])
        raise _reject_from_child(result, limits)

    renditions = [
        Rendition(
            role=str(r["role"]),
            path=out_dir / Path(str(r["file"])).name,
            content_type=str(r["content_type"]),
            width=r["width"],
            height=r["height"],
        )
        for r in result["renditions"]
    ]
    phash: int | None = None
    poster = next((r for r in renditions if r.role == "poster"), None)
    if poster is not None:
        # The poster is our own JPEG; still, nothing but the JPEG decoder may read it.
        with Image.open(poster.path, formats=("JPEG",)) as img:
            img.load()
            phash = phash_of_image(img)
            thumb = img.copy()
        thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
        renditions.append(save_rendition(thumb, out_dir, "thumb"))
    kind = str(result["kind"])
    fields: dict[str, object] = {
        "kind": kind,
        "format_name": str(result["format_name"]),
        "width": result["width"],
        "height": result["height"],
        "duration": result["duration"],
        "codecs": tuple(str(c) for c in result["codecs"]),
        "stream_count": int(result["stream_count"]),
        "phash": phash,
    }
    return fields, renditions
