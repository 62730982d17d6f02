"""Fountain's inline emphasis: `*italic*`, `**bold**`, `***bold italic***`, `_underline_`,
combinable and nestable, with `\\` escaping a mark. A mark only opens when a matching mark
closes it on the same element; an unmatched one is plain text (as the Fountain spec says)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

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


def _find_close(text: str, mark: str, start: int, memo: dict[tuple[str, int], int]) -> int:
    """Index of the mark closing one opened just before `start`, or -1. A closing mark must not
    follow whitespace, and the emphasised text must not be empty.

    Past its first occurrence of `mark` after `start`, a search depends only on where it stands,
    so `memo` (one per `text`) keeps each occurrence's outcome: a line of many unclosed marks
    costs linear, not quadratic, time."""
    i = start
    seen: list[int] = []
    result = -1
    while True:
        i = text.find(mark, i)
        if i < 0:
            break
        if i > start:
            known = memo.get((mark, i))
            if known is not None:
                result = known
                break
            seen.append(i)
        if text[i - 1] == "\\":
            i += 1
            continue
        if i > start and not text[i - 1].isspace():
            # Do not take a shorter mark that is really part of a longer one ("**" in "***").
            if mark != "***" and text.startswith("*", i + len(mark)) and mark[0] == "*":
                i += len(mark)
                continue
            result = i
            break
        i += len(mark)
    for position in seen:
        memo[(mark, position)] = result
    return result


def spans(text: str) -> list[Span]:
    """Split `text` into runs of equal style; marks and escapes are consumed."""
    out: list[Span] = []

    def walk(chunk: str, bold: bool, italic: bool, underline: bool) -> None:
        buf: list[str] = []
        memo: dict[tuple[str, int], int] = {}
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
                    close = _find_close(chunk, mark, i + len(mark), memo)
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


def escape(text: str) -> str:
    """Plain text made safe to place inside Fountain: emphasis marks are escaped."""
    return re.sub(r"([*_\\])", r"\\\1", text)


def markup(runs: list[Span]) -> str:
    """Fountain text for styled runs (the inverse of `spans`, literal marks escaped).

    Runs are written flat (`**a** *b*`) unless that does not read back, then nested around the
    longest stretches sharing a style (`_a *b* c_`). A style change inside a word between two
    emphasised runs (`*a*` then `***b***`) has no Fountain spelling that reads back; it is
    written flat and loses that nuance."""
    runs = [r for r in runs if r.text]
    flat = _flat(runs)
    if spans(flat) == _merge(runs):
        return flat
    nested = _nested(runs)
    return nested if spans(nested) == _merge(runs) else flat


def _merge(runs: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for run in runs:
        if merged and _key(merged[-1]) == _key(run):
            merged[-1] = Span(merged[-1].text + run.text, run.bold, run.italic, run.underline)
        else:
            merged.append(run)
    return merged


def _key(span: Span) -> tuple[bool, bool, bool]:
    return (span.bold, span.italic, span.underline)


def _wrap(text: str, mark: str) -> str:
    # Marks must hug the text: keep surrounding spaces outside them.
    core = text.strip(" ")
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _without(span: Span, attr: str) -> Span:
    if attr == "underline":
        return replace(span, underline=False)
    if attr == "bold":
        return replace(span, bold=False)
    return replace(span, italic=False)


def _flat(runs: list[Span]) -> str:
    out: list[str] = []
    for run in runs:
        text = escape(run.text)
        if run.bold and run.italic:
            text = _wrap(text, "***")
        elif run.bold:
            text = _wrap(text, "**")
        elif run.italic:
            text = _wrap(text, "*")
        if run.underline:
            text = _wrap(text, "_")
        out.append(text)
    return "".join(out)


def _nested(runs: list[Span]) -> str:
    """Outer marks around the longest stretches sharing a style: underline, bold, italic."""
    out: list[str] = []
    index = 0
    while index < len(runs):
        run = runs[index]
        for attr, mark in (("underline", "_"), ("bold", "**"), ("italic", "*")):
            if getattr(run, attr):
                end = index
                while end < len(runs) and getattr(runs[end], attr):
                    end += 1
                inner = [_without(r, attr) for r in runs[index:end]]
                out.append(_wrap(_nested(inner), mark))
                index = end
                break
        else:
            out.append(escape(run.text))
            index += 1
    return "".join(out)
