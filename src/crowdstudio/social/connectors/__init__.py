"""Social network connectors: one small module per network behind the interface in base.py.

- `mastodon.MastodonConnector` — an instance's public tag timeline, Link-header paging, replies.
- `bluesky.BlueskyConnector` — post search through an app-password session, replies.
- `instagram.InstagramConnector` — Graph API hashtag search (30 tags / 7 days, 24 h window,
  no usernames, no replies).

Connectors are plain Python (no Django): they take their configuration as keyword arguments,
return `Post`/`Page` data and raise the typed errors of base.py. The importer stores the opaque
`Page.cursor` after importing a page and passes it back next time.

How to add a connector:
1. Create `<network>.py` with a class that has `network`, `can_reply` and the four methods of
   `base.Connector` (`fetch_hashtag`, `fetch_post`, `download`, `reply`). Use `_http.Transport`
   for requests (timeouts, size limits, no redirects with credentials) and the shape helpers
   (`obj`, `arr`, `text`, `parse_time`) so that any answer of the wrong shape raises
   `BadResponse`; map 429 to `RateLimited(retry_after=…)`, 5xx and network failures to
   `Unavailable`, refused tokens to `NotAuthorised`.
2. Design the cursor so that a stored cursor resumes without gaps or repeats when new posts
   arrive, and document it in the module docstring.
3. Register it in `CONNECTORS` below and add the network to `entries.models.EntrySource`.
4. Add a fake server in `tests/social/fakes/` serving the documented shapes, and tests in
   `tests/social/test_connectors_<network>.py` (paging, resume, 429, 500, malformed JSON,
   deleted post, no media, media size limit).
5. Describe configuration and limits in docs/social-networks.md.
"""

from __future__ import annotations

from typing import Any

from .base import (
    BadResponse,
    Connector,
    ConnectorError,
    Media,
    NotAuthorised,
    Page,
    Post,
    RateLimited,
    Unavailable,
)
from .bluesky import BlueskyConnector
from .instagram import InstagramConnector, QuotaExceeded
from .mastodon import MastodonConnector

CONNECTORS: dict[str, type[Any]] = {
    "mastodon": MastodonConnector,
    "bluesky": BlueskyConnector,
    "instagram": InstagramConnector,
}


def connector_for(network: str, **config: Any) -> Connector:
    """A connector for `network` built from its keyword configuration (see each class)."""
    try:
        cls = CONNECTORS[network]
    except KeyError:
        raise ValueError(f"no connector for network {network!r}") from None
    connector: Connector = cls(**config)
    return connector


__all__ = [
    "CONNECTORS",
    "BadResponse",
    "BlueskyConnector",
    "Connector",
    "ConnectorError",
    "InstagramConnector",
    "MastodonConnector",
    "Media",
    "NotAuthorised",
    "Page",
    "Post",
    "QuotaExceeded",
    "RateLimited",
    "Unavailable",
    "connector_for",
]
