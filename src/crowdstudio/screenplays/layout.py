"""Screenplay pagination: the document model laid out on US Letter pages, as pure data.

The page follows the usual industry figures (the Final Draft defaults, the WGA/AMPAS format
guides, and what screenplain and Fade In produce):

- US Letter 8.5" x 11", Courier 12 pt: 10 characters per inch, 6 lines per inch, so the paper
  is 85 columns by 66 lines. Positions here are in those units: `Line.x` is the column of the
  first character counted from the paper's left edge (1 column = 0.1" = 7.2 pt) and `Line.y` the
  line counted from the paper's top (1 line = 1/6" = 12 pt); a renderer multiplies.
- Margins: 1.5" left (column 15, room for the binding), 1" right (text ends at column 75),
  1" top (the body starts on paper line 6). The body holds `LINES_PER_PAGE` = 55 lines, the
  figure screenplain uses and the middle of the 54-56 that Final Draft's defaults give; 66 - 6
  - 55 leaves 5 lines (~0.83") at the foot. The "one page is one minute of screen time" rule of
  thumb is stated for pages of this density.
- Indents from the paper's edge: scene heading, action, lyrics outside a speech 1.5" (6.0"
  wide); character cue 3.7"; parenthetical 3.1" (2.4" wide, ending at 5.5"); dialogue 2.5"
  (3.5" wide); transitions right-aligned to the right margin; centered text centered on the
  action column. Page numbers "2." top right at 0.5" from the top, from page 2 on. Scene numbers
  (`#1A#`) print in both margins of the heading.
- One blank line between elements; none between a cue, its parentheticals and its dialogue.

Pagination rules: a scene heading is kept with at least two lines of what follows (it never
ends a page); a character cue never ends a page without its first dialogue line; a speech
that does not fit is split at a sentence boundary when one fits (at a line boundary otherwise),
with "(MORE)" under the last line and the cue repeated with "(CONT'D)" on the next page; a
parenthetical is never the last line of a split speech; action is split between lines leaving
at least two lines on each page, at a sentence end when possible; `===` starts a new page;
sections, synopses and notes are not printed; a dual-dialogue pair is printed in two columns and
kept on one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest

from crowdstudio.screenplays import inline
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField
from crowdstudio.screenplays.inline import Span

PAPER_COLUMNS = 85
PAPER_LINES = 66
TOP_LINE = 6  # 1" top margin
LINES_PER_PAGE = 55
PAGE_NUMBER_LINE = 3  # 0.5" from the top
LEFT = 15  # 1.5" left margin
RIGHT = 75  # 1" right margin: the last column is 74, text ends before column 75
ACTION_WIDTH = RIGHT - LEFT  # 6.0"
CUE_X = 37  # 3.7"
PAREN_X = 31  # 3.1"
PAREN_WIDTH = 24  # to 5.5"
DIALOGUE_X = 25  # 2.5"
DIALOGUE_WIDTH = 35  # 3.5"
# Dual dialogue: two columns of 28 with a gap of 4 inside the action column.
DUAL_WIDTH = 28
DUAL_ORIGINS = {"left": LEFT, "right": LEFT + DUAL_WIDTH + 4}
DUAL_CUE_OFFSET = 8
DUAL_PAREN_OFFSET = 3
DUAL_PAREN_WIDTH = 22

MORE = "(MORE)"
CONTD = "(CONT'D)"

# Line kinds besides the element types.
KIND_PAGE_NUMBER = "page_number"
KIND_SCENE_NUMBER = "scene_number"
KIND_MORE = "more"
KIND_TITLE = "title"

_BOLD, _ITALIC, _UNDERLINE = 1, 2, 4
_MARKUP = re.compile(r"[*_\\]")
_SENTENCE_END = re.compile(r"""[.!?…](?:["'”’)\]]*)(?=\s)""")
_ENDS_SENTENCE = re.compile(r"""(?:[.!?…]|--|—)["'”’)\]]*\s*$""")


@dataclass(frozen=True)
class Line:
    """One printed line: spans of styled text starting at column `x` on paper line `y`.
    `element` is the index in `Screenplay.elements` it shows (None for page numbers and
    title-page lines); `kind` is the element type or one of the KIND_* values."""

    x: int
    y: int
    spans: tuple[Span, ...]
    kind: str
    element: int | None = None

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Page:
    """A page: `number` is 1 for the first script page (0 for the title page)."""

    number: int
    lines: tuple[Line, ...]

    def elements(self) -> list[int]:
        """Indices of the elements with at least one line on this page, in order."""
        seen: dict[int, None] = {}
        for line in self.lines:
            if line.element is not None:
                seen.setdefault(line.element)
        return list(seen)

    def text(self) -> str:
        """The page as plain text, one string per paper line (trailing blank lines dropped):
        what tests and debugging look at."""
        rows: dict[int, list[str]] = {}
        for line in self.lines:
            row = rows.setdefault(line.y, [])
            pad = line.x - len("".join(row))
            row.append(" " * max(pad, 1 if row else 0) + line.text)
        if not rows:
            return ""
        return "\n".join("".join(rows.get(y, [])).rstrip() for y in range(max(rows) + 1))


# --- styled text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styled:
    """Plain text with one style flag per character: lets us wrap and split emphasised text at
    any character without re-parsing the markup."""

    text: str
    flags: tuple[int, ...]

    @classmethod
    def parse(cls, marked: str) -> _Styled:
        marked = marked.replace("\t", "    ")
        if not _MARKUP.search(marked):
            # Most lines carry no emphasis: skip the span parser (the hot path of a long script).
            return cls(marked, (0,) * len(marked))
        chars: list[str] = []
        flags: list[int] = []
        for span in inline.spans(marked):
            flag = (
                (_BOLD if span.bold else 0)
                | (_ITALIC if span.italic else 0)
                | (_UNDERLINE if span.underline else 0)
            )
            chars.append(span.text)
            flags.extend([flag] * len(span.text))
        return cls("".join(chars), tuple(flags))

    @classmethod
    def plain(cls, text: str, flag: int = 0) -> _Styled:
        return cls(text, (flag,) * len(text))

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: _Styled) -> _Styled:
        return _Styled(self.text + other.text, self.flags + other.flags)

    def slice(self, start: int, end: int) -> _Styled:
        return _Styled(self.text[start:end], self.flags[start:end])

    def strip(self) -> _Styled:
        start, end = 0, len(self.text)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return self.slice(start, end)

    def spans(self) -> tuple[Span, ...]:
        text, flags = self.text, self.flags
        if not text:
            return ()
        if flags.count(flags[0]) == len(flags):
            f = flags[0]
            return (Span(text, bool(f & _BOLD), bool(f & _ITALIC), bool(f & _UNDERLINE)),)
        out: list[Span] = []
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or flags[i] != flags[start]:
                f = flags[start]
                out.append(
                    Span(text[start:i], bool(f & _BOLD), bool(f & _ITALIC), bool(f & _UNDERLINE))
                )
                start = i
        return tuple(out)


def _wrap(styled: _Styled, width: int) -> list[_Styled]:
    """Greedy word wrap to `width` columns; "\\n" is a hard break; a word longer than the line
    is cut. Spaces at a soft break are dropped."""
    text = styled.text
    out: list[_Styled] = []
    pos = 0
    for segment in text.split("\n"):
        i, end = pos, pos + len(segment)
        pos = end + 1
        if i == end:
            out.append(styled.slice(i, i))
            continue
        while i < end:
            if end - i <= width:
                j = end
                while j > i and text[j - 1] == " ":
                    j -= 1
                out.append(styled.slice(i, j))
                break
            cut = text.rfind(" ", i + 1, i + width + 1)
            if cut <= i:
                out.append(styled.slice(i, i + width))
                i += width
            else:
                j = cut
                while j > i and text[j - 1] == " ":
                    j -= 1
                out.append(styled.slice(i, j))
                i = cut + 1
            while i < end and text[i] == " ":
                i += 1
    return out


# --- blocks: elements measured but not yet placed ----------------------------------------------


@dataclass(frozen=True)
class _Cell:
    x: int
    styled: _Styled
    kind: str
    element: int | None


_Row = tuple[_Cell, ...]


@dataclass
class _Item:
    """One parenthetical, dialogue or lyrics element inside a speech."""

    element: int
    kind: ElementType
    styled: _Styled


@dataclass
class _Speech:
    cue: Element | None
    cue_index: int | None
    items: list[_Item]
    contd: bool = False
    column: str | None = None  # "left" / "right" in dual dialogue

    def _geometry(self) -> tuple[int, int, int, int, int]:
        if self.column is None:
            return CUE_X, PAREN_X, PAREN_WIDTH, DIALOGUE_X, DIALOGUE_WIDTH
        origin = DUAL_ORIGINS[self.column]
        return (
            origin + DUAL_CUE_OFFSET,
            origin + DUAL_PAREN_OFFSET,
            DUAL_PAREN_WIDTH,
            origin,
            DUAL_WIDTH,
        )

    def cue_rows(self) -> list[_Row]:
        if self.cue is None:
            return []
        cue_x = self._geometry()[0]
        styled = _Styled.parse(self.cue.text)
        ext = self.cue.extension.strip()
        if ext:
            styled = styled + _Styled.plain(" " + ext)
        if self.contd and "CONT'D" not in ext.upper() and "CONT’D" not in ext.upper():
            styled = styled + _Styled.plain(" " + CONTD)
        width = RIGHT - cue_x if self.column != "left" else DUAL_WIDTH - DUAL_CUE_OFFSET
        return [
            (_Cell(cue_x, part, str(ElementType.CHARACTER), self.cue_index),)
            for part in _wrap(styled, width)
        ]

    def item_rows(self, item: _Item, styled: _Styled | None = None) -> list[_Row]:
        _cue_x, paren_x, paren_w, dial_x, dial_w = self._geometry()
        x, width = (
            (paren_x, paren_w) if item.kind == ElementType.PARENTHETICAL else (dial_x, dial_w)
        )
        return [
            (_Cell(x, part, str(item.kind), item.element),)
            for part in _wrap(styled if styled is not None else item.styled, width)
        ]

    def rows(self) -> list[_Row]:
        rows = self.cue_rows()
        for item in self.items:
            rows.extend(self.item_rows(item))
        return rows

    def more_row(self) -> _Row:
        cue_x = self._geometry()[0]
        return (_Cell(cue_x, _Styled.plain(MORE), KIND_MORE, self.cue_index),)


@dataclass
class _Block:
    rows: list[_Row]
    kind: str
    space_before: int = 1
    speech: _Speech | None = None
    keep_with_next: bool = False
    splits_lines: bool = False  # action-like: may break between lines
    first_element: int | None = None
    dual: list[_Speech] = field(default_factory=list)


def _text_block(index: int, element: Element, kind: ElementType) -> _Block:
    styled = _Styled.parse(element.text)
    rows: list[_Row] = []
    kind_s = str(kind)
    if kind == ElementType.TRANSITION:
        for part in _wrap(styled, ACTION_WIDTH):
            rows.append((_Cell(max(LEFT, RIGHT - len(part)), part, kind_s, index),))
    elif kind == ElementType.CENTERED:
        for part in _wrap(styled, ACTION_WIDTH):
            part = part.strip()
            rows.append((_Cell(LEFT + (ACTION_WIDTH - len(part)) // 2, part, kind_s, index),))
    elif kind == ElementType.SCENE_HEADING:
        parts = _wrap(styled, ACTION_WIDTH)
        for n, part in enumerate(parts):
            cells = [_Cell(LEFT, part, kind_s, index)]
            if n == 0 and element.scene_number:
                number = _Styled.plain(element.scene_number)
                cells.insert(0, _Cell(LEFT - 2 - len(number), number, KIND_SCENE_NUMBER, index))
                cells.append(_Cell(RIGHT + 2, number, KIND_SCENE_NUMBER, index))
            rows.append(tuple(cells))
    else:
        if kind == ElementType.LYRICS:
            styled = _Styled(styled.text, tuple(f | _ITALIC for f in styled.flags))
        rows = [(_Cell(LEFT, part, kind_s, index),) for part in _wrap(styled, ACTION_WIDTH)]
    return _Block(
        rows=rows,
        kind=kind_s,
        keep_with_next=kind == ElementType.SCENE_HEADING,
        splits_lines=kind in (ElementType.ACTION, ElementType.LYRICS),
        first_element=index,
    )


def _speech_block(speech: _Speech) -> _Block:
    first = speech.cue_index if speech.cue_index is not None else speech.items[0].element
    return _Block(rows=speech.rows(), kind="speech", speech=speech, first_element=first)


def _dual_block(left: _Speech, right: _Speech) -> _Block:
    rows: list[_Row] = []
    for a, b in zip_longest(left.rows(), right.rows(), fillvalue=()):
        rows.append(tuple(a) + tuple(b))
    return _Block(rows=rows, kind="dual", first_element=left.cue_index, dual=[left, right])


def _read_speech(elements: Sequence[Element], start: int, cue: bool) -> tuple[_Speech, int]:
    """The speech starting at `start` (a character element if `cue`), and the index after it."""
    i = start
    cue_el = elements[i] if cue else None
    if cue:
        i += 1
    items: list[_Item] = []
    while i < len(elements):
        el = elements[i]
        if el.type in (ElementType.PARENTHETICAL, ElementType.DIALOGUE, ElementType.LYRICS):
            items.append(_Item(i, el.type, _Styled.parse(el.text)))
        elif el.type not in (ElementType.NOTE,):
            break
        i += 1
    for item in items:
        if item.kind == ElementType.LYRICS:
            item.styled = _Styled(item.styled.text, tuple(f | _ITALIC for f in item.styled.flags))
    return _Speech(cue_el, start if cue else None, items), i


def _blocks(elements: Sequence[Element]) -> list[_Block]:
    blocks: list[_Block] = []
    i = 0
    n = len(elements)
    while i < n:
        el = elements[i]
        t = el.type
        if t in (ElementType.SECTION, ElementType.SYNOPSIS, ElementType.NOTE):
            i += 1
        elif t == ElementType.TITLE_PAGE:
            i += 1
        elif t == ElementType.PAGE_BREAK:
            blocks.append(_Block(rows=[], kind=str(t), space_before=0, first_element=i))
            i += 1
        elif t == ElementType.CHARACTER:
            speech, nxt = _read_speech(elements, i, cue=True)
            if el.dual == "left":
                j = nxt
                while j < n and elements[j].type in (ElementType.NOTE,):
                    j += 1
                if (
                    j < n
                    and elements[j].type == ElementType.CHARACTER
                    and elements[j].dual == "right"
                ):
                    other, after = _read_speech(elements, j, cue=True)
                    speech.column, other.column = "left", "right"
                    blocks.append(_dual_block(speech, other))
                    i = after
                    continue
            blocks.append(_speech_block(speech))
            i = nxt
        elif t in (ElementType.PARENTHETICAL, ElementType.DIALOGUE):
            speech, nxt = _read_speech(elements, i, cue=False)
            blocks.append(_speech_block(speech))
            i = nxt
        else:
            blocks.append(_text_block(i, el, t))
            i += 1
    return blocks


# --- splitting ---------------------------------------------------------------------------------


def _split_lines(block: _Block, avail: int) -> tuple[_Block, _Block] | None:
    """Split an action-like block so that the head has at most `avail` rows; at least two rows
    on each side, at a sentence end when one fits."""
    rows = block.rows
    best: int | None = None
    for k in range(min(avail, len(rows) - 2), 1, -1):
        if best is None:
            best = k
        if _ENDS_SENTENCE.search(_row_text(rows[k - 1])):
            best = k
            break
    if best is None:
        return None
    head = _Block(rows=rows[:best], kind=block.kind, first_element=block.first_element)
    tail = _Block(
        rows=rows[best:],
        kind=block.kind,
        splits_lines=True,
        first_element=block.first_element,
    )
    return head, tail


def _row_text(row: _Row) -> str:
    return "".join(cell.styled.text for cell in row)


def _min_head(block: _Block) -> int:
    """The fewest rows this block can put at the foot of a page (its whole height if it cannot
    be split): what a scene heading needs to see below itself."""
    if block.splits_lines and len(block.rows) >= 4:
        return 2
    if block.speech is not None:
        speech = block.speech
        rows = len(speech.cue_rows())
        for item in speech.items:
            if item.kind == ElementType.PARENTHETICAL:
                rows += len(speech.item_rows(item))
                continue
            rows += 1
            break
        # Two lines of the speech at least (with a MORE line if it does not all fit).
        return min(len(block.rows), rows + 1)
    return len(block.rows)


def _split_speech(block: _Block, avail: int) -> tuple[_Block, _Block] | None:
    """Split a speech so that its head (with the MORE line) takes at most `avail` rows."""
    speech = block.speech
    assert speech is not None
    cue_rows = len(speech.cue_rows())
    # Candidates: (head rows without MORE, is sentence boundary, item index, split offset|None)
    # A split offset of None means "after the whole item".
    candidates: list[tuple[int, bool, int, int | None]] = []
    used = cue_rows
    for idx, item in enumerate(speech.items):
        if used + 1 > avail:
            break  # nothing further down fits with its (MORE) line
        rows = speech.item_rows(item)
        if item.kind != ElementType.PARENTHETICAL:
            text = item.styled.text
            offsets: dict[int, bool] = {}
            for m in _SENTENCE_END.finditer(text):
                offsets[m.end()] = True
            # Line boundaries of the wrapped text, as offsets into the text.
            pos = 0
            for row in rows[:-1]:
                piece = row[0].styled.text
                pos = text.index(piece, pos) + len(piece) if piece else pos
                offsets.setdefault(pos, False)
            for off in sorted(offsets):
                if not text[:off].strip() or not text[off:].strip():
                    continue
                n = len(speech.item_rows(item, item.styled.slice(0, off).strip()))
                if used + n + 1 > avail:
                    break  # longer heads only take more rows
                candidates.append((used + n, offsets[off], idx, off))
            used += len(rows)
            if idx < len(speech.items) - 1:
                candidates.append((used, True, idx, None))
        else:
            used += len(rows)
    fitting = [c for c in candidates if c[0] + 1 <= avail]
    if not fitting:
        return None
    sentence_ones = [c for c in fitting if c[1]]
    pool = sentence_ones or fitting
    _rows, _sentence, idx, cut = max(pool, key=lambda c: (c[0], c[2]))
    head_items = list(speech.items[:idx])
    tail_items = list(speech.items[idx + 1 :])
    item = speech.items[idx]
    if cut is None:
        head_items.append(item)
    else:
        head_items.append(_Item(item.element, item.kind, item.styled.slice(0, cut).strip()))
        tail_items.insert(
            0, _Item(item.element, item.kind, item.styled.slice(cut, len(item.styled)).strip())
        )
    # A parenthetical never ends the head: when it would, the split is not valid.
    if head_items[-1].kind == ElementType.PARENTHETICAL or not tail_items:
        return None
    head_speech = _Speech(speech.cue, speech.cue_index, head_items, speech.contd, speech.column)
    tail_speech = _Speech(speech.cue, speech.cue_index, tail_items, True, speech.column)
    head = _speech_block(head_speech)
    head.rows = [*head.rows, head_speech.more_row()]
    return head, _speech_block(tail_speech)


# --- pagination --------------------------------------------------------------------------------


class _Pager:
    def __init__(self) -> None:
        self.pages: list[list[Line]] = []
        self.current: list[Line] = []
        self.y = 0  # rows used on the current page
        self.forced_number = 0

    def empty(self) -> bool:
        return self.y == 0

    def new_page(self) -> None:
        self.pages.append(self.current)
        self.current = []
        self.y = 0

    def place(self, block: _Block, gap: int) -> None:
        y = self.y + gap
        for row in block.rows:
            for cell in row:
                self.current.append(
                    Line(cell.x, TOP_LINE + y, cell.styled.spans(), cell.kind, cell.element)
                )
            y += 1
        self.y = y

    def finish(self) -> list[Page]:
        if self.current or not self.pages:
            self.pages.append(self.current)
        out: list[Page] = []
        for n, lines in enumerate(self.pages, start=1):
            if n > 1:
                label = f"{n}."
                lines = [
                    Line(RIGHT - len(label), PAGE_NUMBER_LINE, (Span(label),), KIND_PAGE_NUMBER),
                    *lines,
                ]
            out.append(Page(n, tuple(lines)))
        return out


def paginate(screenplay: Screenplay) -> list[Page]:
    """Lay the screenplay's elements out on pages (the title page is not among them: see
    `title_page`). Always at least one page."""
    blocks = _blocks(screenplay.elements)
    pager = _Pager()
    i = 0
    pending: _Block | None = None
    while pending is not None or i < len(blocks):
        if pending is not None:
            block, pending = pending, None
            is_continuation = True
        else:
            block = blocks[i]
            i += 1
            is_continuation = False
        if block.kind == ElementType.PAGE_BREAK:
            if not pager.empty():
                pager.new_page()
            continue
        if not block.rows:
            continue
        gap = 0 if pager.empty() or is_continuation else block.space_before
        avail = LINES_PER_PAGE - pager.y - gap
        need = len(block.rows)
        if block.keep_with_next and i < len(blocks) and blocks[i].kind != ElementType.PAGE_BREAK:
            nxt = blocks[i]
            need += nxt.space_before + _min_head(nxt)
        if need <= avail:
            pager.place(block, gap)
            continue
        split: tuple[_Block, _Block] | None = None
        if len(block.rows) > avail or not block.keep_with_next:
            if block.splits_lines:
                split = _split_lines(block, avail)
            elif block.speech is not None:
                split = _split_speech(block, avail)
        if split is not None:
            head, tail = split
            pager.place(head, gap)
            pager.new_page()
            pending = tail
            continue
        if pager.empty():
            # Taller than a whole page and not splittable by the rules (a huge dual dialogue,
            # a scene heading whose follower fills a page): cut it at the page foot.
            if len(block.rows) > LINES_PER_PAGE:
                head = _Block(rows=block.rows[:LINES_PER_PAGE], kind=block.kind)
                tail = _Block(rows=block.rows[LINES_PER_PAGE:], kind=block.kind)
                pager.place(head, 0)
                pager.new_page()
                pending = tail
            else:
                pager.place(block, 0)
            continue
        pager.new_page()
        pending = block
        # A block moved to a new page is not a continuation: it keeps no gap at the top anyway.
    return pager.finish()


def page_count(screenplay: Screenplay) -> int:
    """Script pages (without the title page): the running-time estimate in minutes."""
    return len(paginate(screenplay))


def scene_of_elements(elements: Sequence[Element]) -> list[int | None]:
    """For each element, the index of the scene heading it belongs to (None before the first)."""
    out: list[int | None] = []
    current: int | None = None
    for idx, el in enumerate(elements):
        if el.type == ElementType.SCENE_HEADING:
            current = idx
        out.append(current)
    return out


def scene_pages(
    screenplay: Screenplay, pages: Iterable[Page] | None = None
) -> list[tuple[int, int]]:
    """(element index of each scene heading, its length in eighths of a page), in order.

    A scene's length is the vertical space from its first line to where the next scene starts
    (or its last line on a page, plus the blank line after it), summed over its pages, in units
    of LINES_PER_PAGE / 8; every scene counts at least 1/8."""
    owner = scene_of_elements(screenplay.elements)
    lines_per_scene: dict[int, int] = {}
    order: list[int] = [
        i for i, el in enumerate(screenplay.elements) if el.type == ElementType.SCENE_HEADING
    ]
    for page in pages if pages is not None else paginate(screenplay):
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for line in page.lines:
            if line.element is None:
                continue
            scene = owner[line.element]
            if scene is None:
                continue
            first.setdefault(scene, line.y)
            first[scene] = min(first[scene], line.y)
            last[scene] = max(last.get(scene, line.y), line.y)
        starts = sorted((y, scene) for scene, y in first.items())
        for n, (y, scene) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else last[scene] + 2
            end = min(end, TOP_LINE + LINES_PER_PAGE)
            lines_per_scene[scene] = lines_per_scene.get(scene, 0) + max(end - y, 1)
    return [
        (scene, max(1, round(lines_per_scene.get(scene, 0) * 8 / LINES_PER_PAGE)))
        for scene in order
    ]


def eighths_label(eighths: int) -> str:
    """The usual "2 3/8" notation of a page length in eighths."""
    whole, rest = divmod(eighths, 8)
    if not rest:
        return str(whole)
    return f"{whole} {rest}/8" if whole else f"{rest}/8"


# --- title page --------------------------------------------------------------------------------


def _title_values(fields: Sequence[TitleField], *keys: str) -> list[tuple[str, str]]:
    wanted = {k.lower() for k in keys}
    return [(f.key, f.value) for f in fields if f.key.lower() in wanted]


def title_page(screenplay: Screenplay) -> Page | None:
    """The title page (number 0), or None when the screenplay has no title-page fields:
    title, credit, author(s) and source centered from about a third down the page; contact,
    copyright and notes bottom left; draft date bottom right."""
    fields = screenplay.title_page
    if not fields:
        return None
    lines: list[Line] = []
    y = 20
    for group in (("title",), ("credit",), ("author", "authors"), ("source",)):
        for _key, value in _title_values(fields, *group):
            for hard in value.split("\n"):
                for part in _wrap(_Styled.parse(hard.strip()), ACTION_WIDTH):
                    part = part.strip()
                    x = LEFT + (ACTION_WIDTH - len(part)) // 2
                    lines.append(Line(x, y, part.spans(), KIND_TITLE))
                    y += 1
            y += 1
        y += 1 if group == ("title",) else 0
    bottom_left = _title_values(fields, "contact", "copyright", "notes")
    left_rows = [
        part
        for _key, value in bottom_left
        for hard in value.split("\n")
        for part in _wrap(_Styled.parse(hard.strip()), ACTION_WIDTH // 2)
    ]
    right_rows = [
        part
        for _key, value in _title_values(fields, "draft date", "date")
        for hard in value.split("\n")
        for part in _wrap(_Styled.parse(hard.strip()), ACTION_WIDTH // 2 - 2)
    ]
    bottom = TOP_LINE + LINES_PER_PAGE - 1
    for n, part in enumerate(left_rows):
        lines.append(Line(LEFT, max(y, bottom - len(left_rows) + 1 + n), part.spans(), KIND_TITLE))
    for n, part in enumerate(right_rows):
        lines.append(
            Line(
                RIGHT - len(part),
                max(y, bottom - len(right_rows) + 1 + n),
                part.spans(),
                KIND_TITLE,
            )
        )
    return Page(0, tuple(lines))


def dual_columns(screenplay: Screenplay) -> dict[int, str]:
    """Element index → "left" / "right" for the elements printed in dual-dialogue columns
    (the pairs `paginate` puts side by side)."""
    out: dict[int, str] = {}
    for block in _blocks(screenplay.elements):
        for speech in block.dual:
            column = speech.column or "left"
            if speech.cue_index is not None:
                out[speech.cue_index] = column
            for item in speech.items:
                out[item.element] = column
    return out
