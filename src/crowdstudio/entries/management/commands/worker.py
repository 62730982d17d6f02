"""`crowdstudio worker`: the database task worker plus the periodic sweep.

The sweep (crowdstudio.scheduler) requeues uploads whose worker died mid-job, so a killed worker
never leaves an entry stuck, and runs the contest's clock: rounds opening and closing, results
and advancement, notification digests, vote-integrity scans. Several workers on several machines
can run at once: tasks are claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, and every
periodic job is a conditional update or guarded by a unique constraint.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from crowdstudio.entries.services import intake_recover_stale
from crowdstudio.scheduler import default_jobs, run_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run background tasks (intake, emails) and requeue work a dead worker left behind."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=10.0,
            help="How often the sweep looks for due periodic jobs (each has its own interval).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Requeue stale intake once, run every queued task, then exit.",
        )
        parser.add_argument(
            "--periodic",
            action="store_true",
            help="With --batch: also run every periodic job once first.",
        )
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(
        self,
        *args: Any,
        sweep_interval: float,
        batch: bool,
        periodic: bool,
        interval: float,
        **options: Any,
    ) -> None:
        if batch:
            if periodic:
                run_due(default_jobs())
            intake_recover_stale()
            call_command(
                "db_worker",
                batch=True,
                startup_delay=False,
                reload=False,
                verbosity=0,
                queue_name="*",
            )
            return
        self._warm_up()
        stop = threading.Event()

        jobs = default_jobs()

        def sweep_forever() -> None:
            while not stop.wait(sweep_interval):
                run_due(jobs)

        run_due(jobs)
        sweeper = threading.Thread(target=sweep_forever, name="sweep", daemon=True)
        sweeper.start()
        try:
            # No autoreloader even with DEBUG on: its child would outlive a killed parent.
            call_command(
                "db_worker",
                interval=interval,
                queue_name="*",
                reload=False,
                verbosity=options.get("verbosity", 1),
            )
        finally:
            stop.set()

    def _warm_up(self) -> None:
        """Import the image stack once so the first upload does not pay for it.

        Video and audio are decoded in a child process per file (lib/media), so PyAV is not
        imported here.
        """
        import PIL.Image  # noqa: F401

        from crowdstudio.lib import media  # noqa: F401
