"""The Director's services: planning in the worker, edits, renders, provenance, recovery."""

from __future__ import annotations

from datetime import timedelta

import av
import pytest
from django.core.files.storage import storages
from django.utils import timezone

from crowdstudio.lib.errors import Conflict, ServiceError
from crowdstudio.rights import services as rights
from crowdstudio.rights.selectors import works_using
from crowdstudio.studio import selectors, services
from crowdstudio.studio.models import (
    Montage,
    MontageRender,
    MontageRenderUse,
    RenderStatus,
    TrackAnalysis,
)
from crowdstudio.studio.montage.edit import check_timing
from tests.studio.test_director_world import (  # noqa: F401
    Studio,
    studio_fixture,
    tiny_sizes_fixture,
)


@pytest.fixture
def make_montage(studio, personas, run_worker, django_capture_on_commit_callbacks):
    def make(title: str = "Summer cut", seed: int = 1) -> Montage:
        with django_capture_on_commit_callbacks(execute=True):
            montage = services.montage_create(
                campaign=studio.campaign,
                user=personas["producer"],
                title=title,
                track=studio.track,
                seed=seed,
                fps=25,
            )
        run_worker()
        montage.refresh_from_db()
        return montage

    return make


@pytest.fixture
def planned(make_montage) -> Montage:
    return make_montage()


def render_now(montage, personas, run_worker, capture, shapes=("landscape",)):
    with capture(execute=True):
        renders = services.montage_render_request(
            montage=montage,
            user=personas["producer"],
            revision=montage.plan_revision,
            shapes=list(shapes),
        )
    run_worker()
    for r in renders:
        r.refresh_from_db()
    return renders


def test_a_new_montage_is_planned_by_the_worker_with_every_contributor_credited(
    planned, studio: Studio
):
    assert selectors.planning_state(planned) == selectors.READY
    plan = selectors.plan_of(planned)
    assert plan is not None and plan.shots
    assert check_timing(plan) == []
    assert plan.credits() == list(dict.fromkeys(s.contributor for s in plan.shots))
    assert len(plan.credits()) >= 2
    assert plan.end_credits.lines[-len(plan.credits()) :] == tuple(plan.credits())
    assert plan.sizes == ((64, 36), (36, 64), (48, 48))
    assert planned.plan_revision == 1
    assert len(selectors.candidates_of(planned)) == 3


def test_the_track_is_analysed_once_and_reused_by_the_next_montage(make_montage, studio):
    make_montage("One")
    analysed_at = TrackAnalysis.objects.get(track=studio.track).analysed_at
    second = make_montage("Two")
    assert TrackAnalysis.objects.count() == 1
    assert TrackAnalysis.objects.get(track=studio.track).analysed_at == analysed_at
    assert selectors.planning_state(second) == selectors.READY


def test_a_montage_needs_a_track_of_its_own_campaign_and_a_title(studio, personas, draft_campaign):
    from tests.studio.test_director_world import make_track

    other = make_track(draft_campaign, personas["producer"])
    with pytest.raises(ServiceError) as wrong:
        services.montage_create(
            campaign=studio.campaign, user=personas["producer"], title="X", track=other
        )
    assert wrong.value.code == "wrong_track"
    with pytest.raises(ServiceError) as untitled:
        services.montage_create(
            campaign=studio.campaign, user=personas["producer"], title="  ", track=studio.track
        )
    assert untitled.value.code == "title_required"


def test_a_double_clicked_create_makes_one_montage_but_a_later_one_is_new(studio, personas):
    from datetime import timedelta

    from django.utils import timezone

    producer = personas["producer"]
    now = timezone.now()
    kwargs = {"campaign": studio.campaign, "user": producer, "title": "V", "track": studio.track}
    first = services.montage_create(**kwargs, now=now)
    again = services.montage_create(**kwargs, now=now + timedelta(seconds=2))
    assert again.pk == first.pk
    assert Montage.objects.filter(campaign=studio.campaign).count() == 1
    other_seed = services.montage_create(**kwargs, seed=5, now=now + timedelta(seconds=3))
    later = services.montage_create(**kwargs, now=now + timedelta(minutes=5))
    assert len({first.pk, other_seed.pk, later.pk}) == 3


def test_an_edit_made_on_an_old_revision_is_refused_and_changes_nothing(planned, personas):
    services.montage_edit(
        montage=planned, user=personas["producer"], revision=1, action="pin", slot=0
    )
    before = Montage.objects.get(pk=planned.pk)
    with pytest.raises(Conflict) as stale:
        services.montage_edit(
            montage=planned, user=personas["producer"], revision=1, action="drop", slot=0
        )
    assert stale.value.code == "stale_plan"
    after = Montage.objects.get(pk=planned.pk)
    assert (after.plan, after.plan_revision, after.dropped_assets) == (
        before.plan,
        before.plan_revision,
        before.dropped_assets,
    )


def test_dropping_a_picture_takes_it_out_of_the_cut_the_credits_and_every_replan(
    planned, personas, run_worker, django_capture_on_commit_callbacks
):
    plan = selectors.plan_of(planned)
    gone = plan.shots[0]
    updated = services.montage_edit(
        montage=planned, user=personas["producer"], revision=1, action="drop", slot=0
    )
    after = selectors.plan_of(updated)
    assert gone.asset_id not in {s.asset_id for s in after.shots}
    assert gone.contributor not in after.credits()
    assert after.title.end == plan.title.end
    assert after.end_credits.start == plan.end_credits.start
    assert check_timing(after) == []
    assert updated.dropped_assets == [gone.asset_id]

    with django_capture_on_commit_callbacks(execute=True):
        services.montage_replan(
            montage=updated, user=personas["producer"], revision=updated.plan_revision, seed=9
        )
    run_worker()
    updated.refresh_from_db()
    replanned = selectors.plan_of(updated)
    assert replanned.seed == 9
    assert gone.asset_id not in {s.asset_id for s in replanned.shots}


def test_a_pinned_shot_keeps_its_slot_when_replanned(
    planned, personas, run_worker, django_capture_on_commit_callbacks
):
    plan = selectors.plan_of(planned)
    slot = len(plan.shots) - 1
    pinned_asset = plan.shots[slot].asset_id
    m = services.montage_edit(
        montage=planned, user=personas["producer"], revision=1, action="pin", slot=slot
    )
    assert m.pinned_assets == [pinned_asset]
    for seed in (5, 6):
        with django_capture_on_commit_callbacks(execute=True):
            m = services.montage_replan(
                montage=m, user=personas["producer"], revision=m.plan_revision, seed=seed
            )
        run_worker()
        m.refresh_from_db()
        assert selectors.plan_of(m).shots[slot].asset_id == pinned_asset


def test_moving_a_shot_swaps_contents_but_keeps_the_cut_times(planned, personas):
    plan = selectors.plan_of(planned)
    m = services.montage_edit(
        montage=planned, user=personas["producer"], revision=1, action="later", slot=0
    )
    moved = selectors.plan_of(m)
    assert [(s.start, s.end) for s in moved.shots] == [(s.start, s.end) for s in plan.shots]
    assert moved.shots[0].asset_id == plan.shots[1].asset_id
    assert moved.shots[1].asset_id == plan.shots[0].asset_id
    with pytest.raises(ServiceError):
        services.montage_edit(
            montage=m, user=personas["producer"], revision=m.plan_revision, action="earlier", slot=0
        )


def test_a_render_stores_a_decodable_mp4_with_the_plans_provenance(
    planned, personas, run_worker, django_capture_on_commit_callbacks, studio
):
    [render] = render_now(planned, personas, run_worker, django_capture_on_commit_callbacks)
    assert render.status == RenderStatus.DONE, render.error
    assert (render.percent, render.stage) == (100, "done")
    assert render.output_name.startswith("montages/") and len(render.output_sha256) == 64
    with storages["works"].open(render.output_name) as fh:
        assert fh.read(12)[4:8] == b"ftyp"
    with av.open(storages["works"].path(render.output_name)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (64, 36)
        assert abs(float(container.duration) / 1e6 - 8.0) < 0.1
    assert abs(render.duration - 8.0) < 0.1
    plan = selectors.plan_of(planned)
    uses = list(MontageRenderUse.objects.filter(render=render))
    assert {u.asset_id for u in uses} == {s.asset_id for s in plan.shots}
    assert all(u.terms_version_id == studio.entries[0].terms_version_id for u in uses)
    assert {u.credited_as for u in uses} == set(plan.credits())
    # The rights app lists the video among the works that used the entry.
    used_entry = MontageRenderUse.objects.filter(render=render).first().entry
    assert [w.kind for w in works_using(used_entry)] == ["montage"]


def test_a_double_click_never_queues_the_same_render_twice(planned, personas):
    first = services.montage_render_request(
        montage=planned, user=personas["producer"], revision=1, shapes=["square", "square"]
    )
    again = services.montage_render_request(
        montage=planned, user=personas["producer"], revision=1, shapes=["square"]
    )
    assert [r.pk for r in first] == [r.pk for r in again]
    assert MontageRender.objects.count() == 1


def test_an_unknown_shape_or_no_shape_is_a_clear_error(planned, personas):
    for shapes in ([], ["panorama"]):
        with pytest.raises(ServiceError):
            services.montage_render_request(
                montage=planned, user=personas["producer"], revision=1, shapes=shapes
            )
    assert MontageRender.objects.count() == 0


def test_a_render_fails_naming_an_entry_withdrawn_after_it_was_queued(
    planned, personas, run_worker, django_capture_on_commit_callbacks, studio
):
    with django_capture_on_commit_callbacks(execute=True):
        [render] = services.montage_render_request(
            montage=planned, user=personas["producer"], revision=1, shapes=["landscape"]
        )
    plan = selectors.plan_of(planned)
    entry = next(e for e in studio.entries if e.pk == plan.shots[0].entry_id)
    entry.refresh_from_db()
    # An upload's consent is withdrawn through a rights record in "withdrawn".
    from crowdstudio.rights.models import RightsRecord, RightsStatus

    RightsRecord.objects.create(
        entry=entry,
        status=RightsStatus.WITHDRAWN,
        terms_version=entry.terms_version,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    run_worker()
    render.refresh_from_db()
    assert render.status == RenderStatus.FAILED
    assert entry.title in render.error and "Re-plan" in render.error
    assert not MontageRenderUse.objects.exists()
    with pytest.raises(Conflict) as refused:
        services.montage_render_request(
            montage=planned, user=personas["producer"], revision=1, shapes=["square"]
        )
    assert refused.value.code == "entry_not_usable"


def test_a_crash_while_rendering_fails_the_render_and_leaves_the_plan(
    planned, personas, monkeypatch, caplog
):
    [render] = services.montage_render_request(
        montage=planned, user=personas["producer"], revision=1, shapes=["landscape"]
    )

    def boom(*args, **kwargs):
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr(services.render_mod, "render_plan", boom)
    assert services.montage_render_run(render_id=render.pk) == RenderStatus.FAILED
    render.refresh_from_db()
    assert render.status == RenderStatus.FAILED
    assert "encoder exploded" not in render.error and render.error
    assert "encoder exploded" in caplog.text
    fresh = Montage.objects.get(pk=planned.pk)
    assert (fresh.plan, fresh.plan_revision) == (planned.plan, planned.plan_revision)


def test_a_render_whose_worker_died_is_queued_again_and_failed_after_the_last_attempt(
    planned, personas, settings
):
    settings.CROWDSTUDIO_MONTAGE_MAX_ATTEMPTS = 2
    now = timezone.now()
    [render] = services.montage_render_request(
        montage=planned, user=personas["producer"], revision=1, shapes=["landscape"], now=now
    )
    MontageRender.objects.filter(pk=render.pk).update(
        status=RenderStatus.RUNNING, attempts=1, lease_until=now + timedelta(minutes=1)
    )
    assert services.montage_renders_recover(now=now) == 0  # the lease still runs
    later = now + timedelta(minutes=2)
    assert services.montage_renders_recover(now=later) == 1
    render.refresh_from_db()
    assert render.status == RenderStatus.QUEUED
    MontageRender.objects.filter(pk=render.pk).update(
        status=RenderStatus.RUNNING, attempts=2, lease_until=later
    )
    assert services.montage_renders_recover(now=later + timedelta(minutes=1)) == 1
    render.refresh_from_db()
    assert render.status == RenderStatus.FAILED


def test_running_a_finished_render_again_does_nothing(planned, personas, monkeypatch):
    [render] = services.montage_render_request(
        montage=planned, user=personas["producer"], revision=1, shapes=["square"]
    )
    MontageRender.objects.filter(pk=render.pk).update(status=RenderStatus.DONE)
    monkeypatch.setattr(services.render_mod, "render_plan", pytest.fail)
    assert services.montage_render_run(render_id=render.pk) == RenderStatus.DONE


def test_a_withdrawal_through_the_rights_app_names_the_video_that_used_the_entry(
    planned, personas, run_worker, django_capture_on_commit_callbacks, studio
):
    render_now(planned, personas, run_worker, django_capture_on_commit_callbacks)
    erin_entry = studio.entries[0]
    assert works_using(erin_entry)
    record = rights.rights_withdraw(
        entry=erin_entry, user=personas["entrant"], reason="Changed my mind", confirm=True
    )
    assert record.status == "withdrawn"
    assert selectors.unusable_entries(studio.campaign, [erin_entry.pk]) == [erin_entry]


def test_a_planning_whose_worker_died_is_queued_again_then_failed(
    studio, personas, settings, django_capture_on_commit_callbacks
):
    settings.CROWDSTUDIO_MONTAGE_MAX_ATTEMPTS = 2
    now = timezone.now()
    montage = services.montage_create(
        campaign=studio.campaign,
        user=personas["producer"],
        title="Lost",
        track=studio.track,
        now=now,
    )
    assert services.montage_renders_recover(now=now) == 0
    later = now + timedelta(hours=1)
    with django_capture_on_commit_callbacks() as queued:
        assert services.montage_renders_recover(now=later) == 1
    assert len(queued) == 1
    montage.refresh_from_db()
    assert selectors.planning_state(montage) == selectors.PLANNING
    assert services.montage_renders_recover(now=later + timedelta(hours=1)) == 1
    montage.refresh_from_db()
    assert selectors.planning_state(montage) == selectors.FAILED


def test_a_replan_while_the_plan_is_being_made_is_refused(planned, personas):
    m = services.montage_replan(montage=planned, user=personas["producer"], revision=1, seed=4)
    with pytest.raises(Conflict) as refused:
        services.montage_replan(
            montage=m, user=personas["producer"], revision=m.plan_revision, seed=5
        )
    assert refused.value.code == "plan_not_ready"


def test_a_near_duplicate_photo_is_left_out_of_the_candidates(
    studio, personas, approved_entry, run_worker, django_capture_on_commit_callbacks
):
    from tests.studio.test_director_world import add_photo

    twin = approved_entry(personas["judge"], title="Same again")
    twin_asset = add_photo(twin, (200, 40, 40), seed=studio.entries[0].pk)
    with django_capture_on_commit_callbacks(execute=True):
        montage = services.montage_create(
            campaign=studio.campaign, user=personas["producer"], title="Twins", track=studio.track
        )
    run_worker()
    montage.refresh_from_db()
    kept = {c.asset_id for c in selectors.candidates_of(montage)}
    assert len(kept & {studio.assets[0].pk, twin_asset.pk}) == 1
    assert len(kept) == 3
