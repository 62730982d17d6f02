"""Real files, good and hostile, through the whole intake: submit, worker, entry status.

The media library's own tests (tests/lib) cover the decoding rules in detail; these check what
the entrant and the moderators get for each kind of file, and that the original is always kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries import services
from crowdstudio.entries.models import AssetStatus, EntryStatus
from tests.lib import media_samples as samples

VALID: dict[str, tuple[Callable[[Path], Path], str, set[str]]] = {
    "jpeg": (lambda d: samples.plain_jpeg(d, (800, 600)), "image/jpeg", {"web", "thumb"}),
    "png": (lambda d: samples.png_opaque(d), "image/png", {"web", "thumb"}),
    "webp": (lambda d: samples.webp(d), "image/webp", {"web", "thumb"}),
    "heic": (lambda d: samples.heic(d), "image/heic", {"web", "thumb"}),
    "mp4": (lambda d: samples.mp4(d), "video/mp4", {"video", "poster"}),
    "wav": (lambda d: samples.wav(d), "audio/wav", {"audio"}),
    "mp3": (lambda d: samples.mp3(d), "audio/mpeg", {"audio"}),
}

HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zero bytes": (lambda d: _write(d / "empty.jpg", b""), "empty"),
    "truncated jpeg": (lambda d: samples.truncated(samples.plain_jpeg(d, (800, 600))), "corrupt"),
    "truncated mp4": (lambda d: samples.truncated(samples.mp4(d)), "corrupt"),
    "html named .png": (lambda d: samples.html_page(d), "unsupported_type"),
    "svg with script": (lambda d: samples.svg_with_script(d), "unsupported_type"),
    "decompression bomb": (
        lambda d: samples.bomb_png(d, 30_000, 30_000, header_only=True),
        "decompression_bomb",
    ),
    "more pixels than the campaign takes": (
        lambda d: samples.bomb_png(d, 9_000, 9_000, header_only=True),
        "too_many_pixels",
    ),
    "random bytes": (lambda d: samples.random_bytes(d, name="noise.jpg"), "unsupported_type"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def intake(open_campaign, personas, django_capture_on_commit_callbacks, run_worker):
    terms = current_terms(open_campaign)

    def run(path: Path):
        data = path.read_bytes()
        with django_capture_on_commit_callbacks(execute=True):
            entry = services.entry_submit(
                campaign=open_campaign,
                author=personas["entrant"],
                title=path.name,
                description="",
                terms_version_id=terms.id,
                accept_terms=True,
                applicant=Applicant(),
                files=[SimpleUploadedFile(path.name, data, "application/octet-stream")],
            )
        run_worker()
        entry.refresh_from_db()
        return entry, data

    return run


@pytest.mark.parametrize("kind", VALID)
def test_valid_files_reach_moderation_with_public_renditions(intake, tmp_path, kind):
    make, mime, roles = VALID[kind]
    if kind == "mp3" and not samples.mp3_encoder_available():
        pytest.skip("this PyAV build has no MP3 encoder to make the sample")
    entry, _ = intake(make(tmp_path))
    asset = entry.assets.get()
    assert entry.status == EntryStatus.AWAITING_MODERATION, asset.error_message
    assert asset.status == AssetStatus.READY
    assert asset.mime == mime
    assert roles <= set(asset.renditions.values_list("role", flat=True))


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_fail_with_a_clear_message_and_the_original_is_kept(intake, tmp_path, case):
    make, code = HOSTILE[case]
    entry, data = intake(make(tmp_path))
    asset = entry.assets.get()
    assert entry.status == EntryStatus.FAILED
    assert asset.status == AssetStatus.FAILED
    assert asset.error_code == code
    assert asset.message and "Traceback" not in asset.message
    assert asset.original_name in entry.status_message
    assert not asset.renditions.exists()
    with storages["originals"].open(asset.original.storage_name) as fh:
        assert fh.read() == data


def test_a_polyglot_is_published_only_as_a_clean_reencoded_image(intake, tmp_path):
    entry, _ = intake(samples.jpeg_polyglot_html(tmp_path))
    asset = entry.assets.get()
    assert entry.status == EntryStatus.AWAITING_MODERATION
    for rendition in asset.renditions.all():
        with rendition.file.open("rb") as fh:
            published = fh.read()
        assert b"<script" not in published and b"<html" not in published.lower()
