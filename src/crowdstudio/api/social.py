"""API routes of the social app: a campaign's hashtag sources and the posts imported from them.

For the organising team only. Credentials are write-only: accepted when a source is created,
answered only as `has_credentials`.
"""

# No `from __future__ import annotations`: ninja reads the handlers' annotations at import time.

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from crowdstudio.accounts.permissions import Capability
from crowdstudio.api.auth import acting_user
from crowdstudio.api.pagination import BoundedPageNumberPagination
from crowdstudio.api.schemas import responses
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.rights.selectors import policy_for
from crowdstudio.social import selectors, services
from crowdstudio.social.models import HashtagSource, ImportedPost, Network

router = Router(tags=["social"])


class SourceIn(Schema):
    network: Literal["mastodon", "bluesky", "instagram"]
    hashtag: str = Field(max_length=101, description="With or without the leading `#`.")
    instance: str = Field("", max_length=200, description="Mastodon only: the server's URL.")
    account: str = Field(
        "", max_length=200, description="Bluesky: the signing-in handle. Instagram: account id."
    )
    secret: str = Field(
        "",
        max_length=2000,
        description="Write-only: the token or app password, stored encrypted, never answered.",
    )
    since: datetime | None = Field(None, description="Ignore posts older than this.")
    poll_interval_seconds: int | None = Field(
        None, ge=60, le=86400, description="Default 900; Instagram at most 3600."
    )


class SourceOut(Schema):
    id: int
    network: str
    hashtag: str
    instance: str
    account: str
    has_credentials: bool
    consent_hashtag: str = Field(description="The campaign's, from its rights policy.")
    status: str
    last_error: str
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    poll_interval_seconds: int
    posts_seen: int
    posts_imported: int
    posts_skipped: int
    posts_already_imported: int
    instagram_hashtags_left: int | None = Field(
        None, description="Instagram only: hashtags the account may still search this week."
    )


class ImportedPostOut(Schema):
    id: int
    network: str
    post_id: str
    url: str
    author_handle: str
    author_claimed: bool
    text: str
    created_at: datetime
    imported_at: datetime
    outcome: str = Field(description="`imported` or `skipped`.")
    skip_reason: str = Field(description="`no_media`, `media_not_accepted`, `media_failed`.")
    entry_id: int | None
    entry_status: str | None


def _source_out(source: HashtagSource, left: int | None = None) -> dict[str, Any]:
    return {
        "id": source.pk,
        "network": source.network,
        "hashtag": source.hashtag,
        "instance": source.instance,
        "account": source.account,
        "has_credentials": source.has_credentials,
        "consent_hashtag": policy_for(source.campaign).hashtag,
        "status": source.status,
        "last_error": source.last_error,
        "last_polled_at": source.last_polled_at,
        "next_poll_at": source.next_poll_at,
        "poll_interval_seconds": source.poll_interval_seconds,
        "posts_seen": source.posts_seen,
        "posts_imported": source.posts_imported,
        "posts_skipped": source.posts_skipped,
        "posts_already_imported": source.posts_already_imported,
        "instagram_hashtags_left": left,
    }


def _post_out(post: ImportedPost) -> dict[str, Any]:
    return {
        "id": post.pk,
        "network": post.network,
        "post_id": post.post_id,
        "url": post.url,
        "author_handle": post.author.handle if post.author else "",
        "author_claimed": bool(post.author and post.author.claimed_by_id),
        "text": post.text,
        "created_at": post.created_at,
        "imported_at": post.imported_at,
        "outcome": post.outcome,
        "skip_reason": post.skip_reason,
        "entry_id": post.entry_id,
        "entry_status": post.entry.status if post.entry else None,
    }


@router.get(
    "/campaigns/{slug}/social/sources",
    response=responses({200: list[SourceOut]}),
    summary="A campaign's hashtag sources with their poll status",
)
def social_sources_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    campaign = get_campaign_for_user(acting_user(request), slug, Capability.VIEW_BACKOFFICE)
    return [
        _source_out(row.source, row.quota.left if row.quota else None)
        for row in selectors.source_rows(campaign)
    ]


@router.post(
    "/campaigns/{slug}/social/sources",
    response=responses({201: SourceOut}),
    summary="Connect a hashtag to a campaign",
    description="The secret is write-only. 409 `already_connected` when the campaign already "
    "has this hashtag on this network (and instance); 400 with `invalid_hashtag`, "
    "`instance_required`, `account_required` or `secret_required` for incomplete input.",
)
def social_source_create(request: HttpRequest, slug: str, payload: SourceIn) -> Status:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.EDIT_CAMPAIGN)
    source = services.source_connect(campaign=campaign, user=user, **payload.model_dump())
    left = None
    if source.network == Network.INSTAGRAM:
        left = services.instagram_quota(account=source.account).left
    return Status(201, _source_out(source, left))


@router.get(
    "/campaigns/{slug}/social/posts",
    response=responses({200: list[ImportedPostOut]}),
    summary="The posts a campaign's hashtags brought in, imported or skipped",
)
@paginate(BoundedPageNumberPagination, page_size=50)
def social_posts_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    campaign = get_campaign_for_user(acting_user(request), slug, Capability.VIEW_BACKOFFICE)
    return [_post_out(post) for post in selectors.campaign_posts(campaign)]
