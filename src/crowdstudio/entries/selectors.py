from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from crowdstudio.campaigns.models import Campaign, Round, RoundAdvancement
from crowdstudio.entries.models import Asset, Entry, EntryStatus, NearDuplicate, Rendition


def with_media(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return entries.select_related("campaign", "author").prefetch_related(
        Prefetch(
            "assets",
            queryset=Asset.objects.select_related("original")
            .order_by("position", "id")
            .prefetch_related(Prefetch("renditions", queryset=Rendition.objects.all())),
        )
    )


def gallery(campaign: Campaign) -> QuerySet[Entry]:
    """Approved entries whose rights allow public display (crowdstudio.rights decides)."""
    from crowdstudio.rights.selectors import publicly_displayable

    approved = campaign.entries.filter(status=EntryStatus.APPROVED)
    return with_media(publicly_displayable(approved, campaign)).order_by("-moderated_at", "-id")


def round_entries(round: Round) -> QuerySet[Entry]:
    """The approved entries competing in a round: those submitted during it, and those advanced
    into it from the round before (staged contests)."""
    advanced = RoundAdvancement.objects.filter(round=round, entry=OuterRef("pk"))
    return Entry.objects.filter(
        Q(round=round) | Exists(advanced),
        campaign_id=round.campaign_id,
        status=EntryStatus.APPROVED,
    )


def entry_in_round(entry: Entry, round: Round) -> bool:
    return round_entries(round).filter(pk=entry.pk).exists()


def entries_of(user: Any) -> QuerySet[Entry]:
    return with_media(Entry.objects.filter(author=user)).order_by("-created_at", "-id")


def entry_detail(pk: int) -> Entry | None:
    return with_media(Entry.objects.filter(pk=pk)).first()


def moderation_queue(
    campaign: Campaign,
    *,
    status: str = "",
    kind: str = "",
    flagged: bool = False,
    query: str = "",
) -> QuerySet[Entry]:
    entries = campaign.entries.all()
    if status:
        entries = entries.filter(status=status)
    if kind:
        entries = entries.filter(assets__kind=kind).distinct()
    if query:
        entries = entries.filter(
            Q(title__icontains=query)
            | Q(author__username__icontains=query)
            | Q(author__display_name__icontains=query)
        )
    entries = entries.annotate(
        has_near_duplicates=Exists(NearDuplicate.objects.filter(asset__entry=OuterRef("pk")))
    )
    if flagged:
        entries = entries.filter(has_near_duplicates=True)
    return with_media(entries).order_by("created_at", "id")


def moderation_counts(campaign: Campaign) -> list[tuple[str, str, int]]:
    """(status, label, number of entries) for every status, in the order of the workflow."""
    rows = campaign.entries.values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(status, str(label), counts.get(status, 0)) for status, label in EntryStatus.choices]


def near_duplicate_group(entry: Entry) -> list[tuple[NearDuplicate, Entry]]:
    """Entries whose images look like this entry's, closest first."""
    pairs = (
        NearDuplicate.objects.filter(asset__entry=entry)
        .select_related("other__entry__author", "asset")
        .prefetch_related("asset__renditions", "other__renditions")
        .order_by("distance", "other_id")
    )
    others = {p.other.entry_id for p in pairs}
    loaded = {e.id: e for e in with_media(Entry.objects.filter(pk__in=others))}
    return [(pair, loaded[pair.other.entry_id]) for pair in pairs if pair.other.entry_id in loaded]
