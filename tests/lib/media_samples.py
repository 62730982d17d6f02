"""Sample media generated at test time (no binary fixtures in the repository).

Every helper writes one file into the given folder and returns its path.
"""

from __future__ import annotations

import io
import math
import os
import struct
import wave
import zipfile
import zlib
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

GPS_LATITUDE = (52.0, 22.0, 12.5)
SECRET = b"SECRET-PAYLOAD-7f3a"  # marker that must never reach a published rendition


def pattern(width: int, height: int, seed: int = 0) -> Image.Image:
    """A photo-like RGB picture: smooth gradients, some grain, a red block top-left.

    Built from broadcast 1-D gradients and a tiled grain block, so a 12 MP one takes
    a fraction of a second.
    """
    rng = np.random.default_rng(seed)
    x = np.arange(width, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    rgb = np.empty((height, width, 3), dtype=np.float32)
    rgb[..., 0] = 128 + 100 * np.sin(x / max(width, 1) * 6.0 + seed)
    rgb[..., 1] = 128 + 100 * np.cos(y / max(height, 1) * 5.0)
    rgb[..., 2] = 128 + 80 * np.sin((x + y) / max(width + height, 1) * 9.0)
    grain = rng.integers(-8, 9, size=(127, 131, 3)).astype(np.float32)
    reps = (-(-height // grain.shape[0]), -(-width // grain.shape[1]), 1)
    rgb += np.tile(grain, reps)[:height, :width]
    arr = np.clip(rgb, 0, 255).astype(np.uint8)
    bw, bh = max(1, width // 5), max(1, height // 5)
    arr[:bh, :bw] = (230, 20, 20)
    return Image.fromarray(arr, "RGB")


def jpeg_with_exif(
    folder: Path, size: tuple[int, int] = (800, 600), name: str = "photo.jpg"
) -> Path:
    """A JPEG with Orientation=6, camera make, GPS position, a comment, XMP and an ICC profile."""
    img = pattern(*size)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "SECRET-SOFTWARE"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 30.0)
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
        b'02/22-rdf-syntax-ns#"><rdf:Description exif:GPSLatitude="52,22.2N" '
        b'xmlns:exif="http://ns.adobe.com/exif/1.0/"/></rdf:RDF></x:xmpmeta>'
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = folder / name
    img.save(
        path, "JPEG", quality=90, exif=exif.tobytes(), comment=b"SECRET-COMMENT", xmp=xmp,
        icc_profile=icc,
    )  # fmt: skip
    return path


def plain_jpeg(folder: Path, size: tuple[int, int], name: str = "plain.jpg", q: int = 90) -> Path:
    path = folder / name
    pattern(*size).save(path, "JPEG", quality=q)
    return path


def png_with_alpha(folder: Path, name: str = "logo.png") -> Path:
    """RGBA PNG: opaque disc on a transparent background, with a text chunk."""
    from PIL import PngImagePlugin

    size = 300
    y, x = np.mgrid[0:size, 0:size]
    alpha = (((x - 150) ** 2 + (y - 150) ** 2) < 120**2).astype(np.uint8) * 255
    rgba = np.dstack([np.asarray(pattern(size, size)), alpha])
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Comment", "SECRET-PNG-TEXT")
    path = folder / name
    Image.fromarray(rgba, "RGBA").save(path, "PNG", pnginfo=meta)
    return path


def png_opaque(folder: Path, name: str = "plain.png", size: tuple[int, int] = (640, 480)) -> Path:
    path = folder / name
    pattern(*size).save(path, "PNG")
    return path


def png_16bit_grey(folder: Path, name: str = "scan.png") -> Path:
    """A 16-bit greyscale PNG (mode I;16), which a naive conversion would blow out to white."""
    grey = np.asarray(pattern(200, 100).convert("L")).astype(np.uint16) * 257
    path = folder / name
    Image.fromarray(grey).save(path, "PNG")
    return path


def cmyk_jpeg(folder: Path, name: str = "print.jpg") -> Path:
    path = folder / name
    pattern(200, 100).convert("CMYK").save(path, "JPEG", quality=90)
    return path


def webp(folder: Path, name: str = "pic.webp") -> Path:
    path = folder / name
    pattern(500, 400).save(path, "WEBP", quality=80)
    return path


def gif(folder: Path, name: str = "anim.gif") -> Path:
    """A two-frame palette GIF; the first frame is the one that counts."""
    first = pattern(240, 160).convert("P", palette=Image.Palette.ADAPTIVE)
    second = pattern(240, 160, seed=3).convert("P", palette=Image.Palette.ADAPTIVE)
    path = folder / name
    first.save(path, "GIF", save_all=True, append_images=[second], duration=100, loop=0)
    return path


def heic(folder: Path, name: str = "photo.heic", orientation: int = 1) -> Path:
    """An HEIC file (pillow_heif must be importable and able to encode)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"
    path = folder / name
    pattern(320, 240).save(path, "HEIF", quality=70, exif=exif.tobytes())
    return path


def bomb_png(
    folder: Path, width: int, height: int, name: str = "bomb.png", header_only: bool = False
) -> Path:
    """A valid 1-bit PNG of ``width`` × ``height`` that compresses to a few hundred kB.

    With ``header_only`` the pixel data is cut after a few bytes: a decoder that gets that
    far reports a damaged file, which shows that a check fired before decoding.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    rows_per_block = max(1, (1 << 20) // len(row))
    comp = zlib.compressobj(9)
    idat = bytearray()
    done = 0
    while done < height:
        n = min(rows_per_block, height - done)
        idat += comp.compress(row * n)
        done += n
    idat += comp.flush()
    if header_only:
        idat = idat[:16]
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(idat))
    path = folder / name
    path.write_bytes(data + chunk(b"IEND", b""))
    return path


def mp4(
    folder: Path,
    name: str = "clip.mp4",
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 240),
    fps: int = 25,
    audio: bool = True,
    faststart: bool = False,
    rotation: int = 0,
) -> Path:
    """H.264 (+ AAC) MP4 of a moving pattern and a 440 Hz tone, written with PyAV."""
    import av

    path = folder / name
    width, height = size
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", container_options=options) as out:
        out.metadata["title"] = SECRET.decode()
        out.metadata["location"] = "+52.3700+004.8900/"
        vs = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        if rotation:
            vs.set_display_rotation(rotation)
        aus = out.add_stream("aac", rate=48000, layout="mono") if audio else None
        base = np.asarray(pattern(width, height))
        frames = round(seconds * fps)
        for i in range(frames):
            img = np.roll(base, i * 4, axis=1)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
        if aus is not None:
            rate, block = 48000, 1024
            total = round(seconds * rate)
            for start in range(0, total, block):
                n = min(block, total - start)
                t = (np.arange(start, start + n) / rate).astype(np.float32)
                samples = (0.3 * np.sin(2 * math.pi * 440 * t)).astype(np.float32)
                frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
                frame.sample_rate = rate
                frame.pts = start
                frame.time_base = Fraction(1, rate)
                out.mux(aus.encode(frame))
            out.mux(aus.encode(None))
    return path


def odd_codec_mov(folder: Path, codec: str = "png", name: str = "odd.mov") -> Path:
    """A QuickTime file whose video uses a codec outside the pipeline's allow-list."""
    import av

    path = folder / name
    with av.open(str(path), "w", format="mov") as out:
        vs = out.add_stream(codec, rate=10)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "rgb24"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.asarray(pattern(64, 48, seed=i)), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, 10)
            out.mux(vs.encode(frame))
        out.mux(vs.encode(None))
    return path


def wav(folder: Path, seconds: float = 1.5, rate: int = 16000, name: str = "voice.wav") -> Path:
    """Mono 16-bit PCM WAV of a tone, written with the stdlib ``wave`` module."""
    t = np.arange(round(seconds * rate)) / rate
    pcm = (0.4 * 32767 * np.sin(2 * math.pi * 330 * t)).astype("<i2")
    path = folder / name
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def mp3_encoder_available() -> bool:
    try:
        import av

        av.codec.Codec("libmp3lame", "w")
    except Exception:
        return False
    return True


def mp3(folder: Path, seconds: float = 1.5, name: str = "song.mp3") -> Path:
    """An MP3 made with PyAV's libmp3lame encoder."""
    import av

    path = folder / name
    rate = 44100
    with av.open(str(path), "w", format="mp3") as out:
        aus = out.add_stream("libmp3lame", rate=rate, layout="stereo")
        total = round(seconds * rate)
        for start in range(0, total, 1152):
            n = min(1152, total - start)
            t = (np.arange(start, start + n) / rate).astype(np.float32)
            tone = (0.3 * np.sin(2 * math.pi * 220 * t)).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(
                np.stack([tone, tone]), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            out.mux(aus.encode(frame))
        out.mux(aus.encode(None))
    return path


def subtitles_only_mkv(folder: Path, name: str = "subs.mkv") -> Path:
    """A Matroska file whose only stream is a subtitle track: nothing to play."""
    import av

    path = folder / name
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_mux_stream("subrip")
        stream.time_base = Fraction(1, 1000)
        packet = av.Packet(b"hello")
        packet.stream = stream
        packet.pts = packet.dts = 0
        packet.duration = 1000
        packet.time_base = Fraction(1, 1000)
        out.mux(packet)
    return path


# --- hostile files ------------------------------------------------------------------------


def truncated(source: Path, fraction: float = 0.5, name: str | None = None) -> Path:
    data = source.read_bytes()
    path = source.with_name(name or f"truncated-{source.name}")
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def jpeg_polyglot_html(folder: Path, name: str = "polyglot.jpg") -> Path:
    """A valid JPEG followed by an HTML page with a script (a classic upload polyglot)."""
    buf = io.BytesIO()
    pattern(320, 240).save(buf, "JPEG", quality=85)
    html = b"<html><body><script>alert('" + SECRET + b"')</script></body></html>"
    path = folder / name
    path.write_bytes(buf.getvalue() + html)
    return path


def jpeg_polyglot_zip(folder: Path, name: str = "polyglot-zip.jpg") -> Path:
    """A valid JPEG with a ZIP archive appended (opens as either)."""
    buf = io.BytesIO()
    pattern(320, 240).save(buf, "JPEG", quality=85)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("payload.txt", SECRET * 4)
    path = folder / name
    path.write_bytes(buf.getvalue() + archive.getvalue())
    return path


def svg_with_script(folder: Path, name: str = "vector.jpg") -> Path:
    path = folder / name
    path.write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        "<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>\n"
    )
    return path


def html_page(folder: Path, name: str = "image.png") -> Path:
    path = folder / name
    path.write_text("<!doctype html><html><script>alert(1)</script></html>\n")
    return path


def hls_playlist(folder: Path, target: Path, name: str = "clip.mp4") -> Path:
    path = folder / name
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:10.0,\nfile:{target}\n#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n"
    )
    return path


def ffconcat(folder: Path, target: Path, name: str = "concat.mp4") -> Path:
    path = folder / name
    path.write_text(f"ffconcat version 1.0\nfile '{target}'\n")
    return path


def ftyp_then(folder: Path, body: bytes, name: str = "disguised.mp4") -> Path:
    """A file whose magic bytes say MP4 but whose body is something else entirely."""
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2"
    path = folder / name
    path.write_bytes(ftyp + body)
    return path


def random_bytes(folder: Path, n: int = 4096, prefix: bytes = b"", name: str = "noise.bin") -> Path:
    path = folder / name
    path.write_bytes(prefix + os.urandom(n))
    return path
