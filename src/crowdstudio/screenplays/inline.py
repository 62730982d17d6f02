"""Fountain's inline emphasis: `*italic*`, `**bold**`, `***bold italic***`, `_underline_`,
combinable and nestable, with `\\` escaping a mark. A mark only opens when a matching mark
closes it on the same element; an unmatched one is plain text (as the Fountain spec says)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKS = ("***", "**", "*", "_")
_ESCAPE = re.compile(r"\\([*_\\])")


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


def _style(mark: str) -> tuple[bool, bool, bool]:
    return {
        "***": (True, True, False),
        "**": (True, False, False),
        "*": (False, True, False),
        "_": (False, False, True),
    }[mark]


def _find_close(text: str, mark: str, start: int) -> int:
    """Index of the mark closing one opened just before `start`, or -1. A closing mark must not
    follow whitespace, and the emphasised text must not be empty."""
    i = start
    while True:
        i = text.find(mark, i)
        if i < 0:
            return -1
        if text[i - 1] == "\\":
            i += 1
            continue
        if i > start and not text[i - 1].isspace():
            # Do not take a shorter mark that is really part of a longer one ("**" in "***").
            if mark != "***" and text.startswith("*", i + len(mark)) and mark[0] == "*":
                i += len(mark)
                continue
            return i
        i += len(mark)


def spans(text: str) -> list[Span]:
    """Split `text` into runs of equal style; marks and escapes are consumed."""
    out: list[Span] = []

    def walk(chunk: str, bold: bool, italic: bool, underline: bool) -> None:
        buf: list[str] = []
        i = 0
        while i < len(chunk):
            ch = chunk[i]
            if ch == "\\" and i + 1 < len(chunk) and chunk[i + 1] in "*_\\":
                buf.append(chunk[i + 1])
                i += 2
                continue
            opened = False
            for mark in _MARKS:
                if chunk.startswith(mark, i) and i + len(mark) < len(chunk):
                    if chunk[i + len(mark)].isspace():
                        continue
                    close = _find_close(chunk, mark, i + len(mark))
                    if close < 0:
                        continue
                    if buf:
                        out.append(Span("".join(buf), bold, italic, underline))
                        buf = []
                    b, it, u = _style(mark)
                    walk(chunk[i + len(mark) : close], bold or b, italic or it, underline or u)
                    i = close + len(mark)
                    opened = True
                    break
            if opened:
                continue
            buf.append(ch)
            i += 1
        if buf:
            out.append(Span("".join(buf), bold, italic, underline))

    walk(text, False, False, False)
    merged: list[Span] = []
    for span in out:
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].underline) == (
            span.bold,
            span.italic,
            span.underline,
        ):
            merged[-1] = Span(merged[-1].text + span.text, span.bold, span.italic, span.underline)
        else:
            merged.append(span)
    return merged


def plain(text: str) -> str:
    """The text without emphasis marks (for word counts, diffs and speech)."""
    return "".join(s.text for s in spans(text))


def unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)
