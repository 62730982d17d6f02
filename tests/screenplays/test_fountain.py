"""Fountain parsing and writing, checked against a corpus written from the fountain.io syntax.

Each tests/screenplays/fountain_cases/NAME.fountain has NAME.json next to it: the expected
element list in the CLI's JSON shape. An expected element states every field that must be set
(`forced`, `notes`, `dual`, …); `line` is checked only where the expectation gives it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from crowdstudio.screenplays import fountain, inline
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, ScreenplayError

CASES = Path(__file__).parent / "fountain_cases"
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.fountain"))


def _load(name: str) -> tuple[str, list[dict[str, Any]]]:
    text = (CASES / f"{name}.fountain").read_text(encoding="utf-8")
    expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return text, expected


def assert_elements(screenplay: Screenplay, expected: list[dict[str, Any]]) -> None:
    actual = screenplay.to_json_list()
    got = [
        {k: v for k, v in item.items() if k != "line" or "line" in want}
        for item, want in zip(actual, expected, strict=False)
    ]
    assert [item["type"] for item in actual] == [item["type"] for item in expected], actual
    assert got == expected


def same_elements(a: Screenplay, b: Screenplay) -> bool:
    return [e.without_position() for e in a.elements] == [
        e.without_position() for e in b.elements
    ] and a.title_page == b.title_page


def test_the_corpus_covers_every_element_type() -> None:
    seen = {item["type"] for name in CASE_NAMES for item in _load(name)[1]}
    assert seen == {str(t) for t in ElementType}


@pytest.mark.parametrize("name", CASE_NAMES)
def test_it_reads_each_corpus_case_as_the_spec_says(name: str) -> None:
    text, expected = _load(name)
    assert_elements(fountain.parse(text), expected)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_writing_a_corpus_case_reads_back_to_the_same_elements(name: str) -> None:
    original = fountain.parse(_load(name)[0])
    written = fountain.write(original)
    assert same_elements(fountain.parse(written), original), written
    assert fountain.write(fountain.parse(written)) == written


@pytest.mark.parametrize("name", CASE_NAMES)
def test_crlf_cr_and_a_byte_order_mark_read_like_plain_newlines(name: str) -> None:
    text, expected = _load(name)
    assert_elements(fountain.parse("\ufeff" + text.replace("\n", "\r\n")), expected)
    assert_elements(fountain.parse(text.replace("\n", "\r")), expected)


def test_an_empty_file_and_a_whitespace_only_file_have_no_elements() -> None:
    assert fountain.parse("") == Screenplay()
    assert fountain.parse("  \n\t\n   \n\n") == Screenplay()
    assert fountain.write(Screenplay()) == ""


def test_fade_in_at_the_top_is_not_a_title_page() -> None:
    screenplay = fountain.parse("FADE IN:\n\nINT. HOUSE - DAY\n")
    assert screenplay.title_page == ()
    assert [e.type for e in screenplay.elements] == [ElementType.ACTION, ElementType.SCENE_HEADING]


def test_a_title_page_needs_to_be_at_the_top() -> None:
    screenplay = fountain.parse("INT. HOUSE - DAY\n\nTitle: Not a title\n")
    assert screenplay.title_page == ()
    assert screenplay.elements[1].text == "Title: Not a title"


def test_emphasis_in_parsed_text_turns_into_styled_runs() -> None:
    screenplay = fountain.parse(_load("emphasis")[0])
    runs = inline.spans(screenplay.elements[1].text)
    assert inline.Span("*9765*", bold=True) in runs
    first = inline.spans(screenplay.elements[0].text)
    assert inline.Span("Leupold Mark 4", italic=True, underline=True) in first
    assert inline.plain(screenplay.elements[2].text).startswith("He dives right in. A lone * ")


def test_an_unclosed_boneyard_is_an_error_on_the_line_where_it_opens() -> None:
    with pytest.raises(ScreenplayError) as caught:
        fountain.parse("INT. HOUSE - DAY\n\nBob sits. /* cut\n\nthe rest\n")
    assert caught.value.line == 3
    assert "boneyard" in caught.value.message


def test_nul_bytes_and_non_text_are_refused_with_a_line() -> None:
    with pytest.raises(ScreenplayError) as caught:
        fountain.parse("INT. HOUSE - DAY\n\nA\x00B\n")
    assert caught.value.line == 3
    with pytest.raises(ScreenplayError):
        fountain.parse(12)  # type: ignore[arg-type]
    with pytest.raises(ScreenplayError) as caught:
        fountain.parse(b"line one\n\xff\xfe bad")  # type: ignore[arg-type]
    assert caught.value.line == 2


def test_the_writer_adds_force_marks_only_where_they_are_needed() -> None:
    screenplay = Screenplay(
        elements=(
            Element(ElementType.ACTION, "THE DOOR SLAMS."),
            Element(ElementType.ACTION, "BANG\nThe door again."),
            Element(ElementType.SCENE_HEADING, "OUTSIDE"),
            Element(ElementType.CHARACTER, "McCLANE"),
            Element(ElementType.DIALOGUE, "Hi."),
            Element(ElementType.TRANSITION, "Dissolve."),
            Element(ElementType.ACTION, "Title: looks like a key"),
        )
    )
    text = fountain.write(screenplay)
    assert "\nTHE DOOR SLAMS.\n" in "\n" + text
    assert "!BANG\n" in text
    assert ".OUTSIDE\n" in text
    assert "@McCLANE\n" in text
    assert "> Dissolve.\n" in text
    reread = fountain.parse(text)
    assert [(e.type, e.text) for e in reread.elements] == [
        (e.type, e.text) for e in screenplay.elements
    ]


def test_a_leading_action_that_looks_like_a_title_page_is_forced() -> None:
    screenplay = Screenplay(elements=(Element(ElementType.ACTION, "Note: this is action"),))
    text = fountain.write(screenplay)
    assert text.startswith("!")
    assert fountain.parse(text).elements[0].text == "Note: this is action"


# --------------------------------------------------------------------------- a 300-page script

_NAMES = ("ALICE", "BOB", "CARMEN", "DMITRI", "ÉLODIE", "ZOË", "MCCLANE (V.O.)")
_PLACES = ("KITCHEN", "ROOFTOP", "SUBWAY CAR", "CAFÉ", "POLICE STATION")


def generate_script(pages: int, seed: int = 5) -> tuple[str, dict[str, int]]:
    """A script of roughly `pages` pages (two short scenes a page) and its element counts."""
    rng = random.Random(seed)
    out = ["Title: Generated", "Author: The test suite", ""]
    counts = {"scene_heading": 0, "character": 0, "dialogue": 0, "action": 0, "note": 0}
    for scene in range(1, pages * 2 + 1):
        if scene % 40 == 1:
            out += [f"# ACT {scene // 40 + 1}", ""]
        place = rng.choice(_PLACES)
        out += [
            f"{rng.choice(('INT.', 'EXT.'))} {place} - {rng.choice(('DAY', 'NIGHT'))} #{scene}#",
            "",
        ]
        counts["scene_heading"] += 1
        out += [f"Scene {scene} begins. *Rain* on the glass. /* draft: make it snow */", ""]
        counts["action"] += 1
        for _ in range(rng.randint(3, 6)):
            name = rng.choice(_NAMES)
            out.append(name)
            counts["character"] += 1
            if rng.random() < 0.3:
                out.append("(beat)")
            out.append(
                " ".join(
                    rng.choice(("yes", "no", "maybe", "never", "run!"))
                    for _ in range(rng.randint(3, 30))
                )
            )
            counts["dialogue"] += 1
            out.append("")
        if scene % 10 == 0:
            out += ["[[check continuity]]", ""]
            counts["note"] += 1
        out += ["CUT TO:", ""]
    return "\n".join(out), counts


def test_a_300_page_script_parses_with_the_right_counts_and_writes_back_stably() -> None:
    text, counts = generate_script(300)
    screenplay = fountain.parse(text)
    for kind, expected in counts.items():
        assert sum(1 for e in screenplay.elements if e.type == kind) == expected, kind
    assert screenplay.title() == "Generated"
    assert all("draft" not in e.text for e in screenplay.elements)
    numbers = [e.scene_number for e in screenplay.elements if e.type == ElementType.SCENE_HEADING]
    assert numbers == [str(n) for n in range(1, 601)]
    written = fountain.write(screenplay)
    again = fountain.parse(written)
    assert same_elements(again, screenplay)
    assert fountain.write(again) == written


def test_a_note_on_its_own_line_inside_a_speech_stays_with_that_speech() -> None:
    screenplay = fountain.parse("BOB\n[[first]]\nHello.\n[[second]]\n(beat)\nBye.\n")
    got = [(e.type, e.text, e.notes) for e in screenplay.elements]
    assert got == [
        (ElementType.CHARACTER, "BOB", ("first",)),
        (ElementType.DIALOGUE, "Hello.", ("second",)),
        (ElementType.PARENTHETICAL, "(beat)", ()),
        (ElementType.DIALOGUE, "Bye.", ()),
    ]


def test_one_line_elements_stacked_without_blank_lines_are_each_read() -> None:
    text = "# ACT I\n= Setup.\n===\n.OPENING\n> FADE IN:\nThen action.\n"
    got = [(e.type, e.text) for e in fountain.parse(text).elements]
    assert got == [
        (ElementType.SECTION, "ACT I"),
        (ElementType.SYNOPSIS, "Setup."),
        (ElementType.PAGE_BREAK, ""),
        (ElementType.SCENE_HEADING, "OPENING"),
        (ElementType.TRANSITION, "FADE IN:"),
        (ElementType.ACTION, "Then action."),
    ]
    assert len(fountain.parse("# s\n" * 5000).elements) == 5000  # a loop, not recursion


def test_pathological_input_is_read_as_plain_text() -> None:
    # Thousands of notes and boneyards that never close within a paragraph, on one line or
    # many: read in linear time (these took minutes with a naive look-ahead).
    assert fountain.parse("[[x\n" * 12000).elements[0].type == ElementType.ACTION
    assert fountain.parse("/* x */" * 20000) == Screenplay()
    assert fountain.parse("[[x]]" * 20000).elements[0].type == ElementType.NOTE


def test_a_boneyard_that_fills_a_line_removes_the_line_not_just_its_text() -> None:
    screenplay = fountain.parse("BOB\nHello.\n   /* cut */   \nBye.\n\nEnd. /* a\nb */\n")
    assert [(e.type, e.text, e.line) for e in screenplay.elements] == [
        (ElementType.CHARACTER, "BOB", 1),
        (ElementType.DIALOGUE, "Hello.\nBye.", 2),
        (ElementType.ACTION, "End.", 6),
    ]


def test_text_from_elsewhere_with_a_literal_boneyard_opener_is_written_safely() -> None:
    screenplay = Screenplay(elements=(Element(ElementType.ACTION, "and/*or"),))
    text = fountain.write(screenplay)
    assert text == "and/\\*or\n"
    assert inline.plain(fountain.parse(text).elements[0].text) == "and/*or"


def test_many_unclosed_note_openers_are_plain_text() -> None:
    # Each "[[" used to search to the end of the line for a "]]" that never came (quadratic:
    # seconds for this line); now the search stops at the last "]]".
    screenplay = fountain.parse("[[a]] " + "[[" * 20_000)
    assert screenplay.elements[0].notes == ("a",)
    assert screenplay.elements[0].text == "[[" * 20_000


def test_an_element_longer_than_the_limit_is_refused_with_its_line():
    from crowdstudio.screenplays.fountain import MAX_ELEMENT_CHARS

    speech = "word " * (MAX_ELEMENT_CHARS // 5 + 10)
    with pytest.raises(ScreenplayError) as caught:
        fountain.parse(f"INT. HALL - DAY\n\nMARA\n{speech}\n")
    assert caught.value.line == 4
    assert "dialogue is longer than" in caught.value.message
    # Just under the limit is fine.
    fountain.parse(f"INT. HALL - DAY\n\nMARA\n{'word ' * 9000}\n")
