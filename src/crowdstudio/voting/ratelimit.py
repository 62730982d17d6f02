"""Rate limits on voting, per account and per network, in the Django cache.

A sliding window approximated by two fixed buckets (the current and the previous one, the latter
weighted by how much of it still lies inside the window): cheap, one `incr` per check, and
without the double burst a plain fixed window allows at a bucket edge.

The counters live in the configured cache. The default local-memory cache is per process, so
with several web processes each one counts on its own and the effective limit is multiplied by
their number: configure a shared cache (Redis, or Django's database cache) for a global limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str
    count: int
    seconds: int


def account_limit() -> Limit:
    count, seconds = getattr(settings, "CROWDSTUDIO_VOTE_RATE_ACCOUNT", (30, 60))
    return Limit("account", int(count), int(seconds))


def network_limit() -> Limit:
    count, seconds = getattr(settings, "CROWDSTUDIO_VOTE_RATE_NETWORK", (120, 60))
    return Limit("network", int(count), int(seconds))


def hit(limit: Limit, key: str, now: datetime) -> int | None:
    """Count one attempt; None when within the limit, else seconds until one is free again."""
    if not key or limit.count <= 0:
        return None
    stamp = now.timestamp()
    bucket = int(stamp // limit.seconds)
    current_key = f"vote-rate:{limit.scope}:{key}:{bucket}"
    previous_key = f"vote-rate:{limit.scope}:{key}:{bucket - 1}"
    # add() is atomic on every backend: only the first attempt of a bucket creates it.
    cache.add(current_key, 0, timeout=limit.seconds * 2)
    try:
        current = cache.incr(current_key)
    except ValueError:  # evicted between add and incr
        cache.set(current_key, 1, timeout=limit.seconds * 2)
        current = 1
    previous = cache.get(previous_key, 0)
    elapsed = (stamp % limit.seconds) / limit.seconds
    weighted = current + previous * (1.0 - elapsed)
    if weighted <= limit.count:
        return None
    return max(1, int(limit.seconds - stamp % limit.seconds))
