"""Reads for the montage: the campaign's usable pictures and clips as plan `Shot`s.

Entries come from the rights gate only (`crowdstudio.rights.selectors.usable_entries`):
approved, rights granted, required releases present. A withdrawn entry is therefore never a
candidate, and so never in a plan made from the candidates nor in its credits.

Near-duplicates are dropped here (unless `drop_duplicates=False`): two candidates are the same
picture when intake linked them (entries.NearDuplicate) or their stored perceptual hashes
(entries.PerceptualHash) are within the campaign's near-duplicate distance; of each pair the
better-scored one stays (`shots.drop_near_duplicates`: quality, then resolution, then the
earlier entry). Each candidate carries its hash, so after `shots.score_candidates` the caller
can run `drop_near_duplicates` again with measured quality.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries import neardup
from crowdstudio.entries.models import Asset, AssetStatus, Entry, EntrySource, NearDuplicate
from crowdstudio.rights.selectors import usable_entries
from crowdstudio.social.models import ImportedPost
from crowdstudio.studio.montage.plan import Shot
from crowdstudio.studio.montage.shots import drop_near_duplicates

SHOT_KINDS = ("image", "video")
# Renditions whose size stands in for the asset's when intake did not store one.
_SIZE_ROLES = ("web", "video", "poster", "thumb")


def credit_name(entry: Entry, imported: ImportedPost | None = None) -> str:
    """The name the credits show: the author's public name; for a post imported from a social
    network whose author has not claimed it (still authored by the placeholder user), the
    handle it was posted under."""
    if entry.source != EntrySource.UPLOAD:
        identity = imported.author if imported is not None else None
        if identity is not None:
            if identity.user_id == entry.author_id and identity.handle:
                return identity.handle
        elif not entry.author.is_active:
            # No import row (an entry made by the rights app alone): the placeholder author
            # is inactive, and the rights record remembers the handle of the post.
            record = getattr(entry, "rights_record", None)
            if record is not None and record.post_author_handle:
                return str(record.post_author_handle)
    return str(entry.author.public_name)


def _size(asset: Asset) -> tuple[int, int] | None:
    if asset.width and asset.height:
        return asset.width, asset.height
    for role in _SIZE_ROLES:
        rendition = asset.rendition(role)
        if rendition is not None and rendition.width and rendition.height:
            return rendition.width, rendition.height
    for rendition in asset.renditions.all():
        if rendition.width and rendition.height:
            return rendition.width, rendition.height
    return None


def montage_candidates(campaign: Campaign, *, drop_duplicates: bool = True) -> list[Shot]:
    """Every ready image or video asset of the campaign's usable entries, oldest entry first,
    near-duplicates dropped (see the module's doc)."""
    entries = list(
        usable_entries(campaign)
        .select_related("author", "rights_record")
        .prefetch_related(
            Prefetch(
                "assets",
                queryset=Asset.objects.filter(status=AssetStatus.READY, kind__in=SHOT_KINDS)
                .select_related("phash")
                .prefetch_related("renditions"),
            )
        )
        .order_by("created_at", "id")
    )
    imported = {
        post.entry_id: post
        for post in ImportedPost.objects.filter(
            entry__in=[e.pk for e in entries if e.source != EntrySource.UPLOAD]
        ).select_related("author")
    }
    shots: list[Shot] = []
    for entry in entries:
        name = credit_name(entry, imported.get(entry.pk))
        for asset in entry.assets.all():
            size = _size(asset)
            if size is None:
                continue  # nothing known to frame it with
            stored = getattr(asset, "phash", None)
            shots.append(
                Shot(
                    entry_id=entry.pk,
                    asset_id=asset.pk,
                    contributor=name,
                    kind=asset.kind,
                    width=size[0],
                    height=size[1],
                    phash=neardup.to_unsigned64(stored.value) if stored is not None else None,
                    taken_at=entry.created_at.timestamp(),
                    duration=float(asset.duration or 0.0),
                )
            )
    if not drop_duplicates or len(shots) < 2:
        return shots
    ids = {s.asset_id for s in shots}
    pairs = [
        (a, b)
        for a, b in NearDuplicate.objects.filter(asset__entry__campaign=campaign).values_list(
            "asset_id", "other_id"
        )
        if a in ids and b in ids
    ]
    distance = int(getattr(settings, "CROWDSTUDIO_NEAR_DUPLICATE_DISTANCE", 6))
    return drop_near_duplicates(shots, max_distance=distance, pairs=pairs)
