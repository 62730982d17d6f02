"""Awards, payee details and the payout ledger."""

from __future__ import annotations
