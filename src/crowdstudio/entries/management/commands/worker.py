"""`crowdstudio worker`: the database task worker plus the intake recovery sweep.

The sweep requeues uploads whose worker died mid-job, so a killed worker never leaves an entry
stuck. Several workers on several machines can run at once: tasks are claimed with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, and the sweep's requeue is a conditional update.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from crowdstudio.entries.services import intake_recover_stale
from crowdstudio.entries.tasks import close_abandoned_intake_results

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run background tasks (intake, emails) and requeue work a dead worker left behind."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sweep-interval", type=float, default=60.0)
        parser.add_argument(
            "--batch", action="store_true", help="Sweep once, run every queued task, then exit."
        )
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(
        self, *args: Any, sweep_interval: float, batch: bool, interval: float, **options: Any
    ) -> None:
        if batch:
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

        def sweep_forever() -> None:
            while not stop.wait(sweep_interval):
                try:
                    requeued = intake_recover_stale()
                    if requeued:
                        logger.warning("Requeued stale intake jobs: %s", requeued)
                    close_abandoned_intake_results()
                except Exception:
                    logger.exception("Intake sweep failed")
                finally:
                    close_old_connections()

        intake_recover_stale()
        sweeper = threading.Thread(target=sweep_forever, name="intake-sweep", daemon=True)
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
