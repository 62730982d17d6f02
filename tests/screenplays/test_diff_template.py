"""The side-by-side diff partial: del/ins semantics with text labels, escaping, folds."""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils import translation

from crowdstudio.screenplays.diff import diff_screenplays
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField


def el(kind: str, text: str, **extra: object) -> Element:
    return Element(type=ElementType(kind), text=text, **extra)  # type: ignore[arg-type]


OLD = Screenplay(
    title_page=(TitleField("Title", "Late Bus"),),
    elements=(
        el("scene_heading", "INT. KITCHEN - DAY"),
        el("action", "Mara pours coffee."),
        el("character", "MARA"),
        el("dialogue", "You are late again."),
        el("scene_heading", "EXT. STREET - NIGHT"),
        el("action", "Rain hammers the street."),
        el("scene_heading", "INT. BUS - NIGHT"),
        el("action", "Empty seats rattle."),
        el("scene_heading", "EXT. PIER - DAWN"),
        el("action", "Gulls circle over the water."),
    ),
)


def render(old: Screenplay, new: Screenplay) -> str:
    with translation.override("en"):
        return render_to_string("screenplays/_diff.html", {"diff": diff_screenplays(old, new)})


def cells(html: str, side: str) -> list[str]:
    return re.findall(
        rf'<td class="diff-{side}"><div class="diff-text">(.*?)</div></td>', html, re.S
    )


def test_a_changed_line_shows_del_left_and_ins_right_with_a_label():
    new = Screenplay(OLD.title_page, (*OLD.elements[:3], el("dialogue", "You are early again.")))
    new = Screenplay(new.title_page, (*new.elements, *OLD.elements[4:]))
    html = render(OLD, new)
    # the unchanged elements before it are shown as context
    assert cells(html, "old") == ["Mara pours coffee.", "MARA", "You are <del>late</del> again."]
    assert cells(html, "new") == ["Mara pours coffee.", "MARA", "You are <ins>early</ins> again."]
    assert '<span class="diff-label">changed</span>' in html
    assert "Scene 1" in html and "INT. KITCHEN - DAY" in html
    assert "3 unchanged scenes" in html
    assert "1 word added" in html and "1 word removed" in html
    assert 'href="/static/screenplays/diff.css"' in html


def test_added_and_removed_scenes_are_labelled_and_fully_marked():
    new = Screenplay(
        OLD.title_page,
        (
            *OLD.elements[:4],
            *OLD.elements[6:],
            el("scene_heading", "INT. DINER - MORNING"),
            el("action", "Pancakes stacked high under a heat lamp."),
        ),
    )
    html = render(OLD, new)
    assert "<del>EXT. STREET - NIGHT</del>" in html
    assert "<ins>INT. DINER - MORNING</ins>" in html
    assert ">Removed<" in html and ">Added<" in html
    assert "<del>Rain hammers the street.</del>" in cells(html, "old")
    assert "<ins>Pancakes stacked high under a heat lamp.</ins>" in cells(html, "new")
    assert "not in the new version" in html and "not in the old version" in html


def test_user_text_is_escaped():
    new = Screenplay(
        OLD.title_page,
        (*OLD.elements[:3], el("dialogue", "You are <script>alert(1)</script> again.")),
    )
    html = render(OLD, new)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_line_breaks_and_spaces_inside_a_line_are_kept():
    old = Screenplay((), (el("dialogue", "One.\n  Two."),))
    new = Screenplay((), (el("dialogue", "One.\n  Three."),))
    html = render(old, new)
    assert cells(html, "old") == ["One.\n  <del>Two</del>."]


def test_a_moved_scene_and_a_renamed_heading_say_so_in_words():
    moved = Screenplay(OLD.title_page, (*OLD.elements[2:], *OLD.elements[:2]))
    html = render(OLD, moved)
    assert "Moved from scene 1" in html
    renamed = Screenplay(
        OLD.title_page, (el("scene_heading", "INT. GALLEY - DAY"), *OLD.elements[1:])
    )
    html = render(OLD, renamed)
    assert "(was: INT. KITCHEN - DAY)" in html
    assert "<del>KITCHEN</del>" in html and "<ins>GALLEY</ins>" in html


def test_an_emphasis_change_is_labelled_formatting_changed():
    new = Screenplay(
        OLD.title_page,
        (
            el("scene_heading", "INT. KITCHEN - DAY"),
            el("action", "Mara pours *coffee*."),
            *OLD.elements[2:],
        ),
    )
    html = render(OLD, new)
    assert "formatting changed" in html
    assert "Mara pours coffee." in cells(html, "old")
    assert "Mara pours <em>coffee</em>." in cells(html, "new")


def test_title_page_changes_and_identical_versions():
    new = Screenplay((TitleField("Title", "The Late Bus"),), OLD.elements)
    html = render(OLD, new)
    assert "Title page" in html and "<ins>The </ins>" in html
    same = render(OLD, OLD)
    assert "The two versions are identical." in same
    assert "4 unchanged scenes" in same
    assert "<table" not in same


def test_styled_text_in_an_emphasis_change_is_still_escaped():
    old = Screenplay((), (el("action", "A <b> tag."),))
    new = Screenplay((), (el("action", "A **<b>** tag."),))
    html = render(old, new)
    assert "<strong>&lt;b&gt;</strong>" in html
    assert "<b>" not in html
