"""Frames made ahead in a second thread: same frames, same order, errors and early stops."""

from __future__ import annotations

import threading

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
