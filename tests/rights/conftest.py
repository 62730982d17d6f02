"""Helpers for the rights tests: imported entries with their post, fake polled posts, a fake
social side (replies, re-fetching, identity claims)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.rights import services, social_bridge
from crowdstudio.social.connectors.base import Post

AUTHOR_ID = "109001"
T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def post(
    post_id: str = "200",
    *,
    network: str = "mastodon",
    author_id: str = AUTHOR_ID,
    text: str = "#YesCrowdstudio happy to help",
    in_reply_to_id: str | None = "100",
    hashtags: tuple[str, ...] = ("yescrowdstudio",),
    edited_at: datetime | None = None,
) -> Post:
    return Post(
        network=network,
        id=post_id,
        url=f"https://social.example/@fan/{post_id}",
        author_id=author_id,
        author_handle="@fan@social.example",
        text=text,
        created_at=T0,
        edited_at=edited_at,
        in_reply_to_id=in_reply_to_id,
        in_reply_to_author_id=AUTHOR_ID if in_reply_to_id else None,
        hashtags=hashtags,
        raw={"id": post_id},
    )


@dataclass
class FakeSocial:
    """Stands in for the social app: records replies, answers re-fetches, claims identities."""

    replies: list[tuple[int, str]] = field(default_factory=list)
    can_reply: bool = True
    live: dict[str, Post | None] = field(default_factory=dict)  # re-fetch answers by post id
    claims: list[tuple[int, int]] = field(default_factory=list)

    def reply(self, *, entry: Any, text: str) -> Post | None:
        if not self.can_reply or entry.source == "instagram":
            return None
        self.replies.append((entry.pk, text))
        return replace(post(f"r{len(self.replies)}", in_reply_to_id=None), text=text)

    def refetch(self, *, campaign: Any, network: str, post_id: str) -> Any:
        if post_id in self.live:
            return self.live[post_id]
        return social_bridge.UNAVAILABLE

    def claim(self, *, entry: Any, user: Any, now: datetime) -> bool:
        self.claims.append((entry.pk, user.pk))
        Entry.objects.filter(author_id=entry.author_id).update(author=user)
        return True


@pytest.fixture
def fake_social(monkeypatch) -> FakeSocial:
    fake = FakeSocial()
    monkeypatch.setattr(social_bridge, "reply", fake.reply)
    monkeypatch.setattr(social_bridge, "refetch", fake.refetch)
    monkeypatch.setattr(social_bridge, "claim", fake.claim)
    return fake


@pytest.fixture
def imported_entry(open_campaign, make_user):
    """imported_entry(post_id="100", network="mastodon"): an approved entry imported from a
    post, authored by a placeholder user, with its rights record awaiting rights."""
    counter = {"n": 0}

    def make(
        post_id: str = "100",
        *,
        network: str = "mastodon",
        author_id: str = AUTHOR_ID,
        status: str = EntryStatus.APPROVED,
    ) -> Entry:
        counter["n"] += 1
        placeholder = make_user(f"ph{counter['n']}-{post_id}", is_active=False)
        now = timezone.now()
        entry = Entry.objects.create(
            campaign=open_campaign,
            round=open_campaign.rounds.order_by("number").first(),
            author=placeholder,
            title=f"Post {post_id}",
            status=status,
            source=network,
            source_url=f"https://social.example/@fan/{post_id}",
            created_at=now,
            moderated_at=now,
        )
        original = Post(
            network=network,
            id=post_id,
            url=entry.source_url,
            author_id="" if network == "instagram" else author_id,
            author_handle="" if network == "instagram" else "@fan@social.example",
            text="#nightshots my photo",
            created_at=T0,
        )
        services.rights_open_import(entry=entry, post=original)
        return entry

    return make
