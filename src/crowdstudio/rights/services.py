"""Rights to use entries: every write of the rights app."""

from __future__ import annotations

from datetime import datetime


def requests_expire_due(*, now: datetime | None = None) -> int:
    """Move rights requests whose deadline passed to "expired"; returns how many."""
    return 0
