"""The Director's pages: the list, the plan page and its edits, progress partials, downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crowdstudio.studio import selectors
from crowdstudio.studio.models import Montage, MontageRender
from tests.studio.test_director_world import (  # noqa: F401
    done_render,
    make_track,
    ready_montage,
    studio_fixture,
    tiny_sizes_fixture,
)


@pytest.fixture
def producer(client, personas):
    client.force_login(personas["producer"])
    return client


@pytest.fixture
def montage(studio, personas) -> Montage:
    return ready_montage(studio, personas["producer"])


def test_the_plan_page_lists_every_shot_with_its_picture_times_and_the_credits(producer, montage):
    page = producer.get(reverse("director_montage", kwargs={"pk": montage.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    plan = selectors.plan_of(montage)
    assert html.count('class="shot"') == len(plan.shots)
    assert "/media/r/" in html  # thumbnails from the thumb rendition
    for name in plan.credits():
        assert f"<li>{name}</li>" in html
    assert "Title card" in html and "End credits" in html


def test_an_edit_updates_the_plan_and_a_stale_one_says_so_and_changes_nothing(producer, montage):
    url = reverse("director_edit", kwargs={"pk": montage.pk})
    first = producer.post(url, {"revision": 1, "action": "drop", "slot": 0}, follow=True)
    assert "The plan is updated." in first.content.decode()
    montage.refresh_from_db()
    assert montage.plan_revision == 2
    stale = producer.post(url, {"revision": 1, "action": "drop", "slot": 1}, follow=True)
    assert "The plan changed since you opened it" in stale.content.decode()
    montage.refresh_from_db()
    assert montage.plan_revision == 2 and len(montage.dropped_assets) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"revision": 1, "action": "drop", "slot": 99},
        {"revision": 1, "action": "explode", "slot": 0},
        {"revision": "x", "action": "drop", "slot": 0},
        {"revision": 1, "action": "swap", "slot": 0},
        {"revision": 1, "action": "swap", "slot": 0, "asset": 424242},
    ],
)
def test_bad_edits_are_explained_never_a_server_error(producer, montage, body):
    url = reverse("director_edit", kwargs={"pk": montage.pk})
    response = producer.post(url, body, follow=True)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode() or "error" in response.content.decode()
    montage.refresh_from_db()
    assert montage.plan_revision == 1


def test_the_planning_partial_reloads_the_page_once_the_plan_is_ready(producer, montage):
    url = reverse("director_montage_status", kwargs={"pk": montage.pk})
    response = producer.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    Montage.objects.filter(pk=montage.pk).update(plan={"state": "planning", "stage": "scoring"})
    polling = producer.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in polling
    assert "looking at the pictures" in polling.content.decode()


def test_a_render_is_queued_once_however_often_the_button_is_pressed(producer, montage):
    url = reverse("director_render", kwargs={"pk": montage.pk})
    for _ in range(2):
        producer.post(url, {"revision": 1, "shapes": ["landscape", "square"]})
    assert MontageRender.objects.count() == 2
    page = producer.get(reverse("director_montage", kwargs={"pk": montage.pk}))
    assert page.content.decode().count('hx-trigger="every 2s"') == 2


def test_a_finished_renders_partial_stops_polling_and_offers_the_download(
    producer, montage, personas
):
    render = done_render(montage, personas["producer"])
    url = reverse("director_render_status", kwargs={"pk": render.pk})
    response = producer.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert (
        reverse("director_render_download", kwargs={"pk": render.pk}) in response.content.decode()
    )


def test_download_is_an_attachment_and_preview_is_inline(producer, montage, personas):
    render = done_render(montage, personas["producer"])
    download = producer.get(reverse("director_render_download", kwargs={"pk": render.pk}))
    assert download["Content-Disposition"].startswith("attachment;")
    assert "summer-cut-landscape.mp4" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[4:8] == b"ftyp"
    preview = producer.get(reverse("director_render_preview", kwargs={"pk": render.pk}))
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["Content-Type"] == "video/mp4"
    preview.close()


def test_an_unfinished_render_has_nothing_to_download(producer, montage):
    producer.post(
        reverse("director_render", kwargs={"pk": montage.pk}),
        {"revision": 1, "shapes": ["square"]},
    )
    render = MontageRender.objects.get()
    url = reverse("director_render_download", kwargs={"pk": render.pk})
    assert producer.get(url).status_code == 404


def test_creating_a_montage_with_a_bad_form_shows_the_errors(producer, studio):
    url = reverse("director_create", kwargs={"slug": studio.campaign.slug})
    response = producer.post(url, {"title": "", "track": 999, "seed": -1, "fps": 7})
    assert response.status_code == 400
    assert Montage.objects.count() == 0


def test_creating_a_montage_opens_its_page_with_the_planning_progress(producer, studio):
    url = reverse("director_create", kwargs={"slug": studio.campaign.slug})
    response = producer.post(
        url, {"title": "Night cut", "track": studio.track.pk, "seed": 3, "fps": 25}, follow=True
    )
    assert response.status_code == 200
    assert 'id="planning"' in response.content.decode()
    assert "waiting for the worker" in response.content.decode()


def test_the_studio_toolbar_links_the_director_once_the_campaign_has_a_track(
    client, personas, open_campaign
):
    client.force_login(personas["producer"])
    url = reverse("campaign", kwargs={"slug": open_campaign.slug})
    director = reverse("director", kwargs={"slug": open_campaign.slug})
    assert director not in client.get(url).content.decode()
    make_track(open_campaign, personas["producer"])
    assert director in client.get(url).content.decode()
    client.force_login(personas["moderator"])
    assert director not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("header", "status", "content_range", "body"),
    [
        ("bytes=4-7", 206, "bytes 4-7/12", b"ftyp"),
        ("bytes=8-", 206, "bytes 8-11/12", b"mp42"),
        ("bytes=-4", 206, "bytes 8-11/12", b"mp42"),
        ("bytes=99-", 416, "bytes */12", b""),
        ("bytes=" + "9" * 5000 + "-", 416, "bytes */12", b""),
        ("bytes=8-" + "9" * 5000, 206, "bytes 8-11/12", b"mp42"),
        ("bytes=-" + "9" * 5000, 206, "bytes 0-11/12", None),
    ],
)
def test_the_preview_answers_byte_ranges_so_the_browser_can_seek(
    producer, montage, personas, header, status, content_range, body
):
    render = done_render(montage, personas["producer"])
    url = reverse("director_render_preview", kwargs={"pk": render.pk})
    response = producer.get(url, headers={"Range": header})
    assert response.status_code == status
    assert response["Content-Range"] == content_range
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert body is None or content == body


def test_the_director_page_costs_the_same_queries_for_many_montages(
    producer, studio, personas, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("director", kwargs={"slug": studio.campaign.slug})
    ready_montage(studio, personas["producer"])
    with CaptureQueriesContext(connection) as one:
        assert producer.get(url).status_code == 200
    for seed in range(2, 6):
        ready_montage(studio, personas["producer"], seed=seed)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert producer.get(url).content.decode().count("Summer cut") >= 5
