"""Final Draft XML (.fdx) in and out of the document model in `elements`.

An FDX file is `<FinalDraft DocumentType="Script">` with a `<Content>` of `<Paragraph Type=…>`s
(Scene Heading, Action, Character, Dialogue, Parenthetical, Transition, Shot, General, …), each
made of `<Text Style="Bold+Italic+Underline">` runs; a scene number is the heading's `Number`
attribute, a dual-dialogue pair is a `<Paragraph>` wrapping `<DualDialogue>`, a new page is
`StartsNewPage="Yes"`, centered text is `Alignment="Center"`, and `<TitlePage>` holds paragraphs
of its own.

What Final Draft has no element for is written so that it reads back here and stays readable
there: lyrics, sections and synopses are paragraphs of Type "Lyrics", "Section" (with `Depth`)
and "Synopsis"; notes are `<ScriptNote>`s inside the paragraph they belong to; title-page
paragraphs carry their field name in a `TitleKey` attribute. Title pages from other programs
(no such attribute) get keys guessed from their position.

Reading is safe for untrusted files: the standard library's expat parser with any DOCTYPE (so
any entity declaration, the "billion laughs" and external entities) refused and a size cap.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape, quoteattr

from crowdstudio.screenplays import fountain, inline
from crowdstudio.screenplays.elements import (
    Element,
    ElementType,
    Screenplay,
    ScreenplayError,
    TitleField,
)

__all__ = ["MAX_BYTES", "parse", "write"]

T = ElementType
MAX_BYTES = 20 * 1024 * 1024
_MAX_DEPTH = 64
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_FROM_FDX = {
    "scene heading": T.SCENE_HEADING,
    "action": T.ACTION,
    "character": T.CHARACTER,
    "dialogue": T.DIALOGUE,
    "parenthetical": T.PARENTHETICAL,
    "transition": T.TRANSITION,
    "lyrics": T.LYRICS,
    "section": T.SECTION,
    "synopsis": T.SYNOPSIS,
}
_TO_FDX = {
    T.SCENE_HEADING: "Scene Heading",
    T.ACTION: "Action",
    T.CHARACTER: "Character",
    T.DIALOGUE: "Dialogue",
    T.PARENTHETICAL: "Parenthetical",
    T.TRANSITION: "Transition",
    T.LYRICS: "Lyrics",
    T.SECTION: "Section",
    T.SYNOPSIS: "Synopsis",
    T.CENTERED: "Action",
    T.NOTE: "General",
}


# --------------------------------------------------------------------------- safe XML


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node | str] = field(default_factory=list)

    def elements(self, tag: str | None = None) -> list[_Node]:
        return [c for c in self.children if isinstance(c, _Node) and (tag is None or c.tag == tag)]

    def first(self, tag: str) -> _Node | None:
        found = self.elements(tag)
        return found[0] if found else None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


def _read_xml(data: bytes) -> _Node:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise ScreenplayError("an FDX file must be bytes")
    if len(data) > MAX_BYTES:
        raise ScreenplayError(f"the FDX file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not bytes(data).strip():
        raise ScreenplayError("the FDX file is empty")
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def _refuse(*_args: object) -> int:
        raise ScreenplayError(
            "FDX files with a DOCTYPE or entity declarations are not accepted",
            line=parser.CurrentLineNumber,
        )

    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= _MAX_DEPTH:
            raise ScreenplayError(
                "the FDX file is nested too deeply", line=parser.CurrentLineNumber
            )
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].children.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(bytes(data), True)
    except xml.parsers.expat.ExpatError as exc:
        message = xml.parsers.expat.ErrorString(exc.code) if exc.code else str(exc)
        raise ScreenplayError(f"not valid XML: {message}", line=exc.lineno) from exc
    if not roots:
        raise ScreenplayError("the FDX file has no root element")
    return roots[0]


# --------------------------------------------------------------------------- reading


def _paragraph_text(node: _Node) -> str:
    """Fountain text (emphasis as marks) of a paragraph's `<Text>` runs."""
    runs: list[inline.Span] = []
    for text in node.elements("Text"):
        styles = {s.strip().lower() for s in text.attrs.get("Style", "").split("+")}
        runs.append(
            inline.Span(
                text.text(),
                bold="bold" in styles,
                italic="italic" in styles,
                underline="underline" in styles,
            )
        )
    merged: list[inline.Span] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].underline) == (
            run.bold,
            run.italic,
            run.underline,
        ):
            merged[-1] = replace(merged[-1], text=merged[-1].text + run.text)
        else:
            merged.append(run)
    # Tabs read as four spaces, as in Fountain, so both formats give the same text.
    return inline.markup(merged).replace("\t", "    ")


def _notes_of(node: _Node) -> tuple[str, ...]:
    notes: list[str] = []
    for note in node.elements("ScriptNote"):
        paragraphs = note.elements("Paragraph")
        body = "\n".join(p.text().strip() for p in paragraphs) if paragraphs else note.text()
        if body.strip():
            notes.append(body.strip())
    return tuple(notes)


class _Reader:
    def __init__(self) -> None:
        self.elements: list[Element] = []
        self.in_speech = False

    def add(self, element: Element) -> None:
        self.elements.append(element)

    def paragraph(self, node: _Node, *, dual: str | None = None) -> None:
        inner = node.first("DualDialogue")
        if inner is not None:
            self.dual(inner, node)
            return
        if node.attrs.get("StartsNewPage", "").lower() == "yes":
            self.add(Element(T.PAGE_BREAK, "", node.line))
        kind_name = node.attrs.get("Type", "Action").strip().lower()
        text = _paragraph_text(node)
        notes = _notes_of(node)
        line = node.line
        if not text.strip():
            # Fountain has no empty elements: an empty paragraph only carries its notes.
            for note in notes:
                self.add(Element(T.NOTE, note, line))
            return
        forced = node.attrs.get("Forced", "").lower() == "yes"
        if node.attrs.get("Alignment", "").lower() == "center" and kind_name in {
            "action",
            "general",
        }:
            self.add(Element(T.CENTERED, text.strip(), line, notes=notes))
            self.in_speech = False
            return
        kind = _FROM_FDX.get(kind_name, T.ACTION)
        if kind == T.CHARACTER:
            name, extension, _ = fountain.split_character_cue(text)
            if dual is None and node.attrs.get("Dual", "").lower() in ("left", "right"):
                dual = node.attrs["Dual"].lower()  # one side of a pair written on its own
            self.add(
                Element(
                    T.CHARACTER,
                    name,
                    line,
                    forced=forced,
                    extension=extension,
                    dual=dual,
                    notes=notes,
                )
            )
            self.in_speech = True
            return
        if kind in (T.DIALOGUE, T.PARENTHETICAL, T.LYRICS) and not self.in_speech:
            if kind != T.LYRICS:
                kind = T.ACTION
        if kind == T.DIALOGUE and self.elements and self.elements[-1].type == T.DIALOGUE:
            last = self.elements[-1]
            self.elements[-1] = replace(
                last, text=f"{last.text}\n{text.strip()}", notes=(*last.notes, *notes)
            )
            return
        if kind == T.SCENE_HEADING:
            number = node.attrs.get("Number") or None
            self.add(
                Element(kind, text.strip(), line, forced=forced, scene_number=number, notes=notes)
            )
        elif kind == T.SECTION:
            depth = _int(node.attrs.get("Depth"), 1)
            self.add(Element(kind, text.strip(), line, depth=depth, notes=notes))
        elif kind in (T.ACTION, T.TRANSITION):
            body = text.rstrip() if kind == T.ACTION else text.strip()
            self.add(Element(kind, body, line, forced=forced, notes=notes))
        else:
            self.add(Element(kind, text.strip(), line, notes=notes))
        self.in_speech = kind in (T.DIALOGUE, T.PARENTHETICAL, T.LYRICS) and self.in_speech

    def dual(self, inner: _Node, outer: _Node) -> None:
        if outer.attrs.get("StartsNewPage", "").lower() == "yes":
            self.add(Element(T.PAGE_BREAK, "", outer.line))
        seen = 0
        for child in inner.elements("Paragraph"):
            side = None
            if child.attrs.get("Type", "").strip().lower() == "character":
                seen += 1
                side = "left" if seen == 1 else "right"
            self.paragraph(child, dual=side)
        self.in_speech = False


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


_GUESSED_KEYS = ("Title", "Credit", "Author", "Source")


def _title_page(root: _Node) -> tuple[TitleField, ...]:
    page = root.first("TitlePage")
    content = page.first("Content") if page is not None else None
    if content is None:
        return ()
    fields: list[list[str]] = []
    guessed = 0
    last_key: str | None = None
    blank_since = True
    for node in content.elements("Paragraph"):
        text = _paragraph_text(node).strip()
        key = node.attrs.get("TitleKey")
        if key:
            if key == last_key and fields:
                fields[-1][1] = f"{fields[-1][1]}\n{text}" if fields[-1][1] else text
            else:
                fields.append([key, text])
            last_key = key
            continue
        if not text:
            blank_since = True
            continue
        # No keys (another program): centred blocks are title, credit, author, source in
        # order; left-aligned text is the contact block; a group of lines is one value.
        if node.attrs.get("Alignment", "").lower() != "center":
            key = "Contact"
        elif guessed < len(_GUESSED_KEYS):
            key = _GUESSED_KEYS[guessed] if blank_since or not fields else fields[-1][0]
        else:
            key = "Notes"
        if fields and fields[-1][0] == key and not blank_since:
            fields[-1][1] = f"{fields[-1][1]}\n{text}"
        else:
            if key in _GUESSED_KEYS:
                guessed = _GUESSED_KEYS.index(key) + 1
            fields.append([key, text])
        blank_since = False
        last_key = None
    return tuple(TitleField(k, v) for k, v in fields)


def parse(data: bytes) -> Screenplay:
    """Read a Final Draft file; raises `ScreenplayError` (with a line when known)."""
    root = _read_xml(data)
    if root.tag != "FinalDraft":
        raise ScreenplayError(
            "not a Final Draft file (the root element is not <FinalDraft>)", line=root.line
        )
    doc_type = root.attrs.get("DocumentType", "Script")
    if doc_type != "Script":
        raise ScreenplayError(
            f"a Final Draft {doc_type!r} document is not a script", line=root.line
        )
    content = root.first("Content")
    if content is None:
        raise ScreenplayError("the FDX file has no <Content>", line=root.line)
    reader = _Reader()
    for node in content.elements("Paragraph"):
        reader.paragraph(node)
    screenplay = Screenplay(title_page=_title_page(root), elements=tuple(reader.elements))
    return fountain.with_needed_forces(screenplay)


# --------------------------------------------------------------------------- writing


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _runs(text: str) -> str:
    out: list[str] = []
    for span in inline.spans(text):
        styles = [
            name
            for name, on in (
                ("Bold", span.bold),
                ("Italic", span.italic),
                ("Underline", span.underline),
            )
            if on
        ]
        style = f" Style={quoteattr('+'.join(styles))}" if styles else ""
        out.append(f"<Text{style}>{escape(_clean(span.text))}</Text>")
    return "".join(out) or "<Text></Text>"


def _note_xml(notes: tuple[str, ...]) -> str:
    return "".join(
        "<ScriptNote>"
        + "".join(
            f"<Paragraph><Text>{escape(_clean(line))}</Text></Paragraph>" for line in n.split("\n")
        )
        + "</ScriptNote>"
        for n in notes
    )


def _paragraph(element: Element, *, new_page: bool, in_pair: bool = False) -> str:
    attrs = {"Type": _TO_FDX.get(element.type, "Action")}
    if element.type == T.CENTERED:
        attrs["Alignment"] = "Center"
    if element.type == T.SCENE_HEADING and element.scene_number is not None:
        attrs["Number"] = element.scene_number
    if element.type == T.SECTION:
        attrs["Depth"] = str(max(1, element.depth))
    if new_page:
        attrs["StartsNewPage"] = "Yes"
    if element.type == T.CHARACTER and element.dual and not in_pair:
        attrs["Dual"] = element.dual.capitalize()
    if element.forced:
        attrs["Forced"] = "Yes"  # a Fountain force mark; Final Draft ignores the attribute
    attr_text = "".join(f" {k}={quoteattr(_clean(v))}" for k, v in attrs.items())
    if element.type == T.NOTE:
        return f"<Paragraph{attr_text}>{_note_xml((element.text, *element.notes))}</Paragraph>"
    text = element.text
    if element.type == T.CHARACTER and element.extension:
        text = f"{text} {element.extension}"
    return f"<Paragraph{attr_text}>{_note_xml(element.notes)}{_runs(text)}</Paragraph>"


def write(screenplay: Screenplay) -> bytes:
    """The screenplay as a Final Draft XML file (UTF-8)."""
    body: list[str] = []
    elements = list(screenplay.elements)
    new_page = False
    index = 0
    while index < len(elements):
        element = elements[index]
        if element.type == T.PAGE_BREAK:
            if new_page or index == len(elements) - 1:
                body.append(
                    '<Paragraph Type="Action" StartsNewPage="Yes"><Text></Text></Paragraph>'
                )
            new_page = True
            index += 1
            continue
        if element.type == T.CHARACTER and element.dual == "left":
            end = index + 1
            while end < len(elements) and elements[end].type in (
                T.DIALOGUE,
                T.PARENTHETICAL,
                T.LYRICS,
            ):
                end += 1
            if (
                end < len(elements)
                and elements[end].type == T.CHARACTER
                and elements[end].dual == "right"
            ):
                end += 1
                while end < len(elements) and elements[end].type in (
                    T.DIALOGUE,
                    T.PARENTHETICAL,
                    T.LYRICS,
                ):
                    end += 1
                inner = "".join(
                    _paragraph(e, new_page=False, in_pair=True) for e in elements[index:end]
                )
                start_attr = ' StartsNewPage="Yes"' if new_page else ""
                body.append(
                    f"<Paragraph{start_attr}><DualDialogue>{inner}</DualDialogue></Paragraph>"
                )
                new_page = False
                index = end
                continue
        body.append(_paragraph(element, new_page=new_page))
        new_page = False
        index += 1
    title: list[str] = []
    for f in screenplay.title_page:
        alignment = (
            "Left" if f.key.lower() in {"contact", "draft date", "copyright", "notes"} else "Center"
        )
        for line in f.value.split("\n") or [""]:
            key = quoteattr(_clean(f.key))
            title.append(
                f'<Paragraph Type="General" Alignment="{alignment}" TitleKey={key}>'
                f"{_runs(line)}</Paragraph>"
            )
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>',
        '<FinalDraft DocumentType="Script" Template="No" Version="5">',
        "<Content>",
        *body,
        "</Content>",
    ]
    if title:
        parts += ["<TitlePage>", "<Content>", *title, "</Content>", "</TitlePage>"]
    parts.append("</FinalDraft>")
    return ("\n".join(parts) + "\n").encode("utf-8")
