"""Background jobs of the studio app. Each takes ids and calls a service; all are idempotent."""

from __future__ import annotations

from django_tasks import task

from crowdstudio.studio import services


@task()
def montage_plan(montage_id: int, revision: int) -> str:
    """Analyse the track (once per track), score the candidates and plan the montage."""
    return services.montage_plan_run(montage_id=montage_id, revision=revision)


@task()
def montage_render(render_id: int) -> str:
    """Render one shape of a montage to the private "works" storage."""
    return services.montage_render_run(render_id=render_id)


@task()
def montage_renders_sweep() -> int:
    return services.montage_renders_recover()
