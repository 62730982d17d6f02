"""Small real media files made on the spot for the entries tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (320, 240)) -> bytes:
    img = Image.new("RGB", size, ((seed * 40) % 256, (seed * 90) % 256, (seed * 150) % 256))
    draw = ImageDraw.Draw(img)
    for i in range(6):
        x = (seed * 37 + i * 53) % size[0]
        y = (seed * 23 + i * 71) % size[1]
        draw.rectangle(
            (x, y, x + size[0] // 3, y + size[1] // 4),
            fill=((i * 60) % 256, (seed * 20 + i * 30) % 256, 255 - (i * 40) % 256),
        )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def photo(seed: int = 0, name: str | None = None) -> SimpleUploadedFile:
    return upload(name or f"photo{seed}.jpg", jpeg_bytes(seed))
