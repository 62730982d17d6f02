"""The community API: comments, reviews, follows and my notifications."""

from __future__ import annotations

import json

import pytest

from crowdstudio.community import services
from crowdstudio.community.models import Follow, Notification, Review

ADVICE = "Strong idea; the ending could be tighter."


@pytest.fixture
def entry(personas, approved_entry):
    return approved_entry(personas["entrant"], title="Night swim")


def _put(client, path, body=None):
    return client.client.put(f"/api{path}", json.dumps(body or {}), content_type="application/json")


def _delete(client, path):
    return client.client.delete(f"/api{path}")


def test_comments_are_listed_with_replies_pointing_at_their_thread(api_as, entry):
    oscar = api_as("outsider")
    top = oscar.post(f"/entries/{entry.pk}/comments", {"body": "First"}).json()
    reply = api_as("judge").post(
        f"/entries/{entry.pk}/comments", {"body": "Second", "parent_id": top["id"]}
    )
    assert reply.status_code == 201
    assert reply.json()["parent_id"] == top["id"]
    listing = api_as("anonymous").get(f"/entries/{entry.pk}/comments").json()
    assert listing["count"] == 2
    assert [c["body"] for c in listing["items"]] == ["First", "Second"]
    assert listing["items"][0]["author"] == "oscar"


def test_hidden_comments_are_listed_for_moderators_only(api_as, entry, personas):
    comment = services.comment_post(entry=entry, user=personas["outsider"], body="Rude")
    services.comment_moderate(comment=comment, user=personas["moderator"], hide=True, reason="x")
    assert api_as("anonymous").get(f"/entries/{entry.pk}/comments").json()["count"] == 0
    items = api_as("moderator").get(f"/entries/{entry.pk}/comments").json()["items"]
    assert items[0]["hidden"] is True


def test_an_empty_comment_is_a_json_validation_error(api_as, entry):
    response = api_as("outsider").post(f"/entries/{entry.pk}/comments", {"body": ""})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_comments_on_an_entry_one_cannot_see_are_not_found(
    api_as, personas, approved_entry, draft_campaign
):
    from crowdstudio.entries.models import EntryStatus

    entry = approved_entry(personas["entrant"])
    entry.status = EntryStatus.AWAITING_MODERATION
    entry.save()
    response = api_as("outsider").post(f"/entries/{entry.pk}/comments", {"body": "Hi"})
    assert response.status_code == 404
    own = api_as("entrant").post(f"/entries/{entry.pk}/comments", {"body": "Hi"})
    assert own.status_code == 409
    assert own.json()["code"] == "entry_not_public"


def test_my_review_is_created_then_updated(api_as, entry):
    oscar = api_as("outsider")
    created = _put(oscar, f"/entries/{entry.pk}/review", {"rating": 3, "advice": ADVICE})
    assert created.status_code == 201
    updated = _put(oscar, f"/entries/{entry.pk}/review", {"rating": 4, "advice": ADVICE})
    assert updated.status_code == 200
    assert updated.json()["rating"] == 4 and updated.json()["edited_at"] is not None
    assert Review.objects.count() == 1
    listing = api_as("anonymous").get(f"/entries/{entry.pk}/reviews").json()
    assert listing["count"] == 1 and listing["items"][0]["advice"] == ADVICE


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"rating": 0, "advice": ADVICE}, 422, "invalid"),
        ({"rating": 6, "advice": ADVICE}, 422, "invalid"),
        ({"rating": 4, "advice": "Good."}, 400, "advice_too_short"),
    ],
)
def test_a_bad_review_is_refused_with_a_clear_error(api_as, entry, body, status, code):
    response = _put(api_as("outsider"), f"/entries/{entry.pk}/review", body)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_author_cannot_review_their_own_entry(api_as, entry):
    response = _put(
        api_as("entrant"), f"/entries/{entry.pk}/review", {"rating": 5, "advice": ADVICE}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "own_entry"


def test_follow_and_unfollow_are_idempotent(api_as, entry, open_campaign):
    oscar = api_as("outsider")
    for _ in range(2):
        assert _put(oscar, f"/entries/{entry.pk}/follow").json() == {"following": True}
        assert _put(oscar, f"/campaigns/{open_campaign.slug}/follow").json() == {"following": True}
    assert Follow.objects.count() == 2
    assert _delete(oscar, f"/entries/{entry.pk}/follow").json() == {"following": False}
    assert _delete(oscar, f"/campaigns/{open_campaign.slug}/follow").json() == {"following": False}
    assert not Follow.objects.exists()


def test_a_draft_campaign_is_not_found_for_the_crowd(api_as, draft_campaign):
    response = _put(api_as("outsider"), f"/campaigns/{draft_campaign.slug}/follow")
    assert response.status_code == 404


def test_my_notifications_are_paginated_and_can_be_marked_read(api_as, entry, personas):
    for n in range(3):
        services.comment_post(entry=entry, user=personas["outsider"], body=f"Comment {n}")
    erin = api_as("entrant")
    page = erin.get("/notifications", page_size=2).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    first = page["items"][0]
    assert first["kind"] == "comment_on_my_entry"
    assert first["message"] == "oscar commented on your entry “Night swim”."
    assert first["url"].startswith(f"/e/{entry.pk}/#comment-")
    marked = erin.post(f"/notifications/{first['id']}/read")
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    assert erin.get("/notifications", unread="true").json()["count"] == 2
    assert erin.post("/notifications/read-all").json() == {"marked": 2}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(api_as, entry, personas):
    services.comment_post(entry=entry, user=personas["outsider"], body="Hi")
    note = Notification.objects.get()
    response = api_as("outsider").post(f"/notifications/{note.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
