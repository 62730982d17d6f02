"""Submitting entries through the API and following them through intake."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crowdstudio.campaigns import services as campaign_services
from crowdstudio.entries.models import Asset, Entry


def test_an_entry_is_received_at_once_and_its_files_wait_for_intake(submit, image_upload):
    response = submit(image_upload(1), process=False)
    assert response.status_code == 201
    created = response.json()
    assert created["id"] == Entry.objects.get().pk
    assert created["status"] == "received"
    assert created["assets"][0]["status"] == "pending"


def test_the_worker_takes_an_api_entry_to_the_moderation_queue(submit, image_upload, api_as):
    entry_id = submit(image_upload(1)).json()["id"]
    body = api_as("entrant").get(f"/entries/{entry_id}").json()
    assert body["status"] == "awaiting_moderation"
    [asset] = body["assets"]
    assert asset["status"] == "ready"
    assert (asset["kind"], asset["mime"], asset["width"], asset["height"]) == (
        "image",
        "image/jpeg",
        64,
        48,
    )
    assert asset["original_name"] == "night1.jpg"
    roles = {r["role"]: r for r in asset["renditions"]}
    assert {"web", "thumb"} <= set(roles)
    assert roles["web"]["url"].startswith("http://testserver/media/r/")


def test_the_original_file_is_never_exposed(submit, image_upload, api_as):
    entry_id = submit(image_upload(1)).json()["id"]
    original = Asset.objects.get().original
    text = api_as("entrant").get(f"/entries/{entry_id}").content.decode()
    assert original.sha256 not in text
    assert original.storage_name not in text


def test_a_corrupt_file_fails_the_entry_with_a_clear_message(submit, jpeg, api_as):
    broken = SimpleUploadedFile("broken.jpg", jpeg(2)[:300], "image/jpeg")
    response = submit(broken)
    assert response.status_code == 201
    body = api_as("entrant").get(f"/entries/{response.json()['id']}").json()
    assert body["status"] == "failed"
    assert "broken.jpg" in body["status_message"]
    [asset] = body["assets"]
    assert asset["status"] == "failed"
    assert asset["error_code"] == "corrupt"
    assert "damaged" in asset["error_message"]
    assert asset["renditions"] == []


def test_a_retry_with_the_same_idempotency_key_returns_the_same_entry(submit, image_upload):
    key = str(uuid.uuid4())
    first = submit(image_upload(1), headers={"Idempotency-Key": key})
    again = submit(image_upload(1), headers={"Idempotency-Key": key})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Entry.objects.count() == 1


def test_different_idempotency_keys_make_different_entries(submit, image_upload):
    submit(image_upload(1), headers={"Idempotency-Key": str(uuid.uuid4())})
    submit(image_upload(2), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert Entry.objects.count() == 2


def test_an_idempotency_key_that_is_not_a_uuid_is_refused(submit, image_upload):
    response = submit(image_upload(1), headers={"Idempotency-Key": "twice-please"}, process=False)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "Idempotency-Key" in response.json()["message"]
    assert not Entry.objects.exists()


@pytest.fixture
def second_open_campaign(org, personas):
    owner = personas["owner"]
    campaign = campaign_services.campaign_create(
        organisation=org, user=owner, title="Winter Mornings", kind="photo_video"
    )
    now = timezone.now()
    campaign_services.round_add(
        campaign=campaign,
        user=owner,
        title="Only round",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
    )
    campaign_services.terms_publish(campaign=campaign, user=owner, body="Winter terms.")
    return campaign_services.campaign_transition(campaign=campaign, to_status="open", user=owner)


def test_an_idempotency_key_cannot_be_reused_for_another_campaign(
    submit, image_upload, api_as, second_open_campaign
):
    key = str(uuid.uuid4())
    submit(image_upload(1), headers={"Idempotency-Key": key}, process=False)
    terms = campaign_services.current_terms(second_open_campaign)
    response = api_as("entrant").multipart(
        f"/campaigns/{second_open_campaign.slug}/entries",
        {
            "title": "Frost",
            "accept_terms": "true",
            "terms_version_id": terms.id,
            "files": [image_upload(2)],
        },
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Entry.objects.count() == 1


def test_an_entry_without_accepting_the_terms_is_refused(submit, image_upload):
    response = submit(image_upload(1), accept_terms="false", process=False)
    assert response.status_code == 400
    assert response.json()["code"] == "terms_not_accepted"


def test_an_entry_against_old_terms_is_a_conflict(submit, image_upload, open_campaign, personas):
    old_terms_id = campaign_services.current_terms(open_campaign).id
    campaign_services.terms_publish(campaign=open_campaign, user=personas["owner"], body="New")
    response = submit(image_upload(1), terms_version_id=old_terms_id, process=False)
    assert response.status_code == 409
    assert response.json()["code"] == "terms_changed"


def test_an_entry_without_files_is_invalid(api_as, open_campaign):
    terms = campaign_services.current_terms(open_campaign)
    response = api_as("entrant").multipart(
        f"/campaigns/{open_campaign.slug}/entries",
        {"title": "x", "accept_terms": "true", "terms_version_id": terms.id},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "files", "message": "Field required"}]


def test_an_organiser_cannot_enter_their_own_campaign(submit, image_upload):
    response = submit(image_upload(1), persona="moderator", process=False)
    assert response.status_code == 403
    assert response.json()["code"] == "organiser"


def test_eligibility_fields_reach_the_rules(submit, image_upload, open_campaign):
    open_campaign.min_age = 18
    open_campaign.save()
    missing = submit(image_upload(1), process=False)
    assert missing.json()["code"] == "age_required"
    young = submit(image_upload(1), date_of_birth="2020-01-01", process=False)
    assert young.json()["code"] == "too_young"
    ok = submit(image_upload(1), date_of_birth="1990-05-17", process=False)
    assert ok.status_code == 201


# --- listing and reading --------------------------------------------------------------------


@pytest.fixture
def three_entries(submit, image_upload, api_as, personas):
    """erin: one approved, one awaiting moderation; oscar: one awaiting moderation."""
    approved = submit(image_upload(1), title="Approved one").json()["id"]
    waiting = submit(image_upload(2), title="Waiting one").json()["id"]
    oscars = submit(image_upload(3), title="Oscar's", persona="outsider").json()["id"]
    assert api_as("moderator").post(f"/entries/{approved}/approve").status_code == 200
    return {"approved": approved, "waiting": waiting, "oscars": oscars}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_anonymous_visitors_see_only_approved_entries(three_entries, api_as):
    assert _ids(api_as("anonymous").get("/entries")) == {three_entries["approved"]}


def test_authors_also_see_their_own_entries(three_entries, api_as):
    assert _ids(api_as("entrant").get("/entries")) == {
        three_entries["approved"],
        three_entries["waiting"],
    }
    assert _ids(api_as("outsider").get("/entries")) == {
        three_entries["approved"],
        three_entries["oscars"],
    }


def test_mine_lists_only_ones_own_entries(three_entries, api_as):
    assert _ids(api_as("outsider").get("/entries", mine="true")) == {three_entries["oscars"]}


def test_mine_needs_a_signed_in_user(three_entries, api_as):
    response = api_as("anonymous").get("/entries", mine="true")
    assert response.status_code == 401


def test_the_organisations_team_sees_every_entry(three_entries, api_as):
    assert _ids(api_as("judge").get("/entries")) == set(three_entries.values())


def test_entries_filter_by_status_and_campaign(three_entries, api_as, open_campaign):
    staff = api_as("producer")
    assert _ids(staff.get("/entries", status="awaiting_moderation")) == {
        three_entries["waiting"],
        three_entries["oscars"],
    }
    assert _ids(staff.get("/entries", campaign=open_campaign.slug)) == set(three_entries.values())
    assert _ids(staff.get("/entries", campaign="elsewhere")) == set()


def test_entries_are_paginated(three_entries, api_as):
    response = api_as("producer").get("/entries", page_size=2, page=2)
    assert response.json()["count"] == 3
    assert len(response.json()["items"]) == 1


def test_an_unknown_status_filter_is_invalid(api_as, personas):
    response = api_as("producer").get("/entries", status="lost")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_the_public_sees_an_approved_entry_without_its_file_names(three_entries, api_as):
    body = api_as("anonymous").get(f"/entries/{three_entries['approved']}").json()
    assert body["status"] == "approved"
    assert body["assets"][0]["original_name"] is None
    assert body["assets"][0]["renditions"]


def test_an_entry_awaiting_moderation_is_hidden_from_the_public(three_entries, api_as):
    response = api_as("anonymous").get(f"/entries/{three_entries['waiting']}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_entry_is_a_404(api_as, personas):
    assert api_as("owner").get("/entries/999999").status_code == 404
