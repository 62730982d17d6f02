"""What every social network connector offers the importer, in plain data (no Django).

A connector fetches pages of public posts that carry a hashtag, resuming from an opaque cursor
it chose itself, downloads a post's media with a size limit, and, where the network allows it,
posts a reply. Errors are typed so the importer can back off (`RateLimited`, `Unavailable`) or
skip a broken item (`BadResponse`) without losing its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    kind: str  # "image" | "video" | "audio" | "other"
    mime: str = ""
    width: int | None = None
    height: int | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    network: str  # "mastodon" | "bluesky" | "instagram"
    id: str  # stable id on the network (Mastodon status id, Bluesky at:// URI, Instagram media id)
    url: str  # the public web address of the post
    author_id: str  # stable account id (Mastodon account id, Bluesky DID, "" on Instagram)
    author_handle: str  # e.g. "@fan@mastodon.social", "fan.bsky.social"; "" when not returned
    text: str  # plain text (HTML stripped)
    created_at: datetime  # aware, UTC
    edited_at: datetime | None = None
    in_reply_to_id: str | None = None
    in_reply_to_author_id: str | None = None
    hashtags: tuple[str, ...] = ()  # lower-case, without "#"
    media: tuple[Media, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the snapshot


@dataclass(frozen=True, slots=True)
class Page:
    posts: tuple[Post, ...]
    cursor: str  # what to pass next time to continue from here (store it after importing)
    more: bool  # True when another page is ready right now (keep going in this poll)
    skipped: int = 0  # items on this page that did not have the documented shape (left out)


class ConnectorError(Exception):
    """The network refused or failed; `retryable` says whether trying later may help."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(ConnectorError):
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds, from Retry-After or the network's reset header


class Unavailable(ConnectorError):
    """5xx, timeouts, connection errors."""

    retryable = True


class BadResponse(ConnectorError):
    """Malformed JSON or an answer that does not have the documented shape."""


class NotAuthorised(ConnectorError):
    """The token is missing, expired or lacks the permission."""


class Connector(Protocol):
    network: str
    can_reply: bool

    def fetch_hashtag(self, tag: str, cursor: str) -> Page:
        """One page of posts with `tag` (no "#"), continuing from `cursor` ("" = start)."""

    def fetch_post(self, post_id: str) -> Post | None:
        """The post as it is now, or None when it was deleted."""

    def download(self, media: Media, *, max_bytes: int) -> bytes:
        """The media file's bytes; raises ConnectorError beyond `max_bytes`."""

    def reply(self, *, to: Post, text: str, idempotency_key: str = "") -> Post:
        """Post a public reply (only when `can_reply`). Pass the same `idempotency_key` when
        retrying the same reply; networks that support it (Mastodon) then post it once."""
