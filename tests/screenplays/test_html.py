"""The reader markup: escaped, anchored per element, paginated like the PDF."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.safestring import SafeString

from crowdstudio.screenplays import html, layout
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField

T = ElementType
CSS = Path(html.__file__).resolve().parents[1] / "static" / "screenplays" / "screenplay.css"

LONG = " ".join(f"Sentence {n} of a speech that is long enough to wrap." for n in range(90))


def test_every_user_string_is_escaped() -> None:
    screenplay = Screenplay(
        title_page=(TitleField("Title", "<b>Bold</b> & co"), TitleField("Contact", "<i>x</i>")),
        elements=(
            Element(T.SECTION, "<h1>act</h1>", depth=1),
            Element(T.SCENE_HEADING, "INT. <SCRIPT> - DAY", scene_number='1"><x'),
            Element(T.ACTION, "<script>alert(1)</script> *<img src=x onerror=y>*"),
            Element(T.NOTE, "<img src=x onerror=alert(2)>"),
            Element(T.CHARACTER, "<BOB>", extension="(<V.O.>)"),
            Element(T.DIALOGUE, "a & b", notes=("<u>note</u>",)),
        ),
    )
    out = html.render_html(screenplay)
    assert isinstance(out, SafeString)
    for raw in (
        "<script",
        "<img",
        "<b>Bold",
        "<h1>",
        "<SCRIPT>",
        "<BOB>",
        "<V.O.>",
        "<u>note",
        '"><x',
    ):
        assert raw not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<em>&lt;img src=x onerror=y&gt;</em>" in out
    assert "a &amp; b" in out
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in out


def test_each_element_has_one_anchor_even_when_it_is_split_over_pages() -> None:
    screenplay = Screenplay(
        elements=(
            Element(T.SCENE_HEADING, "INT. HALL - DAY"),
            Element(T.ACTION, "\n".join(f"Line {n}." for n in range(30))),
            Element(T.CHARACTER, "BOB"),
            Element(T.DIALOGUE, LONG),
            Element(T.ACTION, "After."),
        )
    )
    out = str(html.render_html(screenplay))
    for index in range(5):
        assert out.count(f'id="el-{index}"') == 1
    assert len(re.findall(r'class="sp-el sp-dialogue[^"]*"[^>]*data-index="3"', out)) >= 2
    assert 'class="sp-el sp-dialogue sp-contd"' in out
    assert "(MORE)" in out and "BOB (CONT&#x27;D)" in out
    pages = layout.page_count(screenplay)
    assert pages >= 2
    assert out.count('<section class="sp-page"') == pages
    assert '<div class="sp-page-number" aria-hidden="true">2.</div>' in out
    # Without anchors there are no ids (two versions can share a page).
    plain = str(html.render_html(screenplay, anchors=False))
    assert 'id="el-' not in plain and "data-index" not in plain


def test_notes_are_markers_and_the_outline_is_not_script_text() -> None:
    screenplay = Screenplay(
        elements=(
            Element(T.SECTION, "Act one", depth=2),
            Element(T.SYNOPSIS, "They meet."),
            Element(T.ACTION, "Rain.", notes=("More rain?",)),
            Element(T.NOTE, "Cut this scene"),
            Element(T.ACTION, "Sun."),
        )
    )
    out = str(html.render_html(screenplay))
    assert '<div class="sp-meta sp-section sp-depth-2" id="el-0" data-index="0">Act one' in out
    assert '<div class="sp-meta sp-synopsis" id="el-1" data-index="1">They meet.' in out
    note = re.search(r'<details class="sp-note" id="el-3" data-index="3">(.*?)</details>', out)
    assert note and "Cut this scene" in note.group(1)
    assert out.index('id="el-3"') < out.index('id="el-4"')
    rain = re.search(r'id="el-2" data-index="2">(.*?)<details class="sp-note" id', out, re.S)
    assert rain and '<details class="sp-note">' in rain.group(1) and "More rain?" in rain.group(1)
    # No note text inside a printed line.
    assert not re.search(r'<div class="sp-line">[^<]*(Cut this|More rain)', out)


def test_boneyard_never_reaches_the_reader() -> None:
    from crowdstudio.screenplays import fountain

    screenplay = fountain.parse("INT. A - DAY\n\nSeen. /* hidden words */ Also seen.\n")
    out = str(html.render_html(screenplay))
    assert "hidden words" not in out and "Seen." in out


def test_dual_dialogue_becomes_two_columns_and_lyrics_are_italic() -> None:
    screenplay = Screenplay(
        elements=(
            Element(T.CHARACTER, "ANN", dual="left"),
            Element(T.DIALOGUE, "Left."),
            Element(T.CHARACTER, "BOB", dual="right"),
            Element(T.LYRICS, "La la."),
        )
    )
    out = str(html.render_html(screenplay))
    dual = re.search(r'<div class="sp-dual">(.*)</div></div></section>', out, re.S)
    assert dual
    left, right = dual.group(1).split('<div class="sp-col sp-col-right">')
    assert 'id="el-0"' in left and 'id="el-1"' in left
    assert 'id="el-2"' in right and 'id="el-3"' in right
    assert "sp-lyrics" in right


def test_the_title_page_is_rendered_first() -> None:
    screenplay = Screenplay(
        title_page=(TitleField("Title", "Big"), TitleField("Draft date", "May")),
        elements=(Element(T.ACTION, "x"),),
    )
    out = str(html.render_html(screenplay))
    assert out.index("sp-title-page") < out.index('data-page="1"')
    assert '<div class="sp-tp-title"><div class="sp-line">Big</div></div>' in out
    assert '<div class="sp-tp-date"><div class="sp-line">May</div></div>' in out


def test_the_stylesheet_is_local_and_uses_the_layout_indents() -> None:
    css = CSS.read_text()
    assert "http" not in css and "@import" not in css
    assert ".sp-character, .screenplay .sp-more { margin-left: 22ch; }" in css
    assert layout.CUE_X - layout.LEFT == 22
    assert layout.PAREN_X - layout.LEFT == 16 and layout.DIALOGUE_X - layout.LEFT == 10
    assert "width: 60ch" in css and "font-size: 12pt" in css


def test_the_markup_is_well_formed() -> None:
    from html.parser import HTMLParser

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack.pop() == tag, tag

    screenplay = Screenplay(
        title_page=(TitleField("Title", "T"), TitleField("Contact", "c")),
        elements=(
            Element(T.SCENE_HEADING, "INT. A - DAY", scene_number="1"),
            Element(T.ACTION, "\n".join(f"Line {n}." for n in range(40)), notes=("n",)),
            Element(T.CHARACTER, "ANN", dual="left"),
            Element(T.DIALOGUE, "**Bold** _under_ *it*"),
            Element(T.CHARACTER, "BOB", dual="right"),
            Element(T.DIALOGUE, "Yes."),
            Element(T.CHARACTER, "BOB"),
            Element(T.DIALOGUE, LONG),
            Element(T.NOTE, "end"),
        ),
    )
    checker = Balance()
    checker.feed(str(html.render_html(screenplay)))
    checker.close()
    assert checker.stack == []
