"""An in-memory connector implementing the Connector protocol, for importer tests.

Posts are kept newest-last; the cursor is the index of the next post to return, so pages of
`page_size` walk forward through what has been "posted". Scripted failures (`fail_next`) are
raised by the next fetch, and per-media failures by `download`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count

from crowdstudio.social.connectors.base import ConnectorError, Media, Page, Post

_ids = count(1)


class MemoryConnector:
    def __init__(self, network: str = "mastodon", *, page_size: int = 3, can_reply: bool = True):
        self.network = network
        self.can_reply = can_reply
        self.page_size = page_size
        self.posts: dict[str, list[Post]] = {}  # per hashtag
        self.blobs: dict[str, bytes] = {}
        self.fail_next: list[ConnectorError] = []
        self.media_errors: dict[str, ConnectorError] = {}
        self.fetches: list[tuple[str, str]] = []
        self.replies: list[tuple[Post, str]] = []
        self.downloads = 0
        self.on_fetch: Callable[[str, str], None] | None = None

    def add(
        self,
        tag: str = "summernights",
        *,
        post_id: str | None = None,
        author_id: str = "101",
        handle: str = "@fan@example.social",
        text: str = "My summer night #summernights",
        media: bytes | None = b"",
        kind: str = "image",
        created_at: datetime | None = None,
        in_reply_to_id: str | None = None,
        hashtags: tuple[str, ...] | None = None,
    ) -> Post:
        """Add a post; `media=None` makes one without media, b"" a small fake image."""
        number = next(_ids)
        post_id = post_id or f"p{number}"
        medias: tuple[Media, ...] = ()
        if media is not None:
            url = f"https://files.example/{post_id}.jpg"
            self.blobs[url] = media or f"fake-image-{post_id}".encode()
            medias = (Media(url=url, kind=kind, mime="image/jpeg"),)
        post = Post(
            network=self.network,
            id=post_id,
            url=f"https://example.social/@fan/{post_id}",
            author_id=author_id,
            author_handle=handle,
            text=text,
            created_at=created_at
            or datetime(2026, 11, 20, 12, 0, tzinfo=UTC) + timedelta(minutes=number),
            in_reply_to_id=in_reply_to_id,
            hashtags=hashtags if hashtags is not None else (tag,),
            media=medias,
            raw={"id": post_id},
        )
        self.posts.setdefault(tag, []).append(post)
        return post

    # --- the Connector protocol ---

    def fetch_hashtag(self, tag: str, cursor: str) -> Page:
        self.fetches.append((tag, cursor))
        if self.on_fetch is not None:
            self.on_fetch(tag, cursor)
        if self.fail_next:
            raise self.fail_next.pop(0)
        posts = self.posts.get(tag, [])
        start = int(cursor or 0)
        chunk = posts[start : start + self.page_size]
        end = start + len(chunk)
        return Page(posts=tuple(chunk), cursor=str(end), more=end < len(posts))

    def fetch_post(self, post_id: str) -> Post | None:
        for posts in self.posts.values():
            for post in posts:
                if post.id == post_id:
                    return post
        return None

    def download(self, media: Media, *, max_bytes: int) -> bytes:
        self.downloads += 1
        if media.url in self.media_errors:
            raise self.media_errors[media.url]
        data = self.blobs[media.url]
        if len(data) > max_bytes:
            raise ConnectorError(f"larger than {max_bytes} bytes")
        return data

    def reply(self, *, to: Post, text: str) -> Post:
        self.replies.append((to, text))
        return Post(
            network=self.network,
            id=f"r{next(_ids)}",
            url="https://example.social/@studio/reply",
            author_id="studio",
            author_handle="@studio@example.social",
            text=text,
            created_at=datetime(2026, 11, 24, tzinfo=UTC),
            in_reply_to_id=to.id,
        )
