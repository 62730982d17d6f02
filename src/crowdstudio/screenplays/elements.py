"""The screenplay document model: what every format is read into and written from.

Pure data, no Django. A `Screenplay` is its title page plus a flat list of `Element`s in reading
order. Conventions every module relies on:

- `Element.text` is the element's visible text with Fountain's *inline* markup kept (emphasis
  `*italic*`, `**bold**`, `***bold italic***`, `_underline_`, backslash escapes such as `\\*`),
  so emphasis survives a round trip; `inline.spans(text)` turns it into styled runs. Forcing
  marks (`.`, `!`, `@`, `>`, `<`, `~`, `^`, `#`, `=`) are *not* part of the text; `forced` says
  one was used. Several lines (action, dialogue, lyrics) are joined with "\\n".
- Notes `[[ ]]` inside an element are removed from its text and kept, in order, in `notes`; a
  paragraph that is only a note becomes an element of type NOTE. Boneyard `/* */` is dropped
  entirely (hidden, never shown), so it never reaches any output.
- `line` is the 1-based line of the source where the element starts (for error messages and
  for anchoring review comments).
- A character element carries the name without its extension in `text` and the extension(s)
  such as "(V.O.)" or "(CONT'D)" in `extension`; `dual` is "left" for the first speaker of a
  dual-dialogue pair and "right" for the one marked with `^`; the dialogue and parentheticals
  that follow a character belong to that speaker until the next non-dialogue element.
- Scene headings carry the scene number from `#1A#` in `scene_number` (without the #s).
- Sections carry their depth (number of #) in `depth`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any


class ElementType(StrEnum):
    TITLE_PAGE = "title_page"  # only in JSON output: the title page as the first element
    SCENE_HEADING = "scene_heading"
    ACTION = "action"
    CHARACTER = "character"
    PARENTHETICAL = "parenthetical"
    DIALOGUE = "dialogue"
    TRANSITION = "transition"
    CENTERED = "centered"
    LYRICS = "lyrics"
    PAGE_BREAK = "page_break"
    SECTION = "section"
    SYNOPSIS = "synopsis"
    NOTE = "note"


#: Elements that belong to a speech (they follow a CHARACTER).
SPEECH_TYPES = frozenset(
    {ElementType.CHARACTER, ElementType.PARENTHETICAL, ElementType.DIALOGUE, ElementType.LYRICS}
)
#: Elements that are never printed on the page (they are the writer's structure and notes).
UNPRINTED_TYPES = frozenset({ElementType.SECTION, ElementType.SYNOPSIS, ElementType.NOTE})


@dataclass(frozen=True)
class TitleField:
    """One title-page key ("Title", "Credit", "Author", "Source", "Draft date", "Contact", …)
    with its value; multi-line values keep their lines joined by "\\n"."""

    key: str
    value: str


@dataclass(frozen=True)
class Element:
    type: ElementType
    text: str
    line: int = 0
    forced: bool = False
    scene_number: str | None = None
    extension: str = ""
    dual: str | None = None  # "left" | "right" on character elements of dual dialogue
    depth: int = 0  # sections
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: always `type` and `text`, other fields only when set."""
        data: dict[str, Any] = {"type": str(self.type), "text": self.text}
        if self.line:
            data["line"] = self.line
        if self.forced:
            data["forced"] = True
        if self.scene_number is not None:
            data["scene_number"] = self.scene_number
        if self.extension:
            data["extension"] = self.extension
        if self.dual is not None:
            data["dual"] = self.dual
        if self.depth:
            data["depth"] = self.depth
        if self.notes:
            data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Element:
        return cls(
            type=ElementType(data["type"]),
            text=str(data.get("text", "")),
            line=int(data.get("line", 0)),
            forced=bool(data.get("forced", False)),
            scene_number=data.get("scene_number"),
            extension=str(data.get("extension", "")),
            dual=data.get("dual"),
            depth=int(data.get("depth", 0)),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )

    def without_position(self) -> Element:
        """The same element with `line` cleared: what round-trip comparisons look at."""
        return replace(self, line=0)


@dataclass(frozen=True)
class Screenplay:
    title_page: tuple[TitleField, ...] = ()
    elements: tuple[Element, ...] = field(default_factory=tuple)

    def title(self) -> str:
        for f in self.title_page:
            if f.key.lower() == "title":
                return f.value
        return ""

    def to_json_list(self) -> list[dict[str, Any]]:
        """The CLI's `--format json` shape: a title_page element first (when there is one)
        with its `fields`, then every element."""
        out: list[dict[str, Any]] = []
        if self.title_page:
            out.append(
                {
                    "type": str(ElementType.TITLE_PAGE),
                    "text": "",
                    "fields": [asdict(f) for f in self.title_page],
                }
            )
        out.extend(e.to_dict() for e in self.elements)
        return out

    @classmethod
    def from_json_list(cls, data: list[dict[str, Any]]) -> Screenplay:
        title: tuple[TitleField, ...] = ()
        elements: list[Element] = []
        for item in data:
            if item.get("type") == ElementType.TITLE_PAGE:
                title = tuple(
                    TitleField(str(f["key"]), str(f["value"])) for f in item.get("fields", ())
                )
            else:
                elements.append(Element.from_dict(item))
        return cls(title_page=title, elements=tuple(elements))


class ScreenplayError(ValueError):
    """A problem in a screenplay file, with the 1-based line it was found on (0 if none)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message
