"""Video clips as candidate shots: pure (PyAV + Pillow), no Django.

`shot_from_clip` reads a clip's first frame only (a streaming decode that stops there), turns
it upright by the stream's display rotation, measures it like a photo (`shots.measure`) and
describes the clip as a `plan.Shot` of kind "video" with its upright size and duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import av
from PIL import Image

from .plan import Shot
from .shots import measure


@dataclass(frozen=True)
class ClipInfo:
    width: int  # upright, as shown
    height: int
    duration: float  # seconds (0 when the container does not say)
    fps: float
    rotation: int  # degrees counterclockwise, a multiple of 90


def poster(path: str | PathLike[str]) -> tuple[Image.Image, ClipInfo]:
    """The clip's first frame, upright, and what the clip is."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError(f"{path}: no video stream")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        for frame in container.decode(stream):
            rotation = round((getattr(frame, "rotation", 0) or 0) / 90) % 4 * 90
            image = frame.to_image()
            if rotation:
                image = image.rotate(rotation, expand=True)  # counterclockwise, like the matrix
            info = ClipInfo(
                width=image.width,
                height=image.height,
                duration=duration,
                fps=float(rate) if rate else 0.0,
                rotation=rotation,
            )
            return image, info
    raise ValueError(f"{path}: no frames")


def shot_from_clip(
    path: str | PathLike[str], *, contributor: str, entry_id: int, asset_id: int
) -> Shot:
    image, info = poster(path)
    m = measure(image)
    return Shot(
        entry_id=entry_id,
        asset_id=asset_id,
        contributor=contributor,
        kind="video",
        width=info.width,
        height=info.height,
        quality=m.quality,
        poi=m.poi,
        colour=m.colour,
        phash=m.phash,
        duration=round(info.duration, 3),
    )
