"""Candidate shots from still pictures: pure (Pillow + numpy), no Django.

`shot_from_image` measures a picture on a small grey copy (at most `ANALYSIS_SIDE` pixels on
the long side) and returns a `plan.Shot`:

- quality (0..1) = 0.5 * sharpness + 0.3 * exposure + 0.2 * resolution, where sharpness is the
  variance of a 4-neighbour Laplacian mapped through v / (v + SHARPNESS_KNEE); exposure starts
  at 1 and loses the share of clipped black (<= 5) and white (>= 250) pixels (doubled) and the
  mean's distance from mid-grey; resolution is megapixels / FULL_MEGAPIXELS, capped at 1;
- poi = the centre of mass of gradient energy (|dx| + |dy|), a cheap saliency, clamped to
  0.1..0.9 on both axes; a flat picture gets the centre.

Width and height are those after the EXIF orientation is applied, as the renderer shows them.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
from PIL import Image, ImageOps

from .plan import Shot

ANALYSIS_SIDE = 256
SHARPNESS_KNEE = 100.0  # Laplacian variance (0..255 grey levels) that scores 0.5
FULL_MEGAPIXELS = 2.0  # a 1080p frame's worth scores full resolution marks
CLIP_LOW = 5
CLIP_HIGH = 250
POI_MIN, POI_MAX = 0.1, 0.9
EXIF_ORIENTATION = 0x0112


def _clamp(v: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, v))


def sharpness(grey: np.ndarray) -> float:
    """0..1 from the variance of the Laplacian of a grey array (float, 0..255)."""
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    lap = (
        grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4.0 * grey[1:-1, 1:-1]
    )
    v = float(lap.var())
    return v / (v + SHARPNESS_KNEE)


def exposure(grey: np.ndarray) -> float:
    """1 for a well-exposed picture, lower for clipped shadows/highlights or a skewed mean."""
    clipped = float(np.mean(grey <= CLIP_LOW) + np.mean(grey >= CLIP_HIGH))
    off_mid = abs(float(grey.mean()) - 127.5) / 127.5
    return _clamp(1.0 - 2.0 * clipped - 0.5 * off_mid, 0.0, 1.0)


def resolution(width: int, height: int) -> float:
    return _clamp(width * height / (FULL_MEGAPIXELS * 1e6), 0.0, 1.0)


def point_of_interest(grey: np.ndarray) -> tuple[float, float]:
    """Centre of mass of gradient energy, in 0..1 of the picture, clamped to 0.1..0.9."""
    h, w = grey.shape
    if h < 2 or w < 2:
        return (0.5, 0.5)
    energy = np.zeros_like(grey)
    energy[:, :-1] += np.abs(np.diff(grey, axis=1))
    energy[:-1, :] += np.abs(np.diff(grey, axis=0))
    total = float(energy.sum())
    if total <= 1e-9:
        return (0.5, 0.5)
    xs = (np.arange(w) + 0.5) / w
    ys = (np.arange(h) + 0.5) / h
    x = float((energy.sum(axis=0) * xs).sum() / total)
    y = float((energy.sum(axis=1) * ys).sum() / total)
    return (_clamp(x, POI_MIN, POI_MAX), _clamp(y, POI_MIN, POI_MAX))


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    """The picture's size once its EXIF orientation is applied (5..8 turn it a quarter)."""
    w, h = image.size
    if image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):
        return h, w
    return w, h


def shot_from_image(
    source: str | PathLike[str] | Image.Image,
    *,
    contributor: str,
    entry_id: int,
    asset_id: int,
) -> Shot:
    """Measure a picture (a path or an open image) and describe it as a candidate shot."""
    if isinstance(source, Image.Image):
        width, height = _oriented_size(source)
        small = ImageOps.exif_transpose(source).convert("L")
    else:
        with Image.open(source) as opened:
            width, height = _oriented_size(opened)
            opened.draft("L", (ANALYSIS_SIDE * 2, ANALYSIS_SIDE * 2))  # JPEG: decode smaller
            small = ImageOps.exif_transpose(opened).convert("L")
    small.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.Resampling.BILINEAR)
    grey = np.asarray(small, dtype=np.float32)
    quality = 0.5 * sharpness(grey) + 0.3 * exposure(grey) + 0.2 * resolution(width, height)
    return Shot(
        entry_id=entry_id,
        asset_id=asset_id,
        contributor=contributor,
        kind="image",
        width=width,
        height=height,
        quality=round(_clamp(quality, 0.0, 1.0), 4),
        poi=point_of_interest(grey),
    )
