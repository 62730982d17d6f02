"""Screenplay diffs on known edits: scene pairing, element pairing, word-level runs, moves,
emphasis, title page and the summary counts. Pure: no database."""

from __future__ import annotations

from crowdstudio.screenplays.diff import (
    ChangeKind,
    CollapsedScenes,
    ElementChange,
    RunKind,
    SceneDiff,
    SkippedRows,
    WordRun,
    change_weight,
    diff_screenplays,
    tokens,
    word_runs,
)
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField

T = ElementType


def el(kind: str, text: str, **extra: object) -> Element:
    return Element(type=ElementType(kind), text=text, **extra)  # type: ignore[arg-type]


def script(*elements: Element, title: tuple[TitleField, ...] = ()) -> Screenplay:
    return Screenplay(title_page=title, elements=elements)


def scene(heading: str, *body: Element) -> list[Element]:
    return [el("scene_heading", heading), *body]


KITCHEN = scene(
    "INT. KITCHEN - DAY",
    el("action", "Mara pours coffee into a chipped mug."),
    el("character", "MARA"),
    el("dialogue", "You are late again."),
    el("character", "JONAS"),
    el("parenthetical", "(breathless)"),
    el("dialogue", "The bus never came."),
)
STREET = scene(
    "EXT. STREET - NIGHT",
    el("action", "Rain hammers the empty street. A dog barks somewhere."),
)
ROOF = scene(
    "EXT. ROOFTOP - DAWN",
    el("action", "Jonas watches the sun rise over the harbour cranes."),
    el("character", "JONAS"),
    el("dialogue", "I should have called her."),
)
OFFICE = scene(
    "INT. OFFICE - DAY",
    el("action", "Fluorescent lights buzz above rows of silent desks."),
)


def base() -> Screenplay:
    return script(el("action", "FADE IN:"), *KITCHEN, *STREET, *ROOF, *OFFICE)


def replaced(elements: list[Element], index: int, new: Element) -> list[Element]:
    out = list(elements)
    out[index] = new
    return out


def rows_of(scene_diff: SceneDiff) -> list[ElementChange]:
    return [r for r in scene_diff.display_rows if isinstance(r, ElementChange)]


def test_identical_scripts_have_no_changes_and_fold_every_scene():
    diff = diff_screenplays(base(), base())
    assert diff.identical
    assert diff.changed_scenes == []
    assert diff.groups == [CollapsedScenes(4)]
    assert diff.summary.scenes_unchanged == 4
    assert diff.summary.words_changed == 0


def test_a_changed_word_in_dialogue_is_one_changed_element_with_word_runs():
    kitchen = replaced(KITCHEN, 3, el("dialogue", "You are early again."))
    new = script(el("action", "FADE IN:"), *kitchen, *STREET, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)

    assert [s.kind for s in diff.changed_scenes] == [ChangeKind.CHANGED]
    changes = diff.changed_scenes[0].changes()
    assert len(changes) == 1
    change = changes[0]
    assert change.kind == ChangeKind.CHANGED
    assert change.runs == (
        WordRun(RunKind.EQUAL, "You are "),
        WordRun(RunKind.DELETED, "late"),
        WordRun(RunKind.INSERTED, "early"),
        WordRun(RunKind.EQUAL, " again."),
    )
    assert "".join(r.text for r in change.old_runs) == "You are late again."
    assert "".join(r.text for r in change.new_runs) == "You are early again."
    assert (diff.summary.words_added, diff.summary.words_removed) == (1, 1)
    assert diff.summary.scenes_changed == 1
    assert diff.summary.scenes_unchanged == 3


def test_unchanged_scenes_around_a_change_collapse_to_counts():
    roof = replaced(ROOF, 3, el("dialogue", "I should have called him."))
    new = script(el("action", "FADE IN:"), *KITCHEN, *STREET, *roof, *OFFICE)
    groups = diff_screenplays(base(), new).groups
    assert [type(g) for g in groups] == [CollapsedScenes, SceneDiff, CollapsedScenes]
    assert groups[0] == CollapsedScenes(2)  # the unchanged prologue folds in but is not counted
    assert groups[2] == CollapsedScenes(1)


def test_long_unchanged_runs_inside_a_changed_scene_are_skipped_with_context():
    body = [el("action", f"Beat number {n} of the long scene.") for n in range(10)]
    old = script(*scene("INT. HALL - DAY", *body))
    new_body = replaced(body, 5, el("action", "Beat number five of the long scene."))
    new = script(*scene("INT. HALL - DAY", *new_body))
    rows = diff_screenplays(old, new).changed_scenes[0].rows
    assert [r.count if isinstance(r, SkippedRows) else r.kind for r in rows] == [
        4,
        ChangeKind.EQUAL,
        ChangeKind.CHANGED,
        ChangeKind.EQUAL,
        3,
    ]


def test_a_renamed_heading_pairs_with_its_old_scene():
    street = replaced(STREET, 0, el("scene_heading", "EXT. ALLEY - NIGHT"))
    new = script(el("action", "FADE IN:"), *KITCHEN, *street, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)

    assert len(diff.changed_scenes) == 1
    changed = diff.changed_scenes[0]
    assert changed.kind == ChangeKind.CHANGED
    assert changed.old_heading_text == "EXT. STREET - NIGHT"
    assert changed.new_heading_text == "EXT. ALLEY - NIGHT"
    assert changed.heading_renamed
    assert changed.heading is not None
    assert [r.text for r in changed.heading.runs if r.kind != RunKind.EQUAL] == ["STREET", "ALLEY"]
    assert changed.rows == ()  # the body is the same
    assert diff.summary.scenes_added == diff.summary.scenes_removed == 0


def test_a_renamed_and_lightly_rewritten_scene_still_pairs():
    street = scene(
        "EXT. ALLEY - LATER",
        el("action", "Rain hammers the empty alley. A dog barks somewhere."),
    )
    new = script(el("action", "FADE IN:"), *KITCHEN, *street, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)
    assert [s.kind for s in diff.changed_scenes] == [ChangeKind.CHANGED]
    assert diff.changed_scenes[0].old_number == diff.changed_scenes[0].new_number == 2


def test_an_added_and_a_removed_scene_are_counted_and_shown_whole():
    garage = scene("INT. GARAGE - NIGHT", el("action", "An old car under a dusty tarp."))
    new = script(el("action", "FADE IN:"), *KITCHEN, *garage, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)

    kinds = {s.kind: s for s in diff.changed_scenes}
    assert set(kinds) == {ChangeKind.INSERTED, ChangeKind.DELETED}
    added, removed = kinds[ChangeKind.INSERTED], kinds[ChangeKind.DELETED]
    assert added.new_heading_text == "INT. GARAGE - NIGHT" and added.old_heading is None
    assert removed.old_heading_text == "EXT. STREET - NIGHT" and removed.new_heading is None
    assert [r.kind for r in rows_of(added)] == [ChangeKind.INSERTED]
    assert [r.kind for r in rows_of(removed)] == [ChangeKind.DELETED]
    assert diff.summary.scenes_added == diff.summary.scenes_removed == 1
    # heading + action words of each scene
    assert diff.summary.words_added == 3 + 7
    assert diff.summary.words_removed == 3 + 9


def test_a_scene_moved_elsewhere_is_reported_once_as_moved():
    new = script(el("action", "FADE IN:"), *KITCHEN, *ROOF, *OFFICE, *STREET)
    diff = diff_screenplays(base(), new)
    assert [(s.kind, s.old_number, s.new_number) for s in diff.changed_scenes] == [
        (ChangeKind.MOVED, 2, 4)
    ]
    assert diff.summary.scenes_moved == 1
    assert diff.summary.words_changed == 0
    assert diff.changed_scenes[0].content_changed is False


def test_a_changed_line_pairs_with_its_old_self_next_to_insertions():
    kitchen = [
        *KITCHEN[:3],
        el("dialogue", "You are late again, Jonas."),
        el("action", "She slams the mug down."),
        *KITCHEN[4:],
    ]
    new = script(el("action", "FADE IN:"), *kitchen, *STREET, *ROOF, *OFFICE)
    changes = diff_screenplays(base(), new).changed_scenes[0].changes()
    assert [(c.kind, c.type) for c in changes] == [
        (ChangeKind.CHANGED, T.DIALOGUE),
        (ChangeKind.INSERTED, T.ACTION),
    ]
    assert changes[0].old_index == 4 and changes[0].new_index == 4


def test_an_element_moved_within_a_scene_is_marked_moved_at_both_places():
    moved = [KITCHEN[0], KITCHEN[2], KITCHEN[3], KITCHEN[1], *KITCHEN[4:]]
    new = script(el("action", "FADE IN:"), *moved, *STREET, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)
    changes = diff.changed_scenes[0].changes()
    assert {(c.kind, c.old is None, c.new is None) for c in changes} == {
        (ChangeKind.MOVED, False, True),
        (ChangeKind.MOVED, True, False),
    }
    assert diff.summary.elements_moved == 1
    assert diff.summary.words_changed == 0


def test_an_emphasis_only_change_is_flagged_without_word_runs():
    kitchen = replaced(KITCHEN, 3, el("dialogue", "You are *late* again."))
    new = script(el("action", "FADE IN:"), *kitchen, *STREET, *ROOF, *OFFICE)
    (change,) = diff_screenplays(base(), new).changed_scenes[0].changes()
    assert change.kind == ChangeKind.CHANGED
    assert change.emphasis_changed
    assert change.runs == ()
    assert change.new_text == "You are late again."  # shown as plain text


def test_words_are_compared_on_plain_text_when_emphasis_and_words_change():
    kitchen = replaced(KITCHEN, 3, el("dialogue", "You are **so** late again."))
    new = script(el("action", "FADE IN:"), *kitchen, *STREET, *ROOF, *OFFICE)
    (change,) = diff_screenplays(base(), new).changed_scenes[0].changes()
    assert [r.text.strip() for r in change.runs if r.kind == RunKind.INSERTED] == ["so"]


def test_a_character_extension_change_shows_in_the_words():
    kitchen = replaced(KITCHEN, 4, el("character", "JONAS", extension="(O.S.)"))
    new = script(el("action", "FADE IN:"), *kitchen, *STREET, *ROOF, *OFFICE)
    (change,) = diff_screenplays(base(), new).changed_scenes[0].changes()
    assert change.new_text == "JONAS (O.S.)"
    assert "".join(r.text for r in change.runs if r.kind == RunKind.INSERTED) == " (O.S.)"


def test_a_dual_marker_change_is_a_change_without_word_runs():
    kitchen = replaced(KITCHEN, 4, el("character", "JONAS", dual="right"))
    new = script(el("action", "FADE IN:"), *kitchen, *STREET, *ROOF, *OFFICE)
    (change,) = diff_screenplays(base(), new).changed_scenes[0].changes()
    assert change.kind == ChangeKind.CHANGED and change.runs == ()


def test_the_prologue_is_its_own_group_and_not_counted_as_a_scene():
    new = script(el("action", "FADE IN ON BLACK:"), *KITCHEN, *STREET, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)
    (prologue,) = diff.changed_scenes
    assert prologue.is_prologue
    assert prologue.old_heading is None and prologue.new_heading is None
    assert diff.summary.scenes_changed == 0
    assert diff.summary.words_added == 2  # ON BLACK


def test_a_script_without_scenes_diffs_its_prologue():
    old = script(el("action", "Nothing happens."))
    new = script(el("action", "Something happens."))
    diff = diff_screenplays(old, new)
    assert [s.is_prologue for s in diff.scenes] == [True]
    assert diff.summary.words_added == diff.summary.words_removed == 1


def test_empty_scripts_are_identical_and_a_first_draft_is_all_insertions():
    assert diff_screenplays(script(), script()).scenes == ()
    diff = diff_screenplays(script(), base())
    assert diff.summary.scenes_added == 4
    assert diff.summary.words_removed == 0
    assert diff.summary.words_added == change_weight([], base())


def test_title_page_fields_are_compared_by_key():
    old = script(
        title=(TitleField("Title", "Late Bus"), TitleField("Draft date", "1 May")),
    )
    new = script(title=(TitleField("Title", "The Late Bus"), TitleField("Contact", "mara@x")))
    changes = diff_screenplays(old, new).title_page
    assert [(c.key, c.kind) for c in changes] == [
        ("Title", ChangeKind.CHANGED),
        ("Draft date", ChangeKind.DELETED),
        ("Contact", ChangeKind.INSERTED),
    ]
    assert [r.text for r in changes[0].new_runs if r.is_inserted] == ["The "]
    assert not diff_screenplays(old, new).identical


def test_the_same_inputs_give_the_same_diff():
    new = script(el("action", "FADE IN:"), *ROOF, *KITCHEN, *OFFICE)
    assert diff_screenplays(base(), new) == diff_screenplays(base(), new)


def test_word_runs_fold_a_lone_space_between_changes():
    assert word_runs("the big dog barks", "a small cat barks") == (
        WordRun(RunKind.DELETED, "the big dog"),
        WordRun(RunKind.INSERTED, "a small cat"),
        WordRun(RunKind.EQUAL, " barks"),
    )


def test_tokens_are_words_punctuation_and_whitespace_and_join_back():
    text = "Wait—what?!  It's\n  ÜBER-cool…"
    assert "".join(tokens(text)) == text
    assert tokens("It's ok.") == ["It", "'", "s", " ", "ok", "."]


def test_word_runs_of_a_multiline_dialogue_keep_the_line_breaks():
    runs = word_runs("I know.\nI always knew.", "I know.\nI never knew.")
    assert "".join(r.text for r in runs if r.kind != RunKind.INSERTED) == (
        "I know.\nI always knew."
    )
    assert [r.text for r in runs if r.kind == RunKind.DELETED] == ["always"]


def test_change_weight_of_a_merge_counts_against_the_closest_parent():
    left = script(el("action", "FADE IN:"), *KITCHEN, *STREET)
    right = script(el("action", "FADE IN:"), *KITCHEN, *ROOF)
    merge = script(el("action", "FADE IN:"), *KITCHEN, *STREET, *ROOF)
    assert change_weight([left], merge) == 3 + 9 + 1 + 5  # the rooftop scene's words
    assert change_weight([left, right], merge) == 3 + 9  # the street scene is newer to right
    assert change_weight([merge], merge) == 0


def test_a_scene_number_change_shows_in_the_heading_words():
    old = script(el("scene_heading", "INT. HALL - DAY", scene_number="4"), el("action", "Dust."))
    new = script(el("scene_heading", "INT. HALL - DAY", scene_number="4A"), el("action", "Dust."))
    (changed,) = diff_screenplays(old, new).changed_scenes
    assert changed.heading is not None
    assert changed.heading.new_text == "INT. HALL - DAY #4A#"
    assert [r.text for r in changed.heading.runs if r.kind == RunKind.INSERTED] == ["4A"]


def test_a_section_depth_change_is_format_only():
    old = script(el("section", "Act One", depth=1))
    new = script(el("section", "Act One", depth=2))
    (change,) = diff_screenplays(old, new).scenes[0].changes()
    assert change.format_only and not change.emphasis_changed


def test_a_single_unchanged_row_between_changes_is_shown_not_folded():
    body = [el("action", f"Beat number {n} of the scene.") for n in range(5)]
    new_body = [*body]
    new_body[0] = el("action", "Beat number zero of the scene.")
    new_body[4] = el("action", "Beat number four of the scene.")
    old = script(*scene("INT. HALL - DAY", *body))
    new = script(*scene("INT. HALL - DAY", *new_body))
    rows = diff_screenplays(old, new).changed_scenes[0].rows
    assert not any(isinstance(r, SkippedRows) for r in rows)
    assert len(rows) == 5


def test_a_moved_scene_that_was_also_edited_shows_its_edits():
    roof = replaced(ROOF, 3, el("dialogue", "I should have called her sooner."))
    new = script(el("action", "FADE IN:"), *roof, *KITCHEN, *STREET, *OFFICE)
    diff = diff_screenplays(base(), new)
    (moved,) = diff.changed_scenes
    assert (moved.kind, moved.old_number, moved.new_number) == (ChangeKind.MOVED, 3, 1)
    assert moved.content_changed
    assert [c.kind for c in moved.changes()] == [ChangeKind.CHANGED]
    assert diff.summary.words_added == 1


def test_a_scene_split_in_two_keeps_the_first_half_paired():
    first = scene("INT. KITCHEN - DAY", *KITCHEN[1:4])
    second = scene("INT. KITCHEN - LATER", *KITCHEN[4:])
    new = script(el("action", "FADE IN:"), *first, *second, *STREET, *ROOF, *OFFICE)
    diff = diff_screenplays(base(), new)
    kinds = [(s.kind, s.old_number, s.new_number) for s in diff.changed_scenes]
    assert kinds == [(ChangeKind.CHANGED, 1, 1), (ChangeKind.INSERTED, None, 2)]
    assert [c.kind for c in diff.changed_scenes[0].changes()] == [ChangeKind.DELETED] * 3


def test_a_full_length_script_with_scattered_edits_reports_exactly_those_edits():
    def long_script(changed: set[int]) -> Screenplay:
        elements: list[Element] = []
        for n in range(120):
            elements.append(el("scene_heading", f"INT. ROOM {n} - DAY"))
            for k in range(30):
                word = "quietly" if n in changed and k == 7 else "slowly"
                elements.append(el("character", "MARA" if k % 2 else "JONAS"))
                elements.append(el("dialogue", f"Line {k} of scene {n}, said {word}."))
        return script(*elements)

    changed = set(range(5, 120, 10))
    diff = diff_screenplays(long_script(set()), long_script(changed))
    assert [s.new_number for s in diff.changed_scenes] == [n + 1 for n in sorted(changed)]
    assert diff.summary.scenes_unchanged == 120 - len(changed)
    assert diff.summary.words_added == diff.summary.words_removed == len(changed)
    assert diff.summary.elements_changed == len(changed)


def test_word_runs_of_two_long_rewritten_texts_keep_both_texts() -> None:
    # SequenceMatcher without autojunk is quadratic: two 40,000-token speeches took 90 s; past
    # MAX_WORD_CELLS the middle is shown as replaced.
    import random

    rng = random.Random(7)
    old = "Same start. " + " ".join(rng.choice("abcdef") for _ in range(20_000)) + " same end."
    new = "Same start. " + " ".join(rng.choice("abcdef") for _ in range(20_000)) + " same end."
    runs = word_runs(old, new)
    assert "".join(r.text for r in runs if r.kind != RunKind.INSERTED) == old
    assert "".join(r.text for r in runs if r.kind != RunKind.DELETED) == new
    assert runs[0] == WordRun(RunKind.EQUAL, "Same start. ")
    assert runs[-1].kind == RunKind.EQUAL and runs[-1].text.endswith(" same end.")
