"""Moderating entries through the API: the queue, single decisions and bulk decisions."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from crowdstudio.entries.models import Entry, EntryStatus


@pytest.fixture
def waiting(submit, image_upload) -> list[int]:
    """Three entries of erin's, processed and awaiting moderation, oldest first."""
    ids = [submit(image_upload(seed), title=f"Night {seed}").json()["id"] for seed in (1, 2, 3)]
    assert set(Entry.objects.values_list("status", flat=True)) == {EntryStatus.AWAITING_MODERATION}
    return ids


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_lists_entries_awaiting_moderation_oldest_first(api_as, open_campaign, waiting):
    response = api_as("moderator").get(f"/campaigns/{open_campaign.slug}/moderation")
    assert _ids(response) == waiting
    first = response.json()["items"][0]
    assert first["flagged"] is False
    assert first["assets"][0]["original_name"] == "night1.jpg"


def test_the_queue_filters_by_status(api_as, open_campaign, waiting):
    moderator = api_as("moderator")
    moderator.post(f"/entries/{waiting[0]}/approve")
    path = f"/campaigns/{open_campaign.slug}/moderation"
    assert _ids(moderator.get(path)) == waiting[1:]
    assert _ids(moderator.get(path, status="approved")) == waiting[:1]
    assert _ids(moderator.get(path, status="all")) == waiting


def test_the_queue_filters_by_media_kind(api_as, open_campaign, waiting):
    path = f"/campaigns/{open_campaign.slug}/moderation"
    assert _ids(api_as("moderator").get(path, kind="image")) == waiting
    assert _ids(api_as("moderator").get(path, kind="video")) == []


def test_the_queue_shows_only_flagged_entries_on_request(
    api_as, open_campaign, submit, jpeg, waiting
):
    # The same picture at twice the size: different bytes, same look.
    bigger = io.BytesIO()
    Image.open(io.BytesIO(jpeg(1))).resize((128, 96)).save(bigger, "JPEG", quality=85)
    lookalike = submit(
        SimpleUploadedFile("again.jpg", bigger.getvalue(), "image/jpeg"), persona="outsider"
    ).json()["id"]
    response = api_as("moderator").get(
        f"/campaigns/{open_campaign.slug}/moderation", flagged="true"
    )
    assert lookalike in _ids(response)
    assert all(item["flagged"] for item in response.json()["items"])
    assert waiting[1] not in _ids(response)


def test_the_queue_needs_the_moderate_capability(api_as, open_campaign, waiting):
    response = api_as("judge").get(f"/campaigns/{open_campaign.slug}/moderation")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- single decisions -----------------------------------------------------------------------


def test_approving_publishes_the_entry(api_as, waiting):
    response = api_as("moderator").post(f"/entries/{waiting[0]}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["moderated_at"] is not None
    assert api_as("anonymous").get(f"/entries/{waiting[0]}").status_code == 200


def test_rejecting_needs_a_reason(api_as, waiting):
    for body in ({}, {"reason": "   "}):
        response = api_as("moderator").post(f"/entries/{waiting[0]}/reject", body)
        assert response.status_code == 400
        assert response.json() == {
            "message": "Give the entrant a reason for the rejection.",
            "code": "reason_required",
        }
    assert Entry.objects.get(pk=waiting[0]).status == EntryStatus.AWAITING_MODERATION


def test_rejecting_without_any_body_also_asks_for_a_reason(api_as, waiting):
    response = api_as("moderator").client.generic("POST", f"/api/entries/{waiting[0]}/reject")
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"


def test_a_rejection_tells_the_entrant_why(api_as, waiting):
    response = api_as("producer").post(
        f"/entries/{waiting[0]}/reject", {"reason": "Faces of strangers are visible."}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    seen_by_author = api_as("entrant").get(f"/entries/{waiting[0]}").json()
    assert seen_by_author["status_message"] == "Faces of strangers are visible."


def test_an_entry_still_in_intake_cannot_be_moderated(api_as, submit, image_upload):
    entry_id = submit(image_upload(5), process=False).json()["id"]
    response = api_as("moderator").post(f"/entries/{entry_id}/approve")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_approving_twice_is_harmless(api_as, waiting):
    moderator = api_as("moderator")
    assert moderator.post(f"/entries/{waiting[0]}/approve").status_code == 200
    assert moderator.post(f"/entries/{waiting[0]}/approve").json()["status"] == "approved"


# --- bulk decisions -------------------------------------------------------------------------


def test_bulk_approval_moderates_every_listed_entry(api_as, open_campaign, waiting):
    response = api_as("moderator").post(
        f"/campaigns/{open_campaign.slug}/moderation/bulk",
        {"entry_ids": waiting[:2], "decision": "approved"},
    )
    assert response.status_code == 200
    assert response.json() == {"done": 2, "problems": []}
    statuses = dict(Entry.objects.values_list("id", "status"))
    assert [statuses[i] for i in waiting] == ["approved", "approved", "awaiting_moderation"]


def test_bulk_rejection_without_a_reason_is_refused_as_a_whole(api_as, open_campaign, waiting):
    response = api_as("moderator").post(
        f"/campaigns/{open_campaign.slug}/moderation/bulk",
        {"entry_ids": waiting, "decision": "rejected"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert set(Entry.objects.values_list("status", flat=True)) == {"awaiting_moderation"}


def test_bulk_ignores_entries_of_other_campaigns(api_as, open_campaign, draft_campaign, waiting):
    response = api_as("moderator").post(
        f"/campaigns/{draft_campaign.slug}/moderation/bulk",
        {"entry_ids": waiting, "decision": "approved"},
    )
    assert response.json() == {"done": 0, "problems": []}
    assert not Entry.objects.filter(status=EntryStatus.APPROVED).exists()


def test_bulk_refuses_an_unknown_decision(api_as, open_campaign, waiting):
    response = api_as("moderator").post(
        f"/campaigns/{open_campaign.slug}/moderation/bulk",
        {"entry_ids": waiting, "decision": "maybe"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "decision"
