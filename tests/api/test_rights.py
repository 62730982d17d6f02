"""The rights API: the team's overview and batch requests, the creator's withdrawal."""

from __future__ import annotations

import pytest

from crowdstudio.rights import services
from crowdstudio.rights.models import RightsStatus
from crowdstudio.social.connectors.base import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(open_campaign, make_user, monkeypatch):
    from django.utils import timezone

    from crowdstudio.entries.models import Entry
    from crowdstudio.rights import social_bridge

    monkeypatch.setattr(social_bridge, "reply", lambda *, entry, text: None)
    placeholder = make_user("ph", is_active=False)
    now = timezone.now()
    entry = Entry.objects.create(
        campaign=open_campaign,
        author=placeholder,
        title="A tagged post",
        status="approved",
        source="bluesky",
        source_url="https://bsky.example/post/1",
        created_at=now,
        moderated_at=now,
    )
    services.rights_open_import(
        entry=entry,
        post=Post(
            network="bluesky",
            id="at://did:plc:fan/app.bsky.feed.post/1",
            url=entry.source_url,
            author_id="did:plc:fan",
            author_handle="fan.bsky.social",
            text="#summernights",
            created_at=now,
        ),
    )
    return entry


def test_the_team_sees_the_overview_and_sends_requests_once(api_as, open_campaign, imported):
    moderator = api_as("moderator")
    overview = moderator.get(f"/campaigns/{open_campaign.slug}/rights").json()
    assert overview["counts"][RightsStatus.AWAITING] == 1
    body = {"entry_ids": [imported.pk, imported.pk, 999999]}
    first = moderator.post(f"/campaigns/{open_campaign.slug}/rights/requests", body).json()
    assert [s["entry_id"] for s in first["sent"]] == [imported.pk]
    assert first["sent"][0]["channel"] == "link"
    assert "/rights/" in first["sent"][0]["link"]
    assert {"entry_id": 999999, "code": "not_found"} in first["skipped"]
    again = moderator.post(f"/campaigns/{open_campaign.slug}/rights/requests", body).json()
    assert again["sent"] == []
    assert {"entry_id": imported.pk, "code": "already_requested"} in again["skipped"]
    overview = moderator.get(f"/campaigns/{open_campaign.slug}/rights").json()
    [row] = [r for r in overview["entries"] if r["entry_id"] == imported.pk]
    assert row["status"] == "requested"
    assert row["request_link"] == first["sent"][0]["link"]


def test_an_empty_batch_is_refused(api_as, open_campaign):
    response = api_as("moderator").post(
        f"/campaigns/{open_campaign.slug}/rights/requests", {"entry_ids": []}
    )
    assert response.status_code == 422


def test_the_creator_withdraws_through_the_api(api_as, approved_entry, personas):
    entry = approved_entry(personas["entrant"])
    erin = api_as("entrant")
    unconfirmed = erin.post(
        f"/entries/{entry.pk}/rights/withdraw", {"reason": "No", "confirm": False}
    )
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["code"] == "confirm_required"
    done = erin.post(f"/entries/{entry.pk}/rights/withdraw", {"reason": "No", "confirm": True})
    assert done.status_code == 200
    assert done.json()["status"] == "withdrawn"
    twice = erin.post(f"/entries/{entry.pk}/rights/withdraw", {"reason": "No", "confirm": True})
    assert twice.status_code == 409
