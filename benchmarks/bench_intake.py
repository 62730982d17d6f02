"""`make bench-intake`: intake throughput for 12-megapixel JPEGs, and the near-duplicate lookup at
10k, 100k and 1M stored hashes beside a linear scan of the same table.

Runs against a throwaway SQLite database in a temporary folder (the embedded default), in one
process, so "per second" is per core. Prints a table; ratios matter more than absolute figures
on a shared machine.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def photo_like_jpeg(seed: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12 MP JPEG with photo-like entropy (smooth gradients plus sensor-like noise)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack(
        [
            128 + 100 * np.sin(x / (300 + 50 * c) + seed + c) * np.cos(y / (250 + 40 * c))
            for c in range(3)
        ],
        axis=-1,
    )
    base += rng.normal(0, 12, base.shape).astype(np.float32)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def setup_django(data_dir: Path) -> None:
    os.environ["CROWDSTUDIO_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdstudio.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def bench_media(images: list[bytes], work: Path) -> tuple[float, float]:
    """Seconds per image for the media library alone and for the whole intake service."""
    from crowdstudio.lib.media import MediaLimits, process_media

    limits = MediaLimits(allowed_kinds=frozenset({"image"}))
    paths = []
    for n, data in enumerate(images):
        p = work / f"in{n}.jpg"
        p.write_bytes(data)
        paths.append(p)
    process_media(paths[0], Path(tempfile.mkdtemp(dir=work)), limits)  # warm-up
    start = time.perf_counter()
    for p in paths:
        process_media(p, Path(tempfile.mkdtemp(dir=work)), limits)
    lib_time = (time.perf_counter() - start) / len(paths)
    return lib_time, _bench_service(images)


def _bench_service(images: list[bytes]) -> float:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from crowdstudio.accounts.models import Organisation, User
    from crowdstudio.campaigns import services as campaigns
    from crowdstudio.campaigns.services import Applicant, current_terms
    from crowdstudio.entries import services as entries

    org = Organisation.objects.create(name="Bench", slug="bench")
    owner = User.objects.create_user("bench-owner")
    campaign = campaigns.campaign_create(
        organisation=org, user=owner, title="Bench", kind="photo_video", accepted_kinds=["image"]
    )
    now = timezone.now()
    campaigns.round_add(
        campaign=campaign,
        user=owner,
        title="R",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
    )
    campaigns.terms_publish(campaign=campaign, user=owner, body="Terms")
    campaigns.campaign_transition(campaign=campaign, to_status="open", user=owner)
    terms = current_terms(campaign)
    assert terms is not None
    asset_ids = []
    for n, data in enumerate(images):
        author = User.objects.create_user(f"bench-fan-{n}")
        entry = entries.entry_submit(
            campaign=campaign,
            author=author,
            title=f"e{n}",
            description="",
            files=[SimpleUploadedFile(f"{n}.jpg", data, "image/jpeg")],
            terms_version_id=terms.id,
            accept_terms=True,
            applicant=Applicant(),
        )
        asset_ids.extend(entry.assets.values_list("id", flat=True))
    start = time.perf_counter()
    for asset_id in asset_ids:
        status = entries.intake_process_asset(asset_id=asset_id)
        assert status == "ready", status
    return (time.perf_counter() - start) / len(asset_ids)


def bench_lookup(
    sizes: list[int], queries: int, max_distance: int
) -> list[tuple[int, float, float, int]]:
    """(n, ms per indexed lookup, ms per linear scan, matches found) for each table size."""
    from django.db import connection

    from crowdstudio.accounts.models import Organisation
    from crowdstudio.campaigns.models import Campaign
    from crowdstudio.entries import neardup
    from crowdstudio.entries.services import find_near_duplicates

    org = Organisation.objects.create(name="Lookup", slug="lookup")
    rng = random.Random(42)
    rows_done = 0
    campaign = Campaign.objects.create(
        organisation=org,
        slug="lookup",
        title="Lookup",
        kind="photo_video",
        accepted_kinds=["image"],
    )
    hashes: list[int] = []
    results = []
    with connection.cursor() as cur:
        cur.execute("PRAGMA foreign_keys=OFF")  # synthetic asset ids: only the hash table matters
    for n in sizes:
        batch = []
        while rows_done < n:
            h = rng.getrandbits(64)
            hashes.append(h)
            b = neardup.bands(h)
            rows_done += 1
            batch.append((10_000_000 + rows_done, campaign.id, neardup.to_signed64(h), *b))
            if len(batch) >= 50_000 or rows_done == n:
                with connection.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO entries_perceptualhash (asset_id, campaign_id, value, band0,"
                        " band1, band2, band3) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        batch,
                    )
                batch = []
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        probes = []
        for _ in range(queries):  # half near an existing image, half brand new
            if rng.random() < 0.5:
                h = rng.choice(hashes)
                for bit in rng.sample(range(64), rng.randint(0, max_distance)):
                    h ^= 1 << bit
            else:
                h = rng.getrandbits(64)
            probes.append(h)
        start = time.perf_counter()
        found = 0
        for h in probes:
            found += len(
                find_near_duplicates(campaign_id=campaign.id, phash=h, max_distance=max_distance)
            )
        indexed = (time.perf_counter() - start) / len(probes) * 1000
        scans = probes[: max(3, queries // 10)]
        start = time.perf_counter()
        found_linear = 0
        from crowdstudio.entries.models import PerceptualHash

        for h in scans:
            rows = PerceptualHash.objects.filter(campaign_id=campaign.id).values_list(
                "asset_id", "value"
            )
            found_linear += len(neardup.linear_scan(h, rows, max_distance))
        linear = (time.perf_counter() - start) / len(scans) * 1000
        results.append((n, indexed, linear, found))
        print(
            f"  {n:>9,} hashes: indexed {indexed:8.2f} ms   linear scan {linear:9.1f} ms   "
            f"({linear / indexed:,.0f}x)",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=6)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--distance", type=int, default=6)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        work = Path(tmp)
        setup_django(work)
        print(f"generating {args.images} photo-like 12 MP JPEGs (4000x3000)…", flush=True)
        images = [photo_like_jpeg(seed) for seed in range(args.images)]
        mean_mb = sum(map(len, images)) / len(images) / 1e6
        lib_s, service_s = bench_media(images, work)
        print("\nintake, one process (= per core):")
        print(
            f"  media library (decode, validate, renditions, phash): {lib_s * 1000:7.0f} ms/image"
            f" = {1 / lib_s:5.2f} images/s"
        )
        print(
            f"  whole intake service (+ storage, database, near-dup): "
            f"{service_s * 1000:7.0f} ms/image"
            f" = {1 / service_s:5.2f} images/s   (mean file {mean_mb:.1f} MB)"
        )
        print(
            f"\nnear-duplicate lookup, distance ≤ {args.distance}, random 64-bit hashes, "
            f"{args.queries} queries per size (linear scan on a tenth of them):"
        )
        bench_lookup([int(s) for s in args.sizes.split(",")], args.queries, args.distance)


if __name__ == "__main__":
    main()
