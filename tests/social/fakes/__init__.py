"""Local fake servers for the social connectors (see docs/social-networks.md, "Testing").

with FakeMastodon(posts=100) as fake:
    connector = MastodonConnector(instance=fake.base_url, access_token=fake.token)
    fake.add_post(text="…", media=0); fake.fail_next("rate_limit"); fake.delete_post(3)
"""

from __future__ import annotations

from crowdstudio.social.connectors.base import Connector, Post

from ._server import JPEG, FakePost, FakeServer, Recorded, Reply
from .bluesky import FakeBluesky
from .instagram import FakeInstagram
from .mastodon import FakeMastodon


def drain(
    connector: Connector, tag: str, cursor: str = "", *, max_pages: int = 100_000
) -> tuple[list[Post], str]:
    """Fetch pages until the connector says nothing more is ready; returns posts and cursor."""
    posts: list[Post] = []
    for _ in range(max_pages):
        page = connector.fetch_hashtag(tag, cursor)
        posts.extend(page.posts)
        cursor = page.cursor
        if not page.more:
            return posts, cursor
    raise AssertionError("the connector never finished")


__all__ = [
    "JPEG",
    "FakeBluesky",
    "FakeInstagram",
    "FakeMastodon",
    "FakePost",
    "FakeServer",
    "Recorded",
    "Reply",
    "drain",
]
