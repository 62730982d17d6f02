"""Instagram connector against the local fake Graph API: quota, paging, no author, no replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crowdstudio.social.connectors import (
    InstagramConnector,
    NotAuthorised,
    QuotaExceeded,
    RateLimited,
)

from .fakes import FakeInstagram, drain

TAG = "vaccinesvideo"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def fake():
    with FakeInstagram(posts=120) as server:
        yield server


def make(fake, **kw):
    return InstagramConnector(
        ig_user_id=fake.ig_user_id, access_token=fake.token, graph_base=fake.graph_base, **kw
    )


def test_it_searches_the_hashtag_once_and_pages_recent_media_by_fifty(fake):
    connector = make(fake)
    posts, cursor = drain(connector, TAG)
    drain(connector, TAG, cursor)
    assert fake.searched_tags == [TAG]
    (search,) = fake.requests_to("ig_hashtag_search")
    assert (search.param("user_id"), search.param("q")) == (fake.ig_user_id, TAG)
    pages = fake.requests_to("recent_media")
    assert all(r.param("limit") == "50" for r in pages)
    assert all(r.param("user_id") == fake.ig_user_id for r in pages)
    assert "children{id,media_url,media_type}" in pages[0].param("fields")
    assert pages[1].param("after") == "71"
    assert len(posts) == 120


def test_the_searched_hashtags_are_reported_with_their_time(fake):
    connector = make(fake)
    connector.hashtag_id(TAG, now=NOW)
    connector.hashtag_id(TAG, now=NOW + timedelta(days=1))  # same tag: no new count
    assert connector.searched == {TAG: NOW}
    assert connector.quota_left(now=NOW) == 29
    assert connector.quota_frees_at(now=NOW) is None


def test_a_thirty_first_hashtag_in_seven_days_is_refused_before_asking(fake):
    searched = {f"tag{n}": NOW - timedelta(days=6, minutes=n) for n in range(30)}
    connector = make(fake, searched=searched)
    assert connector.quota_left(now=NOW) == 0
    with pytest.raises(QuotaExceeded) as caught:
        connector.hashtag_id("onemore", now=NOW)
    oldest = NOW - timedelta(days=6, minutes=29)
    assert caught.value.retry_after == (oldest + timedelta(days=7) - NOW).total_seconds()
    assert connector.quota_frees_at(now=NOW) == oldest + timedelta(days=7)
    assert fake.requests_to("ig_hashtag_search") == []
    connector.hashtag_id("tag3", now=NOW)  # already counted: still allowed


def test_searches_older_than_seven_days_no_longer_count(fake):
    searched = {f"tag{n}": NOW - timedelta(days=8) for n in range(30)}
    connector = make(fake, searched=searched)
    assert connector.quota_left(now=NOW) == 30
    connector.hashtag_id("fresh", now=NOW)
    assert connector.quota_used(now=NOW) == {"fresh": NOW}


def test_media_have_no_author_and_carousels_bring_every_child(fake):
    connector = make(fake)
    posts, _ = drain(connector, TAG)
    assert all(p.author_id == "" and p.author_handle == "" for p in posts)
    carousel = next(p for p in posts if p.id == fake.post_id(10))
    assert carousel.raw["media_type"] == "CAROUSEL_ALBUM"
    assert [m.url for m in carousel.media] == [
        f"{fake.base_url}/media/10-0.jpg",
        f"{fake.base_url}/media/10-1.jpg",
    ]
    single = next(p for p in posts if p.id == fake.post_id(11))
    assert single.url == "https://www.instagram.com/p/C000000011/"
    assert single.created_at == fake.start_time + fake.step * 11


def test_it_cannot_reply(fake):
    connector = make(fake)
    assert connector.can_reply is False
    post = connector.fetch_post(fake.post_id(3))
    assert post is not None
    with pytest.raises(NotAuthorised):
        connector.reply(to=post, text="hi")


def test_a_rate_limit_error_code_gives_the_time_to_regain_access(fake):
    connector = make(fake)
    fake.fail_next("rate_limit", retry_after=600)
    with pytest.raises(RateLimited) as caught:
        connector.fetch_hashtag(TAG, "")
    assert caught.value.retry_after == 600


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_every_documented_rate_limit_code_is_a_rate_limit(fake, code):
    connector = make(fake)
    original = fake.route

    def limited(request):
        answer = original(request)
        answer.status, answer.body = 400, {"error": {"message": "limit", "type": "x", "code": code}}
        return answer

    fake.route = limited
    with pytest.raises(RateLimited):
        connector.fetch_hashtag(TAG, "")


def test_a_bad_token_is_not_authorised(fake):
    connector = InstagramConnector(
        ig_user_id=fake.ig_user_id, access_token="wrong", graph_base=fake.graph_base
    )
    with pytest.raises(NotAuthorised):
        connector.fetch_hashtag(TAG, "")


def test_the_token_is_not_in_error_messages(fake):
    connector = make(fake)
    fake.stop()
    with pytest.raises(Exception) as caught:
        connector.fetch_hashtag(TAG, "")
    assert fake.token not in str(caught.value)


def test_media_outside_the_recent_window_are_not_served(fake):
    fake.clock = fake.start_time + fake.step * 120
    fake.recent_window = fake.step * 20
    posts, cursor = drain(make(fake), TAG)
    assert len(posts) == 21
    assert json.loads(cursor)["hashtag_id"] == fake.hashtag_id(TAG)
