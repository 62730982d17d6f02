"""`make bench-montage`'s plumbing at a tiny size: inputs, one plan, three renderers, the table."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_montage.py"
REFERENCE_PYTHON = ROOT / ".venv-reference" / "bin" / "python"


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_montage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_montage"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


TINY = ("--photos", "3", "--seconds", "6", "--size", "160x90", "--photo-size", "320x240")


def run_bench(tmp_path: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """The benchmark at a tiny size in `tmp_path`, with the reference interpreter."""
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *TINY,
            *("--work-dir", str(tmp_path), "--reference-python", str(REFERENCE_PYTHON)),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_it_reads_the_renderer_choice_by_letter_or_name() -> None:
    bench = load_bench()
    assert bench.parse_only("a,c") == ("crowdstudio", "encoder")
    assert bench.parse_only("moviepy") == ("moviepy",)
    with pytest.raises(argparse.ArgumentTypeError, match="--only takes"):
        bench.parse_only("a,x")


def test_it_refuses_odd_or_tiny_output_sizes() -> None:
    bench = load_bench()
    assert bench.parse_size("640x360") == (640, 360)
    for bad in ("641x360", "8x8", "wide"):
        with pytest.raises(argparse.ArgumentTypeError, match=r"WIDTHxHEIGHT|even sizes"):
            bench.parse_size(bad)


def test_it_names_photos_so_the_credits_see_many_contributors() -> None:
    bench = load_bench()
    names = [bench.photo_name(i) for i in range(300)]
    assert len(set(names)) == 300
    assert len({n.split("_", 1)[0] for n in names}) == 37


def test_it_renders_one_plan_three_ways_and_prints_the_table(tmp_path: Path) -> None:
    only = "a,b,c" if REFERENCE_PYTHON.exists() else "a"
    done = run_bench(tmp_path, "--only", only)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "planning" in out
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("renderer")) + 2
    table = {}
    for line in lines[first:]:
        if not line.strip():
            break
        table[line.split()[0]] = line.split()
    renderers = ["crowdstudio", "moviepy", "encoder"] if only == "a,b,c" else ["crowdstudio"]
    for name in renderers:
        row = table[name]
        assert float(row[-1]) == pytest.approx(6.0, abs=0.1)  # every output is the track's length
    assert "moviepy / crowdstudio:" in out and "crowdstudio peak:" in out
    assert "markdown row for docs/benchmarks.md" in out
    run_dir = next(tmp_path.glob("run-*"))
    assert (run_dir / "plan.json").exists()
    assert not list(run_dir.glob("*.mp4"))  # removed without --keep


@pytest.mark.skipif(not REFERENCE_PYTHON.exists(), reason="needs .venv-reference (moviepy)")
def test_it_stops_a_renderer_that_outgrows_the_memory_limit(tmp_path: Path) -> None:
    done = run_bench(tmp_path, "--only", "b", "--memory-limit-mb", "20")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "moviepy STOPPED: its memory passed the limit of 20 MB" in done.stdout
    assert "killed: out of memory" in done.stdout
    assert "did not finish" in done.stdout


@pytest.mark.skipif(not REFERENCE_PYTHON.exists(), reason="needs .venv-reference (moviepy)")
def test_it_extrapolates_moviepy_from_the_first_seconds_of_the_plan(tmp_path: Path) -> None:
    done = run_bench(tmp_path, "--only", "a,b", "--moviepy-prefix", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    moviepy_row = next(line for line in done.stdout.splitlines() if line.startswith("moviepy  "))
    assert float(moviepy_row.split()[-1]) == pytest.approx(3.0, abs=0.1)  # only the first 3 s
    assert "for the whole 6 s: ≈" in done.stdout
    assert "extrapolated from its first 3 s" in done.stdout


@pytest.mark.skipif(not REFERENCE_PYTHON.exists(), reason="needs .venv-reference (its ffmpeg)")
def test_it_repeats_crowdstudio_and_the_encoder_in_alternating_pairs(tmp_path: Path) -> None:
    done = run_bench(tmp_path, "--only", "a,c", "--pairs", "3", timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "pairs (crowdstudio / encoder, back to back): 1:" in out
    assert "encoder first" in out and "crowdstudio first" in out
    summary = next(line for line in out.splitlines() if "over 3 pairs: median" in line)
    ratios = [
        float(part.split("×")[0])
        for part in out.split("pairs (crowdstudio / encoder, back to back):")[1].split(": ")[1:4]
    ]
    median = float(summary.split("median ")[1].split("×")[0])
    assert median == pytest.approx(sorted(ratios)[1], abs=0.01)


def test_it_refuses_fewer_than_one_pair(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--pairs", "0", "--work-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "--pairs must be at least 1" in done.stderr
