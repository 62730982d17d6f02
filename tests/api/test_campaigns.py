"""Reading and running campaigns through /api/campaigns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns import services
from crowdstudio.campaigns.models import Campaign, CampaignStatus


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


@pytest.fixture
def elsewhere_draft(other_org, personas):
    return services.campaign_create(
        organisation=other_org, user=personas["outsider"], title="Elsewhere Draft", kind="film"
    )


# --- list -----------------------------------------------------------------------------------


def test_anonymous_visitors_see_public_campaigns_only(api_as, open_campaign, draft_campaign):
    assert _slugs(api_as("anonymous").get("/campaigns")) == [open_campaign.slug]


def test_the_team_also_sees_its_own_drafts_but_not_other_organisations(
    api_as, open_campaign, draft_campaign, elsewhere_draft
):
    assert set(_slugs(api_as("judge").get("/campaigns"))) == {
        open_campaign.slug,
        draft_campaign.slug,
    }
    assert set(_slugs(api_as("outsider").get("/campaigns"))) == {
        open_campaign.slug,
        elsewhere_draft.slug,
    }


def test_campaigns_filter_by_status_kind_and_organisation(
    api_as, open_campaign, draft_campaign, elsewhere_draft
):
    owner = api_as("owner")
    assert _slugs(owner.get("/campaigns", status="draft")) == [draft_campaign.slug]
    assert _slugs(owner.get("/campaigns", kind="music_video")) == [open_campaign.slug]
    assert set(_slugs(owner.get("/campaigns", organisation="northern-lights"))) == {
        open_campaign.slug,
        draft_campaign.slug,
    }
    assert _slugs(owner.get("/campaigns", organisation="elsewhere")) == []


def test_campaigns_are_paginated(api_as, open_campaign, draft_campaign):
    response = api_as("owner").get("/campaigns", page_size=1)
    assert response.json()["count"] == 2
    assert len(response.json()["items"]) == 1


def test_an_unknown_kind_filter_is_invalid(api_as, personas):
    response = api_as("anonymous").get("/campaigns", kind="opera")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# --- detail ---------------------------------------------------------------------------------


def test_the_detail_has_rounds_prizes_terms_limits_and_rules(api_as, open_campaign):
    body = api_as("anonymous").get(f"/campaigns/{open_campaign.slug}").json()
    assert body["organisation"] == "northern-lights"
    assert body["status"] == "open"
    assert body["hashtags"] == ["summernights"]
    assert body["accepted_kinds"] == ["image", "video", "audio"]
    assert body["limits"]["max_file_mb"] == 20
    [rnd] = body["rounds"]
    assert rnd["number"] == 1
    assert rnd["prizes"][0] == {
        "rank": 1,
        "title": "Winner",
        "kind": "cash",
        "amount": "500.00",
        "currency": "EUR",
        "description": "",
    }
    terms = services.current_terms(open_campaign)
    assert (body["terms"]["id"], body["terms"]["body"]) == (terms.id, "You grant us a licence.")
    assert body["eligibility"] == {"min_age": None, "countries": [], "requires_code": False}


def test_eligibility_codes_are_never_shown(api_as, open_campaign, personas):
    open_campaign.requires_code = True
    open_campaign.save()
    codes = services.codes_generate(
        campaign=open_campaign, user=personas["owner"], kind="invite", count=3
    )
    response = api_as("owner").get(f"/campaigns/{open_campaign.slug}")
    assert response.json()["eligibility"]["requires_code"] is True
    text = response.content.decode()
    assert not any(code in text for code in codes)
    assert "code_hash" not in text


def test_a_draft_is_hidden_from_the_public(api_as, draft_campaign):
    response = api_as("anonymous").get(f"/campaigns/{draft_campaign.slug}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_slug_is_a_404_json_error(api_as, db):
    response = api_as("anonymous").get("/campaigns/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"message": "No such campaign", "code": "not_found"}


# --- create and change ----------------------------------------------------------------------


def test_a_producer_creates_a_draft_campaign(api_as, personas):
    response = api_as("producer").post(
        "/campaigns",
        {
            "organisation": "northern-lights",
            "title": "Autumn Leaves",
            "kind": "photo_video",
            "hashtags": ["#autumn", "leaves"],
            "accepted_kinds": ["video", "image"],
            "min_age": 16,
            "countries": ["de", "AT"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "autumn-leaves"
    assert body["status"] == "draft"
    assert body["hashtags"] == ["autumn", "leaves"]
    assert body["accepted_kinds"] == ["image", "video"]
    assert body["eligibility"] == {"min_age": 16, "countries": ["AT", "DE"], "requires_code": False}
    campaign = Campaign.objects.get(slug="autumn-leaves")
    assert campaign.created_by == personas["producer"]
    assert AuditEvent.objects.filter(action="campaign.created").exists()


def test_creating_for_an_unknown_organisation_is_a_404(api_as, personas):
    response = api_as("producer").post(
        "/campaigns", {"organisation": "nobody", "title": "X", "kind": "idea"}
    )
    assert response.status_code == 404


def test_creating_with_a_bad_kind_names_the_field(api_as, personas):
    response = api_as("producer").post(
        "/campaigns", {"organisation": "northern-lights", "title": "X", "kind": "opera"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


def test_a_service_refusal_keeps_its_code(api_as, personas):
    response = api_as("producer").post(
        "/campaigns",
        {
            "organisation": "northern-lights",
            "title": "X",
            "kind": "idea",
            "hashtags": ["not a tag!"],
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_hashtag"


def test_patch_changes_only_the_fields_sent(api_as, draft_campaign):
    response = api_as("producer").patch(
        f"/campaigns/{draft_campaign.slug}", {"tagline": "Shh", "min_age": None}
    )
    assert response.status_code == 200
    draft_campaign.refresh_from_db()
    assert draft_campaign.tagline == "Shh"
    assert draft_campaign.title == "Secret Script Contest"


def test_patch_refuses_null_for_a_required_field(api_as, draft_campaign):
    response = api_as("producer").patch(f"/campaigns/{draft_campaign.slug}", {"title": None})
    assert response.status_code == 422
    assert "title cannot be null" in response.json()["message"]


def test_a_closed_campaign_can_no_longer_be_changed(api_as, open_campaign, personas):
    for status in (CampaignStatus.JUDGING, CampaignStatus.CLOSED):
        services.campaign_transition(
            campaign=open_campaign, to_status=status, user=personas["owner"]
        )
    response = api_as("owner").patch(f"/campaigns/{open_campaign.slug}", {"tagline": "late"})
    assert response.status_code == 409
    assert response.json()["code"] == "campaign_closed"


# --- status, rounds, prizes, terms ----------------------------------------------------------


def test_a_campaign_moves_on_with_the_reason_logged(api_as, open_campaign):
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/transition",
        {"to": "judging", "reason": "Deadline passed"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "judging"
    event = AuditEvent.objects.get(action="campaign.judging")
    assert event.data["reason"] == "Deadline passed"


def test_an_impossible_transition_is_a_conflict(api_as, open_campaign):
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/transition", {"to": "archived"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_draft_without_rounds_cannot_open(api_as, draft_campaign, personas):
    services.terms_publish(campaign=draft_campaign, user=personas["owner"], body="Terms")
    response = api_as("producer").post(
        f"/campaigns/{draft_campaign.slug}/transition", {"to": "open"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_rounds"


def test_a_round_is_added_after_the_last(api_as, open_campaign):
    start = timezone.now() + timedelta(days=40)
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/rounds",
        {
            "title": "Final",
            "opens_at": start.isoformat(),
            "closes_at": (start + timedelta(days=7)).isoformat(),
            "advance_top_n": 10,
        },
    )
    assert response.status_code == 201
    assert response.json()["number"] == 2
    assert response.json()["prizes"] == []


def test_a_round_needs_times_with_a_timezone(api_as, open_campaign):
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/rounds",
        {"title": "Final", "opens_at": "2030-01-01T00:00:00", "closes_at": "2030-02-01T00:00:00"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "opens_at"


def test_overlapping_rounds_are_refused(api_as, open_campaign):
    now = timezone.now()
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/rounds",
        {
            "title": "Clash",
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "overlapping_round"


def test_a_prize_is_added_to_a_round(api_as, open_campaign):
    response = api_as("owner").post(
        f"/campaigns/{open_campaign.slug}/rounds/1/prizes",
        {"rank": 2, "title": "Runner-up", "kind": "production", "amount": "0", "currency": "usd"},
    )
    assert response.status_code == 201
    assert response.json()["currency"] == "USD"
    detail = api_as("owner").get(f"/campaigns/{open_campaign.slug}").json()
    assert [p["rank"] for p in detail["rounds"][0]["prizes"]] == [1, 2]


def test_a_prize_for_an_unknown_round_is_a_404(api_as, open_campaign):
    response = api_as("owner").post(
        f"/campaigns/{open_campaign.slug}/rounds/7/prizes",
        {"rank": 1, "title": "Ghost", "kind": "cash", "amount": "5"},
    )
    assert response.status_code == 404


def test_a_second_prize_of_the_same_rank_is_refused(api_as, open_campaign):
    response = api_as("owner").post(
        f"/campaigns/{open_campaign.slug}/rounds/1/prizes",
        {"rank": 1, "title": "Also winner", "kind": "cash", "amount": "5"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_rank"


def test_new_terms_become_the_current_version(api_as, open_campaign):
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/terms", {"body": "Version two."}
    )
    assert response.status_code == 201
    assert response.json()["version"] == 2
    detail = api_as("anonymous").get(f"/campaigns/{open_campaign.slug}").json()
    assert detail["terms"]["id"] == response.json()["id"]
