"""The screenplay as reader HTML: the same pages and line breaks as the PDF (from `layout`),
styled by static/screenplays/screenplay.css (Courier 12 pt, the industry indents in `ch`).

Every printed element is one block `<div class="sp-el sp-<type>" id="el-<index>"
data-index="<index>">` (a speech split over two pages gives two blocks; only the first has the
id), so review comments can anchor to an element. Sections and synopses are shown as muted
outline markers and notes as collapsible note markers, never as script text; boneyard never
reaches the model. All user text is escaped here; the result is marked safe because it is built
only from escaped text and our own markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from crowdstudio.screenplays import layout
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay
from crowdstudio.screenplays.inline import Span, spans

_MAX_GAP = 4


def spans_html(runs: Iterable[Span]) -> str:
    """Styled runs as escaped HTML with <strong>, <em> and <u>."""
    out: list[str] = []
    for span in runs:
        text = str(escape(span.text))
        if span.underline:
            text = f"<u>{text}</u>"
        if span.italic:
            text = f"<em>{text}</em>"
        if span.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


class _Renderer:
    def __init__(self, screenplay: Screenplay, anchors: bool) -> None:
        self.screenplay = screenplay
        self.elements: Sequence[Element] = screenplay.elements
        self.anchors = anchors
        self.pages = layout.paginate(screenplay)
        self.columns = layout.dual_columns(screenplay)
        self.started: set[int] = set()
        printed = {
            line.element for page in self.pages for line in page.lines if line.element is not None
        }
        # Elements that print nothing (sections, synopses, notes, page breaks) are shown just
        # before the next printed element, or at the end.
        self.before: dict[int, list[int]] = {}
        self.trailing: list[int] = []
        waiting: list[int] = []
        for index in range(len(self.elements)):
            if index in printed:
                if waiting:
                    self.before[index] = waiting
                    waiting = []
            else:
                waiting.append(index)
        self.trailing = waiting

    # --- attributes and markers ---------------------------------------------------------------

    def _anchor(self, index: int, first: bool) -> str:
        if not self.anchors:
            return ""
        if first:
            return f' id="el-{index}" data-index="{index}"'
        return f' data-index="{index}"'

    def _notes(self, notes: Iterable[str]) -> str:
        label = escape(gettext("Note"))
        return "".join(
            f'<details class="sp-note"><summary>{label}</summary>'
            f'<p class="sp-note-text">{escape(note)}</p></details>'
            for note in notes
        )

    def _unprinted(self, index: int) -> str:
        el = self.elements[index]
        anchor = self._anchor(index, True)
        if el.type == ElementType.NOTE:
            label = escape(gettext("Note"))
            return (
                f'<details class="sp-note"{anchor}><summary>{label}</summary>'
                f'<p class="sp-note-text">{escape(el.text)}</p></details>'
            )
        if el.type == ElementType.SECTION:
            depth = max(1, min(el.depth, 6))
            return (
                f'<div class="sp-meta sp-section sp-depth-{depth}"{anchor}>'
                f"{escape(el.text)}{self._notes(el.notes)}</div>"
            )
        if el.type == ElementType.SYNOPSIS:
            return (
                f'<div class="sp-meta sp-synopsis"{anchor}>'
                f"{escape(el.text)}{self._notes(el.notes)}</div>"
            )
        if el.type == ElementType.PAGE_BREAK:
            return f'<div class="sp-forced-break"{anchor}></div>'
        # Anything else that printed nothing (an empty action, say) still gets its anchor.
        return f'<div class="sp-el sp-empty"{anchor}>{self._notes(el.notes)}</div>'

    # --- blocks -------------------------------------------------------------------------------

    def _block(self, lines: list[layout.Line], gap: int) -> str:
        first_line = lines[0]
        index = first_line.element
        kind = first_line.kind
        gap_class = f" sp-gap-{min(gap, _MAX_GAP)}" if gap > 0 else ""
        body = "".join(
            f'<div class="sp-line">{spans_html(line.spans) or "&#8203;"}</div>' for line in lines
        )
        if kind == layout.KIND_MORE:
            return f'<div class="sp-more{gap_class}" aria-hidden="true">{body}</div>'
        assert index is not None
        prefix = ""
        first = index not in self.started
        classes = f"sp-el sp-{kind}{gap_class}"
        if first:
            self.started.add(index)
            prefix = "".join(self._unprinted(i) for i in self.before.get(index, ()))
        else:
            classes += " sp-contd"
        el = self.elements[index]
        if kind == ElementType.LYRICS and first_line.x == layout.DIALOGUE_X:
            classes += " sp-sung"
        if kind == ElementType.SCENE_HEADING and el.scene_number:
            number = escape(el.scene_number)
            body = (
                f'<span class="sp-scene-number sp-scene-number-left">{number}</span>'
                f'<span class="sp-scene-number sp-scene-number-right">{number}</span>' + body
            )
        notes = self._notes(el.notes) if first and el.notes else ""
        return f'{prefix}<div class="{classes}"{self._anchor(index, first)}>{body}{notes}</div>'

    def _groups(self, lines: list[layout.Line]) -> list[tuple[list[layout.Line], int]]:
        """Consecutive lines of the same element and kind, each with the blank lines above."""
        groups: list[tuple[list[layout.Line], int]] = []
        prev_y: int | None = None
        for line in lines:
            key = (line.element, line.kind)
            if (
                groups
                and (groups[-1][0][-1].element, groups[-1][0][-1].kind) == key
                and (prev_y is not None and line.y == prev_y + 1)
            ):
                groups[-1][0].append(line)
            else:
                gap = 0 if prev_y is None else line.y - prev_y - 1
                groups.append(([line], gap))
            prev_y = line.y
        return groups

    def _page(self, page: layout.Page) -> str:
        parts: list[str] = []
        lines = sorted(
            (
                line
                for line in page.lines
                if line.kind not in (layout.KIND_PAGE_NUMBER, layout.KIND_SCENE_NUMBER)
            ),
            key=lambda line: (line.y, line.x),
        )
        prev_y = layout.TOP_LINE - 1
        i = 0
        while i < len(lines):
            line = lines[i]
            column = self.columns.get(line.element) if line.element is not None else None
            if column is None:
                j = i
                while j < len(lines) and (
                    lines[j].element is None or lines[j].element not in self.columns
                ):
                    j += 1
                run = lines[i:j]
                for n, (group, gap) in enumerate(self._groups(run)):
                    parts.append(self._block(group, run[0].y - prev_y - 1 if n == 0 else gap))
                prev_y = run[-1].y
                i = j
                continue
            j = i
            while (
                j < len(lines) and lines[j].element is not None and lines[j].element in self.columns
            ):
                j += 1
            run = lines[i:j]
            gap = run[0].y - prev_y - 1
            cols = []
            for side in ("left", "right"):
                col_lines = [
                    ln for ln in run if ln.element is not None and self.columns[ln.element] == side
                ]
                blocks = "".join(self._block(g, gp) for g, gp in self._groups(col_lines))
                cols.append(f'<div class="sp-col sp-col-{side}">{blocks}</div>')
            gap_class = f" sp-gap-{min(gap, _MAX_GAP)}" if gap > 0 else ""
            parts.append(f'<div class="sp-dual{gap_class}">{"".join(cols)}</div>')
            prev_y = max(ln.y for ln in run)
            i = j
        if page is self.pages[-1]:
            parts.extend(self._unprinted(i) for i in self.trailing)
        number = ""
        if page.number > 1:
            number = f'<div class="sp-page-number" aria-hidden="true">{page.number}.</div>'
        label = escape(gettext("Page %(number)d") % {"number": page.number})
        return (
            f'<section class="sp-page" data-page="{page.number}" aria-label="{label}">'
            f'{number}<div class="sp-body">{"".join(parts)}</div></section>'
        )

    def _title_page(self) -> str:
        fields = self.screenplay.title_page
        if not fields:
            return ""

        def values(*keys: str) -> list[str]:
            return [f.value for f in fields if f.key.lower() in keys]

        def block(cls: str, keys: tuple[str, ...]) -> str:
            out = []
            for value in values(*keys):
                lines = "".join(
                    f'<div class="sp-line">{_marked_html(part.strip()) or "&#8203;"}</div>'
                    for part in value.split("\n")
                )
                out.append(f'<div class="{cls}">{lines}</div>')
            return "".join(out)

        main = (
            block("sp-tp-title", ("title",))
            + block("sp-tp-credit", ("credit",))
            + block("sp-tp-author", ("author", "authors"))
            + block("sp-tp-source", ("source",))
        )
        foot_left = block("sp-tp-contact", ("contact", "copyright", "notes"))
        foot_right = block("sp-tp-date", ("draft date", "date"))
        label = escape(gettext("Title page"))
        return (
            f'<section class="sp-page sp-title-page" data-page="0" aria-label="{label}">'
            f'<div class="sp-tp-main">{main}</div>'
            f'<div class="sp-tp-foot"><div class="sp-tp-left">{foot_left}</div>'
            f'<div class="sp-tp-right">{foot_right}</div></div></section>'
        )

    def render(self) -> str:
        pages = "".join(self._page(page) for page in self.pages)
        return f'<div class="screenplay">{self._title_page()}{pages}</div>'


def _marked_html(text: str) -> str:
    return spans_html(spans(text))


def render_html(screenplay: Screenplay, *, anchors: bool = True) -> SafeString:
    """The reader markup of a screenplay: title page and pages, every user string escaped.
    With `anchors=False` the element ids and data-index attributes are left out (for showing
    two versions on one page)."""
    return mark_safe(_Renderer(screenplay, anchors).render())  # noqa: S308 - escaped above
