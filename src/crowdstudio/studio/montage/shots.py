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
It also records the mean colour (sRGB 0..1, for the "flow" order's colour continuity) and the
64-bit perceptual hash (`imagehash.phash`, the same bits intake stores in PerceptualHash).

`score_candidates(shots, load_image)` measures a list of candidates (stills, or a clip's poster
frame) through a loader, decoding JPEGs at a reduced size (`Image.draft`), and
`drop_near_duplicates` keeps the better-scored shot of every pair of look-alikes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from os import PathLike

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from crowdstudio.entries.neardup import MultiIndex
from crowdstudio.lib.media.image import phash_of_image

from .plan import Shot

ANALYSIS_SIDE = 256
SHARPNESS_KNEE = 100.0  # Laplacian variance (0..255 grey levels) that scores 0.5
FULL_MEGAPIXELS = 2.0  # a 1080p frame's worth scores full resolution marks
CLIP_LOW = 5
CLIP_HIGH = 250
POI_MIN, POI_MAX = 0.1, 0.9
EXIF_ORIENTATION = 0x0112
NEAR_DUPLICATE_BITS = 6  # Hamming distance of two phashes that counts as the same picture
UNREADABLE = (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError)


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


def _small_rgb(source: str | PathLike[str] | Image.Image) -> tuple[Image.Image, int, int]:
    """An RGB copy at most ANALYSIS_SIDE * 2 on the long side, upright, and the full
    (oriented) size. A JPEG is decoded at 1/2..1/8 scale straight away (`draft`)."""
    draft = (ANALYSIS_SIDE * 2, ANALYSIS_SIDE * 2)
    if isinstance(source, Image.Image):
        width, height = _oriented_size(source)
        if source.format == "JPEG" and source.mode in ("RGB", "L"):
            source.draft(source.mode, draft)  # a no-op once the picture is loaded
        small = ImageOps.exif_transpose(source)
    else:
        with Image.open(source) as opened:
            width, height = _oriented_size(opened)
            if opened.mode in ("RGB", "L"):
                opened.draft(opened.mode, draft)  # JPEG: decode smaller
            small = ImageOps.exif_transpose(opened)
    if small.mode != "RGB":
        small = _flatten(small)
    small.thumbnail(draft, Image.Resampling.BILINEAR)
    return small, width, height


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, transparency over white (as intake's hash sees it)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


@dataclasses.dataclass(frozen=True)
class Measure:
    width: int
    height: int
    quality: float
    poi: tuple[float, float]
    colour: tuple[float, float, float]
    phash: int


def measure(source: str | PathLike[str] | Image.Image) -> Measure:
    """The picture's oriented size, quality, point of interest, mean colour and phash."""
    small, width, height = _small_rgb(source)
    phash = phash_of_image(small)
    pixels = np.asarray(small, dtype=np.float32).reshape(-1, 3)
    mean = pixels.mean(axis=0) / 255.0
    grey_image = small.convert("L")
    grey_image.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.Resampling.BILINEAR)
    grey = np.asarray(grey_image, dtype=np.float32)
    quality = 0.5 * sharpness(grey) + 0.3 * exposure(grey) + 0.2 * resolution(width, height)
    return Measure(
        width=width,
        height=height,
        quality=round(_clamp(quality, 0.0, 1.0), 4),
        poi=point_of_interest(grey),
        colour=(round(float(mean[0]), 4), round(float(mean[1]), 4), round(float(mean[2]), 4)),
        phash=phash,
    )


def shot_from_image(
    source: str | PathLike[str] | Image.Image,
    *,
    contributor: str,
    entry_id: int,
    asset_id: int,
) -> Shot:
    """Measure a picture (a path or an open image) and describe it as a candidate shot."""
    m = measure(source)
    return Shot(
        entry_id=entry_id,
        asset_id=asset_id,
        contributor=contributor,
        kind="image",
        width=m.width,
        height=m.height,
        quality=m.quality,
        poi=m.poi,
        colour=m.colour,
        phash=m.phash,
    )


LoadPicture = Callable[[Shot], Image.Image]


def score_candidates(
    shots: Iterable[Shot], load_image: LoadPicture, *, keep_unreadable: bool = False
) -> list[Shot]:
    """Each shot measured from its picture (`load_image(shot)`: the photo, or a clip's poster
    frame): quality, point of interest, mean colour and perceptual hash, from a reduced decode.
    A clip keeps its own width and height (its poster may be a smaller rendition) and its
    resolution marks; a still takes the picture's size. A hash the shot already has (intake's)
    is kept. Shots whose picture cannot be read are left out (or kept unchanged with
    `keep_unreadable`). One picture is open at a time; the order is kept."""
    scored: list[Shot] = []
    for shot in shots:
        try:
            image = load_image(shot)
            try:
                m = measure(image)
            finally:
                image.close()
        except UNREADABLE:
            if keep_unreadable:
                scored.append(shot)
            continue
        width, height, quality = m.width, m.height, m.quality
        if shot.kind != "image":
            quality = round(
                _clamp(
                    quality
                    - 0.2 * resolution(width, height)
                    + 0.2 * resolution(shot.width, shot.height),
                    0.0,
                    1.0,
                ),
                4,
            )
            width, height = shot.width, shot.height
        scored.append(
            dataclasses.replace(
                shot,
                width=width,
                height=height,
                quality=quality,
                poi=m.poi,
                colour=m.colour,
                phash=shot.phash if shot.phash is not None else m.phash,
            )
        )
    return scored


def drop_near_duplicates(
    shots: Sequence[Shot],
    *,
    max_distance: int = NEAR_DUPLICATE_BITS,
    pairs: Iterable[tuple[int, int]] = (),
) -> list[Shot]:
    """The shots without near-duplicates, in their original order: of every pair of look-alikes
    (phashes within `max_distance` bits, or an (asset id, asset id) pair given in `pairs`, e.g.
    from entries.NearDuplicate), the better-scored one stays (higher quality, then higher
    resolution, then the earlier entry and asset). Shots without a hash only drop by `pairs`."""
    linked: dict[int, set[int]] = {}
    for a, b in pairs:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    ranked = sorted(
        range(len(shots)),
        key=lambda i: (
            -shots[i].quality,
            -(shots[i].width * shots[i].height),
            shots[i].entry_id,
            shots[i].asset_id,
        ),
    )
    index: MultiIndex[int] = MultiIndex()
    kept_assets: set[int] = set()
    keep: set[int] = set()
    for i in ranked:
        shot = shots[i]
        if linked.get(shot.asset_id, set()) & kept_assets:
            continue
        if shot.phash is not None and index.query(shot.phash, max_distance):
            continue
        keep.add(i)
        kept_assets.add(shot.asset_id)
        if shot.phash is not None:
            index.add(i, shot.phash)
    return [shot for i, shot in enumerate(shots) if i in keep]
