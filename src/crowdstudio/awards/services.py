"""Awards, payee details and payouts: every write of the awards app."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def award_confirm(*, prize: Any, entry: Any, user: Any, now: datetime | None = None) -> Any:
    """Confirm `entry` as the winner of `prize`; creates the payout obligation and ledger lines."""
    raise NotImplementedError
