"""The media intake pipeline against real files made at test time, good ones and hostile ones."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import imagehash
import pytest
from PIL import Image

from crowdstudio.lib import media
from crowdstudio.lib.media import (
    MediaLimits,
    MediaRejected,
    MediaReport,
    phash_of_image,
    process_media,
    sniff_type,
)
from crowdstudio.lib.media import avmedia

from . import media_samples as samples  # noqa: F401  (re-imported below for non-package runs)

pytestmark = []

LIMITS = MediaLimits()
LEAK_MARKERS = [
    b"SecretCam",
    b"SECRET-SOFTWARE",
    b"SECRET-COMMENT",
    b"SECRET-PNG-TEXT",
    b"xmpmeta",
    b"GPSLatitude",
    b"Exif\x00\x00",
    b"ICC_PROFILE",
    samples.SECRET,
]
