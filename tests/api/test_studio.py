"""The studio API: a campaign's montages, a montage's plan, starting renders, render status."""

from __future__ import annotations

import pytest

from crowdstudio.studio import selectors
from crowdstudio.studio.models import MontageRender
from tests.studio.test_director_world import (  # noqa: F401
    done_render,
    ready_montage,
    studio_fixture,
    tiny_sizes_fixture,
)


@pytest.fixture
def montage(studio, personas):
    return ready_montage(studio, personas["producer"])


def test_a_director_lists_the_campaigns_montages(api_as, montage, studio):
    response = api_as("producer").get(f"/campaigns/{studio.campaign.slug}/montages")
    assert response.status_code == 200
    [row] = response.json()
    assert (row["id"], row["state"], row["plan_revision"]) == (montage.pk, "ready", 1)
    assert row["shots"] == len(selectors.plan_of(montage).shots)


def test_the_montage_detail_has_the_plan_the_shots_and_the_credits(api_as, montage):
    body = api_as("owner").get(f"/montages/{montage.pk}").json()
    plan = selectors.plan_of(montage)
    assert body["credits"] == plan.credits()
    assert [s["asset_id"] for s in body["shot_list"]] == [s.asset_id for s in plan.shots]
    assert body["plan"]["fps"] == 25.0
    assert body["dropped_assets"] == []


def test_starting_a_render_twice_answers_the_same_render(api_as, montage):
    api = api_as("producer")
    path = f"/montages/{montage.pk}/renders"
    first = api.post(path, {"revision": 1, "shapes": ["landscape", "vertical"]})
    assert first.status_code == 200
    again = api.post(path, {"revision": 1, "shapes": ["vertical"]})
    assert again.json()[0]["id"] == first.json()[1]["id"]
    assert MontageRender.objects.count() == 2
    assert first.json()[0]["status"] == "queued" and first.json()[0]["download_url"] is None


def test_a_render_of_an_old_revision_is_a_409_and_a_bad_shape_a_422(api_as, montage):
    api = api_as("producer")
    path = f"/montages/{montage.pk}/renders"
    stale = api.post(path, {"revision": 0, "shapes": ["landscape"]})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_plan")
    bad = api.post(path, {"revision": 1, "shapes": ["panorama"]})
    assert bad.status_code == 422
    empty = api.post(path, {"revision": 1, "shapes": []})
    assert empty.status_code == 422
    assert MontageRender.objects.count() == 0


def test_a_finished_render_reports_its_download_address(api_as, montage, personas):
    render = done_render(montage, personas["producer"])
    body = api_as("producer").get(f"/montage-renders/{render.pk}").json()
    assert body["status"] == "done" and body["percent"] == 100
    assert body["download_url"] == f"/director/renders/{render.pk}/download/"


def test_an_unknown_montage_is_a_404(api_as, studio):
    response = api_as("producer").get("/montages/424242")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_montage_list_costs_the_same_queries_for_many_montages(
    api_as, studio, personas, django_assert_max_num_queries
):
    api = api_as("producer")
    path = f"/campaigns/{studio.campaign.slug}/montages"
    ready_montage(studio, personas["producer"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get(path).status_code == 200
    for seed in range(2, 6):
        ready_montage(studio, personas["producer"], seed=seed)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get(path).json()) == 5
