"""Emphasis helpers used when converting styled runs (FDX) to Fountain text and back."""

from __future__ import annotations

import pytest

from crowdstudio.screenplays.inline import Span, escape, markup, plain, spans


def test_escape_protects_marks_so_they_read_back_as_text() -> None:
    assert escape("a*b_c\\d") == "a\\*b\\_c\\\\d"
    assert spans(escape("**not bold**")) == [Span("**not bold**")]


@pytest.mark.parametrize(
    "runs",
    [
        [Span("plain")],
        [Span("Hi "), Span("there", bold=True), Span("!")],
        [Span("a "), Span("b", italic=True), Span(" c "), Span("d", underline=True)],
        [Span("all", bold=True, italic=True, underline=True)],
        [Span("code "), Span("*9765*", bold=True)],
    ],
)
def test_markup_is_the_inverse_of_spans(runs: list[Span]) -> None:
    assert spans(markup(runs)) == runs


def test_markup_keeps_spaces_outside_the_marks() -> None:
    assert markup([Span("a"), Span(" bold ", bold=True), Span("b")]) == "a **bold** b"
    assert plain(markup([Span("a"), Span(" bold ", bold=True), Span("b")])) == "a bold b"


def test_markup_nests_marks_when_flat_ones_would_not_read_back() -> None:
    runs = [
        Span("Steel's face ", underline=True),
        Span("Leupold", italic=True, underline=True),
        Span(" scope", underline=True),
        Span("."),
    ]
    assert markup(runs) == "_Steel's face *Leupold* scope_."
    assert spans(markup(runs)) == runs


@pytest.mark.parametrize("mark", ["*", "**", "***", "_"])
def test_many_unclosed_marks_are_plain_text(mark: str) -> None:
    # Every mark opens a search for its close that fails; without remembering those outcomes a
    # 60 kB line took over a minute (quadratic), a denial of service on every render.
    text = f"{mark}a " * 15_000
    assert "".join(s.text for s in spans(text)).count("a") == 15_000
