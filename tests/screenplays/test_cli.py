"""`crowdstudio screenplay parse|render`: output formats and error messages (never a traceback)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from crowdstudio.__main__ import main
from crowdstudio.screenplays import fdx, fountain
from crowdstudio.screenplays.elements import Screenplay

SCRIPT = "Title: Tiny\n\nINT. HOUSE - DAY #1#\n\nÉLODIE ^\n(softly)\nHello.\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(["crowdstudio", "screenplay", *argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def test_parse_prints_the_elements_as_json(
    capsys: pytest.CaptureFixture[str], script: Path
) -> None:
    code, out, err = run(capsys, "parse", str(script), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data[0] == {
        "type": "title_page",
        "text": "",
        "fields": [{"key": "Title", "value": "Tiny"}],
    }
    assert data[1] == {
        "type": "scene_heading",
        "text": "INT. HOUSE - DAY",
        "line": 3,
        "scene_number": "1",
    }
    assert (
        data[2]["type"] == "character"
        and data[2]["text"] == "ÉLODIE"
        and data[2]["dual"] == "right"
    )
    assert [item["type"] for item in data[3:]] == ["parenthetical", "dialogue"]


def test_parse_converts_between_fountain_and_fdx(
    capsys: pytest.CaptureFixture[str], script: Path, tmp_path: Path
) -> None:
    target = tmp_path / "tiny.fdx"
    code, _, err = run(capsys, "parse", str(script), "--format", "fdx", "-o", str(target))
    assert code == 0, err
    original = fountain.parse(SCRIPT)
    assert fdx.parse(target.read_bytes()).elements[0].scene_number == "1"
    code, out, err = run(capsys, "parse", str(target), "--format", "fountain")
    assert code == 0, err
    assert [e.without_position() for e in fountain.parse(out).elements] == [
        e.without_position() for e in original.elements
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("open.fountain", b"INT. A - DAY\n\nHe waits. /* never closed\n", ":3: a boneyard"),
        ("nul.fountain", b"INT. A - DAY\n\nA\x00B\n", ":3: the file contains NUL bytes"),
        ("latin1.fountain", b"INT. A - DAY\n\nCaf\xe9\n", ":3: the file is not UTF-8"),
        ("broken.fdx", b"<FinalDraft>\n<Content>\n</FinalDraft>", ":3: not valid XML"),
        (
            "laughs.fdx",
            b'<!DOCTYPE x [<!ENTITY a "b">]><FinalDraft/>',
            ":1: FDX files with a DOCTYPE",
        ),
    ],
)
def test_errors_in_the_file_are_one_line_with_the_line_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "parse", str(path))
    assert code == 1
    assert out == ""
    assert err.startswith(f"{path}{expected}")
    assert "Traceback" not in err and "CommandError" not in err


def test_a_missing_file_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "parse", str(tmp_path / "nope.fountain"))
    assert code == 1
    assert err.strip() == f"{tmp_path / 'nope.fountain'}: no such file"


def test_render_writes_the_pdf_from_the_pdf_module(
    capsys: pytest.CaptureFixture[str],
    script: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Screenplay] = []

    def render_pdf(screenplay: Screenplay) -> bytes:
        seen.append(screenplay)
        return b"%PDF-1.4 fake"

    from crowdstudio.screenplays.management.commands import screenplay as command

    monkeypatch.setattr(command, "render_pdf", render_pdf)
    target = tmp_path / "out.pdf"
    code, _, err = run(capsys, "render", str(script), "-o", str(target))
    assert code == 0, err
    assert target.read_bytes() == b"%PDF-1.4 fake"
    assert seen[0].title() == "Tiny"


def test_render_needs_an_output_file(capsys: pytest.CaptureFixture[str], script: Path) -> None:
    code, _, err = run(capsys, "render", str(script))
    assert code == 2
    assert "-o/--output" in err


def test_parse_reads_fountain_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    stdin = types.SimpleNamespace(buffer=io.BytesIO(b"CUT TO:\r\n\r\nZo\xc3\xab walks.\r\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, err = run(capsys, "parse", "-")
    assert code == 0, err
    assert [(item["type"], item["text"]) for item in json.loads(out)] == [
        ("transition", "CUT TO:"),
        ("action", "Zoë walks."),
    ]
