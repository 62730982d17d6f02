"""Credits and award splits derived from a screenplay's version lineage.

Pure, no Django: the caller passes the lineage as `VersionInfo`s (number, author, parents,
created) and, for a weighted split, the words each version changed (measured with
`diff.change_weight`), so this module stays cheap and testable.

Credits (`credits_for`)
    The scope is the credited version and all its ancestors (following every parent of a
    merge); without a credited version it is the whole lineage. The *original writer* is the
    author of the first version without parents (the lowest number) in scope, credited
    "Written by" with every version of theirs in scope. Every other author of a version in
    scope is credited "Revisions by", in order of their first version (version numbers are
    given in creation order). A reviser none of whose versions is in scope has no credit.

Award split rule (`award_split`)
    When an award goes to a version:

    1. If no one but the original writer authored a version in the credited version's ancestry,
       the writer receives the whole amount.
    2. Otherwise the original writer receives half (`WRITER_SHARE`, 50 %; a contest may set a
       larger share, never a smaller one) and the revisers of the ancestry share the rest in
       proportion to the words they changed: the sum, over their versions in the ancestry, of
       the words added + removed by that version relative to its parents (for a merge, relative
       to the closest parent). The writer's own later revisions do not enter the revisers' pool:
       their work is already the writer's share. If no weights are given, or every reviser's
       weight is zero, the revisers share equally.
    3. Amounts are in cents. Each reviser's share is rounded *down* to the cent; every cent
       left over goes to the original writer, so the shares always add up to the amount exactly
       and the writer never gets less than their share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

WRITER_SHARE = Decimal("0.5")
CENT = Decimal("0.01")


class LineageError(ValueError):
    """The lineage given is not a valid version history (unknown parent, cycle, …)."""


class CreditRole(StrEnum):
    WRITTEN_BY = "written_by"
    REVISIONS_BY = "revisions_by"


@dataclass(frozen=True)
class VersionInfo:
    number: int
    author_id: int
    author_name: str
    parents: tuple[int, ...] = ()
    created: datetime | None = None


@dataclass(frozen=True)
class Credit:
    role: CreditRole
    author_id: int
    author_name: str
    versions: tuple[int, ...]  # the version numbers they authored, in scope, ascending


@dataclass(frozen=True)
class Share:
    role: CreditRole
    author_id: int
    author_name: str
    amount: Decimal
    versions: tuple[int, ...]
    weight: int = 0  # words changed (revisers; 0 for the writer or an equal split)


def _index(versions: Iterable[VersionInfo]) -> dict[int, VersionInfo]:
    by_number: dict[int, VersionInfo] = {}
    for v in versions:
        if v.number in by_number:
            raise LineageError(f"version {v.number} is listed twice")
        by_number[v.number] = v
    if not by_number:
        raise LineageError("there are no versions")
    for v in by_number.values():
        for p in v.parents:
            if p not in by_number:
                raise LineageError(f"version {v.number} is based on unknown version {p}")
            if p == v.number:
                raise LineageError(f"version {v.number} is based on itself")
    return by_number


def ancestry(versions: Iterable[VersionInfo], version: int) -> set[int]:
    """The version and all its ancestors (every parent of a merge)."""
    by_number = _index(versions)
    return _ancestry(by_number, version)


def _ancestry(by_number: Mapping[int, VersionInfo], version: int) -> set[int]:
    if version not in by_number:
        raise LineageError(f"there is no version {version}")
    seen: set[int] = set()
    stack = [version]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(by_number[n].parents)
    return seen


def _check_acyclic(by_number: Mapping[int, VersionInfo]) -> None:
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(by_number):
        if state.get(start):
            continue
        stack: list[tuple[int, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            n, i = stack[-1]
            parents = by_number[n].parents
            if i < len(parents):
                stack[-1] = (n, i + 1)
                p = parents[i]
                if state.get(p) == 1:
                    raise LineageError(f"version {p} is its own ancestor")
                if not state.get(p):
                    state[p] = 1
                    stack.append((p, 0))
            else:
                state[n] = 2
                stack.pop()


def _writer(by_number: Mapping[int, VersionInfo], scope: set[int]) -> VersionInfo:
    # An acyclic, ancestor-closed scope always holds at least one version without parents.
    roots = [by_number[n] for n in scope if not by_number[n].parents]
    return min(roots, key=lambda v: v.number)


def _credits(by_number: Mapping[int, VersionInfo], scope: set[int]) -> tuple[Credit, list[Credit]]:
    writer = _writer(by_number, scope)
    writer_versions = tuple(sorted(n for n in scope if by_number[n].author_id == writer.author_id))
    revisers: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for n in sorted(scope):
        v = by_number[n]
        if v.author_id == writer.author_id:
            continue
        revisers.setdefault(v.author_id, []).append(n)
        names.setdefault(v.author_id, v.author_name)
    written = Credit(CreditRole.WRITTEN_BY, writer.author_id, writer.author_name, writer_versions)
    # dicts keep insertion order, and scope was walked in version order: first contribution.
    revised = [
        Credit(CreditRole.REVISIONS_BY, author, names[author], tuple(numbers))
        for author, numbers in revisers.items()
    ]
    return written, revised


def credits_for(versions: Sequence[VersionInfo], version: int | None = None) -> list[Credit]:
    """The credits of `version` (or, without one, of the whole lineage): the original writer
    first ("Written by"), then the revisers ("Revisions by") in order of first contribution."""
    by_number = _index(versions)
    _check_acyclic(by_number)
    scope = set(by_number) if version is None else _ancestry(by_number, version)
    written, revised = _credits(by_number, scope)
    return [written, *revised]


def award_split(
    versions: Sequence[VersionInfo],
    *,
    version: int,
    amount: Decimal,
    weights: Mapping[int, int] | None = None,
    writer_share: Decimal = WRITER_SHARE,
) -> list[Share]:
    """Split `amount` for an award to `version` (rule in the module docstring). `weights` maps a
    version number to the words it changed; it must cover every reviser's version in the
    ancestry when given. Shares come in credit order, the writer first."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("the amount must be a finite Decimal")
    if amount < 0:
        raise ValueError("the amount must not be negative")
    if amount != amount.quantize(CENT):
        raise ValueError("the amount must be in whole cents")
    if not (Decimal("0.5") <= writer_share <= 1):
        raise ValueError("the original writer's share must be between 50 % and 100 %")
    by_number = _index(versions)
    _check_acyclic(by_number)
    written, revised = _credits(by_number, _ancestry(by_number, version))
    if not revised:
        return [
            Share(written.role, written.author_id, written.author_name, amount, written.versions)
        ]

    reviser_weights: list[int] = []
    for credit in revised:
        total = 0
        for n in credit.versions:
            if weights is None:
                break
            if n not in weights:
                raise ValueError(f"no weight given for version {n}")
            if weights[n] < 0:
                raise ValueError(f"the weight of version {n} is negative")
            total += weights[n]
        reviser_weights.append(total)
    total_weight = sum(reviser_weights)
    cents = int(amount / CENT)
    pool = Decimal(cents) * (1 - writer_share)  # in cents, possibly fractional

    shares: list[Share] = []
    given = 0
    for credit, weight in zip(revised, reviser_weights, strict=True):
        if total_weight:
            part = pool * weight / total_weight
        else:
            part = pool / len(revised)
        share_cents = int(part.to_integral_value(rounding=ROUND_DOWN))
        given += share_cents
        shares.append(
            Share(
                credit.role,
                credit.author_id,
                credit.author_name,
                Decimal(share_cents) * CENT,
                credit.versions,
                weight if total_weight else 0,
            )
        )
    writer_amount = Decimal(cents - given) * CENT
    head = Share(
        written.role, written.author_id, written.author_name, writer_amount, written.versions
    )
    return [head, *shares]
