"""Final Draft (.fdx) reading and writing: round trips through our model, a hand-written file
as Final Draft saves it, and hostile XML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crowdstudio.screenplays import fdx, fountain, inline
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, ScreenplayError

CASES = Path(__file__).parent / "fountain_cases"
T = ElementType


def canonical(screenplay: Screenplay) -> Screenplay:
    """Positions cleared and emphasis written one canonical way: FDX keeps styled runs, not
    which Fountain marks produced them (`_a *b*_` and `_a_ _*b*_` are the same runs)."""

    def norm(text: str) -> str:
        return "\n".join(inline.markup(inline.spans(line)) for line in text.split("\n"))

    return Screenplay(
        title_page=tuple(replace(f, value=norm(f.value)) for f in screenplay.title_page),
        elements=tuple(replace(e, line=0, text=norm(e.text)) for e in screenplay.elements),
    )


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.fountain")))
def test_fountain_to_fdx_and_back_keeps_every_element(name: str) -> None:
    original = fountain.parse((CASES / f"{name}.fountain").read_text(encoding="utf-8"))
    again = fdx.parse(fdx.write(original))
    assert canonical(again) == canonical(original)


def test_title_page_scene_numbers_and_dual_dialogue_survive_a_round_trip() -> None:
    original = fountain.parse(
        "Title:\n    BIG\n    FISH\nAuthor: A. Writer\nContact:\n    1 Main St\n    Town\n\n"
        "INT. HOUSE - DAY #12B#\n\nBRICK\nScrew retirement.\n\nSTEEL ^\n(shouting)\nScrew it!\n"
    )
    data = fdx.write(original)
    assert b'Number="12B"' in data
    assert b"<DualDialogue>" in data
    again = fdx.parse(data)
    assert again.title_page == original.title_page
    assert [e.without_position() for e in again.elements] == [
        e.without_position() for e in original.elements
    ]
    assert [e.dual for e in again.elements if e.type == T.CHARACTER] == ["left", "right"]


def test_fdx_to_fountain_to_fdx_is_stable() -> None:
    original = fdx.parse(SAMPLE)
    text = fountain.write(original)
    assert [e.without_position() for e in fountain.parse(text).elements] == [
        e.without_position() for e in original.elements
    ]


SAMPLE = b"""<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="4">
  <Content>
    <Paragraph Number="1" Type="Scene Heading">
      <SceneProperties Length="1/8" Page="1" Title=""/>
      <Text>INT. DINER - NIGHT</Text>
    </Paragraph>
    <Paragraph Type="Action">
      <Text>The neon sign buzzes. </Text>
      <Text Style="Bold">LUCY</Text>
      <Text> (30s) wipes the </Text>
      <Text Style="Italic+Underline">same</Text>
      <Text> table.</Text>
    </Paragraph>
    <Paragraph Type="Character"><Text>LUCY (O.S.)</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(to no one)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Closing time.</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Again.</Text></Paragraph>
    <Paragraph>
      <DualDialogue>
        <Paragraph Type="Character"><Text>COOK</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>Go home.</Text></Paragraph>
        <Paragraph Type="Character"><Text>LUCY</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>You go home.</Text></Paragraph>
      </DualDialogue>
    </Paragraph>
    <Paragraph Type="Shot"><Text>CLOSE ON THE CLOCK</Text></Paragraph>
    <Paragraph Type="Transition"><Text>SMASH CUT TO:</Text></Paragraph>
    <Paragraph Type="Scene Heading" StartsNewPage="Yes">
      <Text>EXT. PARKING LOT - NIGHT</Text>
    </Paragraph>
    <Paragraph Alignment="Center" Type="Action"><Text>THE END</Text></Paragraph>
  </Content>
  <TitlePage>
    <Content>
      <Paragraph Alignment="Center" Type="Text"><Text>LAST ORDERS</Text></Paragraph>
      <Paragraph Alignment="Center" Type="Text"><Text></Text></Paragraph>
      <Paragraph Alignment="Center" Type="Text"><Text>Written by</Text></Paragraph>
      <Paragraph Alignment="Center" Type="Text"><Text></Text></Paragraph>
      <Paragraph Alignment="Center" Type="Text"><Text>Sam Doe</Text></Paragraph>
      <Paragraph Alignment="Left" Type="Text"><Text>sam@example.com</Text></Paragraph>
      <Paragraph Alignment="Left" Type="Text"><Text>555-0100</Text></Paragraph>
    </Content>
  </TitlePage>
</FinalDraft>
"""


def test_it_reads_a_final_draft_file_as_final_draft_writes_it() -> None:
    screenplay = fdx.parse(SAMPLE)
    assert [(f.key, f.value) for f in screenplay.title_page] == [
        ("Title", "LAST ORDERS"),
        ("Credit", "Written by"),
        ("Author", "Sam Doe"),
        ("Contact", "sam@example.com\n555-0100"),
    ]
    got = [(e.type, e.text, e.extension, e.dual, e.scene_number) for e in screenplay.elements]
    assert got == [
        (T.SCENE_HEADING, "INT. DINER - NIGHT", "", None, "1"),
        (
            T.ACTION,
            "The neon sign buzzes. **LUCY** (30s) wipes the _*same*_ table.",
            "",
            None,
            None,
        ),
        (T.CHARACTER, "LUCY", "(O.S.)", None, None),
        (T.PARENTHETICAL, "(to no one)", "", None, None),
        (T.DIALOGUE, "Closing time.\nAgain.", "", None, None),
        (T.CHARACTER, "COOK", "", "left", None),
        (T.DIALOGUE, "Go home.", "", None, None),
        (T.CHARACTER, "LUCY", "", "right", None),
        (T.DIALOGUE, "You go home.", "", None, None),
        (T.ACTION, "CLOSE ON THE CLOCK", "", None, None),
        (T.TRANSITION, "SMASH CUT TO:", "", None, None),
        (T.PAGE_BREAK, "", "", None, None),
        (T.SCENE_HEADING, "EXT. PARKING LOT - NIGHT", "", None, None),
        (T.CENTERED, "THE END", "", None, None),
    ]
    # Capitals on their own line read as action in Fountain without a "!"; "LUCY" and a
    # dialogue line right under it would not, so a capitalised action paragraph gets forced.
    assert not screenplay.elements[9].forced
    assert screenplay.elements[0].line == 4


def test_notes_sections_synopses_and_lyrics_survive_a_round_trip() -> None:
    original = Screenplay(
        elements=(
            Element(T.SECTION, "ACT II", depth=2),
            Element(T.SYNOPSIS, "Things go wrong."),
            Element(T.NOTE, "Fix the pacing\nin this act"),
            Element(T.ACTION, "He sings.", notes=("too long?",)),
            Element(T.CHARACTER, "ZOË"),
            Element(T.LYRICS, "La la\nla"),
            Element(T.PAGE_BREAK, ""),
        )
    )
    again = fdx.parse(fdx.write(original))
    assert [e.without_position() for e in again.elements] == list(original.elements)


HOSTILE = {
    "billion laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<FinalDraft DocumentType="Script"><Content><Paragraph Type="Action"><Text>&lol3;</Text>
</Paragraph></Content></FinalDraft>""",
    "external entity": b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FinalDraft DocumentType="Script"><Content><Paragraph Type="Action"><Text>&xxe;</Text>
</Paragraph></Content></FinalDraft>""",
    "external dtd": b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft SYSTEM "http://example.com/evil.dtd">
<FinalDraft DocumentType="Script"><Content/></FinalDraft>""",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_before_any_entity_is_expanded(name: str) -> None:
    with pytest.raises(ScreenplayError) as caught:
        fdx.parse(HOSTILE[name])
    assert "DOCTYPE" in caught.value.message
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 0, "empty"),
        (
            b"<FinalDraft DocumentType='Script'>\n<Content>\n<Paragraph>\n</Content>",
            4,
            "not valid XML",
        ),
        (b"<html><body/></html>", 1, "not a Final Draft file"),
        (b"<FinalDraft DocumentType='Template'><Content/></FinalDraft>", 1, "not a script"),
        (b"<FinalDraft DocumentType='Script'></FinalDraft>", 1, "no <Content>"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", 1, "not valid XML"),
    ],
)
def test_broken_files_give_a_clear_error_with_a_line(data: bytes, line: int, words: str) -> None:
    with pytest.raises(ScreenplayError) as caught:
        fdx.parse(data)
    assert words in caught.value.message
    assert caught.value.line == line


def test_oversized_and_deeply_nested_files_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fdx, "MAX_BYTES", 100)
    with pytest.raises(ScreenplayError, match="larger than"):
        fdx.parse(b"<FinalDraft>" + b" " * 200 + b"</FinalDraft>")
    monkeypatch.undo()
    deep = b"<FinalDraft><Content>" + b"<a>" * 200 + b"</a>" * 200 + b"</Content></FinalDraft>"
    with pytest.raises(ScreenplayError, match="nested too deeply"):
        fdx.parse(deep)


def test_written_fdx_escapes_markup_and_drops_characters_xml_cannot_hold() -> None:
    screenplay = Screenplay(
        elements=(Element(T.ACTION, 'Tom & Jerry <run> "fast"\x07'),),
    )
    data = fdx.write(screenplay)
    assert b"Tom &amp; Jerry &lt;run&gt;" in data
    assert fdx.parse(data).elements[0].text == 'Tom & Jerry <run> "fast"'


def test_write_drops_lone_surrogates_instead_of_crashing() -> None:
    # A str can hold a lone surrogate (e.g. from JSON "\ud800"); UTF-8 cannot encode it.
    screenplay = fountain.parse("Hello \ud800world.")
    assert fdx.parse(fdx.write(screenplay)).elements[0].text == "Hello world."
