"""Audience votes, tallies and vote integrity."""

from __future__ import annotations
