"""Near-duplicate lookup for 64-bit perceptual hashes via multi-index hashing.

A campaign may hold 100k–1M image hashes, so "every stored hash within Hamming
distance k of this one" cannot be a linear scan. We split each 64-bit hash into
``BANDS`` = 4 bands of 16 bits. By the pigeonhole principle, if two hashes differ
in at most k bits, at least one band differs in at most ``k // 4`` bits. So for
each band we enumerate the (few) 16-bit values within that radius of the query's
band, fetch the rows whose band column is one of them (an indexed ``IN`` lookup),
and verify the exact distance of those candidates. Nothing is missed: the result
equals a brute-force scan (the tests prove it against :func:`linear_scan`).

Storage conventions (shared with the model and its SQL lookup):

* ``hash`` is stored as a *signed* 64-bit BIGINT (:func:`to_signed64`), because
  neither SQLite nor PostgreSQL has an unsigned 64-bit integer.
* ``b0``..``b3`` are the *unsigned* 16-bit bands (0..65535) of the unsigned hash,
  band 0 = bits 0–15 (lowest), band 3 = bits 48–63 (:func:`bands`). Note that
  65535 does not fit a PostgreSQL ``smallint`` (max 32767), so the band columns
  must be ``integer`` (Django ``IntegerField``/``PositiveIntegerField``).
* A lookup is ``campaign_id = %s AND (b0 IN p0 OR b1 IN p1 OR b2 IN p2 OR
  b3 IN p3)`` with ``p0..p3`` from :func:`probe_plan`, each index being
  ``(campaign_id, b_i)``; the rows are then filtered by :func:`near_matches`.

Probe sizes per band: radius 0 → 1 value (k 0–3), 1 → 17 (k 4–7),
2 → 137 (k 8–11), 3 → 697 (k 12–15). On uniformly random hashes the expected
candidate fraction is about ``4 * probes / 65536`` of the campaign (≈0.1 % for
k=6, ≈0.8 % for k=8); real perceptual hashes cluster, so expect more.

Everything here is pure Python with no Django imports so it can be unit-tested
and benchmarked in isolation.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from functools import lru_cache
from itertools import combinations
from typing import Any, Generic, Protocol, TypeVar

__all__ = [
    "BANDS",
    "BAND_BITS",
    "BAND_MASK",
    "HASH_BITS",
    "MultiIndex",
    "band_probe_values",
    "band_radius",
    "bands",
    "hamming",
    "linear_scan",
    "near_matches",
    "probe_plan",
    "to_signed64",
    "to_unsigned64",
]

HASH_BITS = 64
BANDS = 4
BAND_BITS = HASH_BITS // BANDS
BAND_MASK = (1 << BAND_BITS) - 1
MASK64 = (1 << HASH_BITS) - 1
_SIGN_BIT = 1 << (HASH_BITS - 1)
_MIN_SIGNED = -_SIGN_BIT
_MAX_UNSIGNED = MASK64


class _Key(Hashable, Protocol):
    """A result key: hashable (for de-duplication) and orderable (for stable output)."""

    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Key)


def to_signed64(h: int) -> int:
    """Map an unsigned 64-bit hash to the signed value stored in a BIGINT column."""
    if not 0 <= h <= _MAX_UNSIGNED:
        raise ValueError(f"not an unsigned 64-bit integer: {h}")
    return h - (1 << HASH_BITS) if h & _SIGN_BIT else h


def to_unsigned64(h: int) -> int:
    """Map a signed BIGINT value read from the database back to the unsigned hash."""
    if not _MIN_SIGNED <= h < _SIGN_BIT:
        raise ValueError(f"not a signed 64-bit integer: {h}")
    return h & MASK64


def _as_unsigned(h: int) -> int:
    """Accept either representation (signed from the DB, unsigned from imagehash)."""
    if not _MIN_SIGNED <= h <= _MAX_UNSIGNED:
        raise ValueError(f"not a 64-bit integer: {h}")
    return h & MASK64


def bands(h: int) -> tuple[int, int, int, int]:
    """Split a hash into its four unsigned 16-bit bands, band 0 = lowest 16 bits.

    Signed input is accepted and gives the same bands as its unsigned form, so a
    value read back from the BIGINT column can be re-banded safely.
    """
    u = _as_unsigned(h)
    return (
        u & BAND_MASK,
        (u >> BAND_BITS) & BAND_MASK,
        (u >> (2 * BAND_BITS)) & BAND_MASK,
        (u >> (3 * BAND_BITS)) & BAND_MASK,
    )


@lru_cache(maxsize=BAND_BITS + 1)
def _flip_masks(radius: int) -> tuple[int, ...]:
    """All 16-bit masks with at most ``radius`` bits set (cached: reused per lookup)."""
    masks = [0]
    for n in range(1, min(radius, BAND_BITS) + 1):
        for positions in combinations(range(BAND_BITS), n):
            mask = 0
            for p in positions:
                mask |= 1 << p
            masks.append(mask)
    return tuple(masks)


def band_probe_values(value: int, radius: int) -> list[int]:
    """All 16-bit values within Hamming ``radius`` of ``value``, sorted ascending.

    ``value`` itself is included (at its sorted position). Sorting keeps the
    generated SQL deterministic; sizes are 1, 17, 137, 697 for radius 0–3.
    """
    if not 0 <= value <= BAND_MASK:
        raise ValueError(f"not a 16-bit band value: {value}")
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    return sorted(value ^ mask for mask in _flip_masks(min(radius, BAND_BITS)))


def band_radius(max_distance: int) -> int:
    """Per-band search radius guaranteed by pigeonhole: ``max_distance // BANDS``."""
    if max_distance < 0:
        raise ValueError(f"max_distance must be >= 0, got {max_distance}")
    return max_distance // BANDS


def probe_plan(h: int, max_distance: int) -> list[list[int]]:
    """For each band (0..3), the band values whose rows may lie within ``max_distance``.

    A row is a candidate iff ``b_i in plan[i]`` for at least one ``i``.
    """
    r = band_radius(max_distance)
    return [band_probe_values(b, r) for b in bands(h)]


def hamming(a: int, b: int) -> int:
    """Number of differing bits of two hashes, each given signed or unsigned."""
    return ((a ^ b) & MASK64).bit_count()


def near_matches(
    query: int, candidates: Iterable[tuple[K, int]], max_distance: int
) -> list[tuple[K, int]]:
    """Exactly verify candidate ``(key, hash)`` rows: ``(key, distance)`` within range.

    Sorted by distance then key. Repeated keys are collapsed (first one wins), so
    the caller may simply concatenate per-band query results.
    """
    if max_distance < 0:
        raise ValueError(f"max_distance must be >= 0, got {max_distance}")
    q = _as_unsigned(query)
    seen: set[K] = set()
    out: list[tuple[K, int]] = []
    for key, h in candidates:
        if key in seen:
            continue
        seen.add(key)
        d = hamming(q, h)
        if d <= max_distance:
            out.append((key, d))
    out.sort(key=lambda kd: (kd[1], kd[0]))
    return out


def linear_scan(
    query: int, items: Iterable[tuple[K, int]], max_distance: int
) -> list[tuple[K, int]]:
    """Brute-force reference: check every item (no index, no de-duplication).

    Deliberately computed differently from :func:`hamming` so tests comparing the
    two are not just checking a function against itself.
    """
    q = _as_unsigned(query)
    out = [
        (key, d) for key, h in items if (d := bin(q ^ _as_unsigned(h)).count("1")) <= max_distance
    ]
    out.sort(key=lambda kd: (kd[1], kd[0]))
    return out


class MultiIndex(Generic[K]):
    """In-memory version of the SQL scheme: per band, band value → keys.

    Serves as the executable specification of the lookup (tests compare it with
    :func:`linear_scan`) and as the baseline in the benchmark.
    """

    def __init__(self) -> None:
        self._hashes: dict[K, int] = {}
        self._tables: list[dict[int, list[K]]] = [{} for _ in range(BANDS)]

    def __len__(self) -> int:
        return len(self._hashes)

    def add(self, key: K, h: int) -> None:
        """Index ``h`` under ``key``; keys are unique, like primary keys."""
        if key in self._hashes:
            raise ValueError(f"duplicate key: {key!r}")
        u = _as_unsigned(h)
        self._hashes[key] = u
        for table, value in zip(self._tables, bands(u), strict=True):
            table.setdefault(value, []).append(key)

    def candidates(self, h: int, max_distance: int) -> set[K]:
        """Distinct keys hit by the probes: the rows a SQL lookup would fetch."""
        found: set[K] = set()
        for table, probes in zip(self._tables, probe_plan(h, max_distance), strict=True):
            for value in probes:
                keys = table.get(value)
                if keys:
                    found.update(keys)
        return found

    def query(self, h: int, max_distance: int) -> list[tuple[K, int]]:
        """All ``(key, distance)`` within ``max_distance``, sorted by distance then key."""
        hashes = self._hashes
        return near_matches(
            h, ((key, hashes[key]) for key in self.candidates(h, max_distance)), max_distance
        )
