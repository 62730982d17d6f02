"""The director's edits of a montage plan: pure functions, no Django.

Every edit takes a `Plan` and returns a new one. The timing of the cut never moves: each slot
keeps its start and end (on whole frames, on the beats), the title card still ends and the end
credits still start where they did. What changes is which picture fills which slot. The one
exception is dropping a shot when no unused candidate is left: the slot disappears and its
neighbour takes its time (the previous shot runs on; for the first slot the next one starts
earlier), so the slots stay contiguous.

The end credits always derive from the shots: after any edit their contributor lines are
rebuilt as every contributor in the cut, in order of first appearance, after the leading lines
(artist, track) the plan had before them.

Candidates are the scored `Shot`s the plan was made from; `shot_to_data` / `shot_from_data`
turn them into JSON-safe dicts and back, ignoring fields this version does not know.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from .plan import Plan, PlannedShot, Shot, framing_for, retimed


class EditError(ValueError):
    """An edit that does not fit the plan (a slot out of range, a candidate already used)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- candidates as data -------------------------------------------------------------------------


def shot_to_data(shot: Shot) -> dict[str, Any]:
    return dataclasses.asdict(shot)


def shot_from_data(data: Mapping[str, Any]) -> Shot:
    """A `Shot` from `shot_to_data`'s output; unknown keys are ignored, lists become tuples."""
    known = {f.name for f in dataclasses.fields(Shot)}
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in data.items()
        if key in known
    }
    return Shot(**values)


# --- helpers ------------------------------------------------------------------------------------


def _check_slot(plan: Plan, slot: int) -> None:
    if not 0 <= slot < len(plan.shots):
        raise EditError("no_such_shot", f"There is no shot {slot + 1} in this plan.")


def used_assets(plan: Plan) -> set[int]:
    return {shot.asset_id for shot in plan.shots}


def unused_candidates(
    plan: Plan, candidates: Iterable[Shot], *, dropped: Collection[int] = ()
) -> list[Shot]:
    """Candidates neither in the plan nor dropped by the director, in their given order."""
    taken = used_assets(plan) | set(dropped)
    return [c for c in candidates if c.asset_id not in taken]


def fill(slot: PlannedShot, shot: Shot, sizes: Sequence[tuple[int, int]]) -> PlannedShot:
    """The slot (same times, same transition) showing `shot`, framed for every output size."""
    return dataclasses.replace(
        slot,
        entry_id=shot.entry_id,
        asset_id=shot.asset_id,
        contributor=shot.contributor,
        kind=shot.kind,
        framings=tuple(framing_for(shot, size, slot.end - slot.start) for size in sizes),
        source_start=0.0,
    )


def _contents(shot: PlannedShot) -> dict[str, Any]:
    return {
        "entry_id": shot.entry_id,
        "asset_id": shot.asset_id,
        "contributor": shot.contributor,
        "kind": shot.kind,
        "framings": shot.framings,
        "source_start": shot.source_start,
    }


def recredit(old: Plan, shots: Sequence[PlannedShot]) -> Plan:
    """`old` with `shots`, its end credits rebuilt from them (leading lines kept) and each
    shot's motion made for its slot's length (edits move pictures between slots of other
    lengths, and a dropped shot's neighbour takes its time)."""
    contributors = list(dict.fromkeys(s.contributor for s in old.shots))
    lines = list(old.end_credits.lines)
    tail = len(contributors)
    if tail and lines[-tail:] == contributors:
        lead = lines[:-tail]
    else:
        lead = [line for line in lines if line not in contributors]
    new_contributors = list(dict.fromkeys(s.contributor for s in shots))
    credits = dataclasses.replace(old.end_credits, lines=(*lead, *new_contributors))
    return dataclasses.replace(old, shots=tuple(retimed(s) for s in shots), end_credits=credits)


# --- the edits ----------------------------------------------------------------------------------


def drop_shot(
    plan: Plan,
    slot: int,
    candidates: Iterable[Shot],
    *,
    dropped: Collection[int] = (),
) -> Plan:
    """Take the shot's picture out of the cut, from every slot that shows it (a short list of
    candidates repeats): each such slot shows the next unused candidate, else the neighbouring
    shot takes its time. `dropped` are assets dropped before; the one dropped now is never
    its own replacement."""
    _check_slot(plan, slot)
    gone_asset = plan.shots[slot].asset_id
    spare = unused_candidates(plan, candidates, dropped={*dropped, gone_asset})
    shots = list(plan.shots)
    if not spare and all(s.asset_id == gone_asset for s in shots):
        raise EditError(
            "last_shot", "This picture is all the cut has left: swap it for another instead."
        )
    n = 0
    while n < len(shots):
        gone = shots[n]
        if gone.asset_id != gone_asset:
            n += 1
            continue
        if spare:
            shots[n] = fill(gone, spare.pop(0), plan.sizes)
            n += 1
            continue
        del shots[n]
        if n > 0:
            shots[n - 1] = dataclasses.replace(shots[n - 1], end=gone.end)
        else:
            shots[0] = dataclasses.replace(shots[0], start=gone.start)
    return recredit(plan, shots)


def move_shot(plan: Plan, slot: int, offset: int) -> Plan:
    """Swap the contents of two slots (`offset` -1 = earlier, +1 = later); times stay."""
    _check_slot(plan, slot)
    other = slot + offset
    if offset == 0 or not 0 <= other < len(plan.shots):
        raise EditError("cannot_move", "This shot cannot move further that way.")
    shots = list(plan.shots)
    a, b = shots[slot], shots[other]
    shots[slot] = dataclasses.replace(a, **_contents(b))
    shots[other] = dataclasses.replace(b, **_contents(a))
    return recredit(plan, shots)


def swap_shot(
    plan: Plan,
    slot: int,
    asset_id: int,
    candidates: Iterable[Shot],
    *,
    dropped: Collection[int] = (),
) -> Plan:
    """Show the unused candidate `asset_id` in the slot instead."""
    _check_slot(plan, slot)
    choice = next(
        (c for c in unused_candidates(plan, candidates, dropped=dropped) if c.asset_id == asset_id),
        None,
    )
    if choice is None:
        raise EditError(
            "not_a_candidate", "That picture is not available: it is already in the cut or gone."
        )
    shots = list(plan.shots)
    shots[slot] = fill(shots[slot], choice, plan.sizes)
    return recredit(plan, shots)


def apply_pins(plan: Plan, pins: Mapping[int, Shot]) -> Plan:
    """Put each pinned shot (slot -> shot) back in its slot, when the slot still exists.

    A pinned shot the plan already shows elsewhere trades places with the slot's content;
    otherwise it replaces it. Pins whose slot no longer exists are left out.
    """
    shots = list(plan.shots)
    for slot, shot in sorted(pins.items()):
        if not 0 <= slot < len(shots) or shots[slot].asset_id == shot.asset_id:
            continue
        elsewhere = next(
            (n for n, s in enumerate(shots) if s.asset_id == shot.asset_id and n not in pins),
            None,
        )
        if elsewhere is not None:
            a, b = shots[slot], shots[elsewhere]
            shots[slot] = dataclasses.replace(a, **_contents(b))
            shots[elsewhere] = dataclasses.replace(b, **_contents(a))
        else:
            shots[slot] = fill(shots[slot], shot, plan.sizes)
    return recredit(plan, shots)


def check_timing(plan: Plan) -> list[str]:
    """What is wrong with the plan's timing (empty when it is sound): slots contiguous from the
    title's end to the credits' start, every boundary on a whole frame."""
    problems = []
    fps = plan.fps
    edge = plan.title.end
    for n, shot in enumerate(plan.shots):
        if abs(shot.start - edge) > 1e-6:
            problems.append(f"shot {n + 1} starts at {shot.start}, not {edge}")
        if shot.end <= shot.start:
            problems.append(f"shot {n + 1} is empty")
        for t in (shot.start, shot.end):
            if abs(t * fps - round(t * fps)) > 1e-6:
                problems.append(f"shot {n + 1} has a cut off a whole frame ({t})")
        edge = shot.end
    if plan.shots and abs(edge - plan.end_credits.start) > 1e-6:
        problems.append(f"the last shot ends at {edge}, not at the credits")
    return problems
