"""Hashtag sources and imports: every write of the social app."""

from __future__ import annotations

from datetime import datetime


def sources_poll_due(*, now: datetime | None = None) -> int:
    """Enqueue a poll for every source whose next poll is due; returns how many."""
    return 0


def reply_post(*, entry: object, text: str) -> object | None:
    """Reply publicly to the post an entry was imported from; None where the network does not
    allow replies (Instagram) or the entry was not imported."""
    return None
