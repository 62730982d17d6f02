"""Reads for the montage: the campaign's usable pictures and clips as plan `Shot`s.

Entries come from the rights gate only (`crowdstudio.rights.selectors.usable_entries`):
approved, rights granted, required releases present. A withdrawn entry is therefore never a
candidate, and so never in a plan made from the candidates nor in its credits.
"""

from __future__ import annotations

from django.db.models import Prefetch

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Asset, AssetStatus, Entry, EntrySource
from crowdstudio.rights.selectors import usable_entries
from crowdstudio.social.models import ImportedPost
from crowdstudio.studio.montage.plan import Shot

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


def montage_candidates(campaign: Campaign) -> list[Shot]:
    """Every ready image or video asset of the campaign's usable entries, oldest entry first."""
    entries = list(
        usable_entries(campaign)
        .select_related("author", "rights_record")
        .prefetch_related(
            Prefetch(
                "assets",
                queryset=Asset.objects.filter(
                    status=AssetStatus.READY, kind__in=SHOT_KINDS
                ).prefetch_related("renditions"),
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
            shots.append(
                Shot(
                    entry_id=entry.pk,
                    asset_id=asset.pk,
                    contributor=name,
                    kind=asset.kind,
                    width=size[0],
                    height=size[1],
                )
            )
    return shots
