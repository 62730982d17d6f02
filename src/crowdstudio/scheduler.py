"""Periodic jobs, run by every `crowdstudio worker` from its sweep thread.

Each job is a service function that is safe to run from several workers at once (conditional
updates, unique constraints), so no leader election is needed: with N workers a job simply runs
up to N times per interval and all but the first find nothing to do. A job that needs heavy work
enqueues a task instead of doing it inline.

To add one: write the service (idempotent, keyword-only `now=` optional), add a `PeriodicJob`
below with a sensible interval, and test the service itself with injected time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    target: str  # dotted path of a function taking no positional arguments
    every_seconds: float
    last_run: float | None = field(default=None, compare=False)

    def function(self) -> Callable[[], Any]:
        return import_string(self.target)  # type: ignore[no-any-return]


def default_jobs() -> list[PeriodicJob]:
    return [
        # Cheap indexed queries: every sweep, so a dead worker's upload is requeued promptly.
        PeriodicJob("intake-recover", "crowdstudio.entries.services.intake_recover_stale", 0),
        PeriodicJob(
            "intake-results", "crowdstudio.entries.tasks.close_abandoned_intake_results", 0
        ),
        # Rounds opening and closing, results and advancement at the scheduled time.
        PeriodicJob("rounds", "crowdstudio.judging.services.rounds_tick", 30),
        PeriodicJob("digests", "crowdstudio.community.services.digest_due", 300),
        PeriodicJob("vote-integrity", "crowdstudio.voting.services.fraud_scan_due", 600),
        # Hashtag polling (each source keeps its own schedule and back-off) and rights requests
        # that ran out.
        PeriodicJob("hashtag-polls", "crowdstudio.social.services.sources_poll_due", 60),
        PeriodicJob("rights-expiry", "crowdstudio.rights.services.requests_expire_due", 3600),
        # Studio renders and table reads whose worker died, picked up again.
        PeriodicJob("montage-recover", "crowdstudio.studio.services.montage_renders_recover", 60),
        PeriodicJob(
            "table-reads-recover",
            "crowdstudio.screenplays.tableread_services.table_reads_recover",
            0,
        ),
    ]


def run_due(jobs: list[PeriodicJob], *, clock: Callable[[], float] = time.monotonic) -> list[str]:
    """Run every job whose interval has passed (all of them on the first call); return names.

    One failing job is logged and does not stop the others.
    """
    ran = []
    for job in jobs:
        now = clock()
        if job.last_run is not None and now - job.last_run < job.every_seconds:
            continue
        job.last_run = now
        try:
            result = job.function()()
        except Exception:
            logger.exception("Periodic job %s failed", job.name)
        else:
            ran.append(job.name)
            if result:
                logger.info("Periodic job %s: %s", job.name, result)
        finally:
            close_old_connections()
    return ran
