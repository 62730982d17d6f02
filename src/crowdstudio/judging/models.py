"""Juries, scorecards and results."""

from __future__ import annotations
