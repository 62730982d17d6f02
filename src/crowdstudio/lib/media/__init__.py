"""Intake of untrusted uploads: detect by content, decode safely, publish clean renditions.

Photos are decoded in-process by Pillow (an allow-list of formats, bomb and size checks
before decoding); video and audio are decoded by PyAV in a resource-limited child process
with a wall-clock timeout. Renditions are re-encoded from pixels and samples only, so no
metadata (EXIF, GPS, XMP, comments, appended payloads) of the original is ever published.
"""

from __future__ import annotations

from ._model import MediaLimits, MediaRejected, MediaReport, Rendition
from .image import phash_of_image
from .process import process_media
from .sniff import sniff_type

__all__ = [
    "MediaLimits",
    "MediaRejected",
    "MediaReport",
    "Rendition",
    "phash_of_image",
    "process_media",
    "sniff_type",
]
