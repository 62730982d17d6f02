"""Reads of the voting app."""

from __future__ import annotations

from crowdstudio.campaigns.models import Round


def audience_scores(round: Round) -> dict[int, float]:
    """entry id → the audience's ranking score in this round, from counted votes only.

    Empty when the round has no audience vote.
    """
    return {}
