from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from crowdstudio.accounts.models import ApiToken, hash_token
from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns import services, views
from crowdstudio.campaigns.models import Campaign, CampaignStatus, EligibilityCode, TermsVersion
from crowdstudio.entries.models import Asset, Entry, EntryStatus, OriginalFile, Rendition

STAFF = ["owner", "producer", "moderator", "judge"]
EDITORS = ["owner", "producer"]
NON_EDITING_STAFF = ["moderator", "judge"]


def as_(client, personas, who):
    if who != "anonymous":
        client.force_login(personas[who])
    return client


def publish_entries(campaign, author, count, *, kind="image", roles=("thumb",)):
    """Approved entries with one asset each and rendition rows (no files needed for URLs)."""
    terms = services.current_terms(campaign)
    now = timezone.now()
    entries = []
    for n in range(count):
        entry = Entry.objects.create(
            campaign=campaign,
            author=author,
            title=f"Night {n}",
            status=EntryStatus.APPROVED,
            terms_version=terms,
            terms_accepted_at=now,
            created_at=now,
            moderated_at=now + timedelta(seconds=n),
        )
        original = OriginalFile.objects.create(
            sha256=f"{campaign.pk}-{n}-{kind}".ljust(64, "0"), size=1, storage_name=f"o/{n}"
        )
        asset = Asset.objects.create(
            entry=entry,
            original=original,
            original_name=f"{n}.jpg",
            uploaded_by=author,
            uploaded_at=now,
            status="ready",
            kind=kind,
        )
        for role in roles:
            Rendition.objects.create(
                asset=asset,
                role=role,
                file=f"r/{n}-{role}.jpg",
                content_type="image/jpeg",
                width=320,
                height=320,
            )
        entries.append(entry)
    return entries


# Public pages -------------------------------------------------------------------------------


def test_the_list_shows_public_campaigns_open_first_and_never_drafts(
    client, open_campaign, draft_campaign, personas
):
    closed = services.campaign_create(
        organisation=open_campaign.organisation,
        user=personas["owner"],
        title="Old Call",
        kind="idea",
    )
    Campaign.objects.filter(pk=closed.pk).update(status=CampaignStatus.CLOSED)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret Script Contest" not in html
    assert html.index("Summer Nights Video") < html.index("Old Call")
    assert '<span class="badge open">Open</span>' in html
    assert "#summernights" in html
    assert "Music-video call" in html
    assert "Round 1" in html


def test_the_list_shows_a_cover_from_the_gallery(client, open_campaign, personas):
    publish_entries(open_campaign, personas["entrant"], 2)
    html = client.get(reverse("home")).content.decode()
    assert "/media/r/1-thumb.jpg" in html  # the newest approved entry


def test_the_campaign_page_renders_the_brief_safely_with_prizes_and_schedule(
    client, open_campaign, personas
):
    services.campaign_update(
        campaign=open_campaign,
        user=personas["owner"],
        brief="Send us **your** night.\n\n<script>alert('owned')</script>",
        rules="One entry *each*.",
        min_age=16,
        countries="DE AT",
    )
    response = client.get(reverse("campaign", args=[open_campaign.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>your</strong>" in html
    assert "<script>alert" not in html
    assert "<em>each</em>" in html
    assert "Winner" in html
    assert "€500" in html
    assert "Round 1" in html and "Open now" in html
    assert "at least 16 years old" in html
    assert "AT, DE" in html
    assert "You grant us a licence." in html  # current terms
    assert reverse("entry_create", args=[open_campaign.slug]) in html
    assert "Studio tools" not in html


def test_prize_amounts_follow_the_visitors_language(client, open_campaign):
    response = client.get(
        reverse("campaign", args=[open_campaign.slug]), headers={"accept-language": "de"}
    )
    assert "500\u00a0€" in response.content.decode()


def test_there_is_no_enter_button_when_no_round_is_open(client, open_campaign):
    open_campaign.rounds.update(
        opens_at=timezone.now() + timedelta(days=2), closes_at=timezone.now() + timedelta(days=9)
    )
    html = client.get(reverse("campaign", args=[open_campaign.slug])).content.decode()
    assert reverse("entry_create", args=[open_campaign.slug]) not in html
    assert "Upcoming" in html


@pytest.mark.parametrize("who", ["anonymous", "entrant", "outsider"])
def test_a_draft_does_not_exist_for_the_public(client, draft_campaign, personas, who):
    response = as_(client, personas, who).get(reverse("campaign", args=[draft_campaign.slug]))
    assert response.status_code == 404
    assert "Secret Script Contest" not in response.content.decode()


@pytest.mark.parametrize("who", STAFF)
def test_the_organisations_team_sees_its_draft(client, draft_campaign, personas, who):
    response = as_(client, personas, who).get(reverse("campaign", args=[draft_campaign.slug]))
    assert response.status_code == 200
    assert "Studio tools" in response.content.decode()


def test_the_studio_toolbar_shows_only_what_each_role_may_do(client, open_campaign, personas):
    url = reverse("campaign", args=[open_campaign.slug])
    owner_html = as_(client, personas, "owner").get(url).content.decode()
    assert reverse("campaign_edit", args=[open_campaign.slug]) in owner_html
    assert reverse("campaign_status", args=[open_campaign.slug]) in owner_html
    assert reverse("campaign_audit", args=[open_campaign.slug]) in owner_html
    judge_html = as_(client, personas, "judge").get(url).content.decode()
    assert reverse("campaign_edit", args=[open_campaign.slug]) not in judge_html
    assert reverse("campaign_status", args=[open_campaign.slug]) not in judge_html
    assert reverse("moderation_queue", args=[open_campaign.slug]) not in judge_html
    mona_html = as_(client, personas, "moderator").get(url).content.decode()
    assert reverse("moderation_queue", args=[open_campaign.slug]) in mona_html
    assert reverse("campaign_edit", args=[open_campaign.slug]) not in mona_html


# Gallery ------------------------------------------------------------------------------------


def test_the_gallery_shows_24_approved_entries_and_loads_more_with_htmx(
    client, open_campaign, personas
):
    publish_entries(open_campaign, personas["entrant"], 25)
    html = client.get(reverse("campaign", args=[open_campaign.slug])).content.decode()
    assert html.count('class="gallery-more"') == 1
    assert html.count("/media/r/") == 24
    more = reverse("campaign_gallery", args=[open_campaign.slug]) + "?page=2"
    assert f'hx-get="{more}"' in html
    partial = client.get(more, headers={"hx-request": "true"})
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body
    assert body.count("<li>") == 1 and "gallery-more" not in body
    assert reverse("entry", args=[Entry.objects.order_by("moderated_at").first().pk]) in body
    assert "HX-Request" in partial["Vary"]


def test_the_gallery_is_also_a_full_page_without_htmx(client, open_campaign, personas):
    publish_entries(open_campaign, personas["entrant"], 3)
    response = client.get(reverse("campaign_gallery", args=[open_campaign.slug]))
    html = response.content.decode()
    assert "<html" in html and "3 approved entries" in html
    assert 'alt="Night 0"' in html


def test_a_video_entry_shows_its_poster_and_an_entry_without_pictures_a_placeholder(
    client, open_campaign, personas
):
    [video] = publish_entries(
        open_campaign, personas["entrant"], 1, kind="video", roles=("poster", "video")
    )
    bare = publish_entries(open_campaign, personas["producer"], 2, roles=())[1]
    html = client.get(reverse("campaign_gallery", args=[open_campaign.slug])).content.decode()
    assert "/media/r/0-poster.jpg" in html
    assert f'role="img" aria-label="{bare.title}"' in html
    assert video.title in html


def test_pending_entries_are_not_in_the_gallery(client, open_campaign, personas):
    [entry] = publish_entries(open_campaign, personas["entrant"], 1)
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.AWAITING_MODERATION)
    html = client.get(reverse("campaign", args=[open_campaign.slug])).content.decode()
    assert "No entries are published yet." in html


def test_the_draft_gallery_is_hidden_too(client, draft_campaign):
    assert client.get(reverse("campaign_gallery", args=[draft_campaign.slug])).status_code == 404


# Studio: who may do what --------------------------------------------------------------------

STUDIO_PAGES = ["campaign_edit", "round_create", "prize_create", "terms_edit", "codes_create"]


@pytest.mark.parametrize("page", STUDIO_PAGES)
@pytest.mark.parametrize("who", EDITORS)
def test_editors_open_the_studio_pages(client, open_campaign, personas, page, who):
    response = as_(client, personas, who).get(reverse(page, args=[open_campaign.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("page", [*STUDIO_PAGES, "campaign_status"])
@pytest.mark.parametrize("who", NON_EDITING_STAFF)
def test_moderators_and_judges_may_not_change_a_campaign(
    client, open_campaign, personas, page, who
):
    client = as_(client, personas, who)
    url = reverse(page, args=[open_campaign.slug])
    assert client.post(url, {"title": "Hijack", "to_status": "judging"}).status_code == 403
    open_campaign.refresh_from_db()
    assert (open_campaign.title, open_campaign.status) == ("Summer Nights Video", "open")


@pytest.mark.parametrize("page", [*STUDIO_PAGES, "campaign_status", "campaign_audit"])
def test_another_organisation_gets_404_on_a_draft_and_403_on_a_public_campaign(
    client, open_campaign, draft_campaign, personas, page
):
    client = as_(client, personas, "outsider")
    method = client.post if page == "campaign_status" else client.get
    assert method(reverse(page, args=[draft_campaign.slug])).status_code == 404
    assert method(reverse(page, args=[open_campaign.slug])).status_code == 403


@pytest.mark.parametrize("page", [*STUDIO_PAGES, "campaign_audit"])
def test_anonymous_visitors_are_sent_to_log_in(client, open_campaign, page):
    url = reverse(page, args=[open_campaign.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_status_change_only_takes_post(client, open_campaign, personas):
    url = reverse("campaign_status", args=[open_campaign.slug])
    assert as_(client, personas, "owner").get(url).status_code == 405


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("producer", 200),
        ("moderator", 403),
        ("judge", 403),
        ("outsider", 404),
        ("entrant", 404),
    ],
)
def test_only_editors_create_campaigns_for_their_organisation(client, org, personas, who, status):
    response = as_(client, personas, who).get(reverse("campaign_new", args=[org.slug]))
    assert response.status_code == status


# Studio: what the pages do -------------------------------------------------------------------


def campaign_post(**overrides):
    data = {
        "title": "Winter Lights",
        "tagline": "Cold nights",
        "brief": "Show us **winter**.",
        "rules": "",
        "kind": "photo_video",
        "hashtags": "#winter #lights",
        "accepted_kinds": ["image", "video"],
        "max_file_mb": "20",
        "max_megapixels": "40",
        "max_duration_seconds": "120",
        "max_files_per_entry": "3",
        "min_age": "",
        "countries": "de at",
        "requires_code": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k in ("rules", "min_age")}


@pytest.mark.parametrize("who", EDITORS)
def test_an_editor_creates_a_draft(client, org, personas, who):
    response = as_(client, personas, who).post(
        reverse("campaign_new", args=[org.slug]), campaign_post()
    )
    campaign = Campaign.objects.get(title="Winter Lights")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign", args=[campaign.slug])
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.hashtags == ["winter", "lights"]
    assert campaign.countries == ["AT", "DE"]
    assert campaign.accepted_kinds == ["image", "video"]
    assert campaign.min_age is None
    assert campaign.created_by == personas[who]


def test_a_service_refusal_is_shown_next_to_the_field(client, org, personas):
    response = as_(client, personas, "owner").post(
        reverse("campaign_new", args=[org.slug]), campaign_post(hashtags="#fine #not-fine")
    )
    assert response.status_code == 400
    assert "is not a valid hashtag" in response.content.decode()
    assert response.context["form"].errors["hashtags"]
    assert not Campaign.objects.filter(title="Winter Lights").exists()


@pytest.mark.parametrize("who", EDITORS)
def test_an_editor_edits_a_campaign(client, open_campaign, personas, who):
    url = reverse("campaign_edit", args=[open_campaign.slug])
    client = as_(client, personas, who)
    form = client.get(url).context["form"]
    assert form.initial["hashtags"] == "#summernights"
    response = client.post(url, campaign_post(title="Summer Nights Video II"))
    assert response.status_code == 302
    open_campaign.refresh_from_db()
    assert open_campaign.title == "Summer Nights Video II"
    assert open_campaign.max_files_per_entry == 3


def test_editing_a_closed_campaign_shows_why_it_cannot_be_changed(client, open_campaign, personas):
    Campaign.objects.filter(pk=open_campaign.pk).update(status=CampaignStatus.CLOSED)
    response = as_(client, personas, "owner").post(
        reverse("campaign_edit", args=[open_campaign.slug]), campaign_post()
    )
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()


@pytest.mark.parametrize("who", EDITORS)
def test_an_editor_moves_the_campaign_on_with_a_reason(client, open_campaign, personas, who):
    response = as_(client, personas, who).post(
        reverse("campaign_status", args=[open_campaign.slug]),
        {"to_status": "judging", "reason": "Deadline passed"},
        follow=True,
    )
    open_campaign.refresh_from_db()
    assert open_campaign.status == CampaignStatus.JUDGING
    assert "The campaign is now: Judging." in response.content.decode()
    event = AuditEvent.objects.get(action="campaign.judging")
    assert event.data["reason"] == "Deadline passed"
    assert event.actor == personas[who]


def test_a_refused_transition_shows_the_services_message(client, draft_campaign, personas):
    response = as_(client, personas, "owner").post(
        reverse("campaign_status", args=[draft_campaign.slug]),
        {"to_status": "open"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Publish the terms before opening the campaign." in response.content.decode()
    draft_campaign.refresh_from_db()
    assert draft_campaign.status == CampaignStatus.DRAFT


def test_an_illegal_jump_shows_the_services_message(client, open_campaign, personas):
    response = as_(client, personas, "owner").post(
        reverse("campaign_status", args=[open_campaign.slug]),
        {"to_status": "archived"},
        follow=True,
    )
    assert "A campaign cannot go from Open" in response.content.decode()
    open_campaign.refresh_from_db()
    assert open_campaign.status == CampaignStatus.OPEN


@pytest.mark.parametrize("who", EDITORS)
def test_an_editor_adds_rounds_and_sees_overlaps_refused(client, open_campaign, personas, who):
    client = as_(client, personas, who)
    url = reverse("round_create", args=[open_campaign.slug])
    first = open_campaign.rounds.get()
    fmt = "%Y-%m-%dT%H:%M"
    overlapping = {
        "title": "Overlap",
        "opens_at": first.opens_at.strftime(fmt),
        "closes_at": (first.closes_at + timedelta(days=1)).strftime(fmt),
    }
    response = client.post(url, overlapping)
    assert response.status_code == 400
    assert "may not overlap" in response.content.decode()
    final = {
        "title": "Final",
        "opens_at": (first.closes_at + timedelta(days=1)).strftime(fmt),
        "closes_at": (first.closes_at + timedelta(days=8)).strftime(fmt),
        "advance_top_n": "3",
    }
    assert client.post(url, final).status_code == 302
    assert open_campaign.rounds.get(number=2).advance_top_n == 3


@pytest.mark.parametrize("who", EDITORS)
def test_an_editor_adds_a_prize_to_a_round(client, open_campaign, personas, who):
    client = as_(client, personas, who)
    url = reverse("prize_create", args=[open_campaign.slug])
    rnd = open_campaign.rounds.get()
    data = {
        "round": rnd.pk,
        "rank": "2",
        "title": "Runner-up",
        "kind": "cash",
        "amount": "1250.50",
        "currency": "usd",
        "description": "",
    }
    response = client.post(url, data, follow=True)
    assert "$1,250.50" in response.content.decode()
    prize = rnd.prizes.get(rank=2)
    assert (prize.amount, prize.currency) == (Decimal("1250.50"), "USD")
    again = client.post(url, data)
    assert again.status_code == 400
    assert "already has a prize for that rank" in again.content.decode()


def test_a_prize_for_another_campaigns_round_is_refused(client, open_campaign, personas):
    other = services.campaign_create(
        organisation=open_campaign.organisation, user=personas["owner"], title="Other", kind="idea"
    )
    now = timezone.now()
    foreign = services.round_add(
        campaign=other,
        user=personas["owner"],
        title="X",
        opens_at=now,
        closes_at=now + timedelta(days=1),
    )
    response = as_(client, personas, "owner").post(
        reverse("prize_create", args=[open_campaign.slug]),
        {
            "round": foreign.pk,
            "rank": "1",
            "title": "Sneaky",
            "kind": "cash",
            "amount": "1",
            "currency": "EUR",
        },
    )
    assert response.status_code == 400
    assert not foreign.prizes.exists()


@pytest.mark.parametrize("who", EDITORS)
def test_an_editor_publishes_a_new_terms_version_and_sees_the_history(
    client, open_campaign, personas, who
):
    client = as_(client, personas, who)
    url = reverse("terms_edit", args=[open_campaign.slug])
    response = client.post(url, {"body": "New **terms**."}, follow=True)
    html = response.content.decode()
    assert "Version 2 of the terms is published." in html
    assert "New <strong>terms</strong>." in html and "You grant us a licence." in html
    assert list(
        TermsVersion.objects.filter(campaign=open_campaign).values_list("version", flat=True)
    ) == [2, 1]
    again = client.post(url, {"body": "New **terms**."}, follow=True)
    assert "Nothing changed; version 2 stays current." in again.content.decode()


@pytest.mark.parametrize("who", EDITORS)
def test_codes_are_shown_once_with_a_csv_and_only_hashes_are_kept(
    client, open_campaign, personas, who
):
    client = as_(client, personas, who)
    url = reverse("codes_create", args=[open_campaign.slug])
    response = client.post(
        url, {"kind": "purchase", "count": "3", "max_uses": "1", "label": "Record store"}
    )
    html = response.content.decode()
    codes = response.context["codes"]
    assert len(codes) == 3
    assert all(code in html for code in codes)
    assert 'href="data:text/csv;charset=utf-8,code%2Ckind%2Clabel%2Cmax_uses' in html
    assert "no-store" in response["Cache-Control"]
    stored = set(
        EligibilityCode.objects.filter(campaign=open_campaign).values_list("code_hash", flat=True)
    )
    assert stored == {services.hash_code(open_campaign, code) for code in codes}
    later = client.get(url).content.decode()
    assert not any(code in later for code in codes)
    assert "Record store" in later


def test_the_audit_log_lists_the_campaigns_events(client, open_campaign, personas):
    response = as_(client, personas, "moderator").get(
        reverse("campaign_audit", args=[open_campaign.slug])
    )
    html = response.content.decode()
    assert response.status_code == 200
    for action in ("campaign.created", "round.created", "terms.published", "campaign.open"):
        assert action in html
    assert (
        as_(client, personas, "judge")
        .get(reverse("campaign_audit", args=[open_campaign.slug]))
        .status_code
        == 403
    )


def test_the_studio_lists_the_teams_campaigns_with_entry_counts(
    client, open_campaign, draft_campaign, personas
):
    publish_entries(open_campaign, personas["entrant"], 2)
    response = as_(client, personas, "judge").get(reverse("studio"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret Script Contest" in html and "Summer Nights Video" in html
    assert "Approved: 2" in html
    assert reverse("campaign_new", args=["northern-lights"]) not in html
    owner_html = as_(client, personas, "owner").get(reverse("studio")).content.decode()
    assert reverse("campaign_new", args=["northern-lights"]) in owner_html


def test_people_outside_any_team_get_no_studio(client, open_campaign, personas):
    response = as_(client, personas, "entrant").get(reverse("studio"))
    assert response.status_code == 403
    assert "Summer Nights Video" not in response.content.decode()


# API tokens ----------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_as_a_hash(client, personas):
    client = as_(client, personas, "entrant")
    url = reverse("api_tokens")
    response = client.post(url, {"name": "upload script"})
    raw = response.context["raw"]
    assert raw.startswith("cs_") and raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=personas["entrant"])
    assert token.token_hash == hash_token(raw)
    assert raw not in token.prefix + token.name
    later = client.get(url).content.decode()
    assert raw not in later and "upload script" in later


def test_a_token_can_be_revoked_only_by_its_owner(client, personas):
    token = ApiToken.objects.create(
        user=personas["entrant"], name="mine", prefix="cs_abcde", token_hash=hash_token("cs_secret")
    )
    as_(client, personas, "outsider").post(reverse("api_tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None
    client.logout()
    response = as_(client, personas, "entrant").post(
        reverse("api_tokens"), {"revoke": token.pk}, follow=True
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in response.content.decode()


def test_tokens_need_a_login(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Static and error pages ----------------------------------------------------------------------


def test_the_privacy_page_explains_quarantine_originals_metadata_and_deletion(client):
    html = client.get(reverse("privacy")).content.decode().lower()
    for words in ("quarantine", "original", "gps", "delete"):
        assert words in html


def test_the_login_page_uses_the_site_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="brand"' in html and "pico.min.css" in html
    assert 'for="id_login"' in html


def test_a_404_is_friendly_and_reveals_nothing(client, db):
    response = client.get("/c/no-such-thing/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We cannot find that page" in html
    assert "No such campaign" not in html


class _Untouchable:
    def __getattr__(self, name):
        raise AssertionError(f"the 500 page touched request.user.{name}")


def test_the_500_page_needs_neither_the_database_nor_the_user():
    # No `db` fixture: any query here would fail the test.
    request = RequestFactory().get("/")
    request.user = _Untouchable()
    response = views.error_500(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_400_page_renders_without_a_session_or_the_database():
    response = views.error_400(RequestFactory().get("/"), Exception("bad"))
    assert response.status_code == 400


def test_the_producer_extends_a_round_from_the_rounds_page(client, open_campaign, personas):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    rnd = open_campaign.rounds.get()
    client.force_login(personas["producer"])
    page = client.get(reverse("round_create", args=[open_campaign.slug])).content.decode()
    assert reverse("round_edit", args=[open_campaign.slug, rnd.number]) in page
    new_close = timezone.localtime(rnd.closes_at + timedelta(days=7)).replace(
        second=0, microsecond=0
    )
    response = client.post(
        reverse("round_edit", args=[open_campaign.slug, rnd.number]),
        {
            "title": "Round 1 (extended)",
            "opens_at": timezone.localtime(rnd.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": new_close.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.title == "Round 1 (extended)" and rnd.closes_at == new_close
