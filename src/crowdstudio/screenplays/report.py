"""The script report (a producer's breakdown): scenes, characters and locations.

- Scenes: number (the `#1A#` scene number, else the running count), setting (INT, EXT,
  INT/EXT; "" when a forced heading has none), location, time of day (the part after the last
  " - " of the heading), length in eighths of a page (from `layout.scene_pages`) and the
  characters who speak in it.
- Characters: lines (the number of speeches: each cue with its dialogue counts once, as in a
  breakdown's "lines" column), words (words of dialogue and sung lyrics; parentheticals and the
  cue itself do not count) and the scenes they speak in. A name is the cue without extensions
  ("BOB (V.O.)" and "BOB (CONT'D)" are BOB), compared case-insensitively.
- Locations: the location part of the headings with the number of scenes and their pages.

`script_report` is pure (no Django); `report_csv` uses Django's gettext for the headers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from crowdstudio.screenplays import layout
from crowdstudio.screenplays.elements import ElementType, Screenplay
from crowdstudio.screenplays.inline import plain

_SETTINGS = (
    (
        re.compile(r"^(?:INT\.?\s*/\s*EXT|I\.?\s*/\s*E|INT\.?\s*-\s*EXT)\.?(?:\s+|$)", re.I),
        "INT/EXT",
    ),
    (
        re.compile(r"^(?:EXT\.?\s*/\s*INT|E\.?\s*/\s*I|EXT\.?\s*-\s*INT)\.?(?:\s+|$)", re.I),
        "INT/EXT",
    ),
    (re.compile(r"^(?:INT\.?|INTERIOR)(?:\s+|$)", re.I), "INT"),
    (re.compile(r"^INT\.", re.I), "INT"),
    (re.compile(r"^(?:EXT\.?|EXTERIOR)(?:\s+|$)", re.I), "EXT"),
    (re.compile(r"^EXT\.", re.I), "EXT"),
    (re.compile(r"^(?:EST\.?)(?:\s+|$)", re.I), "EXT"),
)
# Elements between a cue and its dialogue that do not end the speech.
_KEEPS_SPEAKER = frozenset(
    {
        ElementType.PARENTHETICAL,
        ElementType.DIALOGUE,
        ElementType.LYRICS,
        ElementType.NOTE,
        ElementType.SECTION,
        ElementType.SYNOPSIS,
    }
)
_TIME_SEPARATOR = re.compile(r"\s+[-–—]+\s+")  # hyphen, en and em dashes


@dataclass(frozen=True)
class SceneRow:
    number: str
    element: int  # index of the heading in Screenplay.elements
    heading: str
    setting: str
    location: str
    time_of_day: str
    eighths: int
    characters: tuple[str, ...]

    @property
    def pages(self) -> str:
        return layout.eighths_label(self.eighths)


@dataclass(frozen=True)
class CharacterRow:
    name: str
    lines: int
    words: int
    scenes: tuple[str, ...]  # scene numbers


@dataclass(frozen=True)
class LocationRow:
    name: str
    scenes: int
    eighths: int

    @property
    def pages(self) -> str:
        return layout.eighths_label(self.eighths)


@dataclass(frozen=True)
class Report:
    page_count: int
    scenes: tuple[SceneRow, ...]
    characters: tuple[CharacterRow, ...]
    locations: tuple[LocationRow, ...]


def parse_heading(heading: str) -> tuple[str, str, str]:
    """(setting, location, time of day) of a scene heading such as
    "INT./EXT. CAR - MOVING - NIGHT" → ("INT/EXT", "CAR - MOVING", "NIGHT")."""
    text = " ".join(plain(heading).split())
    setting = ""
    for pattern, value in _SETTINGS:
        match = pattern.match(text)
        if match:
            setting = value
            text = text[match.end() :].strip()
            break
    parts = _TIME_SEPARATOR.split(text)
    if len(parts) > 1:
        location, time_of_day = " - ".join(parts[:-1]), parts[-1]
    else:
        location, time_of_day = text, ""
    return setting, location.strip(" .-").upper(), time_of_day.strip(" .").upper()


def character_name(cue: str) -> str:
    """The character a cue names: emphasis, extensions in parentheses and a trailing ^ dropped."""
    name = re.sub(r"\([^)]*\)", " ", plain(cue))
    return " ".join(name.replace("^", " ").split()).upper()


def script_report(screenplay: Screenplay, *, pages: list[layout.Page] | None = None) -> Report:
    """The breakdown of a screenplay (pass `pages` when they are already paginated)."""
    elements = screenplay.elements
    if pages is None:
        pages = layout.paginate(screenplay)
    eighths = dict(layout.scene_pages(screenplay, pages))

    scene_numbers: dict[int, str] = {}
    count = 0
    for index, el in enumerate(elements):
        if el.type == ElementType.SCENE_HEADING:
            count += 1
            scene_numbers[index] = el.scene_number or str(count)

    scene_chars: dict[int, list[str]] = {i: [] for i in scene_numbers}
    char_lines: dict[str, int] = {}
    char_words: dict[str, int] = {}
    char_scenes: dict[str, list[str]] = {}
    current_scene: int | None = None
    speaker: str | None = None
    for index, el in enumerate(elements):
        if el.type == ElementType.SCENE_HEADING:
            current_scene = index
            speaker = None
        elif el.type == ElementType.CHARACTER:
            speaker = character_name(el.text)
            if not speaker:
                speaker = None
                continue
            char_lines[speaker] = char_lines.get(speaker, 0) + 1
            char_words.setdefault(speaker, 0)
            scenes = char_scenes.setdefault(speaker, [])
            if current_scene is not None:
                number = scene_numbers[current_scene]
                if number not in scenes:
                    scenes.append(number)
                if speaker not in scene_chars[current_scene]:
                    scene_chars[current_scene].append(speaker)
        elif el.type in (ElementType.DIALOGUE, ElementType.LYRICS) and speaker is not None:
            char_words[speaker] += len(plain(el.text).split())
        elif el.type not in _KEEPS_SPEAKER:
            speaker = None

    scenes_out: list[SceneRow] = []
    locations: dict[str, list[int]] = {}
    for index, number in scene_numbers.items():
        heading = elements[index].text
        setting, location, time_of_day = parse_heading(heading)
        length = eighths.get(index, 1)
        scenes_out.append(
            SceneRow(
                number=number,
                element=index,
                heading=plain(heading),
                setting=setting,
                location=location,
                time_of_day=time_of_day,
                eighths=length,
                characters=tuple(scene_chars[index]),
            )
        )
        if location:
            entry = locations.setdefault(location, [0, 0])
            entry[0] += 1
            entry[1] += length

    characters = sorted(
        (
            CharacterRow(name, char_lines[name], char_words[name], tuple(char_scenes[name]))
            for name in char_lines
        ),
        key=lambda row: (-row.lines, -row.words, row.name),
    )
    locations_out = sorted(
        (LocationRow(name, n, e) for name, (n, e) in locations.items()),
        key=lambda row: (-row.scenes, row.name),
    )
    return Report(
        page_count=len(pages),
        scenes=tuple(scenes_out),
        characters=tuple(characters),
        locations=tuple(locations_out),
    )


def report_csv(report: Report) -> str:
    """The report as one CSV with three tables (scenes, characters, locations) separated by a
    blank row, every cell formula-safe (the same rule as the awards exports)."""
    from django.utils.translation import gettext as _

    from crowdstudio.lib.csvsafe import safe_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def row(cells: list[str | int]) -> None:
        writer.writerow([safe_cell(str(cell)) for cell in cells])

    row([_("Scenes")])
    row(
        [
            _("Scene"),
            _("INT/EXT"),
            _("Location"),
            _("Time of day"),
            _("Pages"),
            _("Eighths"),
            _("Characters"),
            _("Heading"),
        ]
    )
    for scene in report.scenes:
        row(
            [
                scene.number,
                scene.setting,
                scene.location,
                scene.time_of_day,
                scene.pages,
                scene.eighths,
                ", ".join(scene.characters),
                scene.heading,
            ]
        )
    writer.writerow([])
    row([_("Characters")])
    row([_("Character"), _("Lines"), _("Words"), _("Scenes")])
    for character in report.characters:
        row([character.name, character.lines, character.words, ", ".join(character.scenes)])
    writer.writerow([])
    row([_("Locations")])
    row([_("Location"), _("Scenes"), _("Pages")])
    for location in report.locations:
        row([location.name, location.scenes, location.pages])
    return buffer.getvalue()
