"""A screenplay as the ordered speech segments of a table read. Pure: no Django, no audio.

What is read, and by whom:
- the narrator reads the title page's title and author, scene headings (with "INT."/"EXT."
  spelled out), action, centered text and transitions;
- each character's dialogue and lyrics are read by that character's voice; the character cue
  itself is not read (the change of voice says who speaks) and dual dialogue is read left
  speaker first, then right;
- parentheticals are skipped: they direct the actor ("(beat)", "(whispering)"), and a narrator
  breaking into every speech to read them makes the read hard to follow;
- sections, synopses, notes and page breaks are the writer's structure: skipped.

Every scene heading starts a chapter; anything before the first heading (title, a cold open)
is chapter 0, titled "Opening".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crowdstudio.screenplays.elements import Element, ElementType, Screenplay
from crowdstudio.screenplays.inline import spans

NARRATOR = "NARRATOR"

_SCENE_PREFIXES = (
    (
        re.compile(r"^(INT\.?\s*/\s*EXT\.?|INT/EXT\.?|I/E\.?)\s+", re.IGNORECASE),
        "Interior, exterior. ",
    ),
    (re.compile(r"^(EXT\.?\s*/\s*INT\.?|EXT/INT\.?)\s+", re.IGNORECASE), "Exterior, interior. "),
    (re.compile(r"^INT\.?\s+", re.IGNORECASE), "Interior. "),
    (re.compile(r"^EXT\.?\s+", re.IGNORECASE), "Exterior. "),
    (re.compile(r"^EST\.?\s+", re.IGNORECASE), "Establishing. "),
)


@dataclass(frozen=True)
class Segment:
    speaker: str  # a character name (casting key) or NARRATOR
    text: str  # plain text to speak
    scene: int  # index into the chapter list
    kind: str  # the element type it came from ("scene_heading", "dialogue", "title", ...)


@dataclass(frozen=True)
class Chapter:
    title: str


@dataclass(frozen=True)
class ReadingScript:
    segments: tuple[Segment, ...]
    chapters: tuple[Chapter, ...]

    def speakers(self) -> list[str]:
        """Speaking characters (not the narrator), in order of first line."""
        seen: dict[str, None] = {}
        for segment in self.segments:
            if segment.speaker != NARRATOR:
                seen.setdefault(segment.speaker, None)
        return list(seen)

    def line_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for segment in self.segments:
            counts[segment.speaker] = counts.get(segment.speaker, 0) + 1
        return counts


def plain(text: str) -> str:
    """Emphasis marks removed, lines joined, whitespace collapsed."""
    flat = "".join(span.text for span in spans(text))
    return " ".join(flat.split())


def character_key(name: str) -> str:
    """The casting key of a character cue: upper case, spaces collapsed, no extension."""
    return " ".join(name.split()).upper()


def spoken_heading(text: str) -> str:
    heading = plain(text)
    if heading.isupper():
        heading = heading.lower()
    for pattern, spoken in _SCENE_PREFIXES:
        if pattern.match(heading):
            heading = pattern.sub(spoken, heading, count=1)
            break
    # "KITCHEN - NIGHT" → "KITCHEN. NIGHT", so the voice pauses before the time of day.
    return re.sub(r"\s+[-–—]+\s+", ". ", heading)


def _narrated(element: Element) -> str:
    if element.type == ElementType.SCENE_HEADING:
        return spoken_heading(element.text)
    if element.type == ElementType.TRANSITION:
        return plain(element.text).capitalize()
    return plain(element.text)


def reading_script(screenplay: Screenplay) -> ReadingScript:
    segments: list[Segment] = []
    chapters: list[Chapter] = []
    speaker: str | None = None

    def scene() -> int:
        if not chapters:
            chapters.append(Chapter("Opening"))
        return len(chapters) - 1

    title = plain(screenplay.title())
    if title:
        authors = [plain(f.value) for f in screenplay.title_page if f.key.lower() == "author"]
        text = f"{title}. Written by {' and '.join(authors)}." if authors else f"{title}."
        segments.append(Segment(NARRATOR, text, scene(), "title"))

    for element in screenplay.elements:
        kind = element.type
        if kind == ElementType.CHARACTER:
            speaker = character_key(element.text)
            continue
        if kind in (ElementType.DIALOGUE, ElementType.LYRICS) and speaker is not None:
            text = plain(element.text)
            if text:
                segments.append(Segment(speaker, text, scene(), str(kind)))
            continue
        if kind == ElementType.PARENTHETICAL:
            continue
        speaker = None
        if kind == ElementType.SCENE_HEADING:
            chapters.append(Chapter(plain(element.text) or f"Scene {len(chapters) + 1}"))
        if kind in (
            ElementType.SCENE_HEADING,
            ElementType.ACTION,
            ElementType.TRANSITION,
            ElementType.CENTERED,
            ElementType.LYRICS,
        ):
            text = _narrated(element)
            if text:
                segments.append(Segment(NARRATOR, text, scene(), str(kind)))
    return ReadingScript(segments=tuple(segments), chapters=tuple(chapters))
