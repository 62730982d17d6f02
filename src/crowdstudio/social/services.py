"""Hashtag sources and imports: every write of the social app."""

from __future__ import annotations

from datetime import datetime


def sources_poll_due(*, now: datetime | None = None) -> int:
    """Enqueue a poll for every source whose next poll is due; returns how many."""
    return 0
