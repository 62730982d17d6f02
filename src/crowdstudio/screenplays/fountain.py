"""Fountain (https://fountain.io/syntax) in and out of the document model in `elements`.

`parse(text)` reads the whole Fountain 1.1 syntax; `write(screenplay)` produces Fountain that
parses back to the same elements (positions aside). The parser works on paragraphs (runs of
lines between blank lines), as the spec does: a scene heading, a transition or a character cue
is recognised from its own line plus whether a blank line comes before and after it.

Decisions where the spec leaves room:

- Boneyard `/* */` is removed before anything else. A boneyard that fills whole lines removes
  those lines (so commenting out a line of dialogue does not split the speech). A `/*` that is
  never closed is an error (it would silently hide the rest of the script).
- Notes `[[ ]]` may span lines (an empty line inside one needs two spaces, as in the spec). A note
  inside an element is moved to the element's `notes`; a line that is only a note attaches its
  note to the element it sits in; a paragraph of nothing but notes gives NOTE elements. A `[[`
  that is never closed is plain text.
- `forced` is set for the four marks that override a rule: `.` scene heading, `!` action,
  `@` character and `>` transition. `~` lyrics, `> <` centered, `#` sections and `=` synopses
  have no unforced form, so they never set it.
- Tabs become four spaces; action keeps its indentation, other elements are stripped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from crowdstudio.screenplays.elements import (
    Element,
    ElementType,
    Screenplay,
    ScreenplayError,
    TitleField,
)

__all__ = ["parse", "split_character_cue", "with_needed_forces", "write"]

T = ElementType

_HEADING = re.compile(r"(?:INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)[.\s]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
_PAGE_BREAK = re.compile(r"={3,}")
_EXTENSION = re.compile(r"((?:\s*\([^()]*\))+)\s*$")
_TITLE_KEY = re.compile(r"([^\W\d_][\w '\-]{0,39}?)\s*:(.*)")
_NOTE = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_BLANK_TO_EOL = re.compile(r"[ \t]*(?:\n|\Z)")
_MAX_CHARS = 20_000_000
#: The longest element (a speech, a block of action) a script may have.
MAX_ELEMENT_CHARS = 50_000


@dataclass
class _Line:
    text: str  # notes removed, tabs expanded, right-stripped
    number: int  # 1-based line in the source
    notes: tuple[str, ...] = ()
    note_only: bool = False
    connector: bool = False  # whitespace only, two or more spaces

    @property
    def blank(self) -> bool:
        return not self.text.strip() and not self.note_only


# --------------------------------------------------------------------------- reading


def _check_text(text: object) -> str:
    if isinstance(text, bytes | bytearray):
        data = bytes(text)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ScreenplayError("the file is not UTF-8 text", line=line) from exc
    if not isinstance(text, str):
        raise ScreenplayError("a Fountain script must be text")
    if len(text) > _MAX_CHARS:
        raise ScreenplayError("the file is too large for a screenplay")
    nul = text.find("\x00")
    if nul >= 0:
        raise ScreenplayError(
            "the file contains NUL bytes (is it a binary file?)", line=text.count("\n", 0, nul) + 1
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _remove_boneyard(text: str) -> list[tuple[str, int]]:
    """The lines with `/* */` removed, each with the source line it starts on."""
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    has_text = False  # the line being built has more than whitespace
    buf_line = 1
    line = 1
    pos = 0

    def feed(chunk: str) -> None:
        nonlocal buf, buf_line, line, has_text
        parts = chunk.split("\n")
        buf.append(parts[0])
        has_text = has_text or bool(parts[0].strip())
        for part in parts[1:]:
            out.append(("".join(buf), buf_line))
            line += 1
            buf, buf_line, has_text = [part], line, bool(part.strip())

    while True:
        start = text.find("/*", pos)
        if start < 0:
            feed(text[pos:])
            break
        feed(text[pos:start])
        end = text.find("*/", start + 2)
        if end < 0:
            raise ScreenplayError("a boneyard opened with /* is never closed with */", line=line)
        line += text.count("\n", start, end)
        pos = end + 2
        if buf and buf[-1].endswith((" ", "\t")) and text[pos : pos + 1] in (" ", "\t"):
            pos += 1  # "word /* x */ word" keeps one space
        tail = _BLANK_TO_EOL.match(text, pos)
        if not has_text and tail:
            # The boneyard fills whole lines: drop them, newline included.
            pos = tail.end()
            if not tail.group().endswith("\n"):
                buf, buf_line = [], line
                break
            line += 1
            buf, buf_line = [], line
    if buf or not out:
        out.append(("".join(buf), buf_line))
    return out


def _strip_notes(text: str) -> tuple[str, tuple[str, ...]]:
    """The line without its `[[notes]]` (one space kept between the words around a note) and
    the notes, each with its lines stripped."""
    if "[[" not in text:
        return text, ()
    notes: list[str] = []
    pieces: list[str] = []
    has_text = False
    pos = 0
    # No note ends after the last "]]": searching past it from every "[[" was quadratic.
    for match in _NOTE.finditer(text, 0, text.rfind("]]") + 2):
        before = text[pos : match.start()]
        pos = match.end()
        if not has_text and not before.strip():
            pieces.append(before)  # a note at the start: keep the indentation, drop the gap
            while pos < len(text) and text[pos] == " ":
                pos += 1
        elif text[pos:].strip():
            pieces.append(before.rstrip(" "))
        else:
            pieces.append(before.rstrip())
        has_text = has_text or bool(before.strip())
        body = match.group(1).split("\n")
        notes.append("\n".join(part.strip() for part in body).strip())
    pieces.append(text[pos:])
    return "".join(pieces), tuple(notes)


def _blocks_note(line: str) -> bool:
    """An empty line (not the two-space kind) ends a paragraph, and so any open note."""
    return not line.strip() and len(line) < 2


def _logical_lines(raw: list[tuple[str, int]]) -> list[_Line]:
    """Join lines that a multi-line note spans, then take the notes out of each line."""
    count = len(raw)
    # For each line: the first line at or after it holding "]]", and the first empty line.
    next_close = [count] * (count + 1)
    next_blank = [count] * (count + 1)
    for index in range(count - 1, -1, -1):
        line = raw[index][0]
        next_close[index] = index if "]]" in line else next_close[index + 1]
        next_blank[index] = index if _blocks_note(line) else next_blank[index + 1]
    out: list[_Line] = []
    i = 0
    while i < count:
        text, number = raw[i]
        i += 1
        while i < count:
            opened = text.rfind("[[")
            if opened < 0 or text.find("]]", opened) >= 0:
                break
            close = next_close[i]
            if close >= count or next_blank[i] < close:
                break  # never closed before the paragraph ends: plain text
            text = "\n".join([text, *(line for line, _ in raw[i : close + 1])])
            i = close + 1
        text = text.replace("\t", "    ")
        clean, notes = _strip_notes(text)
        if "\n" in clean:  # an unclosed "[[" next to a closed note: keep it literal
            clean = clean.replace("\n", " ")
        note_only = bool(notes) and not clean.strip()
        connector = not notes and not clean.strip() and len(clean) >= 2
        out.append(_Line(clean.rstrip(), number, notes, note_only, connector))
    return out


def _title_page(lines: list[_Line]) -> tuple[tuple[TitleField, ...], int]:
    """The title page at the top of the file (if any) and the index of the first line after."""
    start = 0
    while start < len(lines) and lines[start].blank:
        start += 1
    end = start
    while end < len(lines) and not lines[end].blank:
        end += 1
    block = lines[start:end]
    if not block:
        return (), 0
    fields: list[list[str]] = []
    for line in block:
        indented = line.text[:1] == "\t" or line.text.startswith("   ")
        match = None if indented else _TITLE_KEY.fullmatch(line.text)
        if match:
            fields.append([match.group(1).strip(), match.group(2).strip()])
        elif indented and fields:
            value = line.text.strip()
            fields[-1][1] = f"{fields[-1][1]}\n{value}" if fields[-1][1] else value
        else:
            return (), 0
    if not any(value for _, value in fields):
        return (), 0
    return tuple(TitleField(key, value) for key, value in fields), end


def _is_character_cue(text: str) -> bool:
    name = split_character_cue(text)[0]
    return bool(name) and name == name.upper() and any(ch.isupper() for ch in name)


def split_character_cue(text: str) -> tuple[str, str, bool]:
    """(name, extension(s), dual) from a character cue without its `@`:
    "BRICK (V.O.) (CONT'D) ^" → ("BRICK", "(V.O.) (CONT'D)", True)."""
    text = text.strip()
    dual = text.endswith("^")
    if dual:
        text = text[:-1].rstrip()
    match = _EXTENSION.search(text)
    extension = ""
    if match and match.start() > 0:
        extension = " ".join(re.findall(r"\([^()]*\)", match.group(1)))
        text = text[: match.start()].rstrip()
    return text, extension, dual


def _scene_heading(text: str, *, forced: bool, number: int, notes: tuple[str, ...]) -> Element:
    scene_number = None
    match = _SCENE_NUMBER.search(text)
    if match and match.start() > 0:
        scene_number = match.group(1)
        text = text[: match.start()].rstrip()
    return Element(
        T.SCENE_HEADING, text, number, forced=forced, scene_number=scene_number, notes=notes
    )


def _notes(lines: Iterable[_Line]) -> tuple[str, ...]:
    return tuple(n for line in lines for n in line.notes)


class _Parser:
    def __init__(self) -> None:
        self.elements: list[Element] = []

    def add(self, element: Element) -> None:
        self.elements.append(element)

    # One paragraph: lines with no blank line between them. `after_blank` is False for the
    # rest of a paragraph whose first line was a one-line element.
    def paragraph(self, lines: list[_Line], after_blank: bool) -> None:
        if not lines:
            return
        # A line that is only a note gives its notes to the line before (or after) it.
        kept = [line for line in lines if not line.note_only]
        if not kept:
            for line in lines:
                for note in line.notes:
                    self.add(Element(T.NOTE, note, line.number))
            return
        if len(kept) != len(lines):
            pending: list[str] = []
            last: _Line | None = None
            for line in lines:
                if line.note_only:
                    if last is None:
                        pending.extend(line.notes)
                    else:
                        last.notes = (*last.notes, *line.notes)
                else:
                    if pending:
                        line.notes = (*pending, *line.notes)
                        pending = []
                    last = line
            lines = kept
        remaining, after = lines, after_blank
        while remaining:
            remaining, after = self._element(remaining, after), False

    def _element(self, lines: list[_Line], after_blank: bool) -> list[_Line]:
        """Read the element the first line starts; return the lines left over (a paragraph
        can hold several one-line elements, e.g. a section right above a synopsis)."""
        first = lines[0]
        s = first.text.strip()
        single = len(lines) == 1
        rest = lines[1:]

        if _PAGE_BREAK.fullmatch(s):
            self.add(Element(T.PAGE_BREAK, "", first.number, notes=first.notes))
            return rest
        if s.startswith("#"):
            depth = len(s) - len(s.lstrip("#"))
            self.add(
                Element(T.SECTION, s[depth:].strip(), first.number, depth=depth, notes=first.notes)
            )
            return rest
        if s.startswith("="):
            self.add(Element(T.SYNOPSIS, s[1:].strip(), first.number, notes=first.notes))
            return rest
        if s.startswith(">") and s.endswith("<") and len(s) >= 2:
            run = [first]
            for line in rest:
                t = line.text.strip()
                if not (t.startswith(">") and t.endswith("<") and len(t) >= 2):
                    break
                run.append(line)
            text = "\n".join(line.text.strip()[1:-1].strip() for line in run)
            self.add(Element(T.CENTERED, text, first.number, notes=_notes(run)))
            return lines[len(run) :]
        if s.startswith(">"):
            self.add(
                Element(T.TRANSITION, s[1:].strip(), first.number, forced=True, notes=first.notes)
            )
            return rest
        if s.startswith("~"):
            self.add(
                Element(
                    T.LYRICS,
                    "\n".join(_lyric(line.text) for line in lines),
                    first.number,
                    notes=_notes(lines),
                )
            )
            return []
        if s.startswith("!"):
            body = first.text.lstrip()[1:]
            text = "\n".join([body, *(line.text for line in rest)])
            self.add(Element(T.ACTION, text, first.number, forced=True, notes=_notes(lines)))
            return []
        if s.startswith(".") and s[1:2].isalnum():
            self.add(
                _scene_heading(s[1:].strip(), forced=True, number=first.number, notes=first.notes)
            )
            return rest
        if s.startswith("@") and len(s) > 1 and not single:
            self.speech(lines, s[1:], forced=True)
            return []
        if after_blank and _HEADING.match(s + " "):
            # The spec wants a blank line after a heading too; a heading with text right under
            # it is still read as a heading (followed by action), never as a character cue.
            self.add(_scene_heading(s, forced=False, number=first.number, notes=first.notes))
            return rest
        if after_blank and single and s.endswith("TO:") and s == s.upper():
            self.add(Element(T.TRANSITION, s, first.number, notes=first.notes))
            return []
        if after_blank and not single and _is_character_cue(s):
            self.speech(lines, s, forced=False)
            return []
        self.add(
            Element(
                T.ACTION, "\n".join(line.text for line in lines), first.number, notes=_notes(lines)
            )
        )
        return []

    def speech(self, lines: list[_Line], cue: str, *, forced: bool) -> None:
        first = lines[0]
        name, extension, dual = split_character_cue(cue)
        if dual:
            # The speech just before becomes the left column.
            for index in range(len(self.elements) - 1, -1, -1):
                previous = self.elements[index]
                if previous.type == T.CHARACTER:
                    self.elements[index] = replace(previous, dual="left")
                    break
                if previous.type not in (T.DIALOGUE, T.PARENTHETICAL, T.LYRICS, T.NOTE):
                    break
        self.add(
            Element(
                T.CHARACTER,
                name,
                first.number,
                forced=forced,
                extension=extension,
                dual="right" if dual else None,
                notes=first.notes,
            )
        )
        dialogue: list[_Line] = []

        def flush() -> None:
            if dialogue:
                text = "\n".join(line.text.strip() for line in dialogue)
                self.add(Element(T.DIALOGUE, text, dialogue[0].number, notes=_notes(dialogue)))
                dialogue.clear()

        for line in lines[1:]:
            t = line.text.strip()
            if t.startswith("(") and t.endswith(")"):
                flush()
                self.add(Element(T.PARENTHETICAL, t, line.number, notes=line.notes))
            elif t.startswith("~"):
                flush()
                previous = self.elements[-1]
                if previous.type == T.LYRICS:
                    self.elements[-1] = replace(
                        previous,
                        text=f"{previous.text}\n{_lyric(line.text)}",
                        notes=(*previous.notes, *line.notes),
                    )
                else:
                    self.add(Element(T.LYRICS, _lyric(line.text), line.number, notes=line.notes))
            else:
                dialogue.append(line)
        flush()


def _lyric(text: str) -> str:
    text = text.strip()
    return text[1:].lstrip() if text.startswith("~") else text


def _paragraphs(lines: list[_Line]) -> Iterable[list[_Line]]:
    """Runs of non-blank lines. A whitespace-only line of two or more spaces between two
    non-blank lines joins them (an empty line inside action or dialogue)."""
    current: list[_Line] = []
    for index, line in enumerate(lines):
        if not line.blank:
            current.append(line)
            continue
        connector = (
            bool(current)
            and line.connector
            and index + 1 < len(lines)
            and not lines[index + 1].blank
        )
        if connector:
            current.append(_Line("", line.number))
            continue
        if current:
            yield current
            current = []
    if current:
        yield current


def parse(text: str) -> Screenplay:
    """Read a Fountain script. Raises `ScreenplayError` only for a file that cannot be read."""
    return _parse(text, title_page=True)


def _parse(text: str, *, title_page: bool) -> Screenplay:
    lines = _logical_lines(_remove_boneyard(_check_text(text)))
    title, start = _title_page(lines) if title_page else ((), 0)
    parser = _Parser()
    for paragraph in _paragraphs(lines[start:]):
        parser.paragraph(paragraph, True)
    for element in parser.elements:
        if len(element.text) > MAX_ELEMENT_CHARS:
            # No real speech or action is this long, and laying one out across pages costs
            # time that grows with the square of its length.
            raise ScreenplayError(
                f"this {element.type.value.replace('_', ' ')} is longer than "
                f"{MAX_ELEMENT_CHARS:,} characters; split it into shorter paragraphs",
                line=element.line,
            )
    return Screenplay(title_page=title, elements=tuple(parser.elements))


# --------------------------------------------------------------------------- writing


def _speech_runs(elements: Sequence[Element]) -> Iterable[list[Element]]:
    """Group the elements into paragraphs: a speech (character + what follows) or one element."""
    index = 0
    while index < len(elements):
        element = elements[index]
        if element.type == T.CHARACTER:
            run = [element]
            index += 1
            while index < len(elements) and elements[index].type in (
                T.DIALOGUE,
                T.PARENTHETICAL,
                T.LYRICS,
            ):
                run.append(elements[index])
                index += 1
            yield run
        else:
            yield [element]
            index += 1


def _with_notes(text: str, notes: tuple[str, ...]) -> str:
    if not notes:
        return text
    rendered = " ".join(f"[[{_note_text(n)}]]" for n in notes)
    return f"{text} {rendered}" if text else rendered


def _note_text(note: str) -> str:
    return "\n".join(line if line.strip() else "  " for line in note.split("\n"))


def _body_lines(text: str) -> list[str]:
    """Lines of a multi-line element; an empty one becomes the two-space connector."""
    return [line if line.strip() else "  " for line in text.split("\n")]


def _write_speech(run: list[Element], *, force: bool) -> list[str]:
    cue = run[0]
    head = ("@" if force or cue.forced else "") + cue.text
    if cue.extension:
        head += f" {cue.extension}"
    if cue.dual == "right":
        head += " ^"
    lines = [_with_notes(head, cue.notes)]
    for element in run[1:]:
        if element.type == T.PARENTHETICAL:
            lines.append(_with_notes(element.text, element.notes))
        elif element.type == T.LYRICS:
            body = [f"~{line}" for line in element.text.split("\n")]
            body[-1] = _with_notes(body[-1], element.notes)
            lines.extend(body)
        else:
            body = _body_lines(element.text)
            body[-1] = _with_notes(body[-1], element.notes)
            lines.extend(body)
    return lines


def _write_single(element: Element, *, force: bool) -> list[str]:
    kind = element.type
    text = element.text
    notes = element.notes
    if kind == T.SCENE_HEADING:
        line = ("." if force or element.forced else "") + text
        if element.scene_number is not None:
            line += f" #{element.scene_number}#"
        return [_with_notes(line, notes)]
    if kind == T.TRANSITION:
        return [_with_notes(("> " if force or element.forced else "") + text, notes)]
    if kind == T.CENTERED:
        body = [f"> {line} <" for line in text.split("\n")]
        body[-1] = _with_notes(body[-1], notes)
        return body
    if kind == T.LYRICS:
        body = [f"~{line}" for line in text.split("\n")]
        body[-1] = _with_notes(body[-1], notes)
        return body
    if kind == T.PAGE_BREAK:
        return [_with_notes("===", notes)]
    if kind == T.SECTION:
        return [_with_notes("#" * max(1, element.depth) + " " + text, notes)]
    if kind == T.SYNOPSIS:
        return [_with_notes("= " + text, notes)]
    if kind == T.NOTE:
        return [_with_notes(f"[[{_note_text(text)}]]", notes)]
    # ACTION and anything unknown.
    body = _body_lines(text)
    if force or element.forced:
        body[0] = "!" + body[0]
    body[-1] = _with_notes(body[-1], notes)
    return body


def _reads_back(lines: list[str], run: list[Element], *, first: bool) -> bool:
    """Does this paragraph, on its own, parse to the same element types and dual marks?"""
    parsed = _parse_paragraph_text("\n".join(lines), first=first)
    if parsed is None:
        return False
    expected = [(e.type, _no_boneyard(e.text), e.dual if e.dual == "right" else None) for e in run]
    got = [(e.type, e.text, e.dual if e.dual == "right" else None) for e in parsed]
    return expected == got


def _parse_paragraph_text(text: str, *, first: bool) -> list[Element] | None:
    try:
        screenplay = _parse(text, title_page=first)
    except ScreenplayError:
        return None
    if first and screenplay.title_page:
        return None
    return [replace(e, notes=()) for e in screenplay.elements]


def _render(run: list[Element], *, force: bool) -> list[str]:
    lines = _write_speech(run, force=force) if run[0].type == T.CHARACTER else None
    if lines is None:
        lines = _write_single(run[0], force=force)
    return [_no_boneyard(line) for line in lines]


def _no_boneyard(line: str) -> str:
    """Text never opens a boneyard: a literal "/*" (only possible in text that did not come
    from Fountain) is written with the star escaped."""
    return line.replace("/*", "/\\*")


def write(screenplay: Screenplay) -> str:
    """Fountain text for the screenplay; force marks are added wherever they are needed."""
    out: list[str] = []
    if screenplay.title_page:
        for f in screenplay.title_page:
            values = [v.strip() for v in f.value.split("\n") if v.strip()]
            if len(values) <= 1:
                out.append(_no_boneyard(f"{f.key}: {values[0] if values else ''}".rstrip()))
            else:
                out.append(f"{f.key}:")
                out.extend(_no_boneyard(f"    {v}") for v in values)
        out.append("")
    first = not screenplay.title_page
    for run in _speech_runs(screenplay.elements):
        lines = _render(run, force=False)
        bare = [replace(e, notes=()) for e in run]
        if not _reads_back(_strip_written_notes(run, lines), bare, first=first):
            lines = _render(run, force=True)
        out.extend(lines)
        out.append("")
        first = False
    return "\n".join(out).rstrip("\n") + "\n" if out else ""


def _strip_written_notes(run: list[Element], lines: list[str]) -> list[str]:
    if not any(e.notes for e in run):
        return lines
    return [_strip_notes(line)[0] for line in lines]


def with_needed_forces(screenplay: Screenplay) -> Screenplay:
    """`forced` set exactly where Fountain needs a mark: what a format without force marks (FDX)
    should report so that it compares equal to the same script read from Fountain."""
    elements = list(screenplay.elements)
    for run_start, run in _indexed_runs(elements):
        head = run[0]
        if head.forced:
            continue
        bare = [replace(e, notes=()) for e in run]
        if not _reads_back(_render(bare, force=False), bare, first=False):
            elements[run_start] = replace(head, forced=True)
    return replace(screenplay, elements=tuple(elements))


def _indexed_runs(elements: list[Element]) -> Iterable[tuple[int, list[Element]]]:
    index = 0
    for run in _speech_runs(elements):
        yield index, run
        index += len(run)
