"""Absurd but well-formed input gets a JSON error, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path",
    ["/entries?page=99999999999999999999", "/campaigns?page=0", "/entries?page_size=100000"],
)
def test_absurd_page_numbers_are_a_validation_error(api_as, open_campaign, path):
    response = api_as("anonymous").get(path)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_an_absurd_entry_id_in_bulk_moderation_is_a_validation_error(api_as, open_campaign):
    response = api_as("moderator").post(
        f"/campaigns/{open_campaign.slug}/moderation/bulk",
        {"entry_ids": [10**30], "decision": "approved"},
    )
    assert response.status_code == 422


def test_a_taken_address_is_a_conflict(api_as, open_campaign):
    response = api_as("owner").post(
        "/campaigns",
        {
            "organisation": "northern-lights",
            "title": "Again",
            "kind": "photo_video",
            "slug": open_campaign.slug,
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"


@pytest.mark.parametrize("field", ["max_megapixels", "max_duration_seconds", "max_file_mb"])
def test_huge_limits_are_refused(api_as, draft_campaign, field):
    response = api_as("owner").patch(f"/campaigns/{draft_campaign.slug}", {field: 10**12})
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid", "invalid_limit")


def test_a_body_larger_than_any_campaign_takes_is_refused_unread(api_as, open_campaign):
    response = api_as("entrant").client.post(
        f"/api/campaigns/{open_campaign.slug}/entries", {"title": "x"}, CONTENT_LENGTH=str(10**13)
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
