from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from crowdstudio.campaigns.services import current_terms
from crowdstudio.entries.models import Entry, EntryStatus

from .samples import jpeg_bytes, photo, upload


def entry_form_data(campaign, **extra):
    data = {
        "title": "Rooftop sunset",
        "description": "Taken on the 21st of June.",
        "uploads": [photo(1)],
        "accept_terms": "on",
        "terms_version_id": current_terms(campaign).id,
        "submission_key": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


@pytest.fixture
def waiting_entry(open_campaign, personas, client, django_capture_on_commit_callbacks, run_worker):
    client.force_login(personas["entrant"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("entry_create", args=[open_campaign.slug]), entry_form_data(open_campaign)
        )
    run_worker()
    client.logout()
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.AWAITING_MODERATION
    return entry


def test_anonymous_visitors_are_sent_to_log_in_before_entering(client, open_campaign):
    response = client.get(reverse("entry_create", args=[open_campaign.slug]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_entry_form_shows_the_terms_and_the_limits(client, open_campaign, personas):
    client.force_login(personas["entrant"])
    response = client.get(reverse("entry_create", args=[open_campaign.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "You grant us a licence." in body
    assert "20 MB" in body
    assert 'name="accept_terms"' in body


def test_submitting_an_entry_redirects_to_its_page_which_shows_progress(
    client, open_campaign, personas
):
    client.force_login(personas["entrant"])
    response = client.post(
        reverse("entry_create", args=[open_campaign.slug]), entry_form_data(open_campaign)
    )
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("entry", args=[entry.pk])
    page = client.get(response["Location"])
    assert "We are checking your files" in page.content.decode()
    assert entry.terms_version == current_terms(open_campaign)


def test_a_double_submit_makes_one_entry(client, open_campaign, personas):
    client.force_login(personas["entrant"])
    data = entry_form_data(open_campaign)
    for _ in range(2):
        data["uploads"] = [photo(1)]
        client.post(reverse("entry_create", args=[open_campaign.slug]), data)
    assert Entry.objects.count() == 1


def test_forgetting_the_terms_shows_the_form_again_with_an_error(client, open_campaign, personas):
    client.force_login(personas["entrant"])
    data = entry_form_data(open_campaign)
    del data["accept_terms"]
    response = client.post(reverse("entry_create", args=[open_campaign.slug]), data)
    assert response.status_code == 400
    assert Entry.objects.count() == 0
    assert "errorlist" in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(client, open_campaign, personas):
    client.force_login(personas["entrant"])
    response = client.post(
        reverse("entry_create", args=[open_campaign.slug]),
        entry_form_data(open_campaign),
        CONTENT_LENGTH=str(200 * 1024 * 1024),  # above the campaign, below the installation
    )
    assert response.status_code == 413
    assert "larger than this campaign accepts" in response.content.decode()


def test_a_broken_file_shows_its_reason_on_the_entry_page(
    client, open_campaign, personas, django_capture_on_commit_callbacks, run_worker
):
    client.force_login(personas["entrant"])
    data = entry_form_data(open_campaign, uploads=[upload("party.jpg", jpeg_bytes(3)[:300])])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("entry_create", args=[open_campaign.slug]), data)
    run_worker()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "party.jpg" in body and "truncated or damaged" in body
    mine = client.get(reverse("my_entries")).content.decode()
    assert "truncated or damaged" in mine


def test_the_status_fragment_tells_htmx_to_stop_polling_when_done(client, waiting_entry, personas):
    client.force_login(personas["entrant"])
    response = client.get(reverse("entry_status", args=[waiting_entry.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    assert "Awaiting moderation" in response.content.decode()


def test_an_unmoderated_entry_is_private(client, waiting_entry, personas):
    url = reverse("entry", args=[waiting_entry.pk])
    assert client.get(url).status_code == 404
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(personas["judge"])
    assert client.get(url).status_code == 200


def test_moderators_approve_from_the_detail_page(client, waiting_entry, personas, open_campaign):
    client.force_login(personas["moderator"])
    page = client.get(reverse("moderation_detail", args=[waiting_entry.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("moderation_decide", args=[waiting_entry.pk]), {"decision": "approved"}
    )
    assert response.status_code == 302
    waiting_entry.refresh_from_db()
    assert waiting_entry.status == EntryStatus.APPROVED
    gallery = client.get(reverse("campaign", args=[open_campaign.slug])).content.decode()
    assert reverse("entry", args=[waiting_entry.pk]) in gallery


def test_rejecting_without_a_reason_shows_an_error(client, waiting_entry, personas):
    client.force_login(personas["moderator"])
    response = client.post(
        reverse("moderation_decide", args=[waiting_entry.pk]),
        {"decision": "rejected", "reason": ""},
    )
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    waiting_entry.refresh_from_db()
    assert waiting_entry.status == EntryStatus.AWAITING_MODERATION


def test_the_queue_lists_waiting_entries_and_bulk_approves(
    client, waiting_entry, personas, open_campaign
):
    client.force_login(personas["moderator"])
    queue = client.get(reverse("moderation_queue", args=[open_campaign.slug]))
    assert waiting_entry.title in queue.content.decode()
    response = client.post(
        reverse("moderation_bulk", args=[open_campaign.slug]),
        {"entry_ids": [waiting_entry.pk], "decision": "approved"},
    )
    assert response.status_code == 302
    waiting_entry.refresh_from_db()
    assert waiting_entry.status == EntryStatus.APPROVED


def test_bulk_moderation_rejects_ids_from_another_campaign(
    client, waiting_entry, personas, draft_campaign
):
    client.force_login(personas["moderator"])
    client.post(
        reverse("moderation_bulk", args=[draft_campaign.slug]),
        {"entry_ids": [waiting_entry.pk], "decision": "approved"},
    )
    waiting_entry.refresh_from_db()
    assert waiting_entry.status == EntryStatus.AWAITING_MODERATION


@pytest.mark.parametrize("persona", ["judge", "entrant"])
def test_people_who_may_not_moderate_get_403(
    client, waiting_entry, personas, open_campaign, persona
):
    client.force_login(personas[persona])
    assert client.get(reverse("moderation_queue", args=[open_campaign.slug])).status_code == 403
    response = client.post(
        reverse("moderation_decide", args=[waiting_entry.pk]), {"decision": "approved"}
    )
    assert response.status_code in (403, 404)
    waiting_entry.refresh_from_db()
    assert waiting_entry.status == EntryStatus.AWAITING_MODERATION


def test_a_submission_against_changed_terms_shows_the_new_terms(client, open_campaign, personas):
    from crowdstudio.campaigns.services import terms_publish

    client.force_login(personas["entrant"])
    data = entry_form_data(open_campaign)
    new = terms_publish(campaign=open_campaign, user=personas["owner"], body="Brand new terms.")
    response = client.post(reverse("entry_create", args=[open_campaign.slug]), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Brand new terms." in body and "terms have changed" in body
    assert f'name="terms_version_id" value="{new.id}"' in body
    assert Entry.objects.count() == 0


def test_a_body_larger_than_the_installation_takes_is_refused_at_the_door(
    client, open_campaign, personas
):
    client.force_login(personas["entrant"])
    response = client.post(
        reverse("entry_create", args=[open_campaign.slug]),
        entry_form_data(open_campaign),
        CONTENT_LENGTH=str(10**13),
    )
    assert response.status_code == 413
    assert Entry.objects.count() == 0


def test_the_organising_team_is_told_instead_of_shown_a_form(client, open_campaign, personas):
    client.force_login(personas["moderator"])
    body = client.get(reverse("entry_create", args=[open_campaign.slug])).content.decode()
    assert "cannot enter their own campaign" in body
    assert 'name="uploads"' not in body


def test_the_studio_uploads_a_track_which_plays_on_the_campaign_page(
    client, open_campaign, personas
):
    from crowdstudio.demo import make_track

    client.force_login(personas["producer"])
    url = reverse("track_upload", args=[open_campaign.slug])
    response = client.post(
        url,
        {
            "title": "Summer Nights",
            "artist": "The Long Evenings",
            "audio": upload("song.wav", make_track(seconds=1.0), "audio/wav"),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("campaign", args=[open_campaign.slug])).content.decode()
    assert "Summer Nights" in page and "<audio" in page


def test_a_photo_sent_as_a_track_is_refused_on_the_form(client, open_campaign, personas):
    client.force_login(personas["producer"])
    response = client.post(
        reverse("track_upload", args=[open_campaign.slug]), {"title": "Oops", "audio": photo(70)}
    )
    assert response.status_code == 400
    assert "does not accept this kind of media" in response.content.decode()
    assert not open_campaign.tracks.exists()
