"""Comments, reviews, follows and notifications."""

from __future__ import annotations
