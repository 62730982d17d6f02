"""The social API: a campaign's sources (secrets write-only) and its imported posts."""

from __future__ import annotations

import pytest

from crowdstudio.social.models import HashtagSource, ImportedPost, PostOutcome
from tests.social.conftest import NOW

pytestmark = pytest.mark.django_db


def test_creating_a_source_never_answers_the_secret(api_as, open_campaign):
    api = api_as("producer")
    response = api.post(
        f"/campaigns/{open_campaign.slug}/social/sources",
        {
            "network": "instagram",
            "hashtag": "#SummerNights",
            "account": "1784",
            "secret": "ig-secret-token",
            "poll_interval_seconds": 7200,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["hashtag"] == "summernights"
    assert body["has_credentials"] is True
    assert body["poll_interval_seconds"] == 3600
    assert body["instagram_hashtags_left"] == 30
    assert "ig-secret-token" not in response.content.decode()
    listing = api.get(f"/campaigns/{open_campaign.slug}/social/sources")
    assert "ig-secret-token" not in listing.content.decode()
    assert HashtagSource.objects.get().credentials_encrypted not in listing.content.decode()


def test_a_duplicate_source_is_a_409_and_bad_input_a_400(api_as, open_campaign):
    api = api_as("owner")
    path = f"/campaigns/{open_campaign.slug}/social/sources"
    body = {"network": "mastodon", "hashtag": "x", "instance": "https://example.social"}
    assert api.post(path, body).status_code == 201
    duplicate = api.post(path, body)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "already_connected"
    missing = api.post(path, {"network": "bluesky", "hashtag": "x"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "account_required"
    assert api.post(path, {"network": "myspace", "hashtag": "x"}).status_code == 422


def test_imported_posts_are_listed_with_their_outcome(api_as, open_campaign):
    ImportedPost.objects.create(
        campaign=open_campaign,
        network="bluesky",
        post_id="at://did:plc:x/app.bsky.feed.post/1",
        url="https://bsky.app/profile/x/post/1",
        text="no media",
        created_at=NOW,
        outcome=PostOutcome.SKIPPED,
        skip_reason="no_media",
        imported_at=NOW,
    )
    response = api_as("judge").get(f"/campaigns/{open_campaign.slug}/social/posts")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["skip_reason"] == "no_media"
    assert body["items"][0]["entry_id"] is None
