"""`make bench-screenplay`: parse a 120-page Fountain script and render it to PDF, beside
screenplain on the same file.

The script is generated (deterministic: a fixed seed; scene headings, action, speeches with
parentheticals, emphasis, dual dialogue, transitions, a title page) and sized so crowdstudio's
pagination gives at least 120 script pages (the fewest scenes that do). Then, several
repeats each, best and median:

- crowdstudio in-process: `fountain.parse` + `pdf.render_pdf` (and the two parts alone);
- screenplain in-process (benchmarks/reference/screenplain_bench.py under the reference
  interpreter: `fountain.parse` + `pdf.to_pdf` with the built-in Courier, `--standard-font`);
- both as a fresh process per run, the way a user runs them (interpreter start and imports
  included): `python -c …` for crowdstudio, `python -m screenplain.main --format pdf
  --standard-font IN OUT` for screenplain.

Prints the times side by side, the ratio, the page counts of both PDFs, and a markdown row for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TARGET_PAGES = 120

_PLACES = [
    "KITCHEN",
    "HARBOUR OFFICE",
    "CAR",
    "ROOFTOP",
    "TRAIN STATION",
    "POLICE STATION - CORRIDOR",
    "MOTEL ROOM",
    "DINER",
    "WAREHOUSE",
    "LIGHTHOUSE",
    "HOSPITAL - WAITING ROOM",
    "FOREST ROAD",
]
_TIMES = ["DAY", "NIGHT", "MORNING", "DUSK", "CONTINUOUS", "LATER"]
_PEOPLE = ["MARA", "JONAS", "DETECTIVE OKAFOR", "LENA", "OLD FISHERMAN", "TEO", "DR. VOSS"]
_WORDS = (
    "the a light rain window door table coffee phone letter harbour boat engine silence "
    "looks turns waits runs opens closes quietly suddenly again never always still maybe "
    "money truth night storm map key photograph cigarette lamp shadow voice street"
).split()


def _sentence(rng: random.Random, low: int = 4, high: int = 14) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.08:
        i = rng.randrange(len(words))
        words[i] = rng.choice(["*", "**", "_"]).join(["", words[i], ""])
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random, low: int, high: int) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(low, high)))


def generate_script(scenes: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    out = [
        "Title: **THE LAST FERRY**",
        "Credit: written by",
        "Author: Bench Writer",
        "Draft date: 24 November 2026",
        "Contact:",
        "    bench@example.com",
        "    +49 30 0000000",
        "",
    ]
    for number in range(1, scenes + 1):
        setting = rng.choice(["INT.", "EXT.", "INT.", "INT./EXT."])
        out += [f"{setting} {rng.choice(_PLACES)} - {rng.choice(_TIMES)} #{number}#", ""]
        for _ in range(rng.randint(1, 3)):
            out += [_paragraph(rng, 1, 4), ""]
            for _ in range(rng.randint(2, 6)):
                name = rng.choice(_PEOPLE)
                if rng.random() < 0.05:
                    other = rng.choice([p for p in _PEOPLE if p != name])
                    out += [
                        name,
                        _paragraph(rng, 1, 2),
                        "",
                        f"{other} ^",
                        _paragraph(rng, 1, 2),
                        "",
                    ]
                    continue
                out.append(name + (" (V.O.)" if rng.random() < 0.05 else ""))
                if rng.random() < 0.2:
                    out.append(f"({rng.choice(_WORDS)})")
                out += [_paragraph(rng, 1, 5 if rng.random() < 0.9 else 14), ""]
        if rng.random() < 0.3:
            out += ["CUT TO:", ""]
    return "\n".join(out) + "\n"


def sized_script(pages: int) -> tuple[str, int]:
    """The generated script with the fewest scenes that gives `pages` pages (binary search)."""
    from crowdstudio.screenplays import fountain, layout

    def count(scenes: int) -> int:
        return layout.page_count(fountain.parse(generate_script(scenes)))

    low, high = 1, 400
    while low < high:
        mid = (low + high) // 2
        if count(mid) < pages:
            low = mid + 1
        else:
            high = mid
    return generate_script(low), low


def pdf_pages(data: bytes) -> int:
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", data)]
    return max(counts) if counts else 0


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def fmt(times: list[float]) -> str:
    return f"{min(times) * 1000:.0f} ms (median {statistics.median(times) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-python", default=str(ROOT / ".venv-reference/bin/python"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from crowdstudio.screenplays import fountain, pdf

    text, scenes = sized_script(TARGET_PAGES)
    with tempfile.TemporaryDirectory(prefix="bench-screenplay-") as tmp:
        source = Path(tmp) / "script.fountain"
        source.write_text(text, encoding="utf-8")
        ours_pdf = Path(tmp) / "ours.pdf"
        theirs_pdf = Path(tmp) / "screenplain.pdf"

        parsed = fountain.parse(text)
        parse_times = timed(lambda: fountain.parse(text), args.repeats)
        render_times = timed(lambda: pdf.render_pdf(parsed), args.repeats)

        def ours() -> None:
            ours_pdf.write_bytes(pdf.render_pdf(fountain.parse(source.read_text("utf-8"))))

        ours_times = timed(ours, args.repeats)

        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        code = (
            "import sys, pathlib;"
            "from crowdstudio.screenplays import fountain, pdf;"
            "pathlib.Path(sys.argv[2]).write_bytes("
            "pdf.render_pdf(fountain.parse(pathlib.Path(sys.argv[1]).read_text('utf-8'))))"
        )
        ours_proc = timed(
            lambda: subprocess.run(
                [sys.executable, "-c", code, str(source), str(ours_pdf)], check=True, env=env
            ),
            args.repeats,
        )

        reference = subprocess.run(
            [
                args.reference_python,
                str(ROOT / "benchmarks/reference/screenplain_bench.py"),
                str(source),
                str(theirs_pdf),
                "--repeats",
                str(args.repeats),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        theirs_times = json.loads(reference.stdout)["times"]
        theirs_proc = timed(
            lambda: subprocess.run(
                [
                    args.reference_python,
                    "-m",
                    "screenplain.main",
                    "--format",
                    "pdf",
                    "--standard-font",
                    str(source),
                    str(theirs_pdf),
                ],
                check=True,
            ),
            args.repeats,
        )
        ours_bytes = ours_pdf.read_bytes()
        theirs_bytes = theirs_pdf.read_bytes()

    ratio = min(theirs_times) / min(ours_times)
    ratio_proc = min(theirs_proc) / min(ours_proc)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"script: {scenes} scenes, {len(text.splitlines())} lines, {len(text) // 1024} KiB, "
        f"{pdf_pages(ours_bytes) - 1} pages by crowdstudio's pagination"
    )
    print(f"{'':28} {'crowdstudio':>26} {'screenplain 0.12':>26}")
    print(f"{'parse + PDF, in-process':28} {fmt(ours_times):>26} {fmt(theirs_times):>26}")
    print(f"{'  parse alone':28} {fmt(parse_times):>26}")
    print(f"{'  PDF alone':28} {fmt(render_times):>26}")
    print(f"{'fresh process per run':28} {fmt(ours_proc):>26} {fmt(theirs_proc):>26}")
    print(
        f"{'PDF pages (with title page)':28} {pdf_pages(ours_bytes):>26} "
        f"{pdf_pages(theirs_bytes):>26}"
    )
    print(f"{'PDF size':28} {len(ours_bytes) // 1024:>23} KiB {len(theirs_bytes) // 1024:>22} KiB")
    print(f"crowdstudio is {ratio:.1f}x faster in-process, {ratio_proc:.1f}x per fresh process")
    print()
    print(
        f"| {time.strftime('%Y-%m-%d')} | {machine} | {pdf_pages(ours_bytes) - 1} pages, "
        f"{scenes} scenes | "
        f"{min(ours_times) * 1000:.0f} ms | {min(theirs_times) * 1000:.0f} ms | {ratio:.1f}x | "
        f"{min(ours_proc) * 1000:.0f} ms | {min(theirs_proc) * 1000:.0f} ms | "
        f"{pdf_pages(ours_bytes)} / {pdf_pages(theirs_bytes)} |"
    )


if __name__ == "__main__":
    main()
