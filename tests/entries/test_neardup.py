"""Tests for multi-index near-duplicate lookup: it must equal brute force, cheaply."""

from __future__ import annotations

import random

import pytest

from crowdstudio.entries.neardup import (
    BANDS,
    MultiIndex,
    band_probe_values,
    bands,
    hamming,
    linear_scan,
    near_matches,
    probe_plan,
    to_signed64,
    to_unsigned64,
)

TOP = 1 << 63
MAX_U64 = (1 << 64) - 1


def _flip(h: int, positions: list[int]) -> int:
    for p in positions:
        h ^= 1 << p
    return h


def _flip_per_band(h: int, counts: list[int], rng: random.Random) -> int:
    """Flip ``counts[i]`` distinct random bits inside band ``i``."""
    for band, n in enumerate(counts):
        h = _flip(h, [band * 16 + p for p in rng.sample(range(16), n)])
    return h


def _even_spread(d: int, rotation: int) -> list[int]:
    """Per-band flip counts as balanced as possible: the pigeonhole worst case."""
    counts = [d // BANDS + (1 if i < d % BANDS else 0) for i in range(BANDS)]
    return counts[rotation:] + counts[:rotation]


# --- representation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("unsigned", "signed"),
    [(0, 0), (1, 1), (TOP - 1, TOP - 1), (TOP, -TOP), (MAX_U64, -1), (TOP + 5, -TOP + 5)],
)
def test_signed_unsigned_known_values(unsigned: int, signed: int) -> None:
    assert to_signed64(unsigned) == signed
    assert to_unsigned64(signed) == unsigned


def test_signed_unsigned_round_trip_random() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        h = rng.getrandbits(64) | (TOP if rng.random() < 0.5 else 0)
        s = to_signed64(h)
        assert -TOP <= s < TOP
        assert (s < 0) == bool(h & TOP)
        assert to_unsigned64(s) == h


@pytest.mark.parametrize("bad", [-1, MAX_U64 + 1])
def test_to_signed_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        to_signed64(bad)


@pytest.mark.parametrize("bad", [-TOP - 1, TOP])
def test_to_unsigned_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        to_unsigned64(bad)


def test_bands_reassemble_and_band0_is_lowest() -> None:
    assert bands(0x0123_4567_89AB_CDEF) == (0xCDEF, 0x89AB, 0x4567, 0x0123)
    rng = random.Random(2)
    for _ in range(2000):
        h = rng.getrandbits(64)
        bs = bands(h)
        assert all(0 <= b <= 0xFFFF for b in bs)
        assert sum(b << (16 * i) for i, b in enumerate(bs)) == h
        assert bands(to_signed64(h)) == bs


def test_bands_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        bands(MAX_U64 + 1)


# --- probes ---------------------------------------------------------------------


@pytest.mark.parametrize(("radius", "count"), [(0, 1), (1, 17), (2, 137), (3, 697), (16, 65536)])
def test_band_probe_values(radius: int, count: int) -> None:
    for value in (0, 0xFFFF, 0x8001, 0x1234):
        probes = band_probe_values(value, radius)
        assert len(probes) == count
        assert probes == sorted(set(probes))
        assert value in probes
        assert all(0 <= p <= 0xFFFF and (p ^ value).bit_count() <= radius for p in probes)


def test_band_probe_values_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        band_probe_values(0x10000, 1)
    with pytest.raises(ValueError):
        band_probe_values(1, -1)


@pytest.mark.parametrize(("k", "per_band"), [(0, 1), (3, 1), (4, 17), (6, 17), (7, 17), (8, 137)])
def test_probe_plan_sizes(k: int, per_band: int) -> None:
    h = 0xDEAD_BEEF_0BAD_F00D
    plan = probe_plan(h, k)
    assert [len(p) for p in plan] == [per_band] * BANDS
    assert all(b in p for b, p in zip(bands(h), plan, strict=True))
    with pytest.raises(ValueError):
        probe_plan(h, -1)


# --- distance and verification --------------------------------------------------


def test_hamming_signed_and_unsigned() -> None:
    h = TOP | 0b1011
    assert hamming(h, to_signed64(h)) == 0
    assert hamming(to_signed64(h), 0) == 4
    assert hamming(-1, 0) == 64
    assert hamming(MAX_U64, to_signed64(0)) == 64
    assert hamming(h, h ^ 0b110) == 2


def test_near_matches_filters_sorts_and_dedupes() -> None:
    q = 0
    rows = [(5, 0b111), (3, 0b1), (9, to_signed64(TOP)), (1, 0b1111), (3, 0b1), (2, 0)]
    assert near_matches(q, rows, 3) == [(2, 0), (3, 1), (9, 1), (5, 3)]
    assert near_matches(q, rows, 0) == [(2, 0)]
    with pytest.raises(ValueError):
        near_matches(q, rows, -1)


# --- equality with brute force ---------------------------------------------------


def _build_corpus(seed: int) -> tuple[list[int], list[tuple[int, int]]]:
    """Random hashes plus near-duplicates of the queries at distances 0..12.

    Flip patterns: uniform random bits, as-even-as-possible across bands (every
    rotation; the pigeonhole edge where the best band has exactly k // 4 flips),
    all flips in one band, and flips in three bands leaving one untouched.
    """
    rng = random.Random(seed)
    queries = [rng.getrandbits(64) for _ in range(24)]
    hashes = [rng.getrandbits(64) for _ in range(4000)]
    for q in queries:
        for d in range(13):
            hashes.append(_flip(q, rng.sample(range(64), d)))
            for rot in range(BANDS):
                hashes.append(_flip_per_band(q, _even_spread(d, rot), rng))
            one = [0] * BANDS
            one[rng.randrange(BANDS)] = min(d, 16)
            hashes.append(_flip_per_band(q, one, rng))
            three = [d // 3 + (1 if i < d % 3 else 0) for i in range(3)]
            skip = rng.randrange(BANDS)
            hashes.append(_flip_per_band(q, [*three[:skip], 0, *three[skip:]], rng))
    items = [(key, to_signed64(h) if key % 2 else h) for key, h in enumerate(hashes)]
    return queries, items


def test_multi_index_equals_linear_scan() -> None:
    queries, items = _build_corpus(seed=3)
    index: MultiIndex[int] = MultiIndex()
    for key, h in items:
        index.add(key, h)
    assert len(index) == len(items)
    planted_hits = 0
    for k in range(11):
        for q in queries:
            expected = linear_scan(q, items, k)
            assert index.query(q, k) == expected, (k, q)
            assert index.query(to_signed64(q), k) == expected
            planted_hits += len(expected)
            # Every even-spread near-duplicate at distance exactly k was found.
            assert sum(1 for _, d in expected if d == k) >= BANDS
    assert planted_hits > 11 * 24 * 6


def test_pigeonhole_edge_is_a_candidate() -> None:
    """k=7 with flips (2, 2, 2, 1): only band 3 (one flip, radius 1) can find it."""
    rng = random.Random(4)
    q = rng.getrandbits(64)
    near = _flip_per_band(q, [2, 2, 2, 1], rng)
    index: MultiIndex[str] = MultiIndex()
    index.add("near", near)
    assert index.candidates(q, 7) == {"near"}
    assert index.query(q, 7) == [("near", 7)]
    assert index.query(q, 6) == []
    # Distance 8 spread (2, 2, 2, 2) is out of reach of k=7 and correctly absent.
    far = _flip_per_band(q, [2, 2, 2, 2], rng)
    index.add("far", far)
    assert index.candidates(q, 7) == {"near"}
    assert index.query(q, 8) == [("near", 7), ("far", 8)]


def test_duplicate_key_rejected() -> None:
    index: MultiIndex[int] = MultiIndex()
    index.add(1, 0)
    with pytest.raises(ValueError):
        index.add(1, 5)


# --- cost -------------------------------------------------------------------------


def test_candidates_far_below_n_at_100k() -> None:
    rng = random.Random(5)
    n = 100_000
    items = [(i, rng.getrandbits(64)) for i in range(n)]
    index: MultiIndex[int] = MultiIndex()
    for key, h in items:
        index.add(key, h)
    queries = [rng.getrandbits(64) for _ in range(50)]
    for k, limit in ((6, 0.02), (8, 0.02)):
        total = sum(len(index.candidates(q, k)) for q in queries)
        assert total / len(queries) < limit * n, (k, total / len(queries))
    for q in queries[:2]:
        assert index.query(q, 8) == linear_scan(q, items, 8)
