"""A generated screenplay for table-read tests: about three pages in two scenes, three speakers."""

from __future__ import annotations

from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField

_LINES = {
    "MARA": [
        "You said the boat would be here by nine.",
        "Then where is it?",
        "I am not waiting another night on this pier.",
        "Tell me the truth for once.",
        "We could still take the morning ferry.",
    ],
    "TOMAS": [
        "The fog came in early. Nobody sails in this.",
        "It is out there. I can hear the engine.",
        "You always want the truth when it is too late.",
        "The ferry does not stop here any more.",
    ],
    "OLD JONAH": [
        "Forty years I have watched this harbour.",
        "Boats that are late are usually lost.",
    ],
}

_ACTION = [
    "Waves slap against the *rotten* posts.",
    "A foghorn sounds, far off.",
    "Mara pulls her coat tighter and checks her watch.",
    "Tomas lights a cigarette; the match dies in the wind.",
]


def three_page_scene() -> Screenplay:
    """About 110 lines of script (three pages in industry format)."""
    elements: list[Element] = [
        Element(ElementType.SCENE_HEADING, "EXT. HARBOUR PIER - NIGHT"),
        Element(ElementType.ACTION, "Fog. A single lamp. MARA (30s) and TOMAS (40s) wait."),
    ]
    speakers = ["MARA", "TOMAS", "MARA", "OLD JONAH", "TOMAS"]
    for turn in range(14):
        if turn == 7:
            elements.append(Element(ElementType.TRANSITION, "CUT TO:"))
            elements.append(Element(ElementType.SCENE_HEADING, "INT. HARBOUR MASTER'S HUT - NIGHT"))
        speaker = speakers[turn % len(speakers)]
        lines = _LINES[speaker]
        elements.append(Element(ElementType.CHARACTER, speaker))
        if turn % 4 == 1:
            elements.append(Element(ElementType.PARENTHETICAL, "(quietly)"))
        elements.append(Element(ElementType.DIALOGUE, lines[turn % len(lines)]))
        elements.append(Element(ElementType.ACTION, _ACTION[turn % len(_ACTION)]))
    return Screenplay(
        title_page=(TitleField("Title", "The Late Boat"), TitleField("Author", "Erin Example")),
        elements=tuple(elements),
    )
