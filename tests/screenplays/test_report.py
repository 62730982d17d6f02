"""The script report on a known set of scenes, and its CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from crowdstudio.screenplays import report
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay

T = ElementType


def scenes() -> Screenplay:
    return Screenplay(
        elements=(
            Element(T.SCENE_HEADING, "INT. KITCHEN - DAY", scene_number="1"),
            Element(T.ACTION, "Breakfast."),
            Element(T.CHARACTER, "BOB"),
            Element(T.DIALOGUE, "Pass the *salt*, please."),  # 4 words
            Element(T.CHARACTER, "ANN"),
            Element(T.PARENTHETICAL, "(not looking up)"),
            Element(T.DIALOGUE, "No."),  # 1 word
            Element(T.CHARACTER, "BOB", extension="(CONT'D)"),
            Element(T.DIALOGUE, "Fine."),  # 1 word
            Element(T.SCENE_HEADING, "EXT. GARDEN - NIGHT", scene_number="2"),
            Element(T.CHARACTER, "Ann", extension="(V.O.)"),
            Element(T.DIALOGUE, "I left."),  # 2 words
            Element(T.LYRICS, "La la la."),  # 3 words
            Element(T.SCENE_HEADING, "INT./EXT. CAR - MOVING - DUSK", scene_number="2A"),
            Element(T.ACTION, "Nobody talks."),
            Element(T.SCENE_HEADING, "FLASHBACK", forced=True),
            Element(T.SCENE_HEADING, "int. kitchen - night"),
            Element(T.CHARACTER, "CAROL", dual="left"),
            Element(T.DIALOGUE, "Hi."),
            Element(T.CHARACTER, "BOB", dual="right"),
            Element(T.DIALOGUE, "Hi there."),
        )
    )


def test_a_known_scene_set_gives_the_expected_breakdown() -> None:
    result = report.script_report(scenes())
    assert result.page_count == 1
    rows = [(s.number, s.setting, s.location, s.time_of_day, s.characters) for s in result.scenes]
    assert rows == [
        ("1", "INT", "KITCHEN", "DAY", ("BOB", "ANN")),
        ("2", "EXT", "GARDEN", "NIGHT", ("ANN",)),
        ("2A", "INT/EXT", "CAR - MOVING", "DUSK", ()),
        ("4", "", "FLASHBACK", "", ()),
        ("5", "INT", "KITCHEN", "NIGHT", ("CAROL", "BOB")),
    ]
    assert [s.element for s in result.scenes] == [0, 9, 13, 15, 16]
    assert all(s.eighths >= 1 for s in result.scenes)
    chars = {c.name: (c.lines, c.words, c.scenes) for c in result.characters}
    assert chars == {
        "BOB": (3, 4 + 1 + 2, ("1", "5")),
        "ANN": (2, 1 + 2 + 3, ("1", "2")),
        "CAROL": (1, 1, ("5",)),
    }
    assert [c.name for c in result.characters] == ["BOB", "ANN", "CAROL"]
    locations = [(loc.name, loc.scenes) for loc in result.locations]
    assert locations == [("KITCHEN", 2), ("CAR - MOVING", 1), ("FLASHBACK", 1), ("GARDEN", 1)]


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("INT. HOUSE - DAY", ("INT", "HOUSE", "DAY")),
        ("EXT HOUSE – NIGHT", ("EXT", "HOUSE", "NIGHT")),
        ("I/E. TRAIN - CORRIDOR - CONTINUOUS", ("INT/EXT", "TRAIN - CORRIDOR", "CONTINUOUS")),
        ("EXT./INT. PORCH - DAWN", ("INT/EXT", "PORCH", "DAWN")),
        ("EST. CITY SKYLINE - DAY", ("EXT", "CITY SKYLINE", "DAY")),
        ("INTERVIEW ROOM", ("", "INTERVIEW ROOM", "")),
        ("INT. MCDONALD'S", ("INT", "MCDONALD'S", "")),
    ],
)
def test_it_reads_setting_location_and_time_from_a_heading(
    heading: str, expected: tuple[str, str, str]
) -> None:
    assert report.parse_heading(heading) == expected


def test_scene_lengths_add_up_to_the_pages() -> None:
    lines = "\n".join(f"Line {n}." for n in range(50))
    screenplay = Screenplay(
        elements=(
            Element(T.SCENE_HEADING, "INT. A - DAY"),
            Element(T.ACTION, lines),
            Element(T.SCENE_HEADING, "INT. B - DAY"),
            Element(T.ACTION, lines),
        )
    )
    result = report.script_report(screenplay)
    assert result.page_count == 2
    total = sum(s.eighths for s in result.scenes)
    assert 14 <= total <= 16
    assert result.locations[0].pages in {"7/8", "1"}


def test_the_csv_has_three_tables_and_neutralises_formulas() -> None:
    screenplay = Screenplay(
        elements=(
            Element(T.SCENE_HEADING, 'INT. =HYPERLINK("http://x") - DAY'),
            Element(T.CHARACTER, "@SUM"),
            Element(T.DIALOGUE, "Hello."),
            Element(T.CHARACTER, "+CMD"),
            Element(T.DIALOGUE, "-2+3"),
        )
    )
    text = report.report_csv(report.script_report(screenplay))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Scenes"]
    assert rows[1][:5] == ["Scene", "INT/EXT", "Location", "Time of day", "Pages"]
    assert rows[2][:4] == ["1", "INT", '\'=HYPERLINK("HTTP://X")', "DAY"]
    assert rows[2][6] == "'@SUM, +CMD"
    assert rows[3] == []
    assert rows[4] == ["Characters"]
    names = {r[0] for r in rows[6:8]}
    assert names == {"'@SUM", "'+CMD"}
    assert rows[8] == [] and rows[9] == ["Locations"]
    assert rows[11][0].startswith("'=")
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+@" or cell.startswith("'")
