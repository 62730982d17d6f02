"""Content-based type detection from magic bytes.

Only the formats the pipeline accepts are recognised: anything else (HTML, SVG, PDF, ZIP,
scripts, playlists, AVIF, camera raw, ...) is "unknown", which the pipeline rejects. The
file name is never looked at, and the decoder chosen later is the one named here, so a
file cannot steer ffmpeg or Pillow into a different parser than its magic bytes select.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

#: How many leading bytes detection looks at (enough for an ISO BMFF ftyp box).
HEAD_BYTES = 4096


@dataclass(frozen=True)
class Sniffed:
    """A recognised type: its MIME, which decoder family handles it, and that decoder's name.

    ``decoder`` is a Pillow format name for images and an ffmpeg demuxer name otherwise.
    """

    mime: str
    family: str  # "image" or "av"
    decoder: str

    @property
    def audio_only(self) -> bool:
        """True when the container cannot carry video, so the kind is known before probing."""
        return self.decoder in {"wav", "mp3", "flac", "aac"}


_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_GENERIC_BRANDS = {b"mif1", b"msf1"}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"dash", b"M4V ", b"M4VH", b"M4VP", b"MSNV",
    b"XAVC", b"f4v ", b"mmp4", b"nvr1", b"qt  ", b"M4A ", b"M4B ", b"M4P ",
}  # fmt: skip
_MOV_FIRST_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _ftyp_brands(head: bytes) -> tuple[bytes, list[bytes]] | None:
    """Major and compatible brands of a leading ISO BMFF ``ftyp`` box, if there is one."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size = struct.unpack(">I", head[:4])[0]
    if size < 16:
        return None
    end = min(size, len(head))
    compatible = [head[i : i + 4] for i in range(16, end - 3, 4)]
    return head[8:12], compatible


def _iso_bmff(head: bytes) -> Sniffed | None:
    brands = _ftyp_brands(head)
    if brands is None:
        if len(head) >= 8 and head[4:8] in _MOV_FIRST_ATOMS:
            # Old QuickTime files start with an atom other than ftyp.
            size = struct.unpack(">I", head[:4])[0]
            if size in (0, 1) or size >= 8:
                return Sniffed("video/quicktime", "av", "mov")
        return None
    major, compatible = brands
    if major in _HEIC_BRANDS or (
        major in _HEIF_GENERIC_BRANDS and any(b in _HEIC_BRANDS for b in compatible)
    ):
        return Sniffed("image/heic", "image", "HEIF")
    if major in _HEIF_GENERIC_BRANDS:
        return None  # AVIF or another still-image flavour we do not accept
    if major == b"qt  ":
        return Sniffed("video/quicktime", "av", "mov")
    if major.startswith((b"3gp", b"3g2")):
        return Sniffed("video/3gpp", "av", "mov")
    if major in {b"M4A ", b"M4B ", b"M4P "}:
        return Sniffed("audio/mp4", "av", "mov")
    if major in _MP4_BRANDS or any(b in _MP4_BRANDS for b in compatible):
        return Sniffed("video/mp4", "av", "mov")
    return None


def _read_vint(data: bytes, pos: int) -> tuple[int, int] | None:
    """An EBML variable-length integer at ``pos``: (value, length)."""
    if pos >= len(data) or data[pos] == 0:
        return None
    first = data[pos]
    length = 8 - first.bit_length() + 1
    if pos + length > len(data):
        return None
    value = first & (0xFF >> length)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    return value, length


def _matroska(head: bytes) -> Sniffed | None:
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    at = head.find(b"\x42\x82", 4, 96)  # DocType element inside the EBML header
    if at < 0:
        return None
    size = _read_vint(head, at + 2)
    if size is None:
        return None
    start = at + 2 + size[1]
    doctype = head[start : start + size[0]].rstrip(b"\x00")
    if doctype == b"webm":
        return Sniffed("video/webm", "av", "matroska")
    if doctype == b"matroska":
        return Sniffed("video/x-matroska", "av", "matroska")
    return None


def _mpeg_audio(head: bytes) -> Sniffed | None:
    """An MPEG audio frame header (MP1/2/3) or an ADTS AAC header at the start."""
    if len(head) < 4 or head[0] != 0xFF:
        return None
    b1, b2 = head[1], head[2]
    if (b1 & 0xF6) == 0xF0:  # 12-bit sync, layer 00: ADTS
        if (b2 >> 2) & 0x0F < 13:  # sampling frequency index
            return Sniffed("audio/aac", "av", "aac")
        return None
    if (b1 & 0xE0) != 0xE0:
        return None
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate, rate = b2 >> 4, (b2 >> 2) & 3
    if version == 1 or layer == 0 or bitrate == 0x0F or rate == 3:
        return None
    return Sniffed("audio/mpeg", "av", "mp3")


def sniff_head(head: bytes) -> Sniffed | None:
    """Detect the type of a file from its first bytes (see :data:`HEAD_BYTES`)."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "image", "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "image", "PNG")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Sniffed("image/gif", "image", "GIF")
    if head.startswith(b"RIFF") and len(head) >= 12:
        if head[8:12] == b"WEBP":
            return Sniffed("image/webp", "image", "WEBP")
        if head[8:12] == b"WAVE":
            return Sniffed("audio/wav", "av", "wav")
        return None
    if head.startswith(b"ID3") and len(head) >= 10 and head[3] in (2, 3, 4):
        return Sniffed("audio/mpeg", "av", "mp3")
    if head.startswith(b"fLaC"):
        return Sniffed("audio/flac", "av", "flac")
    if head.startswith(b"OggS"):
        if b"\x80theora" in head:
            return Sniffed("video/ogg", "av", "ogg")
        return Sniffed("audio/ogg", "av", "ogg")
    return _iso_bmff(head) or _matroska(head) or _mpeg_audio(head)


def sniff_type(path: Path) -> str | None:
    """The MIME type of the file at ``path`` judged by its content, or None if not accepted.

    Only types the pipeline can process are named; None means "reject".
    """
    with open(path, "rb") as fh:
        found = sniff_head(fh.read(HEAD_BYTES))
    return found.mime if found else None


#: For a container whose sniffed MIME says video but which turns out to hold only audio.
AUDIO_ONLY_MIME = {
    "video/mp4": "audio/mp4",
    "video/quicktime": "audio/mp4",
    "video/3gpp": "audio/3gpp",
    "video/webm": "audio/webm",
    "video/x-matroska": "audio/x-matroska",
    "video/ogg": "audio/ogg",
}
#: The other way round: an audio-branded container that holds a real video stream.
VIDEO_MIME = {"audio/mp4": "video/mp4", "audio/ogg": "video/ogg"}


def refine_mime(mime: str, kind: str) -> str:
    """The MIME once the streams are known (an MP4 holding only audio is ``audio/mp4``)."""
    if kind == "audio":
        return AUDIO_ONLY_MIME.get(mime, mime)
    if kind == "video":
        return VIDEO_MIME.get(mime, mime)
    return mime
