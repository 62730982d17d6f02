"""Reads of the social app: sources, imported posts and what the pages show about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from crowdstudio.campaigns.models import Campaign
from crowdstudio.social.models import HashtagSource, ImportedPost, Network
from crowdstudio.social.services import HashtagQuota, instagram_quota


def campaign_sources(campaign: Campaign) -> QuerySet[HashtagSource]:
    return HashtagSource.objects.filter(campaign=campaign).order_by("network", "hashtag", "id")


def campaign_posts(campaign: Campaign) -> QuerySet[ImportedPost]:
    """The campaign's imported and skipped posts, newest first, with each entry's rights record."""
    return (
        ImportedPost.objects.filter(campaign=campaign)
        .select_related("author", "entry__rights_record", "source")
        .order_by("-imported_at", "-id")
    )


@dataclass
class SourceRow:
    source: HashtagSource
    quota: HashtagQuota | None  # Instagram only: the account's hashtags this week


def source_rows(campaign: Campaign, *, now: datetime | None = None) -> list[SourceRow]:
    now = now or timezone.now()
    quotas: dict[str, HashtagQuota] = {}
    rows = []
    for source in campaign_sources(campaign):
        quota = None
        if source.network == Network.INSTAGRAM:
            if source.account not in quotas:
                quotas[source.account] = instagram_quota(account=source.account, now=now)
            quota = quotas[source.account]
        rows.append(SourceRow(source, quota))
    return rows
