"""Still images: safe decode with Pillow, validation, metadata-free renditions and a phash."""

from __future__ import annotations

import io
import logging
import threading
import warnings
from pathlib import Path
from typing import BinaryIO

import imagehash
from PIL import Image, ImageCms, ImageFile, ImageOps

from . import _model as m
from ._model import MediaLimits, Rendition
from .sniff import Sniffed

logger = logging.getLogger(__name__)

WEB_SIZE = 1600
THUMB_SIZE = 400
JPEG_QUALITY = 85
WEBP_QUALITY = 88

#: Pillow formats we let Image.open use; everything else (SVG is not even a Pillow format,
#: PSD, EPS, TIFF, ICO, ...) never reaches a parser.
ALLOWED_PIL_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "HEIF"})

# warnings.catch_warnings() swaps process-global state, so two threads opening images at
# once could drop each other's "error" filter. Opening only parses headers, so serialising
# it is cheap; the explicit MAX_IMAGE_PIXELS check after opening is a second line anyway.
_OPEN_LOCK = threading.Lock()
_heif_state: bool | None = None


def heif_available() -> bool:
    """Register the HEIF opener once; False when pillow_heif cannot be imported."""
    global _heif_state
    if _heif_state is None:
        try:
            import pillow_heif
        except ImportError:
            _heif_state = False
        else:
            pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
            _heif_state = True
    return _heif_state


def fit(width: int, height: int, box: int) -> tuple[int, int]:
    """The size of ``width`` × ``height`` scaled down (never up) to fit in ``box`` × ``box``."""
    longest = max(width, height)
    if longest <= box:
        return width, height
    scale = box / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def phash_of_image(img: Image.Image) -> int:
    """64-bit DCT perceptual hash as an unsigned int (bit order of ``imagehash.phash``).

    Transparent areas are flattened onto white first so the hidden colour under alpha does not
    count, and big images are shrunk first: the hash only looks at 32×32 pixels anyway, and
    hashing the same picture at 4000 px or at 1600 px then gives (nearly) the same bits.
    """
    work = _flatten_alpha(img)
    if max(work.size) > 512:
        work = work.resize(fit(*work.size, 512), Image.Resampling.BOX, reducing_gap=2.0)
    bits = imagehash.phash(work).hash.flatten()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bool(bit))
    return value


def _flatten_alpha(img: Image.Image) -> Image.Image:
    if img.mode in ("RGB", "L"):
        return img
    if _has_alpha(img):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def _has_alpha(img: Image.Image) -> bool:
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    return img.mode in ("P", "L", "RGB", "1") and "transparency" in img.info


def _open(fh: BinaryIO, pil_format: str) -> ImageFile.ImageFile:
    """Parse the header with only ``pil_format`` allowed; Pillow's bomb warning is an error."""
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(fh, formats=(pil_format,))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise m.decompression_bomb() from None
    except Exception as exc:  # any parser failure on untrusted bytes means "damaged"
        logger.info("Image header rejected: %r", exc)
        raise m.corrupt() from None


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:  # broken EXIF must not sink a good photo
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _decode(img: ImageFile.ImageFile, limits: MediaLimits) -> Image.Image:
    """Fully decode (reduced in scale for big JPEGs), so truncation is caught right here."""
    width, height = img.size
    if width <= 0 or height <= 0:
        raise m.corrupt()
    if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
        raise m.decompression_bomb()
    if width * height > limits.max_pixels or max(width, height) > limits.max_dimension:
        raise m.too_many_pixels(width, height, limits)
    if img.format in ("JPEG", "MPO"):
        # libjpeg can decode at 1/2, 1/4 or 1/8 scale for a fraction of the cost; ask for
        # no less than the web rendition needs. It still reads every byte of the scan, so a
        # truncated file still fails in load().
        img.draft(None, fit(width, height, WEB_SIZE))
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # someone flipped the global: refuse to guess
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        img.load()
    except Exception as exc:
        logger.info("Image decode failed: %r", exc)
        raise m.corrupt() from None
    try:
        oriented = ImageOps.exif_transpose(img)
    except Exception:  # broken EXIF: keep the pixels as stored
        oriented = img
    return oriented if oriented is not None else img


_SRGB = ImageCms.createProfile("sRGB")


def _to_display(img: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in (approximately) sRGB, with no metadata attached."""
    icc = img.info.get("icc_profile")
    alpha = _has_alpha(img)
    if img.mode == "La":
        img = img.convert("LA")
    if img.mode.startswith("I") or img.mode == "F":
        img = _high_depth_to_l(img)
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "sRGB" not in (ImageCms.getProfileDescription(profile) or ""):
                converted = ImageCms.profileToProfile(img, profile, _SRGB, outputMode=out_mode)
                img = converted if converted is not None else img
        except Exception as exc:  # a broken profile: fall back to the raw values
            logger.info("Ignoring unusable ICC profile: %r", exc)
    target = "RGBA" if alpha else "RGB"
    if img.mode != target:
        img = img.convert(target)
    if target == "RGBA" and img.getchannel("A").getextrema() == (255, 255):
        img = img.convert("RGB")  # fully opaque: a JPEG will do
    return _pixels_only(img)


def _high_depth_to_l(img: Image.Image) -> Image.Image:
    """16-bit (or 32-bit) greyscale to 8 bits by scaling, where convert("L") would clip."""
    wide = img.convert("F") if img.mode == "F" else img.convert("I")
    high = wide.getextrema()[1]
    if isinstance(high, (int, float)) and high > 255:
        wide = wide.point(lambda v: v * (255 / 65535))
    return wide.convert("L")


def _pixels_only(img: Image.Image) -> Image.Image:
    """A fresh image holding only the pixels: no info dict, EXIF, XMP, ICC or comment.

    Pillow's encoders pick some metadata up from ``img.info`` (e.g. the JPEG comment), so
    renditions are always written from such a copy.
    """
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    return clean


def _resize(img: Image.Image, box: int) -> Image.Image:
    size = fit(*img.size, box)
    if size == img.size:
        return img
    return _pixels_only(img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))


def save_rendition(img: Image.Image, out_dir: Path, role: str) -> Rendition:
    """Write ``img`` (RGB → JPEG, RGBA → WebP) as ``<role>.jpg|.webp`` without metadata."""
    clean = img if not img.info else _pixels_only(img)
    if clean.mode == "RGBA":
        path = out_dir / f"{role}.webp"
        _unlink(path)
        clean.save(path, "WEBP", quality=WEBP_QUALITY, method=4, exif=b"", icc_profile=b"")
        content_type = "image/webp"
    else:
        if clean.mode != "RGB":
            clean = clean.convert("RGB")
        path = out_dir / f"{role}.jpg"
        _unlink(path)
        clean.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type = "image/jpeg"
    return Rendition(role, path, content_type, clean.width, clean.height)


def _unlink(path: Path) -> None:
    """Remove a stale output first, so that writing can never go through a hard link."""
    path.unlink(missing_ok=True)


def web_and_thumb(
    display: Image.Image, out_dir: Path, web_role: str
) -> tuple[Image.Image, list[Rendition]]:
    """The web-size rendition (``web_role``) and the 400 px thumbnail of a display image.

    Returns the web-size image too, for hashing.
    """
    web = _resize(display, WEB_SIZE)
    thumb = _resize(web, THUMB_SIZE)
    renditions = [save_rendition(web, out_dir, web_role), save_rendition(thumb, out_dir, "thumb")]
    return web, renditions


def process_image(
    fh: BinaryIO, sniffed: Sniffed, out_dir: Path, limits: MediaLimits
) -> tuple[dict[str, object], list[Rendition]]:
    """Decode and validate an image, write its renditions; report fields and renditions."""
    if sniffed.decoder not in ALLOWED_PIL_FORMATS:
        raise m.unsupported_type()
    if sniffed.decoder == "HEIF" and not heif_available():
        raise m.unsupported_type()
    img = _open(fh, sniffed.decoder)
    try:
        width, height = img.size
        format_name = img.format or sniffed.decoder
        if _orientation(img) in (5, 6, 7, 8):
            width, height = height, width
        decoded = _decode(img, limits)
        try:
            display = _to_display(decoded)
        except Exception as exc:  # an exotic mode or layout we cannot turn into RGB
            logger.info("Image conversion failed: %r", exc)
            raise m.corrupt() from None
    finally:
        img.close()
    web, renditions = web_and_thumb(display, out_dir, "web")
    phash = phash_of_image(web)
    fields: dict[str, object] = {
        "kind": "image",
        "mime": sniffed.mime,
        "format_name": format_name,
        "width": width,
        "height": height,
        "duration": None,
        "codecs": (),
        "stream_count": 1,
        "phash": phash,
    }
    return fields, renditions
