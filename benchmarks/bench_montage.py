"""`make bench-montage`: one beat-cut music video rendered three ways, timed and measured.

1. Generates (once; cached under var/bench/montage/) the inputs, nothing downloaded: `--photos`
   JPEGs (default 300, 2400x1600, every fifth one portrait 1600x2400; colour gradients, shapes
   and a little sensor-like noise, credited to 37 different "fans") and a `--seconds` long
   music-like track (default 180 s; 44.1 kHz stereo WAV at 120 BPM: kick, snare, hats, bass and
   chords, accented downbeats, with quiet, medium and loud sections so the cuts vary).
2. Makes ONE plan, the production way (crowdstudio's beat analysis of the track, `shots` scoring
   of every photo, `plan_montage` at `--size`, 30 fps), and writes it as JSON. All three
   renderers use that JSON, so they render the same cut list.
3. Runs, each in its own child process (wall time from start to exit; memory of that process
   tree, see below):
   a. crowdstudio: `Plan.from_json` + `render_plan` (size_index 0), in crowdstudio's virtualenv;
   b. moviepy: benchmarks/reference/moviepy_montage.py in the reference virtualenv
      (`--reference-python`), the same plan done the way moviepy's documentation shows;
   c. the encoder alone: imageio-ffmpeg's ffmpeg binary encoding `-f lavfi testsrc2` of the
      same size, rate and length, plus the same track to AAC 48 kHz (all three encode audio),
      with the same x264 settings (crf, preset, yuv420p, +faststart).
4. Prints the machine, the table (wall s, × real time, peak MB) and the ratios against the
   issue's goals, and a markdown row for docs/benchmarks.md. Writes nothing to docs.

Memory: "peak MB" is the larger of (i) the child's maximum resident set from `os.wait4`, which
for a process tree is that of its largest single process, and (ii) the largest sum of the
resident sets of the child and its descendants seen by sampling /proc every 0.2 s (moviepy's
encoder is a separate ffmpeg process running alongside the Python one; crowdstudio encodes in
process). "MB" is MiB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import wave
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

DEFAULT_WORK = ROOT / "var" / "bench" / "montage"
MOVIEPY_SCRIPT = Path(__file__).resolve().parent / "reference" / "moviepy_montage.py"
FPS = 30.0
CRF = 23
PRESET = "veryfast"
BPM = 120.0
TRACK_RATE = 44_100
GOAL_VS_MOVIEPY = 5.0  # crowdstudio at least this many times faster than moviepy
GOAL_VS_ENCODER = 1.5  # crowdstudio within this factor of the encoder alone
GOAL_PEAK_MB = 1024.0  # under 1 GiB
RENDERERS = ("crowdstudio", "moviepy", "encoder")
LETTERS = {"a": "crowdstudio", "b": "moviepy", "c": "encoder"}

# Child mode: the crowdstudio render, run as `python bench_montage.py --render-child ...`.
CHILD_FLAG = "--render-child"
PREFIX = 30.0  # seconds of the plan moviepy renders when the whole plan is out of its reach
LAUNCHER_FLAG = "--launcher"


# --- inputs -------------------------------------------------------------------------------------


def photo_name(index: int) -> str:
    """`fan07_0042.jpg`: the part before "_" is the contributor, as the montage CLI reads it."""
    return f"fan{(index * 7) % 37:02d}_{index:04d}.jpg"


def make_photo(path: Path, index: int, size: tuple[int, int]) -> None:
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(1000 + index)
    w, h = size
    if index % 5 == 4:
        w, h = h, w  # every fifth photo is portrait
    # A two-colour gradient in a random direction...
    c0, c1 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    angle = rng.uniform(0, 2 * math.pi)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xs / w - 0.5) * math.cos(angle) + (ys / h - 0.5) * math.sin(angle) + 0.5
    t = np.clip(t, 0.0, 1.0)[..., None]
    pixels = c0 * (1 - t) + c1 * t
    # ...a little noise (JPEG-sized sensor grain), cheaper as a tiled patch than per pixel...
    grain = rng.normal(0, 5, (256, 256, 1)).astype(np.float32)
    pixels += np.tile(grain, (h // 256 + 1, w // 256 + 1, 3))[:h, :w]
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    # ...and shapes of other colours (the "subject"), weighted toward one area.
    draw = ImageDraw.Draw(image)
    fx, fy = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)
    for _ in range(int(rng.integers(6, 16))):
        cx = int(np.clip(rng.normal(fx, 0.15), 0, 1) * w)
        cy = int(np.clip(rng.normal(fy, 0.15), 0, 1) * h)
        r = int(rng.uniform(0.03, 0.15) * min(w, h))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
        elif kind == 1:
            draw.rectangle((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=colour)
        else:
            draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=colour)
    image.save(path, "JPEG", quality=88)


def ensure_photos(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / photo_name(i) for i in range(count)]
    missing = [(i, p) for i, p in enumerate(paths) if not p.exists()]
    if missing:
        print(f"generating {len(missing)} photos in {folder} …", flush=True)
    for i, path in missing:
        tmp = path.with_suffix(".tmp")
        make_photo(tmp, i, size)
        tmp.replace(path)
    return paths


def make_track(path: Path, seconds: float) -> None:
    """A 120 BPM music-like stereo WAV: quiet intro, verses, loud choruses, a breakdown."""
    import numpy as np

    rate = TRACK_RATE
    n = round(seconds * rate)
    mix = np.zeros(n, np.float64)
    beat = 60.0 / BPM
    rng = np.random.default_rng(7)

    def env(length: float, decay: float) -> np.ndarray:
        k = np.arange(int(length * rate)) / rate
        return np.exp(-k / decay)

    k = np.arange(int(0.25 * rate)) / rate
    kick = np.sin(2 * math.pi * (50 * k + 60 * (1 - np.exp(-k / 0.03)) * 0.03)) * env(0.25, 0.06)
    snare = rng.standard_normal(int(0.18 * rate)) * env(0.18, 0.04) * 0.6
    hat = np.diff(rng.standard_normal(int(0.05 * rate) + 1)) * env(0.05, 0.01) * 0.25

    def section(bar: int) -> float:
        """The level of a bar: 0.25 intro/outro, 0.55 verse, 1.0 chorus (a 32-bar cycle)."""
        if bar < 4:
            return 0.25
        phase = (bar - 4) % 32
        if phase < 12:
            return 0.55
        if phase < 28:
            return 1.0
        return 0.25  # breakdown

    roots = (55.0, 65.41, 49.0, 58.27)  # A, C, G, A# (Hz): a four-bar progression
    n_beats = int(seconds / beat)
    for b in range(n_beats):
        bar, pos = divmod(b, 4)
        level = section(bar)
        at = round(b * beat * rate)

        def add(sound: np.ndarray, gain: float, offset: int = 0, _at: int = at) -> None:
            start = _at + offset
            if start >= n:
                return
            end = min(n, start + len(sound))
            mix[start:end] += gain * sound[: end - start]

        accent = 1.0 if pos == 0 else 0.75  # accented downbeats
        add(kick, 0.9 * accent * max(level, 0.35))
        if level >= 0.5 and pos in (1, 3):
            add(snare, level)
        add(hat, level, round(beat * rate / 2))  # off-beat hats
        if level >= 0.5:
            add(hat, 0.6 * level)
        # Bass on every beat, a chord pad per bar.
        f = roots[bar % 4]
        t = np.arange(int(beat * rate * 0.9)) / rate
        add(np.sin(2 * math.pi * f * t) * np.exp(-t / 0.3), 0.35 * level)
        if pos == 0:
            t = np.arange(int(4 * beat * rate)) / rate
            pad = sum(np.sin(2 * math.pi * f * 4 * r * t) for r in (1.0, 1.26, 1.5))
            add(pad * np.minimum(1, t / 0.2) * np.exp(-t / 2.5), 0.05 * level)
    mix /= max(1e-9, float(np.abs(mix).max())) / 0.8
    stereo = np.stack([mix, np.roll(mix, 9)], axis=1)  # a touch of width
    pcm = (stereo * 32767).astype("<i2")
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    tmp.replace(path)


def ensure_track(folder: Path, seconds: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"track-{seconds:g}s-{BPM:g}bpm.wav"
    if not path.exists():
        print(f"generating the {seconds:g} s track {path} …", flush=True)
        make_track(path, seconds)
    return path


def make_plan(photos: list[Path], track: Path, size: tuple[int, int], run_dir: Path):  # type: ignore[no-untyped-def]
    """Plan the montage the way the CLI does; writes plan.json and sources.json."""
    from crowdstudio.studio.montage import beats, plan, shots

    analysis = beats.analyse_file(track)
    candidates = []
    sources: dict[int, str] = {}
    for n, path in enumerate(photos, start=1):
        contributor = path.stem.split("_", 1)[0]
        candidates.append(
            shots.shot_from_image(path, contributor=contributor, entry_id=n, asset_id=n)
        )
        sources[n] = str(path)
    montage = plan.plan_montage(
        candidates,
        beats.to_beat_grid(analysis),
        fps=FPS,
        seed=1,
        sizes=(size,),
        title="bench-montage",
        credits=("Music: a generated 120 BPM track",),
    )
    (run_dir / "plan.json").write_text(montage.to_json(), encoding="utf-8")
    (run_dir / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    return analysis, montage


# --- the children -----------------------------------------------------------------------------


def render_child(plan_path: str, sources_path: str, track: str, out: str) -> None:
    """Child mode: crowdstudio's renderer on the plan JSON (no Django needed)."""
    from PIL import Image

    from crowdstudio.studio.montage.plan import Plan, PlannedShot
    from crowdstudio.studio.montage.render import render_plan

    montage = Plan.from_json(Path(plan_path).read_text(encoding="utf-8"))
    sources = {int(k): v for k, v in json.loads(Path(sources_path).read_text()).items()}

    def load_image(shot: PlannedShot) -> Image.Image:
        return Image.open(sources[shot.asset_id])

    render_plan(
        montage,
        size_index=0,
        load_image=load_image,
        audio_path=track,
        out_path=out,
        crf=CRF,
        preset=PRESET,
    )


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Result:
    name: str
    wall: float
    cpu: float  # user + system seconds of the whole tree (less sensitive to a busy machine)
    largest_mib: float  # os.wait4: the largest single process of the tree
    tree_mib: float  # sampled sum over the tree
    returncode: int
    out: Path
    over_limit: bool = False  # killed by the bench's memory watchdog
    prefix: float | None = None  # moviepy: rendered only the plan's first seconds
    duration: float | None = None  # of the written file, probed afterwards

    @property
    def killed(self) -> bool:
        """Stopped for memory: by the watchdog, or SIGKILLed (the kernel's OOM killer)."""
        return self.over_limit or self.returncode == -signal.SIGKILL

    @property
    def peak_mib(self) -> float:
        return max(self.largest_mib, self.tree_mib)


class Launcher:
    """A small helper process, started before this one loads numpy and makes photos, that
    starts each child and waits for it with os.wait4.

    Linux carries a process's peak RSS across fork and exec (the child starts with its parent's
    high-water mark), so children forked from this process, which holds hundreds of MB after
    making the photos, would all report at least that. Forked from a fresh interpreter, they
    report their own peak.
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), LAUNCHER_FLAG],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def start(self, argv: list[str], log: Path) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "log": str(log)}) + "\n")
        self.proc.stdin.flush()
        return int(json.loads(self.proc.stdout.readline())["pid"])

    def wait(self) -> dict[str, float]:
        assert self.proc.stdout is not None
        return dict(json.loads(self.proc.stdout.readline()))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def launcher_loop() -> None:
    """Launcher mode: one JSON request per line on stdin, answers on stdout."""
    for line in sys.stdin:
        request = json.loads(line)
        with open(request["log"], "wb") as log:
            start = time.perf_counter()
            proc = subprocess.Popen(
                request["argv"],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so the watchdog can stop it all
            )
            print(json.dumps({"pid": proc.pid}), flush=True)
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        answer = {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kib": usage.ru_maxrss,
            "returncode": proc.returncode,
        }
        print(json.dumps(answer), flush=True)


def run_child(
    launcher: Launcher, name: str, argv: list[str], out: Path, log: Path, *, limit_mib: float
) -> Result:
    """Run `argv` through the launcher (its own rusage) while sampling its tree's RSS here;
    the tree is killed if it grows past `limit_mib` (the machine is shared: a renderer that
    eats all the memory must not make the kernel's OOM killer pick someone else's process)."""
    print(f"running {name} …", flush=True)
    pid = launcher.start(argv, log)
    peak_tree = 0
    over_limit = False
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, over_limit
        while not stop.wait(0.2):
            peak_tree = max(peak_tree, sum(_rss_kib(p) for p in _descendants(pid)))
            if peak_tree / 1024 > limit_mib and not over_limit:
                over_limit = True
                try:
                    os.killpg(pid, signal.SIGKILL)  # the group the launcher started for it
                except ProcessLookupError:
                    pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    answer = launcher.wait()
    stop.set()
    sampler.join()
    result = Result(
        name=name,
        wall=float(answer["wall"]),
        cpu=float(answer["cpu"]),
        largest_mib=float(answer["maxrss_kib"]) / 1024,  # KiB on Linux
        tree_mib=peak_tree / 1024,
        returncode=int(answer["returncode"]),
        out=out,
        over_limit=over_limit,
    )
    if over_limit:
        print(f"  {name} STOPPED: its memory passed the limit of {limit_mib:.0f} MB")
    elif result.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        print(f"  {name} FAILED (exit {result.returncode}); last lines of {log}:")
        for line in tail:
            print(f"    {line}")
    else:
        result.duration = probe_duration(out)
    return result


def probe_duration(path: Path) -> float | None:
    import av

    try:
        with av.open(str(path)) as container:
            if container.duration is None:
                return None
            return float(container.duration) / 1_000_000
    except (OSError, av.FFmpegError):
        return None


def ffmpeg_exe(reference_python: str) -> str:
    found = subprocess.run(
        [reference_python, "-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip()


# --- report -------------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
            mem = f", {kib / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.machine()} {model}, {os.cpu_count()} cores{mem}, "
        f"Python {platform.python_version()}"
    )


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def report(
    results: dict[str, Result],
    *,
    seconds: float,
    photos: int,
    size: tuple[int, int],
    shots: int,
    whole_plan: Result | None = None,
) -> None:
    print()
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}; load average at the end: {os.getloadavg()[0]:.2f}")
    print(
        f"input: {photos} photos, {seconds:g} s track, {size[0]}x{size[1]} @ {FPS:g} fps, "
        f"{shots} shots; x264 crf {CRF} preset {PRESET}, yuv420p; AAC 48 kHz in all three"
    )
    print()
    header = (
        f"{'renderer':<12} {'wall s':>9} {'× real time':>12} {'cpu s':>8} {'peak MB':>9} "
        f"{'largest proc MB':>16} {'out s':>7}"
    )
    print(header)
    print("-" * len(header))
    for name in RENDERERS:
        r = results.get(name)
        if r is None:
            continue
        if r.returncode != 0:
            why = "killed: out of memory" if r.killed else f"failed (exit {r.returncode})"
            print(
                f"{name:<12} {r.wall:>9.1f} {'–':>12} {r.cpu:>8.1f} {r.peak_mib:>9.0f} "
                f"{r.largest_mib:>16.0f}   {why}"
            )
            continue
        out_s = f"{r.duration:.2f}" if r.duration is not None else "?"
        print(
            f"{name:<12} {r.wall:>9.1f} {(r.prefix or seconds) / r.wall:>11.2f}× {r.cpu:>8.1f} "
            f"{r.peak_mib:>9.0f} {r.largest_mib:>16.0f} {out_s:>7}"
        )
    ok = {k: v for k, v in results.items() if v.returncode == 0}
    cs, mp, enc = ok.get("crowdstudio"), ok.get("moviepy"), ok.get("encoder")
    mp_wall = mp.wall * seconds / mp.prefix if mp and mp.prefix else (mp.wall if mp else 0.0)
    speedup = mp_wall / cs.wall if cs and mp else None
    if mp and mp.prefix:
        print(
            f"moviepy rendered the plan's first {mp.prefix:g} s (same shots and motions); "
            f"for the whole {seconds:g} s: ≈ {mp_wall:.0f} s, extrapolated"
        )
        if whole_plan is not None:
            print(
                f"moviepy on the whole plan: stopped out of memory at {whole_plan.peak_mib:.0f} MB "
                f"after {whole_plan.wall:.0f} s"
            )
    overhead = cs.wall / enc.wall if cs and enc else None
    peak = cs.peak_mib if cs else None
    # moviepy killed for memory before it finished: its time so far is a lower bound.
    unfinished = results.get("moviepy")
    at_least = None
    if cs and unfinished is not None and unfinished.killed:
        at_least = unfinished.wall / cs.wall
    print()
    if at_least is not None:
        print(
            f"moviepy / crowdstudio:  > {_fmt(at_least)} (moviepy did not finish)  "
            f"(goal ≥ {GOAL_VS_MOVIEPY:g}×)  "
            f"{verdict(True if at_least >= GOAL_VS_MOVIEPY else None)}"
        )
    else:
        print(
            f"moviepy / crowdstudio:  {_fmt(speedup)}  (goal ≥ {GOAL_VS_MOVIEPY:g}×)  "
            f"{verdict(None if speedup is None else speedup >= GOAL_VS_MOVIEPY)}"
        )
    print(
        f"crowdstudio / encoder:  {_fmt(overhead)}  (goal ≤ {GOAL_VS_ENCODER:g}×)  "
        f"{verdict(None if overhead is None else overhead <= GOAL_VS_ENCODER)}"
    )
    print(
        f"crowdstudio peak:       {'n/a' if peak is None else f'{peak:.0f} MB'}  "
        f"(goal < 1 GB)  {verdict(None if peak is None else peak < GOAL_PEAK_MB)}"
    )
    if cs and enc:
        print(
            f"(CPU seconds, less sensitive to other load: crowdstudio / encoder "
            f"{cs.cpu / enc.cpu:.2f}×"
            + (
                f", moviepy / crowdstudio {mp.cpu * seconds / (mp.prefix or seconds) / cs.cpu:.2f}×"
                if mp
                else ""
            )
            + ")"
        )
    print()
    print("markdown row for docs/benchmarks.md (Montage section):")

    def cell(r: Result | None) -> str:
        if r is None:
            return "–"
        if r.returncode != 0:
            what = "killed out of memory" if r.killed else f"failed (exit {r.returncode})"
            return f"did not finish: {what} at {r.peak_mib:.0f} MB after {r.wall:.0f} s"
        if r.prefix:
            text = (
                f"≈ {r.wall * seconds / r.prefix:.0f} s extrapolated from its first {r.prefix:g} s "
                f"({r.wall:.1f} s, {r.peak_mib:.0f} MB)"
            )
            if whole_plan is not None:
                text += f"; whole plan: out of memory at {whole_plan.peak_mib:.0f} MB"
            return text
        return f"{r.wall:.1f} s ({seconds / r.wall:.2f}× real time, {r.peak_mib:.0f} MB)"

    print(
        f"| {datetime.now(UTC):%Y-%m-%d} | {machine()} | {photos} photos, {seconds:g} s, "
        f"{size[0]}x{size[1]}p{FPS:g}, {shots} shots | {cell(cs)} | {cell(mp or unfinished)} "
        f"| {cell(enc)} | {'> ' + _fmt(at_least) if at_least else _fmt(speedup)} "
        f"| {_fmt(overhead)} |"
    )


def available_mib() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 4096.0


def _fmt(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}×"


# --- main ---------------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if w < 16 or h < 16 or w % 2 or h % 2:
        raise argparse.ArgumentTypeError(f"{text}: even sizes of at least 16 pixels, please")
    return w, h


def parse_only(text: str) -> tuple[str, ...]:
    chosen = []
    for part in text.split(","):
        key = part.strip().lower()
        name = LETTERS.get(key, key)
        if name not in RENDERERS:
            raise argparse.ArgumentTypeError(
                f"--only takes a, b, c or {', '.join(RENDERERS)} (got {part!r})"
            )
        chosen.append(name)
    return tuple(chosen)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == CHILD_FLAG:
        render_child(*argv[1:5])
        return 0
    if argv and argv[0] == LAUNCHER_FLAG:
        launcher_loop()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300, help="number of photos (300)")
    parser.add_argument("--seconds", type=float, default=180.0, help="track length (180)")
    parser.add_argument("--size", type=parse_size, default=(1920, 1080), help="1920x1080")
    parser.add_argument(
        "--photo-size", type=parse_size, default=(2400, 1600), help="generated photos (2400x1600)"
    )
    parser.add_argument(
        "--only", type=parse_only, default=RENDERERS, help="a,b,c = crowdstudio,moviepy,encoder"
    )
    parser.add_argument(
        "--reference-python",
        default=str(ROOT / ".venv-reference" / "bin" / "python"),
        help="interpreter with moviepy and imageio-ffmpeg (make's .venv-reference)",
    )
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK, help="cache and outputs")
    parser.add_argument("--keep", action="store_true", help="keep the rendered videos")
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="render crowdstudio and the encoder this many times back to back, alternating "
        "which goes first, and print the median ratio (1)",
    )
    parser.add_argument(
        "--moviepy-prefix",
        type=float,
        default=None,
        help="moviepy renders only the plan's first S seconds; its whole-plan time is "
        "extrapolated (done by itself, with 30 s, when the whole plan runs out of memory)",
    )
    parser.add_argument(
        "--memory-limit-mb",
        type=float,
        default=None,
        help="stop a renderer whose processes use more (default: 70%% of the memory available "
        "at the start, at most 16 GB)",
    )
    args = parser.parse_args(argv)
    if args.photos < 1:
        parser.error("--photos must be at least 1")
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    if args.seconds < 5:
        parser.error("--seconds must be at least 5 (the beat analysis needs a few bars)")
    needs_reference = {"moviepy", "encoder"} & set(args.only)
    if needs_reference and not Path(args.reference_python).exists():
        parser.error(f"{args.reference_python}: not found (make bench-montage creates it)")

    launcher = Launcher()  # first, while this process is still small
    try:
        return bench(args, launcher)
    finally:
        launcher.close()


def pair_ratios(  # type: ignore[no-untyped-def]
    launcher, pairs: int, results: dict[str, Result], argv_for, outs, run_dir: Path, limit_mib
) -> list[float]:
    """Run crowdstudio and the encoder `pairs - 1` more times, back to back, the encoder first
    in every other pair, and print each pair's ratio and their median. A machine whose speed
    drifts between minutes moves a single ratio; the median of alternating pairs moves less."""
    ratios = [results["crowdstudio"].wall / results["encoder"].wall]
    print(f"\npairs (crowdstudio / encoder, back to back): 1: {ratios[0]:.2f}×", flush=True)
    for n in range(2, pairs + 1):
        order = ("encoder", "crowdstudio") if n % 2 == 0 else ("crowdstudio", "encoder")
        walls: dict[str, float] = {}
        for name in order:
            outs[name].unlink(missing_ok=True)
            run = run_child(
                launcher,
                name,
                argv_for(name),
                outs[name],
                run_dir / f"{name}.log",
                limit_mib=limit_mib,
            )
            if run.returncode != 0:
                print(f"  {n}: {name} failed (exit {run.returncode}); pair left out", flush=True)
                break
            walls[name] = run.wall
        else:
            ratios.append(walls["crowdstudio"] / walls["encoder"])
            print(
                f"  {n}: {ratios[-1]:.2f}× ({walls['crowdstudio']:.1f} s / "
                f"{walls['encoder']:.1f} s, {order[0]} first)",
                flush=True,
            )
    ordered = sorted(ratios)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    print(
        f"crowdstudio / encoder over {len(ratios)} pairs: median {median:.2f}× "
        f"(from {ordered[0]:.2f}× to {ordered[-1]:.2f}×; goal ≤ {GOAL_VS_ENCODER:g}×: "
        f"{verdict(median <= GOAL_VS_ENCODER)})",
        flush=True,
    )
    return ratios


def bench(args: argparse.Namespace, launcher: Launcher) -> int:
    work: Path = args.work_dir
    limit_mib = args.memory_limit_mb or min(16 * 1024, 0.7 * available_mib())
    print(f"memory limit per renderer: {limit_mib:.0f} MB", flush=True)
    pw, ph = args.photo_size
    photos = ensure_photos(work / f"photos-{pw}x{ph}", args.photos, args.photo_size)
    track = ensure_track(work, args.seconds)
    w, h = args.size
    run_dir = work / f"run-{args.photos}p-{args.seconds:g}s-{w}x{h}"
    run_dir.mkdir(parents=True, exist_ok=True)
    print("planning (beat analysis and photo scoring, not timed) …", flush=True)
    analysis, montage = make_plan(photos, track, args.size, run_dir)
    print(
        f"  {analysis.tempo:.2f} BPM, {len(analysis.beats)} beats; {len(montage.shots)} shots, "
        f"{len(montage.credits())} contributors; plan: {run_dir / 'plan.json'}",
        flush=True,
    )

    plan_json, sources_json = str(run_dir / "plan.json"), str(run_dir / "sources.json")
    outs = {name: run_dir / f"{name}.mp4" for name in RENDERERS}
    results: dict[str, Result] = {}
    whole_plan: Result | None = None  # moviepy on the whole plan, when it ran out of memory

    def moviepy_argv(prefix: float | None) -> list[str]:
        argv = [args.reference_python, str(MOVIEPY_SCRIPT), plan_json, sources_json]
        argv += [str(track), str(outs["moviepy"]), "--crf", str(CRF), "--preset", PRESET]
        return argv + (["--until", f"{prefix:g}"] if prefix else [])

    def argv_for(name: str) -> list[str]:
        if name == "crowdstudio":
            return [
                sys.executable,
                str(Path(__file__).resolve()),
                CHILD_FLAG,
                plan_json,
                sources_json,
                str(track),
                str(outs[name]),
            ]
        if name == "moviepy":
            return moviepy_argv(args.moviepy_prefix)
        return [
            ffmpeg_exe(args.reference_python),
            *("-hide_banner", "-nostdin", "-y", "-f", "lavfi"),
            *("-i", f"testsrc2=size={w}x{h}:rate={FPS:g}:duration={montage.duration}"),
            *("-i", str(track), "-map", "0:v", "-map", "1:a"),
            *("-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF)),
            *("-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-ac", "2"),
            *("-t", f"{montage.duration}", "-movflags", "+faststart", str(outs[name])),
        ]

    for name in args.only:
        outs[name].unlink(missing_ok=True)
        log = run_dir / f"{name}.log"
        results[name] = run_child(
            launcher, name, argv_for(name), outs[name], log, limit_mib=limit_mib
        )
        print(f"  {name}: {results[name].wall:.1f} s", flush=True)
        if name == "moviepy":
            results[name].prefix = args.moviepy_prefix
            whole = results[name]
            if whole.killed and not args.moviepy_prefix and montage.duration > 2 * PREFIX:
                print(
                    f"  moviepy ran out of memory on the whole plan; rendering its first "
                    f"{PREFIX:g} s instead, to extrapolate",
                    flush=True,
                )
                outs[name].unlink(missing_ok=True)
                retry = run_child(
                    launcher, name, moviepy_argv(PREFIX), outs[name], log, limit_mib=limit_mib
                )
                retry.prefix = PREFIX
                print(f"  {name} (first {PREFIX:g} s): {retry.wall:.1f} s", flush=True)
                results[name] = retry
                whole_plan = whole

    report(
        results,
        seconds=montage.duration,
        photos=args.photos,
        size=args.size,
        shots=len(montage.shots),
        whole_plan=whole_plan,
    )
    if args.pairs > 1 and {"crowdstudio", "encoder"} <= set(results):
        pair_ratios(launcher, args.pairs, results, argv_for, outs, run_dir, limit_mib)
    if not args.keep:
        for out in outs.values():
            out.unlink(missing_ok=True)
    else:
        print(f"\nvideos kept in {run_dir}")
    return 0 if all(r.returncode == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
