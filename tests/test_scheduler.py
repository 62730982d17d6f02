"""The worker's periodic jobs run when their interval has passed; one failure is contained."""

from __future__ import annotations

import logging

from crowdstudio.scheduler import PeriodicJob, default_jobs, run_due

CALLS: list[str] = []


def job_a() -> int:
    CALLS.append("a")
    return 1


def job_broken() -> None:
    raise RuntimeError("boom")


def test_jobs_run_first_time_then_only_when_their_interval_has_passed(db):
    CALLS.clear()
    now = [100.0]
    jobs = [PeriodicJob("a", f"{__name__}.job_a", 30)]
    assert run_due(jobs, clock=lambda: now[0]) == ["a"]
    now[0] = 120.0
    assert run_due(jobs, clock=lambda: now[0]) == []
    now[0] = 131.0
    assert run_due(jobs, clock=lambda: now[0]) == ["a"]
    assert CALLS == ["a", "a"]


def test_a_failing_job_is_logged_and_the_others_still_run(db, caplog):
    CALLS.clear()
    jobs = [
        PeriodicJob("broken", f"{__name__}.job_broken", 0),
        PeriodicJob("a", f"{__name__}.job_a", 0),
    ]
    with caplog.at_level(logging.ERROR, logger="crowdstudio.scheduler"):
        assert run_due(jobs) == ["a"]
    assert "Periodic job broken failed" in caplog.text
    assert CALLS == ["a"]


def test_every_default_job_names_a_function_that_exists():
    for job in default_jobs():
        assert callable(job.function()), job.target
