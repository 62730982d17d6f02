"""The bench-montage plan rendered with moviepy 2.x, written the way moviepy's documentation shows.

Run by the reference interpreter (.venv-reference), never by crowdstudio's:

    python moviepy_montage.py PLAN.json SOURCES.json TRACK OUT.mp4 [--crf 23] [--preset veryfast]

PLAN.json is crowdstudio's plan (`Plan.to_json`), read here as plain JSON (this interpreter
does not have crowdstudio installed); SOURCES.json maps each shot's asset id to its photo.
Only the plan's first output size (`sizes[0]`, `framings[0]`) is rendered.

Per shot, as the documentation's examples do it: an `ImageClip` of the photo, `cropped` to the
plan's crop, `resized` with a function of time for the Ken Burns zoom, `with_position` with a
function of time so the zoom moves toward the point of interest, inside a `CompositeVideoClip`
of the output size; title and credits are `TextClip`s (Pillow's default font) over a
`ColorClip`; the segments are joined with `concatenate_videoclips`, the track attached with
`AudioFileClip`, and `write_videofile` encodes with libx264 (yuv420p, the same crf and preset
as crowdstudio's renderer, +faststart) and AAC at 48 kHz.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from moviepy import (
    AudioFileClip,
    ColorClip,
    CompositeVideoClip,
    ImageClip,
    TextClip,
    concatenate_videoclips,
)

CARD_BACKGROUND = (14, 14, 18)
CARD_TEXT = "#ebebeb"


def card_clip(lines: list[str], size: tuple[int, int], duration: float):  # type: ignore[no-untyped-def]
    background = ColorClip(size=size, color=CARD_BACKGROUND, duration=duration)
    text = "\n".join(line for line in lines if line)
    if not text:
        return background
    font_size = max(10, min(size[1] // (len(lines) + 4), size[0] // 24))
    label = TextClip(
        text=text,
        font_size=font_size,
        color=CARD_TEXT,
        text_align="center",
        duration=duration,
    ).with_position("center")
    return CompositeVideoClip([background, label], size=size).with_duration(duration)


def shot_clip(path: str, shot: dict, size: tuple[int, int], until: float):  # type: ignore[no-untyped-def]
    framing = shot["framings"][0]
    x, y, cw, ch = framing["crop"]
    motion = framing["motion"]
    duration = shot["end"] - shot["start"]  # the motion's length, even when cut short
    shown = min(shot["end"], until) - shot["start"]
    out_w, out_h = size
    base = out_w / cw  # the whole crop fills the output at scale 1
    s0, s1 = motion["start_scale"], motion["end_scale"]
    (cx0, cy0), (cx1, cy1) = motion["start_center"], motion["end_center"]

    def progress(t: float) -> float:
        return min(1.0, max(0.0, t / duration)) if duration > 0 else 0.0

    def zoom(t: float) -> float:
        return base * (s0 + (s1 - s0) * progress(t))

    def position(t: float) -> tuple[float, float]:
        # Put the motion's centre (in 0..1 of the crop) at the middle of the frame.
        p = progress(t)
        cx, cy = cx0 + (cx1 - cx0) * p, cy0 + (cy1 - cy0) * p
        z = zoom(t)
        return (out_w / 2 - cx * cw * z, out_h / 2 - cy * ch * z)

    picture = (
        ImageClip(path)
        .cropped(x1=x, y1=y, x2=x + cw, y2=y + ch)
        .with_duration(shown)
        .resized(zoom)
        .with_position(position)
    )
    return CompositeVideoClip([picture], size=size).with_duration(shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan")
    parser.add_argument("sources")
    parser.add_argument("track")
    parser.add_argument("out")
    parser.add_argument("--crf", type=int, default=23)
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument(
        "--until",
        type=float,
        default=None,
        help="render only the plan's first seconds (the same shots and motions, cut there)",
    )
    args = parser.parse_args()

    with open(args.plan, encoding="utf-8") as fh:
        plan = json.load(fh)
    with open(args.sources, encoding="utf-8") as fh:
        sources = {int(k): v for k, v in json.load(fh).items()}
    size = (int(plan["sizes"][0][0]), int(plan["sizes"][0][1]))
    fps = float(plan["fps"])

    started = time.perf_counter()
    until = min(args.until or plan["duration"], plan["duration"])
    segments = []
    title = plan["title"]
    segments.append(card_clip(list(title["lines"]), size, min(title["end"], until)))
    for shot in plan["shots"]:
        if shot["start"] < until:
            segments.append(shot_clip(sources[int(shot["asset_id"])], shot, size, until))
    end = plan["end_credits"]
    if end["start"] < until:
        segments.append(card_clip(list(end["lines"]), size, until - end["start"]))

    print(
        f"built {len(segments)} clips in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    video = concatenate_videoclips(segments)
    audio = AudioFileClip(args.track)
    video = video.with_audio(audio.subclipped(0, min(audio.duration, video.duration)))
    video.write_videofile(
        args.out,
        fps=fps,
        codec="libx264",
        preset=args.preset,
        pixel_format="yuv420p",
        ffmpeg_params=["-crf", str(args.crf), "-movflags", "+faststart"],
        audio_codec="aac",
        audio_fps=48_000,
        temp_audiofile_path=os.path.dirname(os.path.abspath(args.out)),  # not the cwd
        logger="bar",  # progress in the benchmark's log for this renderer
    )


if __name__ == "__main__":
    main()
