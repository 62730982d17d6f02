"""Behaviour every connector shares, each against its own local fake server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from crowdstudio.social.connectors import (
    BadResponse,
    BlueskyConnector,
    ConnectorError,
    InstagramConnector,
    MastodonConnector,
    RateLimited,
    Unavailable,
)
from crowdstudio.social.connectors.base import Connector

from .fakes import FakeBluesky, FakeInstagram, FakeMastodon, FakeServer, drain
from .fakes._server import photo_of_post

TAG = "vaccinesvideo"


@dataclass
class Setup:
    fake: Any
    connector: Connector


def _connect(fake: FakeServer) -> Connector:
    if isinstance(fake, FakeMastodon):
        return MastodonConnector(instance=fake.base_url, access_token=fake.token)
    if isinstance(fake, FakeBluesky):
        return BlueskyConnector(
            identifier=fake.handle, app_password=fake.app_password, service=fake.base_url
        )
    assert isinstance(fake, FakeInstagram)
    return InstagramConnector(
        ig_user_id=fake.ig_user_id, access_token=fake.token, graph_base=fake.graph_base
    )


@pytest.fixture(params=["mastodon", "bluesky", "instagram"])
def net(request) -> Iterator[Setup]:
    cls = {"mastodon": FakeMastodon, "bluesky": FakeBluesky, "instagram": FakeInstagram}
    with cls[request.param](posts=130, huge_media_bytes=3 * 1024 * 1024) as fake:
        yield Setup(fake, _connect(fake))


def ids(posts) -> list[str]:
    return [p.id for p in posts]


def test_it_pages_through_every_post_exactly_once(net):
    posts, _ = drain(net.connector, TAG)
    assert len(posts) == 130
    assert set(ids(posts)) == {net.fake.post_id(i) for i in range(1, 131)}
    assert all(p.network == net.connector.network and p.url for p in posts)
    assert all(p.created_at.tzinfo is not None for p in posts)
    assert all(TAG in p.hashtags for p in posts)


def test_it_resumes_from_a_stored_cursor_after_new_posts_arrive(net):
    first, cursor = drain(net.connector, TAG)
    net.fake.generate(75)
    second, cursor = drain(net.connector, TAG, cursor)
    assert sorted(ids(second)) == sorted(net.fake.post_id(i) for i in range(131, 206))
    assert not set(ids(first)) & set(ids(second))
    third, _ = drain(net.connector, TAG, cursor)
    assert third == []


def test_a_poll_with_nothing_new_returns_nothing_and_keeps_its_place(net):
    _, cursor = drain(net.connector, TAG)
    again, cursor = drain(net.connector, TAG, cursor)
    assert again == []
    net.fake.add_post(text=f"late #{TAG}")
    latest, _ = drain(net.connector, TAG, cursor)
    assert [p.text for p in latest] == [f"late #{TAG}"]


def test_posts_arriving_while_the_first_walk_runs_are_not_missed(net):
    page = net.connector.fetch_hashtag(TAG, "")
    net.fake.generate(60)
    rest, cursor = drain(net.connector, TAG, page.cursor)
    later, _ = drain(net.connector, TAG, cursor)  # Instagram sweeps once per poll
    everything = ids(page.posts) + ids(rest) + ids(later)
    assert sorted(everything) == sorted(net.fake.post_id(i) for i in range(1, 191))
    assert len(everything) == len(set(everything))


def test_a_rate_limit_raises_rate_limited_with_retry_after_and_the_cursor_still_works(net):
    page = net.connector.fetch_hashtag(TAG, "")
    net.fake.fail_next("rate_limit", retry_after=120)
    with pytest.raises(RateLimited) as caught:
        net.connector.fetch_hashtag(TAG, page.cursor)
    assert caught.value.retryable
    assert caught.value.retry_after == pytest.approx(120, abs=1)
    rest, _ = drain(net.connector, TAG, page.cursor)
    assert len(ids(page.posts) + ids(rest)) == 130
    assert len(set(ids(page.posts) + ids(rest))) == 130


def test_a_server_error_raises_unavailable(net):
    net.connector.fetch_hashtag(TAG, "")  # log in / search the hashtag first
    net.fake.fail_next("error")
    with pytest.raises(Unavailable):
        net.connector.fetch_hashtag(TAG, "")


def test_malformed_json_raises_bad_response(net):
    _, cursor = drain(net.connector, TAG)
    net.fake.fail_next("malformed")
    with pytest.raises(BadResponse):
        net.connector.fetch_hashtag(TAG, cursor)


def test_an_answer_of_the_wrong_shape_raises_bad_response(net):
    _, cursor = drain(net.connector, TAG)
    net.fake.fail_next("bad_shape")
    with pytest.raises(BadResponse):
        net.connector.fetch_hashtag(TAG, cursor)


def test_a_deleted_post_is_fetched_as_none(net):
    gone = net.fake.add_post(text=f"soon gone #{TAG}")
    kept = net.fake.add_post(text=f"still here #{TAG}")
    net.fake.delete_post(gone.index)
    assert net.connector.fetch_post(net.fake.post_id(gone.index)) is None
    post = net.connector.fetch_post(net.fake.post_id(kept.index))
    assert post is not None
    assert post.text == f"still here #{TAG}"


def test_deleted_posts_are_left_out_of_pages(net):
    net.fake.delete_post(7)
    posts, _ = drain(net.connector, TAG)
    assert net.fake.post_id(7) not in ids(posts)
    assert len(posts) == 129


def test_a_post_without_media_has_no_media(net):
    _, cursor = drain(net.connector, TAG)
    net.fake.add_post(text=f"just words #{TAG}", media=0)
    posts, _ = drain(net.connector, TAG, cursor)
    assert [p.media for p in posts] == [()]


def test_media_downloads_within_the_limit(net):
    posts, _ = drain(net.connector, TAG)
    media = next(p.media[0] for p in posts if p.media)
    index = int(media.url.rsplit("/", 1)[-1].split("-", 1)[0])
    assert net.connector.download(media, max_bytes=1024 * 1024) == photo_of_post(index)


@pytest.mark.parametrize("declared", [True, False])
def test_media_over_the_size_limit_is_refused(net, declared):
    _, cursor = drain(net.connector, TAG)
    net.fake.declare_huge_length = declared
    net.fake.add_post(text=f"big #{TAG}", huge_media=True)
    (post,), _ = drain(net.connector, TAG, cursor)
    with pytest.raises(ConnectorError, match=r"limit|larger"):
        net.connector.download(post.media[0], max_bytes=1024 * 1024)


def test_an_item_of_the_wrong_shape_is_skipped_and_counted(net, monkeypatch):
    original = net.fake.route

    def broken(request):
        answer = original(request)
        items = answer.body if isinstance(answer.body, list) else None
        if isinstance(answer.body, dict):
            items = answer.body.get("posts") or answer.body.get("data")
        listing = any(k in request.path for k in ("timelines", "searchPosts", "recent_media"))
        if listing and items and isinstance(items[0], dict):
            items[0] = {"id": 5}
        return answer

    monkeypatch.setattr(net.fake, "route", broken)
    page = net.connector.fetch_hashtag(TAG, "")
    assert page.skipped == 1
    assert len(page.posts) >= 1
