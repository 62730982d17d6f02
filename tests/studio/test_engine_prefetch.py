"""Frames made ahead in a second thread: same frames, same order, errors and early stops."""

from __future__ import annotations

import os
import threading
import time

import pytest
from av.video.frame import VideoFrame

from crowdstudio.studio.montage.render import made_ahead


def _frames(count: int, log: list[str], *, fail_at: int | None = None):
    try:
        for k in range(count):
            if k == fail_at:
                raise ValueError(f"picture {k} is unreadable")
            frame = VideoFrame(16, 16, "yuv420p")
            frame.pts = k
            yield frame
    finally:
        log.append("closed")


def test_it_gives_every_frame_in_order():
    log: list[str] = []
    assert [f.pts for f in made_ahead(_frames(20, log), depth=3)] == list(range(20))
    assert log == ["closed"]


def test_an_error_while_making_a_frame_reaches_the_caller_after_the_frames_before_it():
    log: list[str] = []
    seen = []
    with pytest.raises(ValueError, match="picture 5"):
        for frame in made_ahead(_frames(20, log, fail_at=5)):
            seen.append(frame.pts)
    assert seen == [0, 1, 2, 3, 4]
    assert log == ["closed"]


def test_leaving_early_stops_the_maker_and_releases_its_sources():
    log: list[str] = []
    frames = made_ahead(_frames(1000, log), depth=2)
    for frame in frames:
        if frame.pts == 3:
            break
    frames.close()
    assert log == ["closed"]
    assert not [t for t in threading.enumerate() if t.name == "montage-frames"]


def test_the_maker_runs_below_the_callers_priority_and_may_run_further_ahead():
    seen: list[tuple[int, int]] = []

    def frames():
        for n in range(40):
            tid = threading.get_native_id()
            seen.append((n, os.getpriority(os.PRIO_PROCESS, tid)))
            yield VideoFrame(16, 16, "yuv420p")

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    made = made_ahead(frames(), depth=30, niceness=10)
    first = next(made)
    assert first is not None
    deadline = time.monotonic() + 10
    while len(seen) < 32 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    # the one taken, 30 waiting in the queue and one the maker holds until there is room
    assert len(seen) == 32
    assert {priority for _, priority in seen} == {min(19, mine + 10)}
    assert len(list(made)) == 39
