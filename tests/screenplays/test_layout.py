"""Pagination on known layouts: positions are columns (1/10") and paper lines (1/6")."""

from __future__ import annotations

from crowdstudio.screenplays import layout
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField

T = ElementType
BODY_TOP = layout.TOP_LINE
BODY_LAST = layout.TOP_LINE + layout.LINES_PER_PAGE - 1


def action_lines(count: int, start: int = 0) -> Element:
    """An action paragraph of exactly `count` printed lines."""
    return Element(T.ACTION, "\n".join(f"Filler line {start + i}." for i in range(count)))


def script(*elements: Element, title: tuple[TitleField, ...] = ()) -> Screenplay:
    return Screenplay(title_page=title, elements=tuple(elements))


def body(page: layout.Page) -> list[layout.Line]:
    return sorted(
        (ln for ln in page.lines if ln.kind != layout.KIND_PAGE_NUMBER),
        key=lambda ln: (ln.y, ln.x),
    )


SPEECH = " ".join(
    f"Sentence {n} goes on for a while so that it wraps over lines." for n in range(1, 13)
)


def test_it_prints_elements_at_the_industry_indents() -> None:
    pages = layout.paginate(
        script(
            Element(T.SCENE_HEADING, "INT. KITCHEN - DAY", scene_number="4A"),
            Element(T.ACTION, "Tea."),
            Element(T.CHARACTER, "ANN", extension="(V.O.)"),
            Element(T.PARENTHETICAL, "(softly)"),
            Element(T.DIALOGUE, "Hello."),
            Element(T.TRANSITION, "CUT TO:"),
            Element(T.CENTERED, "THE END"),
        )
    )
    lines = {ln.text: ln for ln in pages[0].lines}
    assert (lines["INT. KITCHEN - DAY"].x, lines["INT. KITCHEN - DAY"].y) == (15, BODY_TOP)
    assert lines["Tea."].x == 15 and lines["Tea."].y == BODY_TOP + 2
    assert lines["ANN (V.O.)"].x == 37 and lines["ANN (V.O.)"].y == BODY_TOP + 4
    assert lines["(softly)"].x == 31 and lines["(softly)"].y == BODY_TOP + 5
    assert lines["Hello."].x == 25 and lines["Hello."].y == BODY_TOP + 6
    assert lines["CUT TO:"].x + len("CUT TO:") == 75
    assert lines["THE END"].x == 15 + (60 - 7) // 2
    numbers = [ln for ln in pages[0].lines if ln.kind == layout.KIND_SCENE_NUMBER]
    assert [(n.text, n.y) for n in numbers] == [("4A", BODY_TOP), ("4A", BODY_TOP)]
    assert numbers[0].x + 2 + 2 == 15 and numbers[1].x == 77


def test_it_wraps_dialogue_at_three_and_a_half_inches_and_keeps_emphasis() -> None:
    pages = layout.paginate(
        script(
            Element(T.CHARACTER, "BOB"),
            Element(
                T.DIALOGUE, "I *really* mean it, every single word of this _rather_ long line."
            ),
        )
    )
    dialogue = [ln for ln in pages[0].lines if ln.kind == T.DIALOGUE]
    assert all(len(ln.text) <= 35 for ln in dialogue)
    assert len(dialogue) == 2
    italic = [s.text for ln in dialogue for s in ln.spans if s.italic]
    underlined = [s.text for ln in dialogue for s in ln.spans if s.underline]
    assert italic == ["really"] and underlined == ["rather"]
    assert " ".join(ln.text for ln in dialogue).count("*") == 0


def test_it_splits_a_long_speech_with_more_and_contd_at_a_sentence_end() -> None:
    # 40 lines of action, a blank, then the speech: 14 rows left for cue + dialogue + (MORE).
    filler = action_lines(40)
    pages = layout.paginate(
        script(
            filler,
            Element(T.CHARACTER, "BOB", extension="(O.S.)"),
            Element(T.DIALOGUE, SPEECH),
        )
    )
    assert len(pages) == 2
    first = body(pages[0])
    assert first[-1].text == "(MORE)" and first[-1].x == 37
    assert first[-1].y <= BODY_LAST
    last_dialogue = first[-2]
    assert last_dialogue.kind == T.DIALOGUE and last_dialogue.text.endswith("lines.")
    # It used the room: the (MORE) line is on the last line or the one before.
    assert first[-1].y >= BODY_LAST - 1
    second = body(pages[1])
    assert second[0].text == "BOB (O.S.) (CONT'D)" and second[0].x == 37
    assert second[0].y == BODY_TOP
    assert second[1].kind == T.DIALOGUE and second[1].text.startswith("Sentence")
    words = [
        w for page in pages for ln in body(page) if ln.kind == T.DIALOGUE for w in ln.text.split()
    ]
    assert words == SPEECH.split()


def test_it_does_not_repeat_contd_when_the_cue_already_has_it() -> None:
    pages = layout.paginate(
        script(
            action_lines(40),
            Element(T.CHARACTER, "BOB", extension="(CONT'D)"),
            Element(T.DIALOGUE, SPEECH),
        )
    )
    assert body(pages[1])[0].text == "BOB (CONT'D)"


def test_it_moves_a_cue_that_cannot_keep_its_first_dialogue_line() -> None:
    # 52 lines + blank leave two rows: cue and one dialogue line but no room for (MORE).
    pages = layout.paginate(
        script(action_lines(52), Element(T.CHARACTER, "BOB"), Element(T.DIALOGUE, SPEECH))
    )
    assert [ln.kind for ln in body(pages[0])] == [T.ACTION] * 52
    assert body(pages[1])[0].text == "BOB"


def test_it_never_leaves_a_parenthetical_alone_at_the_foot() -> None:
    # 50 lines + blank leave four rows: cue, first line, (beat) and (MORE) would fit, but the
    # parenthetical must not end the page, so it opens the next one.
    pages = layout.paginate(
        script(
            action_lines(50),
            Element(T.CHARACTER, "BOB"),
            Element(T.DIALOGUE, "Short first line."),
            Element(T.PARENTHETICAL, "(beat)"),
            Element(T.DIALOGUE, SPEECH),
        )
    )
    assert [ln.text for ln in body(pages[0])[-3:]] == ["BOB", "Short first line.", "(MORE)"]
    second = body(pages[1])
    assert [ln.text for ln in second[:2]] == ["BOB (CONT'D)", "(beat)"]
    assert second[1].x == 31 and second[2].text.startswith("Sentence 1 ")


def test_it_moves_a_scene_heading_that_would_end_the_page() -> None:
    # 52 action lines, a blank, then the heading would take line 54 of 55, leaving no room for
    # two lines of what follows.
    heading = Element(T.SCENE_HEADING, "EXT. GARDEN - NIGHT")
    pages = layout.paginate(script(action_lines(52), heading, action_lines(3, start=100)))
    assert body(pages[0])[-1].text == "Filler line 51."
    assert body(pages[1])[0].text == "EXT. GARDEN - NIGHT"
    assert body(pages[1])[0].y == BODY_TOP


def test_a_scene_heading_stays_when_two_lines_of_the_scene_fit_under_it() -> None:
    heading = Element(T.SCENE_HEADING, "EXT. GARDEN - NIGHT")
    # 48 lines, blank, heading (50), blank, two action lines (52, 53): fits, the rest splits on.
    pages = layout.paginate(script(action_lines(48), heading, action_lines(6, start=100)))
    texts = [ln.text for ln in body(pages[0])]
    assert "EXT. GARDEN - NIGHT" in texts
    assert texts[-1] != "EXT. GARDEN - NIGHT"
    assert sum(t.startswith("Filler line 1") and len(t) > 14 for t in texts) >= 2


def test_action_is_split_with_at_least_two_lines_on_each_page() -> None:
    pages = layout.paginate(script(action_lines(50), action_lines(6, start=100)))
    first_tail = [ln for ln in body(pages[0]) if ln.element == 1]
    second = body(pages[1])
    assert len(first_tail) >= 2 and len(second) >= 2
    assert len(first_tail) + len(second) == 6


def test_it_numbers_pages_from_page_two_top_right() -> None:
    pages = layout.paginate(script(action_lines(50), action_lines(50, start=50), action_lines(50)))
    assert len(pages) == 3
    assert not [ln for ln in pages[0].lines if ln.kind == layout.KIND_PAGE_NUMBER]
    for page in pages[1:]:
        (number,) = [ln for ln in page.lines if ln.kind == layout.KIND_PAGE_NUMBER]
        assert number.text == f"{page.number}."
        assert number.x + len(number.text) == 75 and number.y == 3


def test_a_forced_page_break_starts_a_new_page_but_never_an_empty_one() -> None:
    pages = layout.paginate(
        script(
            Element(T.PAGE_BREAK, ""),
            Element(T.ACTION, "One."),
            Element(T.PAGE_BREAK, ""),
            Element(T.PAGE_BREAK, ""),
            Element(T.ACTION, "Two."),
        )
    )
    assert [[ln.text for ln in body(p)] for p in pages] == [["One."], ["Two."]]
    assert body(pages[1])[0].y == BODY_TOP


def test_dual_dialogue_is_printed_side_by_side_and_kept_together() -> None:
    dual = (
        Element(T.CHARACTER, "ANN", dual="left"),
        Element(T.DIALOGUE, "I go first. " * 4),
        Element(T.CHARACTER, "BOB", dual="right"),
        Element(T.PARENTHETICAL, "(at once)"),
        Element(T.DIALOGUE, "And I at the same time."),
    )
    pages = layout.paginate(script(*dual))
    lines = {ln.text: ln for ln in pages[0].lines}
    assert lines["ANN"].y == lines["BOB"].y
    assert lines["ANN"].x < 45 <= lines["BOB"].x
    left = [ln for ln in pages[0].lines if ln.kind == T.DIALOGUE and ln.x < 45]
    assert left and all(len(ln.text) <= layout.DUAL_WIDTH for ln in left)
    assert layout.dual_columns(script(*dual)) == {
        0: "left",
        1: "left",
        2: "right",
        3: "right",
        4: "right",
    }
    # Near the foot of a page, the whole pair moves on.
    pages = layout.paginate(script(action_lines(52), *dual))
    assert [ln.kind for ln in body(pages[0])] == [T.ACTION] * 52
    assert {ln.text for ln in body(pages[1])} >= {"ANN", "BOB"}


def test_sections_synopses_and_notes_are_not_printed() -> None:
    pages = layout.paginate(
        script(
            Element(T.SECTION, "Act one", depth=1),
            Element(T.SYNOPSIS, "Things happen."),
            Element(T.NOTE, "Fix later"),
            Element(T.ACTION, "Visible."),
        )
    )
    assert [ln.text for ln in pages[0].lines] == ["Visible."]
    assert pages[0].lines[0].element == 3 and pages[0].lines[0].y == BODY_TOP


def test_an_empty_script_has_one_empty_page() -> None:
    pages = layout.paginate(script())
    assert len(pages) == 1 and pages[0].lines == ()
    assert layout.page_count(script()) == 1


def test_page_count_and_scene_lengths_in_eighths() -> None:
    half = layout.LINES_PER_PAGE // 2 - 3
    sp = script(
        Element(T.SCENE_HEADING, "INT. A - DAY"),
        action_lines(half),
        Element(T.SCENE_HEADING, "EXT. B - NIGHT"),
        action_lines(half),
        Element(T.SCENE_HEADING, "INT. C - DAY"),
        Element(T.ACTION, "Short."),
    )
    assert layout.page_count(sp) == 2
    lengths = layout.scene_pages(sp)
    assert [index for index, _ in lengths] == [0, 2, 4]
    assert [eighths for _, eighths in lengths] == [4, 4, 1]
    assert layout.eighths_label(11) == "1 3/8"
    assert layout.eighths_label(3) == "3/8"
    assert layout.eighths_label(16) == "2"


def test_the_title_page_centers_the_title_and_puts_the_contact_bottom_left() -> None:
    title = (
        TitleField("Title", "THE *BIG* ONE"),
        TitleField("Credit", "written by"),
        TitleField("Author", "Ann Writer"),
        TitleField("Contact", "ann@example.com\n555 0100"),
        TitleField("Draft date", "1 May 2026"),
    )
    page = layout.title_page(script(Element(T.ACTION, "x"), title=title))
    assert page is not None and page.number == 0
    lines = {ln.text: ln for ln in page.lines}
    big = lines["THE BIG ONE"]
    assert big.x == 15 + (60 - len("THE BIG ONE")) // 2
    assert [s.text for s in big.spans if s.italic] == ["BIG"]
    assert lines["written by"].y > big.y and lines["Ann Writer"].y > lines["written by"].y
    assert lines["ann@example.com"].x == 15 and lines["555 0100"].y == BODY_LAST
    assert lines["1 May 2026"].x + len("1 May 2026") == 75
    assert layout.title_page(script()) is None
