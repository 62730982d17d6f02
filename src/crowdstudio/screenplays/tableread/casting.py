"""Casting: a voice for the narrator and a distinct voice for every speaking character. Pure.

The suggestion is deterministic: the narrator gets the engine's first voice; characters are
ordered by number of lines (most first, ties by name) and take the remaining voices in the
engine's order, which puts the most distinct voices first, so the leads sound most unlike each
other. With more characters than voices the list starts again (never with the narrator's
voice); the page lets the writer change any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crowdstudio.lib.speech.base import Voice
from crowdstudio.screenplays.tableread.script import NARRATOR

Casting = dict[str, str]


class CastingError(ValueError):
    pass


def suggest(line_counts: Mapping[str, int], voices: Sequence[Voice]) -> Casting:
    """NARRATOR → voice id, character → voice id. `line_counts` may include NARRATOR."""
    if not voices:
        raise CastingError("the speech engine offers no voices")
    narrator = voices[0].id
    pool = [v.id for v in voices[1:]] or [narrator]
    characters = sorted(
        (name for name in line_counts if name != NARRATOR),
        key=lambda name: (-line_counts[name], name),
    )
    casting: Casting = {NARRATOR: narrator}
    for index, name in enumerate(characters):
        casting[name] = pool[index % len(pool)]
    return casting


def validate(
    casting: Mapping[str, str], *, characters: Sequence[str], voices: Sequence[Voice]
) -> Casting:
    """A complete casting for exactly these characters and the narrator, or CastingError."""
    known = {v.id for v in voices}
    expected = {NARRATOR, *characters}
    missing = sorted(expected - set(casting))
    if missing:
        raise CastingError(f"no voice for: {', '.join(missing)}")
    unknown = sorted(set(casting) - expected)
    if unknown:
        raise CastingError(f"not a character of this version: {', '.join(unknown)}")
    for name, voice_id in casting.items():
        if voice_id not in known:
            raise CastingError(f"unknown voice for {name}")
    return {name: casting[name] for name in [NARRATOR, *characters]}
