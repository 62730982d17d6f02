"""The rights pages: the creator's link flow, the entry panel, the team's batch send."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crowdstudio.campaigns.services import current_terms
from crowdstudio.rights import services
from crowdstudio.rights.models import RightsRecord, RightsRequest, RightsStatus
from tests.rights.conftest import post

pytestmark = pytest.mark.django_db


def test_the_creator_signs_in_proves_the_handle_and_accepts_on_the_site(
    client, imported_entry, open_campaign, make_user, fake_social, personas
):
    entry = imported_entry("100")
    [sent] = services.rights_request_send(entries=[entry], user=personas["moderator"]).sent
    link = reverse("rights_link", kwargs={"token": sent.token})
    page = client.get(link)
    assert b"You grant us a licence." in page.content  # the terms, rendered
    assert b"Sign in" in page.content
    fan = make_user("fan")
    client.force_login(fan)
    client.post(reverse("rights_prove", kwargs={"token": sent.token}))
    sent.refresh_from_db()
    assert f"CS-{sent.proof_code}".encode() in client.get(link).content
    services.consent_replies_seen(
        campaign=open_campaign,
        network="mastodon",
        posts=[post("300", text=f"#summernights CS-{sent.proof_code}", hashtags=("summernights",))],
    )
    assert b"Accept and grant the rights" in client.get(link).content
    response = client.post(
        reverse("rights_accept", kwargs={"token": sent.token}),
        {"accept_terms": "on", "terms_version_id": current_terms(open_campaign).id},
    )
    assert response.status_code == 302
    assert RightsRecord.objects.get(entry=entry).status == RightsStatus.GRANTED
    entry.refresh_from_db()
    assert entry.author == fan
    assert b"answered" in client.get(link).content


def test_the_author_sees_the_panel_and_withdraws_from_the_entry_page(
    client, approved_entry, personas
):
    entry = approved_entry(personas["entrant"])
    client.force_login(personas["entrant"])
    page = client.get(reverse("entry", kwargs={"pk": entry.pk}))
    assert b"Withdraw consent" in page.content
    client.post(
        reverse("rights_withdraw", kwargs={"pk": entry.pk}), {"reason": "No", "confirm": "on"}
    )
    assert RightsRecord.objects.get(entry=entry).status == RightsStatus.WITHDRAWN
    assert b"Withdraw consent" not in client.get(reverse("entry", kwargs={"pk": entry.pk})).content


def test_withdrawing_without_confirmation_changes_nothing(client, approved_entry, personas):
    entry = approved_entry(personas["entrant"])
    client.force_login(personas["entrant"])
    client.post(reverse("rights_withdraw", kwargs={"pk": entry.pk}), {"reason": "No"})
    assert not RightsRecord.objects.filter(entry=entry).exists()


def test_the_team_sends_a_batch_from_the_rights_page(
    client, imported_entry, open_campaign, personas, fake_social
):
    entries = [imported_entry(str(100 + i)) for i in range(3)]
    client.force_login(personas["moderator"])
    page = client.get(reverse("rights_campaign", kwargs={"slug": open_campaign.slug}))
    assert page.status_code == 200
    assert b'name="entries"' in page.content
    url = reverse("rights_send", kwargs={"slug": open_campaign.slug})
    client.post(url, {"entries": [e.pk for e in entries]})
    client.post(url, {"entries": [e.pk for e in entries]})  # a double click
    assert RightsRequest.objects.filter(entry__in=entries).count() == 3
    toolbar = client.get(reverse("campaign", kwargs={"slug": open_campaign.slug}))
    assert (
        reverse("rights_campaign", kwargs={"slug": open_campaign.slug}).encode() in toolbar.content
    )


def test_a_bad_policy_shows_the_form_again(client, open_campaign, personas):
    client.force_login(personas["owner"])
    response = client.post(
        reverse("rights_policy", kwargs={"slug": open_campaign.slug}),
        {"consent_hashtag": "two words", "request_expiry_days": "14", "reply_templates": "x"},
    )
    assert response.status_code == 400


def test_the_campaign_rights_page_does_not_query_per_row(
    client, imported_entry, open_campaign, fake_social, personas, django_assert_max_num_queries
):
    entries = [imported_entry(str(100 + n)) for n in range(6)]
    services.rights_request_send(entries=entries[:4], user=personas["moderator"])
    client.force_login(personas["moderator"])
    url = reverse("rights_campaign", kwargs={"slug": open_campaign.slug})
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert all(entry.title in html for entry in entries)
