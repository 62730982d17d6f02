"""The studio's background jobs are idempotent, and progress is saved only now and then."""

from __future__ import annotations

from crowdstudio.studio import selectors, services
from crowdstudio.studio.models import MontageRender, RenderStatus
from tests.studio.test_director_world import (  # noqa: F401
    ready_montage,
    studio_fixture,
    tiny_sizes_fixture,
)


def test_jobs_for_a_montage_or_render_that_is_gone_do_nothing(db):
    assert services.montage_plan_run(montage_id=424242, revision=0) == "gone"
    assert services.montage_render_run(render_id=424242) == "gone"


def test_a_planning_job_for_an_old_revision_leaves_the_plan_alone(studio, personas):
    montage = ready_montage(studio, personas["producer"])
    montage.refresh_from_db()
    before = montage.plan
    assert services.montage_plan_run(montage_id=montage.pk, revision=0) == selectors.READY
    montage.refresh_from_db()
    assert montage.plan == before and montage.plan_revision == 1


def test_progress_is_saved_at_most_twice_a_second_and_always_at_the_end(studio, personas):
    montage = ready_montage(studio, personas["producer"])
    [render] = services.montage_render_request(
        montage=montage, user=personas["producer"], revision=1, shapes=["square"]
    )
    MontageRender.objects.filter(pk=render.pk).update(status=RenderStatus.RUNNING)
    clock = iter([0.0, 0.1, 0.2, 0.7, 0.8, 0.9])
    progress = services._Progress(render.pk, clock=lambda: next(clock))
    seen = []
    for fraction in (0.10, 0.20, 0.30, 0.40, 0.50, 1.0):
        progress(fraction)
        seen.append(MontageRender.objects.get(pk=render.pk).percent)
    assert seen == [10, 10, 10, 40, 40, 100]
