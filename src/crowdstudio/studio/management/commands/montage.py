"""`crowdstudio montage PHOTOS_DIR TRACK -o OUT.mp4`: a beat-cut montage from a folder of photos.

Reads every .jpg/.jpeg/.png/.webp photo and .mp4/.mov/.webm/.mkv clip in PHOTOS_DIR (not
recursive, sorted by name), measures each (quality, point of interest, colour, perceptual hash;
a clip by its first frame), drops near-duplicate photos (the better-scored one stays), analyses
the track's beats, plans the montage at the requested size (16:9, 9:16, 1:1 or any even size)
and renders it, printing a progress bar on stderr. The contributor of a file is the part of its
name before the first "_" or "-" (``alice_01.jpg`` -> ``alice``), else the whole file stem.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import av
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from crowdstudio.studio.montage import beats, clips, plan, render, shots

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
CLIP_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".m4v"})
BAR_WIDTH = 30
EXIF_IFD = 0x8769
DATE_TIME_ORIGINAL = 0x9003


def taken_at(path: Path, image: Image.Image | None = None) -> float:
    """When a photo was taken (EXIF DateTimeOriginal), else the file's modification time."""
    if image is not None:
        raw = image.getexif().get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL)
        if isinstance(raw, str):
            try:
                return datetime.strptime(raw.strip(), "%Y:%m:%d %H:%M:%S").timestamp()
            except ValueError:
                pass
    return path.stat().st_mtime


def contributor_for(path: Path) -> str:
    """The part of the file name before the first "_" or "-", else the stem."""
    head = re.split(r"[_-]", path.stem, maxsplit=1)[0]
    return head or path.stem


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise CommandError(f"--size must be WIDTHxHEIGHT, like 1920x1080 (got {text!r})")
    width, height = int(match[1]), int(match[2])
    if width < 16 or height < 16 or width > 7680 or height > 7680:
        raise CommandError(f"--size {width}x{height} is out of range (16..7680 on each side)")
    if width % 2 or height % 2:
        raise CommandError(f"--size needs even dimensions for H.264 (got {width}x{height})")
    return width, height


class ProgressBar:
    """`[#####     ]  50% rendering` on one line of a terminal, redrawn in place."""

    def __init__(self, stream: TextIO, label: str, width: int = BAR_WIDTH) -> None:
        self.stream, self.label, self.width = stream, label, width
        self.last = -1

    def __call__(self, fraction: float) -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent == self.last:
            return
        self.last = percent
        filled = round(self.width * percent / 100)
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}% {self.label}")
        if percent >= 100:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Render a montage cut to the beat of TRACK from the photos (.jpg, .jpeg, .png, .webp) "
        "in PHOTOS_DIR. Each photo is credited to the part of its file name before the first "
        '"_" or "-" (alice_01.jpg and alice-beach.png are both by "alice"), else to the whole '
        "file name without its extension."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("photos_dir", help="Folder of photos (not searched recursively).")
        parser.add_argument("track", help="The music: any audio file PyAV can decode.")
        parser.add_argument("-o", "--output", required=True, help="The MP4 to write.")
        parser.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT, even numbers.")
        parser.add_argument("--fps", type=float, default=30.0, help="Output frame rate.")
        parser.add_argument("--seed", type=int, default=0, help="Seed for the shot order.")
        parser.add_argument(
            "--order",
            choices=plan.ORDERS,
            default="flow",
            help="flow: contributor variety with colour continuity (default); variety: "
            "contributors in turn; chronological: by when each photo was taken.",
        )
        parser.add_argument(
            "--keep-duplicates",
            action="store_true",
            help="Keep near-duplicate photos (by default the better of each pair stays).",
        )
        parser.add_argument("--plan-out", default=None, help="Also write the plan as JSON here.")
        parser.add_argument(
            "--credits",
            default=None,
            help="Also write a CSV of contributors and the time each first appears.",
        )

    def handle(
        self,
        *args: Any,
        photos_dir: str,
        track: str,
        output: str,
        size: str,
        fps: float,
        seed: int,
        order: str,
        keep_duplicates: bool,
        plan_out: str | None,
        credits: str | None,
        **options: Any,
    ) -> None:
        out_size = parse_size(size)
        if not 1 <= fps <= 120:
            raise CommandError(f"--fps must be between 1 and 120 (got {fps:g})")
        folder = Path(photos_dir)
        if not folder.is_dir():
            raise CommandError(f"{folder}: not a folder")
        if not Path(track).is_file():
            raise CommandError(f"{track}: no such file")
        verbose = options.get("verbosity", 1) > 0
        err: TextIO = sys.stderr

        candidates, paths = self._read_photos(folder)
        if not candidates:
            looked = ", ".join(sorted(PHOTO_SUFFIXES | CLIP_SUFFIXES))
            raise CommandError(f"{folder}: no readable photos (looked for {looked})")
        found = len(candidates)
        if not keep_duplicates:
            candidates = shots.drop_near_duplicates(candidates)
        if verbose:
            people = len({c.contributor for c in candidates})
            dropped = found - len(candidates)
            note = f" ({dropped} near-duplicates left out)" if dropped else ""
            err.write(f"{len(candidates)} photos and clips from {people} contributors{note}\n")

        try:
            analysis = beats.analyse_file(track)
        except Exception as exc:  # PyAV and the analysis raise several types on bad input
            raise CommandError(f"{track}: cannot read the track ({exc})") from exc
        if verbose:
            err.write(f"track: {analysis.duration:.1f} s, {analysis.tempo:.0f} BPM\n")

        try:
            montage = plan.plan_montage(
                candidates,
                beats.to_beat_grid(analysis),
                fps=fps,
                seed=seed,
                sizes=(out_size,),
                order=order,
            )
        except ValueError as exc:
            raise CommandError(f"cannot plan the montage: {exc}") from exc

        if plan_out:
            self._write(plan_out, montage.to_json() + "\n")

        def load_image(shot: plan.PlannedShot) -> Image.Image:
            return Image.open(paths[shot.asset_id])

        try:
            render.render_plan(
                montage,
                size_index=0,
                load_image=load_image,
                load_clip=lambda asset_id: str(paths[asset_id]),
                audio_path=track,
                out_path=output,
                progress=ProgressBar(err, "rendering") if verbose else None,
            )
        except (OSError, ValueError, av.FFmpegError) as exc:
            raise CommandError(f"cannot render {output}: {exc}") from exc

        if credits:
            first: dict[str, float] = {}
            for shot in montage.shots:
                first.setdefault(shot.contributor, shot.start)
            try:
                with open(credits, "w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(["contributor", "first_appearance"])
                    for name, start in first.items():
                        writer.writerow([name, f"{start:.3f}"])
            except OSError as exc:
                raise CommandError(f"cannot write {credits}: {exc}") from exc
        self.stdout.write(f"wrote {output} ({montage.duration:.1f} s, {len(montage.shots)} shots)")

    def _read_photos(self, folder: Path) -> tuple[list[plan.Shot], dict[int, Path]]:
        candidates: list[plan.Shot] = []
        paths: dict[int, Path] = {}
        suffixes = PHOTO_SUFFIXES | CLIP_SUFFIXES
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
        for n, path in enumerate(files, start=1):
            try:
                shot = self._measure(path, n)
            except (*shots.UNREADABLE, av.FFmpegError) as exc:
                sys.stderr.write(f"skipping {path.name}: {exc}\n")
                continue
            candidates.append(shot)
            paths[n] = path
        return candidates, paths

    def _measure(self, path: Path, n: int) -> plan.Shot:
        who = contributor_for(path)
        if path.suffix.lower() in CLIP_SUFFIXES:
            return clips.shot_from_clip(path, contributor=who, entry_id=n, asset_id=n)
        with Image.open(path) as image:
            when = taken_at(path, image)
            shot = shots.shot_from_image(image, contributor=who, entry_id=n, asset_id=n)
        return dataclasses.replace(shot, taken_at=when)

    def _write(self, path: str, text: str) -> None:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from exc
