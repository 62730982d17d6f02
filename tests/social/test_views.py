"""The studio pages of hashtag sources and imported posts, and the hooks in shared pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crowdstudio.entries.models import Entry
from crowdstudio.lib import crypto
from crowdstudio.social import services
from crowdstudio.social.models import HashtagSource
from tests.permissions import client_as
from tests.social.conftest import NOW

pytestmark = pytest.mark.django_db


def test_connecting_a_hashtag_stores_the_token_and_never_shows_it_again(open_campaign, personas):
    client = client_as(personas, "owner")
    response = client.post(
        reverse("social_source_connect", args=[open_campaign.slug]),
        {
            "network": "bluesky",
            "hashtag": "#SummerNights",
            "account": "studio.bsky.social",
            "secret": "app-pass-w0rd-xyz",
            "poll_minutes": "15",
        },
    )
    assert response.status_code == 302
    source = HashtagSource.objects.get()
    assert crypto.decrypt(source.credentials_encrypted) == "app-pass-w0rd-xyz"

    listing = client.get(reverse("social_sources", args=[open_campaign.slug]))
    edit = client.get(reverse("social_source_edit", args=[open_campaign.slug, source.pk]))
    for page in (listing, edit):
        html = page.content.decode()
        assert "app-pass-w0rd-xyz" not in html
        assert source.credentials_encrypted not in html
        assert "#summernights" in html
        assert ">set<" in html or "<strong>set</strong>" in html


def test_a_refused_connection_shows_the_error_without_echoing_the_token(open_campaign, personas):
    response = client_as(personas, "owner").post(
        reverse("social_source_connect", args=[open_campaign.slug]),
        {"network": "mastodon", "hashtag": "ok", "secret": "tok-123-secret", "poll_minutes": "15"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "tok-123-secret" not in html
    assert "Mastodon server" in html


def test_the_sources_page_shows_instagram_hashtags_left_this_week(open_campaign, personas):
    services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="instagram",
        hashtag="summernights",
        account="1784",
        secret="ig-token-secret",
    )
    html = (
        client_as(personas, "producer")
        .get(reverse("social_sources", args=[open_campaign.slug]))
        .content.decode()
    )
    assert "30 Instagram hashtags left this week" in html
    assert "ig-token-secret" not in html


def test_the_judge_sees_sources_but_not_the_connect_form(source, personas, open_campaign):
    html = (
        client_as(personas, "judge")
        .get(reverse("social_sources", args=[open_campaign.slug]))
        .content.decode()
    )
    assert "#summernights" in html
    assert "Connect a hashtag" not in html
    assert "Poll now" not in html


def test_imported_posts_link_the_original_and_the_entry(
    source, memory, rights_calls, personas, open_campaign
):
    post = memory.add(text="Lanterns <b>by</b> the lake")
    services.source_poll(source=source, now=NOW)
    entry = Entry.objects.get()
    html = (
        client_as(personas, "moderator")
        .get(reverse("social_posts", args=[open_campaign.slug]))
        .content.decode()
    )
    assert post.url in html
    assert reverse("entry", args=[entry.pk]) in html
    assert "@fan@example.social" in html
    assert "&lt;b&gt;by&lt;/b&gt;" in html


def test_the_entry_page_says_where_an_imported_entry_came_from(
    source, memory, rights_calls, personas
):
    post = memory.add()
    services.source_poll(source=source, now=NOW)
    entry = Entry.objects.get()
    html = client_as(personas, "owner").get(reverse("entry", args=[entry.pk])).content
    assert b"imported from Mastodon" in html
    assert post.url.encode() in html


def test_the_studio_toolbar_links_the_hashtags(open_campaign, personas):
    html = client_as(personas, "judge").get(reverse("campaign", args=[open_campaign.slug])).content
    assert reverse("social_sources", args=[open_campaign.slug]).encode() in html
    html = (
        client_as(personas, "entrant").get(reverse("campaign", args=[open_campaign.slug])).content
    )
    assert reverse("social_sources", args=[open_campaign.slug]).encode() not in html


def test_editing_keeps_the_token_when_left_empty(source, personas, open_campaign):
    response = client_as(personas, "producer").post(
        reverse("social_source_edit", args=[open_campaign.slug, source.pk]),
        {"account": "", "secret": "", "poll_minutes": "30"},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert crypto.decrypt(source.credentials_encrypted) == "mastodon-token-s3cret"
    assert source.poll_interval_seconds == 1800


def test_a_source_of_another_campaign_is_not_found(source, personas, draft_campaign):
    response = client_as(personas, "owner").post(
        reverse("social_source_pause", args=[draft_campaign.slug, source.pk])
    )
    assert response.status_code == 404


def test_the_imported_posts_page_does_not_query_per_row(
    source, memory, open_campaign, personas, django_assert_max_num_queries
):
    for _i in range(6):
        memory.add()
    memory.add(media=None, text="Just words #summernights")
    services.source_poll(source=source, now=NOW)
    client = client_as(personas, "owner")
    url = reverse("social_posts", args=[open_campaign.slug])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 8  # the header and seven posts
