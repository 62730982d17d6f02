"""A small world for the Director's tests: a generated click track, a few generated photos
stored as intake leaves them (original + web and thumb renditions), tiny output sizes.

The fixtures are imported by the other test_director_* / test_services / test_views modules.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image, ImageDraw

from crowdstudio.entries.models import Asset, Entry, OriginalFile, Rendition, Track
from crowdstudio.lib.storage import store_original

TINY_SIZES = {"landscape": (64, 36), "vertical": (36, 64), "square": (48, 48)}
COLOURS = [(200, 40, 40), (40, 160, 60), (40, 70, 200), (220, 190, 40), (150, 60, 170)]


def click_track_wav(seconds: float = 4.0, bpm: float = 120.0, rate: int = 22050) -> bytes:
    """Mono 16-bit WAV: a short 1 kHz click on every beat."""
    n = int(seconds * rate)
    samples = np.zeros(n, dtype=np.float32)
    period = 60.0 / bpm
    click = np.sin(2 * np.pi * 1000 * np.arange(int(0.02 * rate)) / rate) * 0.8
    t = 0.0
    while t < seconds:
        start = int(t * rate)
        end = min(n, start + len(click))
        samples[start:end] += click[: end - start]
        t += period
    out = io.BytesIO()
    with wave.open(out, "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def photo(colour: tuple[int, int, int], size: tuple[int, int] = (160, 120), seed: int = 0) -> bytes:
    """A picture with its own random layout of blocks (distinct perceptual hashes)."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = int(rng.integers(0, size[0] - 20)), int(rng.integers(0, size[1] - 20))
        w, h = int(rng.integers(10, size[0] // 2)), int(rng.integers(10, size[1] // 2))
        shade = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.rectangle((x, y, x + w, y + h), fill=shade)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _original(data: bytes) -> OriginalFile:
    stored = store_original(io.BytesIO(data))
    found, _ = OriginalFile.objects.get_or_create(
        sha256=stored.sha256,
        defaults={"size": stored.size, "storage_name": stored.name, "detected_type": ""},
    )
    return found


def make_track(campaign, user, *, seconds: float = 8.0) -> Track:
    return Track.objects.create(
        campaign=campaign,
        title="Click",
        artist="Metronome",
        original=_original(click_track_wav(seconds)),
        original_name="click.wav",
        audio="r/click.m4a",
        duration=seconds,
        mime="audio/wav",
        uploaded_by=user,
        created_at=timezone.now(),
    )


def add_photo(entry: Entry, colour: tuple[int, int, int], size=(160, 120), seed=None) -> Asset:
    data = photo(colour, size, seed=entry.pk if seed is None else seed)
    asset = Asset.objects.create(
        entry=entry,
        original=_original(data),
        original_name="photo.jpg",
        uploaded_by=entry.author,
        uploaded_at=timezone.now(),
        status="ready",
        kind="image",
        mime="image/jpeg",
        width=size[0],
        height=size[1],
    )
    default = storages["default"]
    for role in ("web", "thumb"):
        name = default.save(f"r/{asset.pk}-{role}.jpg", ContentFile(data))
        Rendition.objects.create(
            asset=asset,
            role=role,
            file=name,
            content_type="image/jpeg",
            width=size[0],
            height=size[1],
        )
    return asset


@dataclass
class Studio:
    campaign: object
    track: Track
    entries: list[Entry]
    assets: list[Asset]


@pytest.fixture(name="tiny_sizes")
def tiny_sizes_fixture(settings):
    settings.CROWDSTUDIO_MONTAGE_SIZES = TINY_SIZES
    return TINY_SIZES


@pytest.fixture(name="studio")
def studio_fixture(personas, open_campaign, approved_entry, make_user, tiny_sizes) -> Studio:
    """Three contributors with one photo each (erin, fan1, fan2) and an 8 s click track."""
    authors = [personas["entrant"], make_user("fan1"), make_user("fan2")]
    entries, assets = [], []
    for n, author in enumerate(authors):
        entry = approved_entry(author, title=f"Photo {n + 1}")
        entries.append(entry)
        assets.append(add_photo(entry, COLOURS[n]))
    track = make_track(open_campaign, personas["producer"])
    return Studio(campaign=open_campaign, track=track, entries=entries, assets=assets)


def test_the_click_track_is_a_readable_wav():
    with wave.open(io.BytesIO(click_track_wav(1.0)), "rb") as fh:
        assert fh.getnframes() == 22050


def ready_montage(studio: Studio, user, *, seed: int = 1):
    """A montage with a plan made at once from the studio's photos on a synthetic beat grid
    (no worker, no audio analysis): for tests of pages and permissions."""
    from crowdstudio.studio import selectors, services
    from crowdstudio.studio.models import Montage
    from crowdstudio.studio.montage.edit import shot_to_data
    from crowdstudio.studio.montage.plan import BeatGrid
    from crowdstudio.studio.montage.sources import montage_candidates

    now = timezone.now()
    montage = Montage.objects.create(
        campaign=studio.campaign,
        track=studio.track,
        title="Summer cut",
        seed=seed,
        fps=25,
        plan={},
        plan_revision=1,
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    candidates = montage_candidates(studio.campaign)
    beats = tuple(0.5 * k for k in range(16))
    grid = BeatGrid(beats=beats, duration=8.0, energy=(0.9,) * len(beats))
    made = services.make_plan(montage, candidates, grid)
    montage.plan = {
        "state": selectors.READY,
        "edl": selectors.plan_data(made),
        "candidates": [shot_to_data(c) for c in candidates],
    }
    montage.save(update_fields=["plan"])
    return montage


def done_render(montage, user, shape: str = "landscape"):
    """A finished render with a (fake) stored video, for download tests."""
    from crowdstudio.studio.models import MontageRender, RenderStatus

    name = storages["works"].save("montages/xx/test.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    now = timezone.now()
    return MontageRender.objects.create(
        montage=montage,
        shape=shape,
        width=64,
        height=36,
        plan=montage.plan["edl"],
        plan_revision=montage.plan_revision,
        status=RenderStatus.DONE,
        stage="done",
        percent=100,
        output_name=name,
        output_size=16,
        requested_by=user,
        created_at=now,
        finished_at=now,
    )
