"""Background jobs of the judging app."""

from __future__ import annotations

from django_tasks import task

from crowdstudio.judging import services


@task()
def rounds_tick() -> dict[str, int]:
    """The contest clock as a task (the worker's sweep calls services.rounds_tick directly)."""
    return services.rounds_tick()
