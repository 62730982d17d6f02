"""`crowdstudio screenplay parse FILE [--format json|fountain|fdx] [-o OUT]` and
`crowdstudio screenplay render FILE -o OUT.pdf`.

FILE is Fountain (any extension) or Final Draft (.fdx); `-` reads Fountain from stdin. A problem in
the file is reported as ``FILE:LINE: message`` on stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crowdstudio.screenplays import fdx, fountain
from crowdstudio.screenplays.elements import Screenplay, ScreenplayError
from crowdstudio.screenplays.pdf import render_pdf

MAX_INPUT_BYTES = 20 * 1024 * 1024


def read_screenplay(path: str) -> Screenplay:
    """Read FILE as Fountain or (by its .fdx extension) Final Draft; errors as CommandError."""
    label = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            source = Path(path)
            if not source.is_file():
                raise CommandError(f"{label}: no such file")
            if source.stat().st_size > MAX_INPUT_BYTES:
                raise CommandError(f"{label}: the file is larger than 20 MB")
            data = source.read_bytes()
    except OSError as exc:
        raise CommandError(f"{label}: cannot read the file ({exc.strerror or exc})") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise CommandError(f"{label}: the input is larger than 20 MB")
    try:
        if path.lower().endswith(".fdx"):
            return fdx.parse(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ScreenplayError("the file is not UTF-8 text", line=line) from exc
        return fountain.parse(text)
    except ScreenplayError as exc:
        where = f"{label}:{exc.line}" if exc.line else label
        raise CommandError(f"{where}: {exc.message}") from exc


def _write_output(output: str | None, data: bytes) -> None:
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise CommandError(f"{output}: cannot write the file ({exc.strerror or exc})") from exc


class Command(BaseCommand):
    help = (
        "Read a screenplay (Fountain, or Final Draft when the name ends in .fdx) and print it "
        "as JSON elements or convert it (parse), or render it as an industry-format PDF (render)."
    )

    requires_system_checks: list[str] = []  # a file tool: no database, no project checks

    def execute(self, *args: Any, **options: Any) -> str | None:
        # From the command line, print "FILE:LINE: message" as it is (Django would prefix
        # "CommandError: "); call_command() still gets the exception.
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{parse,render}")
        parse = sub.add_parser("parse", help="Print the elements as JSON, or convert the file.")
        parse.add_argument("file", help="A .fountain file (or .fdx); - reads stdin.")
        parse.add_argument(
            "--format",
            choices=("json", "fountain", "fdx"),
            default="json",
            help="json (default): a list of elements; fountain or fdx: the converted script.",
        )
        parse.add_argument("-o", "--output", default=None, help="Write here instead of stdout.")
        render = sub.add_parser("render", help="Render the script as a PDF.")
        render.add_argument("file", help="A .fountain file (or .fdx); - reads stdin.")
        render.add_argument("-o", "--output", required=True, help="The PDF to write.")

    def handle(self, *args: Any, action: str, file: str, **options: Any) -> None:
        screenplay = read_screenplay(file)
        output: str | None = options.get("output")
        if action == "parse":
            fmt = options.get("format", "json")
            if fmt == "fountain":
                data = fountain.write(screenplay).encode("utf-8")
            elif fmt == "fdx":
                data = fdx.write(screenplay)
            else:
                data = (
                    json.dumps(screenplay.to_json_list(), ensure_ascii=False, indent=2) + "\n"
                ).encode("utf-8")
            _write_output(output, data)
            return
        try:
            pdf = render_pdf(screenplay)
        except ScreenplayError as exc:
            where = f"{file}:{exc.line}" if exc.line else file
            raise CommandError(f"{where}: {exc.message}") from exc
        _write_output(output, pdf)
        if options.get("verbosity", 1) > 0 and output not in (None, "-"):
            sys.stderr.write(f"wrote {output} ({len(pdf)} bytes)\n")
