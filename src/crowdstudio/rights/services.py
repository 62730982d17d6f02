"""Rights to use entries: every write of the rights app."""

from __future__ import annotations

from datetime import datetime


def requests_expire_due(*, now: datetime | None = None) -> int:
    """Move rights requests whose deadline passed to "expired"; returns how many."""
    return 0


def rights_open_import(*, entry: object, post: object) -> object:
    """An imported entry starts as "awaiting rights"."""
    raise NotImplementedError


def consent_replies_seen(*, campaign: object, network: str, posts: list[object]) -> int:
    """Check polled posts for consent replies (consent hashtag, in reply to an entry's post, by
    its author); record evidence and grant. Returns how many entries were granted."""
    return 0
