"""The PDF writer, checked with a tiny reader written here: the cross-reference table points at
every object, the page tree has the pages, and the content streams hold the text."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import pytest

from crowdstudio.screenplays import layout, pdf
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField

T = ElementType


@dataclass
class PdfPage:
    content: bytes
    strings: list[str]
    media_box: str


def _literal_strings(content: bytes) -> list[bytes]:
    """The literal strings `( … )` shown with Tj, unescaped, as raw WinAnsi bytes."""
    out: list[bytes] = []
    i = 0
    while True:
        i = content.find(b"(", i)
        if i < 0:
            return out
        i += 1
        buf = bytearray()
        while content[i : i + 1] != b")":
            ch = content[i : i + 1]
            if ch == b"\\":
                nxt = content[i + 1 : i + 2]
                if nxt.isdigit():
                    buf.append(int(content[i + 1 : i + 4], 8))
                    i += 4
                    continue
                buf += nxt
                i += 2
                continue
            buf += ch
            i += 1
        out.append(bytes(buf))
        i += 1


def read_pdf(data: bytes) -> tuple[dict[int, bytes], list[PdfPage]]:
    assert data.startswith(b"%PDF-1.4\n")
    assert data.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))  # type: ignore[union-attr]
    header = re.match(rb"xref\n0 (\d+)\n", data[start:])
    assert header is not None
    count = int(header.group(1))
    table = data[start + header.end() : start + header.end() + 20 * count]
    assert table[:20] == b"0000000000 65535 f \n"
    objects: dict[int, bytes] = {}
    for number in range(1, count):
        entry = table[20 * number : 20 * number + 20]
        assert entry.endswith(b" 00000 n \n"), entry
        offset = int(entry[:10])
        prefix = b"%d 0 obj\n" % number
        assert data[offset : offset + len(prefix)] == prefix, f"object {number} not at {offset}"
        body_start = offset + len(prefix)
        length = re.match(rb"<< /Length (\d+) /Filter /FlateDecode >>\nstream\n", data[body_start:])
        if length:
            raw = data[body_start + length.end() : body_start + length.end() + int(length.group(1))]
            objects[number] = b"STREAM:" + zlib.decompress(raw)
        else:
            objects[number] = data[body_start : data.index(b"\nendobj", body_start)]
    trailer = data[data.index(b"trailer", start) :]
    root = int(re.search(rb"/Root (\d+) 0 R", trailer).group(1))  # type: ignore[union-attr]
    pages_ref = int(re.search(rb"/Pages (\d+) 0 R", objects[root]).group(1))  # type: ignore[union-attr]
    tree = objects[pages_ref]
    kids = [int(k) for k in re.findall(rb"(\d+) 0 R", tree.split(b"/Kids")[1].split(b"]")[0])]
    assert int(re.search(rb"/Count (\d+)", tree).group(1)) == len(kids)  # type: ignore[union-attr]
    pages = []
    for kid in kids:
        page = objects[kid]
        assert b"/Type /Page " in page
        contents = int(re.search(rb"/Contents (\d+) 0 R", page).group(1))  # type: ignore[union-attr]
        content = objects[contents].removeprefix(b"STREAM:")
        box = re.search(rb"/MediaBox \[([^\]]+)\]", page).group(1).decode()  # type: ignore[union-attr]
        strings = [s.decode("cp1252") for s in _literal_strings(content)]
        pages.append(PdfPage(content, strings, box))
    return objects, pages


def sample(**title: str) -> Screenplay:
    speech = " ".join(f"Line {n} of the long speech goes on and on." for n in range(80))
    return Screenplay(
        title_page=tuple(TitleField(k.replace("_", " ").capitalize(), v) for k, v in title.items()),
        elements=(
            Element(T.SCENE_HEADING, "INT. CAFÉ (UPSTAIRS) - DAY", scene_number="1"),
            Element(T.ACTION, r"Zoë drinks a *crème brûlée* latte \ with _foam_."),
            Element(T.CHARACTER, "ZOË"),
            Element(T.DIALOGUE, speech),
            Element(T.ACTION, "Łódź, 東京 and “quotes” — all here."),
        ),
    )


def test_it_writes_a_pdf_whose_xref_points_at_every_object_and_whose_pages_hold_the_text() -> None:
    screenplay = sample(title="The _Café_", credit="written by", author="Ann", contact="ann@x.y")
    data = pdf.render_pdf(screenplay)
    objects, pages = read_pdf(data)
    assert len(pages) == 1 + layout.page_count(screenplay)
    assert all(p.media_box == "0 0 612 792" for p in pages)
    assert pages[0].strings == ["The ", "Café", "written by", "Ann", "ann@x.y"]
    assert b" l\nS" in pages[0].content  # the underlined "Café"
    script_text = " ".join(" ".join(p.strings) for p in pages[1:])
    assert "INT. CAFÉ (UPSTAIRS) - DAY" in script_text
    assert "crème brûlée" in script_text and "\\ with " in script_text
    assert "(MORE)" in pages[1].strings
    assert "ZOË (CONT'D)" in pages[2].strings
    assert "2." in pages[2].strings and "2." not in pages[1].strings
    # Outside WinAnsi: one replacement character per character, so columns stay aligned.
    assert "Lódz, ?? and “quotes” — all here." in script_text
    fonts = [o for o in objects.values() if b"/Type /Font" in o]
    assert {re.search(rb"/BaseFont /(\S+)", f).group(1) for f in fonts} == {  # type: ignore[union-attr]
        b"Courier",
        b"Courier-Bold",
        b"Courier-Oblique",
        b"Courier-BoldOblique",
    }
    assert all(b"/WinAnsiEncoding" in f for f in fonts)
    info = [o for o in objects.values() if b"/Producer" in o]
    assert info and b"/CreationDate" not in info[0]


def test_emphasis_picks_the_courier_face_and_underline_is_a_drawn_line() -> None:
    screenplay = Screenplay(
        elements=(Element(T.ACTION, "plain **bold** *italic* ***both*** _under_"),)
    )
    (page,) = read_pdf(pdf.render_pdf(screenplay))[1]
    content = page.content.decode("latin-1")
    assert re.search(r"/F2 12 Tf\n[^\n]*\(bold\) Tj", content)
    assert re.search(r"/F3 12 Tf\n[^\n]*\(italic\) Tj", content)
    assert re.search(r"/F4 12 Tf\n[^\n]*\(both\) Tj", content)
    # "under" starts at column 15 + 23 = 38 → 273.6 pt and is 5 columns = 36 pt long, 1.5 pt
    # under the baseline.
    assert "273.6 709.5 m 309.6 709.5 l\nS" in content
    # The first line's baseline: paper line 6 → 792 - 7 * 12 + 3.
    assert "1 0 0 1 108 711 Tm (plain ) Tj" in content


def test_the_output_is_deterministic() -> None:
    screenplay = sample(title="Same")
    assert pdf.render_pdf(screenplay) == pdf.render_pdf(screenplay)


def test_a_script_without_a_title_page_or_elements_still_gives_one_page() -> None:
    _objects, pages = read_pdf(pdf.render_pdf(Screenplay()))
    assert len(pages) == 1 and pages[0].strings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a(b)c", rb"a\(b\)c"),
        ("back\\slash", rb"back\\slash"),
        ("é€", rb"\351\200"),
        ("ő", b"o"),
        ("漢", b"?"),
        ("\u2212", b"-"),
    ],
)
def test_text_is_escaped_for_pdf_strings(text: str, expected: bytes) -> None:
    assert pdf.encode_text(text) == expected


def test_lone_surrogate_in_title_does_not_crash() -> None:
    screenplay = Screenplay(title_page=(TitleField("Title", "Bad \ud800 title"),), elements=())
    assert pdf.render_pdf(screenplay).startswith(b"%PDF")
