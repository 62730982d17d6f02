"""Parse a Fountain file and render it to PDF with screenplain, in-process, several times.

Run by the reference interpreter (.venv-reference: screenplain 0.12 + reportlab), never by
crowdstudio's:

    python screenplain_bench.py IN.fountain OUT.pdf [--repeats 5] [--courier-prime]

Does what `screenplain --format pdf [--standard-font] IN OUT` does (fountain.parse, then
pdf.to_pdf with the same Settings), timed per repeat, and prints one JSON object:
{"times": [seconds, ...], "bytes": size of the last PDF}. By default it uses the PDF's built-in
Courier (`--standard-font`), as crowdstudio does; --courier-prime uses screenplain's default
embedded Courier Prime.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import time

from screenplain.export import pdf
from screenplain.parsers import fountain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--courier-prime", action="store_true")
    args = parser.parse_args()
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        with codecs.open(args.input, "r", encoding="utf-8-sig") as stream:
            screenplay = fountain.parse(stream)
        if args.courier_prime:
            font_settings = pdf.get_courier_prime_settings()
        else:
            font_settings = pdf.get_standard_font_settings()
        settings = pdf.Settings(font_settings=font_settings, strong_slugs=False)
        with open(args.output, "wb") as output:
            pdf.to_pdf(screenplay, output, settings=settings)
        times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "bytes": os.path.getsize(args.output)}))


if __name__ == "__main__":
    main()
