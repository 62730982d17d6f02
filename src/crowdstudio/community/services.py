"""Comments, reviews, follows and notifications: every write of the community app."""

from __future__ import annotations

from typing import Any


def notify_round_opened(*, round: Any) -> int:
    """Tell the campaign's followers that a round is open. Returns how many were told."""
    return 0


def notify_round_closed(*, round: Any) -> int:
    """Tell the campaign's followers and the round's entrants that a round has closed."""
    return 0


def notify_results_published(*, round: Any) -> int:
    """Tell the campaign's followers and the round's entrants that results are out."""
    return 0
