"""Hashtag sources on social networks and the posts imported from them."""

from __future__ import annotations
