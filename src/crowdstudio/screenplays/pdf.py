"""The screenplay as a PDF: a small, dependency-free PDF 1.4 writer over `layout`.

Fonts are the standard Type 1 Courier family every PDF viewer has built in (Courier,
Courier-Bold, Courier-Oblique, Courier-BoldOblique), so nothing is embedded and the file stays
small. Text is written in WinAnsiEncoding (Windows-1252), which covers Western European
letters (é, ü, ß, œ), the typographic quotes and dashes, € and …. A character outside it is
replaced by one character so the monospaced columns stay aligned: the base letter when the
Unicode decomposition has one in WinAnsi (ő → o, ş → s, ǖ → u), a few look-alikes
(ł → l, ‐ − → -, ″ → "), and "?" otherwise. The HTML reader shows the original characters.

Underline (`_text_`) is drawn as a 0.6 pt line under the run. The output is deterministic: no
creation date, no random ids, objects in a fixed order (the same screenplay gives the same bytes).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zlib
from collections.abc import Iterable

from crowdstudio.screenplays import layout
from crowdstudio.screenplays.elements import Screenplay
from crowdstudio.screenplays.inline import Span, plain

PAGE_WIDTH_PT = 612  # 8.5" x 72
PAGE_HEIGHT_PT = 792  # 11" x 72
FONT_SIZE = 12
COLUMN_PT = 7.2  # Courier 12 pt advances 600/1000 em = 7.2 pt: 10 characters per inch
LINE_PT = 12.0  # 6 lines per inch
BASELINE_RAISE = 3.0  # baseline above the bottom of the 12 pt line cell (Courier descends 1.9 pt)
UNDERLINE_DROP = 1.5
UNDERLINE_WIDTH = 0.6

_FONTS = ("Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique")
_LOOKALIKES = {
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2015": "—",
    "\u2212": "-",
    "\u2032": "'",
    "\u2033": '"',
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2028": " ",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "ı": "i",
}
_ERROR_HANDLER = "crowdstudio-pdf-fallback"


def _fallback_char(ch: str) -> bytes:
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch].encode("cp1252")
    for base in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(base):
            continue
        try:
            return base.encode("cp1252")
        except UnicodeEncodeError:
            break
    return b"?"


def _fallback(error: UnicodeError) -> tuple[bytes, int]:
    assert isinstance(error, UnicodeEncodeError)
    chunk = error.object[error.start : error.end]
    return b"".join(_fallback_char(ch) for ch in chunk), error.end


codecs.register_error(_ERROR_HANDLER, _fallback)

# Each WinAnsi byte as it appears inside a PDF literal string: ( ) \ escaped, everything
# outside printable ASCII as an octal escape so the file stays 7-bit clean.
_ESCAPED = [
    (b"\\" + bytes([b]))
    if b in b"()\\"
    else (bytes([b]) if 32 <= b < 127 else f"\\{b:03o}".encode("ascii"))
    for b in range(256)
]
_NEEDS_ESCAPE = re.compile(rb"[^\x20-\x7e]|[()\\]")


def encode_text(text: str) -> bytes:
    """`text` as the body of a PDF literal string in WinAnsiEncoding (without the parentheses)."""
    raw = text.encode("cp1252", errors=_ERROR_HANDLER)
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPED[m.group()[0]], raw)


def _text_string(value: str) -> bytes:
    """A PDF text string (for the document info): UTF-16BE with a byte order mark, in hex."""
    data = value.encode("utf-16-be", errors="replace")  # a lone surrogate becomes "?"
    return b"<FEFF" + data.hex().upper().encode("ascii") + b">"


def _num(value: float) -> bytes:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.encode("ascii") if text != "-0" else b"0"


def _font_key(span: Span) -> int:
    return 1 + (1 if span.bold else 0) + (2 if span.italic else 0)


def page_content(lines: Iterable[layout.Line]) -> bytes:
    """The content stream of one page."""
    text_ops: list[bytes] = [b"BT"]
    rules: list[bytes] = []
    current_font = 0
    for line in lines:
        y = PAGE_HEIGHT_PT - (line.y + 1) * LINE_PT + BASELINE_RAISE
        column = line.x
        for span in line.spans:
            if not span.text:
                continue
            key = _font_key(span)
            if key != current_font:
                text_ops.append(b"/F%d %d Tf" % (key, FONT_SIZE))
                current_font = key
            x = column * COLUMN_PT
            text_ops.append(
                b"1 0 0 1 " + _num(x) + b" " + _num(y) + b" Tm (" + encode_text(span.text) + b") Tj"
            )
            if span.underline:
                end = x + len(span.text) * COLUMN_PT
                under = _num(y - UNDERLINE_DROP)
                rules.append(_num(x) + b" " + under + b" m " + _num(end) + b" " + under + b" l")
            column += len(span.text)
    text_ops.append(b"ET")
    if rules:
        text_ops.append(_num(UNDERLINE_WIDTH) + b" w")
        text_ops.extend(rules)
        text_ops.append(b"S")
    return b"\n".join(text_ops) + b"\n"


class _Writer:
    """Objects numbered in the order they are added; `add` returns the object number."""

    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def reserve(self) -> int:
        self.objects.append(b"")
        return len(self.objects)

    def set(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def stream(self, data: bytes) -> int:
        packed = zlib.compress(data, 6)
        return self.add(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream"
        )

    def output(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets: list[int] = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n" % (len(self.objects) + 1)
        out += b"0000000000 65535 f \n"
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\n" % (
            len(self.objects) + 1,
            root,
            info,
        )
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


def render_pdf(screenplay: Screenplay, *, include_title_page: bool = True) -> bytes:
    """The screenplay as PDF bytes: the title page (when it has title-page fields and
    `include_title_page`), then the paginated script pages."""
    pages = layout.paginate(screenplay)
    if include_title_page:
        title = layout.title_page(screenplay)
        if title is not None:
            pages = [title, *pages]
    writer = _Writer()
    catalog = writer.reserve()
    pages_obj = writer.reserve()
    fonts = [
        writer.add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /"
            + name.encode("ascii")
            + b" /Encoding /WinAnsiEncoding >>"
        )
        for name in _FONTS
    ]
    resources = writer.add(
        b"<< /Font << "
        + b" ".join(b"/F%d %d 0 R" % (n, obj) for n, obj in enumerate(fonts, start=1))
        + b" >> /ProcSet [/PDF /Text] >>"
    )
    kids: list[int] = []
    for page in pages:
        content = writer.stream(page_content(page.lines))
        kids.append(
            writer.add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources %d 0 R "
                b"/Contents %d 0 R >>"
                % (pages_obj, PAGE_WIDTH_PT, PAGE_HEIGHT_PT, resources, content)
            )
        )
    writer.set(
        pages_obj,
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % k for k in kids)
        + b"] /Count %d >>" % len(kids),
    )
    writer.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj)
    info_parts = [b"/Producer " + _text_string("crowdstudio")]
    title_text = screenplay.title().replace("\n", " ").strip()
    if title_text:
        info_parts.append(b"/Title " + _text_string(plain(title_text)))
    info = writer.add(b"<< " + b" ".join(info_parts) + b" >>")
    return writer.output(catalog, info)
