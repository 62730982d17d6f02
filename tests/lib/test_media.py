"""The media intake pipeline against real files made at test time, good ones and hostile ones.

Every case also checks that the original is byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

import imagehash
import numpy as np
import pytest
from PIL import Image

from crowdstudio.lib.media import (
    MediaLimits,
    MediaRejected,
    MediaReport,
    Rendition,
    avmedia,
    phash_of_image,
    process_media,
    sniff_type,
)

from . import media_samples as samples

LIMITS = MediaLimits()
#: Bytes from the originals' metadata and payloads that must never be published.
LEAK_MARKERS = [
    b"SecretCam",
    b"SECRET-SOFTWARE",
    b"SECRET-COMMENT",
    b"SECRET-PNG-TEXT",
    b"xmpmeta",
    b"Exif\x00\x00",
    b"ICC_PROFILE",
    b"<script",
    b"PK\x03\x04",
    samples.SECRET,
]


# --- helpers ------------------------------------------------------------------------------


def _fingerprint(path: Path) -> tuple[str, int, int]:
    info = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_size, info.st_mtime_ns


def processed(path: Path, out_dir: Path, limits: MediaLimits = LIMITS) -> MediaReport:
    """Process a file that must be accepted; the original must be left untouched."""
    before = _fingerprint(path)
    report = process_media(path, out_dir, limits)
    assert _fingerprint(path) == before
    for rendition in report.renditions:
        assert rendition.path.parent == out_dir
        assert rendition.path.stat().st_size > 0
        data = rendition.path.read_bytes()
        for marker in LEAK_MARKERS:
            assert marker not in data, (rendition.role, marker)
    return report


def rejected(path: Path, out_dir: Path, limits: MediaLimits = LIMITS) -> MediaRejected:
    """Process a file that must be refused, leaving the original and ``out_dir`` clean."""
    before = _fingerprint(path)
    with pytest.raises(MediaRejected) as info:
        process_media(path, out_dir, limits)
    assert _fingerprint(path) == before
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    message = info.value.message
    assert message.endswith(".") and str(path) not in message and "Error" not in message
    return info.value


def role(report: MediaReport, name: str) -> Rendition:
    matches = [r for r in report.renditions if r.role == name]
    assert len(matches) == 1, [r.role for r in report.renditions]
    return matches[0]


def assert_no_metadata(path: Path) -> None:
    with Image.open(path) as img:
        assert not img.getexif(), "EXIF survived"
        assert not img.getexif().get_ifd(0x8825), "GPS survived"
        for key in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
            assert key not in img.info, key


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "renditions"


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """AV samples shared by the module (processing only reads them)."""
    folder = tmp_path_factory.mktemp("clips")
    return {
        "mp4": samples.mp4(folder),
        "mp4_faststart": samples.mp4(folder, name="faststart.mp4", faststart=True),
        "wav": samples.wav(folder),
    }


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-megapixel photo-like JPEG (about 2 MB)."""
    return samples.plain_jpeg(tmp_path_factory.mktemp("big"), (4000, 3000), name="12mp.jpg")


def _heic_or_skip(folder: Path) -> Path:
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        pytest.skip("pillow_heif is not installed")
    try:
        return samples.heic(folder)
    except Exception as exc:  # a build without an HEVC encoder
        pytest.skip(f"pillow_heif cannot encode HEIC here: {exc}")


# --- detection by content -----------------------------------------------------------------


def test_sniff_type_uses_content_not_the_name(src: Path, clips: dict[str, Path]) -> None:
    png_as_jpg = src / "photo.jpg"
    png_as_jpg.write_bytes(samples.png_opaque(src).read_bytes())
    assert sniff_type(samples.jpeg_with_exif(src, name="x.png")) == "image/jpeg"
    assert sniff_type(png_as_jpg) == "image/png"
    assert sniff_type(samples.webp(src, name="x.gif")) == "image/webp"
    assert sniff_type(samples.gif(src, name="x.webp")) == "image/gif"
    assert sniff_type(clips["mp4"]) == "video/mp4"
    assert sniff_type(clips["wav"]) == "audio/wav"
    assert sniff_type(samples.subtitles_only_mkv(src)) == "video/x-matroska"
    for path in (
        samples.svg_with_script(src),
        samples.html_page(src),
        samples.hls_playlist(src, src / "seg.ts"),
        samples.ffconcat(src, src / "seg.ts"),
        samples.random_bytes(src),
    ):
        assert sniff_type(path) is None, path.name
    pdf = src / "doc.jpg"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    script = src / "run.jpg"
    script.write_bytes(b"#!/bin/sh\nrm -rf /\n")
    zip_file = src / "archive.png"
    zip_file.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    avif = src / "pic.heic"
    avif.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 16)
    for path in (pdf, script, zip_file, avif):
        assert sniff_type(path) is None, path.name


# --- images -------------------------------------------------------------------------------


def test_jpeg_is_rotated_and_stripped_of_exif_gps_and_comments(src: Path, out: Path) -> None:
    original = samples.jpeg_with_exif(src, size=(800, 600))
    with Image.open(original) as img:  # the sample really carries what must be removed
        assert img.getexif()[0x0112] == 6
        assert img.getexif().get_ifd(0x8825)[2] == samples.GPS_LATITUDE

    report = processed(original, out)

    assert (report.kind, report.mime, report.format_name) == ("image", "image/jpeg", "JPEG")
    assert (report.width, report.height) == (600, 800)  # as displayed, after Orientation=6
    assert report.duration is None and report.codecs == ()
    assert report.phash is not None and 0 <= report.phash < 2**64
    web, thumb = role(report, "web"), role(report, "thumb")
    assert (web.content_type, web.path.suffix) == ("image/jpeg", ".jpg")
    assert (web.width, web.height) == (600, 800)
    assert (thumb.width, thumb.height) == (300, 400)
    for rendition in (web, thumb):
        assert_no_metadata(rendition.path)
        with Image.open(rendition.path) as img:
            assert img.size == (rendition.width, rendition.height)
            # The red block was top-left as stored; turned 90° clockwise it is top-right.
            r, g, b = img.convert("RGB").getpixel((img.width - 3, 3))
            assert r > 180 and g < 80 and b < 80
            r, g, b = img.convert("RGB").getpixel((3, 3))
            assert not (r > 180 and g < 80 and b < 80)


def test_png_with_alpha_keeps_transparency_without_text_chunks(src: Path, out: Path) -> None:
    report = processed(samples.png_with_alpha(src), out)
    assert (report.kind, report.mime, report.format_name) == ("image", "image/png", "PNG")
    web = role(report, "web")
    assert web.content_type == "image/webp" and web.path.suffix == ".webp"
    with Image.open(web.path) as img:
        assert img.mode == "RGBA"
        assert img.getpixel((2, 2))[3] == 0  # transparent corner
        assert img.getpixel((150, 150))[3] == 255  # opaque centre
    assert_no_metadata(web.path)
    assert role(report, "thumb").content_type == "image/webp"


def test_png_named_jpg_is_processed_as_png(src: Path, out: Path) -> None:
    disguised = src / "holiday.jpg"
    disguised.write_bytes(samples.png_opaque(src).read_bytes())
    report = processed(disguised, out)
    assert (report.mime, report.format_name) == ("image/png", "PNG")
    assert (report.width, report.height) == (640, 480)
    # An opaque PNG is published as a JPEG.
    assert role(report, "web").content_type == "image/jpeg"
    assert (role(report, "thumb").width, role(report, "thumb").height) == (400, 300)


def test_webp(src: Path, out: Path) -> None:
    report = processed(samples.webp(src), out)
    assert (report.mime, report.format_name, report.width, report.height) == (
        "image/webp", "WEBP", 500, 400,
    )  # fmt: skip
    assert role(report, "web").content_type == "image/jpeg"


def test_gif_uses_the_first_frame(src: Path, out: Path) -> None:
    report = processed(samples.gif(src), out)
    assert (report.mime, report.format_name, report.width, report.height) == (
        "image/gif", "GIF", 240, 160,
    )  # fmt: skip
    with Image.open(role(report, "web").path) as img:
        first = samples.pattern(240, 160)
        assert imagehash.phash(img) - imagehash.phash(first) <= 8


def test_heic(src: Path, out: Path) -> None:
    report = processed(_heic_or_skip(src), out)
    assert (report.kind, report.mime, report.format_name) == ("image", "image/heic", "HEIF")
    assert (report.width, report.height) == (320, 240)
    assert_no_metadata(role(report, "web").path)


def test_heic_orientation_is_applied_once(src: Path, out: Path) -> None:
    _heic_or_skip(src)
    report = processed(samples.heic(src, name="turned.heic", orientation=6), out)
    assert (report.width, report.height) == (240, 320)
    with Image.open(role(report, "web").path) as img:
        assert img.size == (240, 320)
        r, g, b = img.getpixel((img.width - 3, 3))
        assert r > 180 and g < 80 and b < 80


def test_16_bit_greyscale_and_cmyk_are_converted_faithfully(src: Path, out: Path) -> None:
    expected = samples.pattern(200, 100).convert("L")
    for path in (samples.png_16bit_grey(src), samples.cmyk_jpeg(src)):
        report = processed(path, out / path.stem)
        with Image.open(role(report, "web").path) as img:
            assert img.size == (200, 100)
            grey = img.convert("L")
            # Same brightness as the source picture, not blown out or inverted.
            diff = np.abs(np.asarray(grey, dtype=np.int16) - np.asarray(expected, dtype=np.int16))
            assert diff.mean() < 25, path.name


def test_big_jpeg_renditions_come_from_a_reduced_scale_decode(out: Path, big_jpeg: Path) -> None:
    # Speed is measured by `make bench-intake`, not asserted here.
    report = processed(big_jpeg, out)
    assert (report.width, report.height) == (4000, 3000)  # the original's size, not the draft's
    web = role(report, "web")
    assert (web.width, web.height) == (1600, 1200)


def test_truncated_big_jpeg_is_corrupt_even_with_draft(out: Path, big_jpeg: Path) -> None:
    assert rejected(samples.truncated(big_jpeg, 0.6), out).code == "corrupt"
    # Even with only the last few bytes missing, the scan is incomplete.
    assert rejected(samples.truncated(big_jpeg, 0.98, name="short.jpg"), out).code == "corrupt"


def test_truncated_jpeg_and_png_are_corrupt(src: Path, out: Path) -> None:
    jpeg = samples.truncated(samples.jpeg_with_exif(src), 0.5)
    png = samples.truncated(samples.png_opaque(src), 0.5)
    assert rejected(jpeg, out).code == "corrupt"
    assert rejected(png, out).code == "corrupt"


def test_pillow_bomb_guard_fires_even_when_the_campaign_allows_the_size(
    src: Path, out: Path
) -> None:
    bomb = samples.bomb_png(src, 30000, 30000)
    assert bomb.stat().st_size < 1_000_000
    generous = MediaLimits(max_pixels=10**10, max_dimension=10**6)
    assert rejected(bomb, out, generous).code == "decompression_bomb"


def test_campaign_pixel_limits_fire_before_decoding(src: Path, out: Path) -> None:
    # Below Pillow's own guard (~89 MP) but above the campaign's 50 MP; the pixel data is
    # cut short, so "corrupt" would mean the file had been decoded.
    wide = samples.bomb_png(src, 12_000, 6_000, header_only=True)
    error = rejected(wide, out)
    assert error.code == "too_many_pixels"
    assert "12000 × 6000" in error.message
    long_side = samples.bomb_png(src, 25_000, 100, name="strip.png", header_only=True)
    assert rejected(long_side, out).code == "too_many_pixels"
    small = samples.png_opaque(src, size=(300, 200))
    assert rejected(small, out, MediaLimits(max_pixels=50_000)).code == "too_many_pixels"


@pytest.mark.parametrize("make", [samples.jpeg_polyglot_html, samples.jpeg_polyglot_zip])
def test_polyglot_jpeg_is_accepted_but_the_payload_is_not_published(
    src: Path, out: Path, make
) -> None:
    original = make(src)
    assert samples.SECRET in original.read_bytes()
    report = processed(original, out)  # processed() checks the payload is in no rendition
    assert (report.mime, report.width, report.height) == ("image/jpeg", 320, 240)


@pytest.mark.parametrize(
    "make",
    [samples.svg_with_script, samples.html_page, samples.random_bytes],
    ids=["svg-with-script-as-jpg", "html-as-png", "random-bytes"],
)
def test_non_media_is_unsupported(src: Path, out: Path, make) -> None:
    assert rejected(make(src), out).code == "unsupported_type"


def test_garbage_behind_a_jpeg_signature_is_corrupt(src: Path, out: Path) -> None:
    fake = samples.random_bytes(src, prefix=b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    assert rejected(fake, out).code == "corrupt"


def test_empty_and_too_large(src: Path, out: Path) -> None:
    empty = src / "empty.jpg"
    empty.write_bytes(b"")
    assert rejected(empty, out).code == "empty"
    photo = samples.jpeg_with_exif(src)
    error = rejected(photo, out, MediaLimits(max_bytes=1024))
    assert error.code == "too_large"
    assert "MB" in error.message


def test_kind_not_allowed_names_the_accepted_kinds(src: Path, out: Path, clips) -> None:
    error = rejected(samples.webp(src), out, MediaLimits(allowed_kinds=frozenset({"video"})))
    assert error.code == "kind_not_allowed"
    assert "videos" in error.message and "photo" in error.message
    audio_only = MediaLimits(allowed_kinds=frozenset({"audio", "image"}))
    error = rejected(clips["mp4"], out, audio_only)
    assert error.code == "kind_not_allowed"
    assert "photos and audio recordings" in error.message
    error = rejected(clips["wav"], out, MediaLimits(allowed_kinds=frozenset({"image"})))
    assert error.code == "kind_not_allowed"


def test_phash_of_image_is_imagehash_phash_as_unsigned_int() -> None:
    img = samples.pattern(300, 200)
    expected = int(str(imagehash.phash(img)), 16)
    assert phash_of_image(img) == expected
    assert 0 <= phash_of_image(img) < 2**64
    # Big and small versions of a picture hash (nearly) alike.
    big = samples.pattern(2400, 1600)
    assert bin(phash_of_image(big) ^ phash_of_image(big.resize((600, 400)))).count("1") <= 4


def test_out_dir_that_would_overwrite_the_original_is_refused(src: Path) -> None:
    original = samples.png_opaque(src, name="web.jpg")
    with pytest.raises(ValueError):
        process_media(original, src, LIMITS)


def test_concurrent_image_processing(src: Path, tmp_path: Path) -> None:
    """The bomb-warning filter is process-global: threads must not break each other."""
    bomb = samples.bomb_png(src, 10_000, 9_500)  # 95 MP: Pillow warns, the warning must raise
    photo = samples.jpeg_with_exif(src)
    codes: list[str] = []

    def work(i: int) -> None:
        path = bomb if i % 2 else photo
        try:
            process_media(path, tmp_path / f"out{i}", MediaLimits(max_pixels=10**9))
            codes.append("ok")
        except MediaRejected as exc:
            codes.append(exc.code)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == ["decompression_bomb"] * 4 + ["ok"] * 4


# --- video and audio ----------------------------------------------------------------------


def test_mp4_video(out: Path, clips: dict[str, Path]) -> None:
    import av

    report = processed(clips["mp4"], out)
    assert (report.kind, report.mime) == ("video", "video/mp4")
    assert "mp4" in report.format_name
    assert (report.width, report.height) == (320, 240)
    assert report.duration == pytest.approx(2.0, abs=0.1)
    assert report.codecs == ("h264", "aac")
    assert report.stream_count == 2
    assert report.phash is not None and 0 <= report.phash < 2**64

    video = role(report, "video")
    assert (video.content_type, video.path.suffix) == ("video/mp4", ".mp4")
    assert (video.width, video.height) == (320, 240)
    data = video.path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # faststart
    with av.open(str(video.path)) as published:
        kinds = {s.type: s for s in published.streams}
        assert set(kinds) == {"video", "audio"}
        ctx = kinds["video"].codec_context
        assert (ctx.name, ctx.pix_fmt, ctx.width % 2, ctx.height % 2) == ("h264", "yuv420p", 0, 0)
        assert kinds["audio"].codec_context.name == "aac"
        assert published.duration / 1_000_000 == pytest.approx(2.0, abs=0.15)
        assert samples.SECRET.decode() not in str(dict(published.metadata))
        assert "location" not in published.metadata
        assert sum(1 for _ in published.decode(video=0)) == 50

    poster = role(report, "poster")
    assert (poster.content_type, poster.width, poster.height) == ("image/jpeg", 320, 240)
    assert_no_metadata(poster.path)
    with Image.open(poster.path) as img:
        assert phash_of_image(img) == report.phash
    assert role(report, "thumb").content_type == "image/jpeg"


def test_rotated_phone_video_is_published_upright(src: Path, out: Path) -> None:
    clip = samples.mp4(src, name="portrait.mp4", rotation=90, audio=False, seconds=1.0)
    report = processed(clip, out)
    assert (report.width, report.height) == (240, 320)
    assert report.codecs == ("h264",) and report.stream_count == 1
    assert (role(report, "video").width, role(report, "video").height) == (240, 320)
    assert (role(report, "poster").width, role(report, "poster").height) == (240, 320)


def test_wav_audio(out: Path, clips: dict[str, Path]) -> None:
    import av

    report = processed(clips["wav"], out)
    assert (report.kind, report.mime, report.format_name) == ("audio", "audio/wav", "wav")
    assert (report.width, report.height, report.phash) == (None, None, None)
    assert report.duration == pytest.approx(1.5, abs=0.05)
    assert report.codecs == ("pcm_s16le",) and report.stream_count == 1
    audio = role(report, "audio")
    assert (audio.content_type, audio.path.suffix) == ("audio/mp4", ".m4a")
    assert len(report.renditions) == 1
    with av.open(str(audio.path)) as published:
        assert [s.codec_context.name for s in published.streams] == ["aac"]
        assert published.duration / 1_000_000 == pytest.approx(1.5, abs=0.1)


def test_mp3_audio(src: Path, out: Path) -> None:
    if not samples.mp3_encoder_available():
        pytest.skip("this PyAV build has no libmp3lame encoder")
    report = processed(samples.mp3(src), out)
    assert (report.kind, report.mime, report.format_name) == ("audio", "audio/mpeg", "mp3")
    assert report.codecs == ("mp3",)
    assert report.duration == pytest.approx(1.5, abs=0.1)
    assert role(report, "audio").content_type == "audio/mp4"


def test_truncated_mp4_is_corrupt(out: Path, clips: dict[str, Path]) -> None:
    moov_at_end = samples.truncated(clips["mp4"], 0.5, name="cut.mp4")
    moov_first = samples.truncated(clips["mp4_faststart"], 0.6, name="cut-faststart.mp4")
    for path in (moov_at_end, moov_first):
        assert rejected(path, out).code == "corrupt", path.name


def test_no_streams(src: Path, out: Path) -> None:
    assert rejected(samples.subtitles_only_mkv(src), out).code == "no_streams"


def test_audio_longer_than_the_campaign_allows(src: Path, out: Path) -> None:
    error = rejected(samples.wav(src, seconds=3.0), out, MediaLimits(max_duration=2.0))
    assert error.code == "too_long"
    assert "3.0 seconds" in error.message


def test_video_frame_larger_than_the_campaign_allows(out: Path, clips) -> None:
    error = rejected(clips["mp4"], out, MediaLimits(max_pixels=320 * 200))
    assert error.code == "too_many_pixels"


def test_codec_outside_the_allow_list_is_unsupported(src: Path, out: Path) -> None:
    clip = samples.odd_codec_mov(src)
    assert sniff_type(clip) == "video/quicktime"
    assert rejected(clip, out).code == "unsupported_type"


def test_worker_memory_cap_turns_exhaustion_into_a_clean_rejection(
    out: Path, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Enough address space to start Python and load ffmpeg, too little to decode and encode.
    monkeypatch.setattr(avmedia, "CHILD_MEMORY_BYTES", 170 * 1024**2)
    assert rejected(clips["mp4"], out).code == "corrupt"


def test_timeout(out: Path, clips: dict[str, Path]) -> None:
    assert rejected(clips["mp4"], out, MediaLimits(timeout=0.05)).code == "timeout"


@pytest.mark.parametrize("make", [samples.hls_playlist, samples.ffconcat], ids=["hls", "ffconcat"])
def test_playlists_named_mp4_are_refused_without_opening_what_they_point_to(
    src: Path, out: Path, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = src / "private.ts"
    os.mkfifo(target)  # opening it for reading would block: the test would hang, not pass

    def no_worker(*args: object, **kwargs: object) -> None:
        raise AssertionError("the decoder was started for a playlist")

    monkeypatch.setattr(avmedia, "_run_worker", no_worker)
    assert rejected(make(src, target), out).code == "unsupported_type"
    assert stat.S_ISFIFO(target.stat().st_mode)


def test_playlist_behind_mp4_magic_is_parsed_as_mp4_only(src: Path, out: Path) -> None:
    """Magic bytes say MP4, so only the MP4 demuxer runs: the playlist is never followed."""
    target = src / "private.ts"
    os.mkfifo(target)  # the worker would block here and time out if it opened it
    body = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n"
    disguised = samples.ftyp_then(src, body.encode())
    error = rejected(disguised, out, MediaLimits(timeout=20))
    assert error.code == "corrupt"
