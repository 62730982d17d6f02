"""Bluesky connector against the local fake: sessions, search cursor, reply references."""

from __future__ import annotations

import pytest

from crowdstudio.social.connectors import BlueskyConnector, NotAuthorised
from crowdstudio.social.connectors.bluesky import facets_for

from .fakes import FakeBluesky, drain

TAG = "vaccinesvideo"


@pytest.fixture
def fake():
    with FakeBluesky(posts=120) as server:
        yield server


@pytest.fixture
def connector(fake):
    return BlueskyConnector(
        identifier=fake.handle, app_password=fake.app_password, service=fake.base_url
    )


def test_it_logs_in_once_and_searches_latest_with_the_session(fake, connector):
    drain(connector, TAG)
    assert len(fake.requests_to("createSession")) == 1
    login = fake.requests_to("createSession")[0].json
    assert login == {"identifier": fake.handle, "password": fake.app_password}
    searches = fake.requests_to("searchPosts")
    assert all(r.headers["authorization"] == "Bearer access-1" for r in searches)
    assert {(r.param("q"), r.param("sort"), r.param("limit")) for r in searches} == {
        (f"#{TAG}", "latest", "100")
    }
    assert searches[1].param("cursor")


def test_an_expired_access_token_is_refreshed_and_the_request_repeated(fake, connector):
    page = connector.fetch_hashtag(TAG, "")
    fake.expire_sessions()
    connector.fetch_hashtag(TAG, page.cursor)
    assert len(fake.requests_to("refreshSession")) == 1
    assert fake.requests_to("refreshSession")[0].headers["authorization"] == "Bearer refresh-1"
    assert fake.requests_to("searchPosts")[-1].headers["authorization"] == "Bearer access-2"
    assert len(fake.requests_to("createSession")) == 1


def test_when_refreshing_fails_it_logs_in_again(fake, connector):
    page = connector.fetch_hashtag(TAG, "")
    fake.expire_sessions()
    fake.valid_refresh.clear()
    connector.fetch_hashtag(TAG, page.cursor)
    assert len(fake.requests_to("createSession")) == 2


def test_a_stored_session_is_reused_without_logging_in(fake, connector):
    connector.fetch_hashtag(TAG, "")
    again = BlueskyConnector(
        identifier=fake.handle,
        app_password=fake.app_password,
        service=fake.base_url,
        session=connector.session,
    )
    again.fetch_hashtag(TAG, "")
    assert len(fake.requests_to("createSession")) == 1


def test_a_wrong_app_password_is_not_authorised(fake):
    connector = BlueskyConnector(identifier=fake.handle, app_password="nope", service=fake.base_url)
    with pytest.raises(NotAuthorised):
        connector.fetch_hashtag(TAG, "")


def test_a_post_has_its_web_address_author_and_images(fake, connector):
    post = connector.fetch_post(fake.post_id(12))
    assert post is not None
    assert post.url == f"https://bsky.app/profile/fan12.bsky.example/post/3kz{12:010d}"
    assert post.author_id == fake.did_of("fan12")
    assert post.author_handle == "fan12.bsky.example"
    assert post.hashtags == (TAG,)
    assert [m.url for m in post.media] == [f"{fake.base_url}/media/12-0.jpg"]
    assert post.media[0].description == "Image 0 of post 12"
    assert post.raw["cid"] == fake.cid_of(12)


def test_a_reply_to_a_top_level_post_uses_it_as_root_and_parent(fake, connector):
    target = connector.fetch_post(fake.post_id(12))
    assert target is not None
    reply = connector.reply(to=target, text="May we use it? Reply #YesCrowdstudio")
    (sent,) = fake.requests_to("createRecord")
    assert sent.headers["authorization"].startswith("Bearer access-")
    body = sent.json
    assert body["repo"] == fake.studio_did
    assert body["collection"] == "app.bsky.feed.post"
    ref = {"uri": fake.post_id(12), "cid": fake.cid_of(12)}
    assert body["record"]["reply"] == {"root": ref, "parent": ref}
    assert body["record"]["facets"][0]["features"] == [
        {"$type": "app.bsky.richtext.facet#tag", "tag": "YesCrowdstudio"}
    ]
    assert reply.in_reply_to_id == target.id
    assert reply.author_id == fake.studio_did
    assert connector.fetch_post(reply.id) is not None


def test_a_reply_inside_a_thread_keeps_the_thread_root(fake, connector):
    answer = fake.add_post(text="nice #vaccinesvideo", author="fan3", in_reply_to=12)
    target = connector.fetch_post(fake.post_id(answer.index))
    assert target is not None
    assert target.in_reply_to_id == fake.post_id(12)
    assert target.in_reply_to_author_id == fake.did_of("fan12")
    connector.reply(to=target, text="thanks")
    reply = fake.requests_to("createRecord")[0].json["record"]["reply"]
    assert reply["root"] == {"uri": fake.post_id(12), "cid": fake.cid_of(12)}
    assert reply["parent"] == {"uri": fake.post_id(answer.index), "cid": fake.cid_of(answer.index)}


def test_facets_count_bytes_not_characters():
    body = "Ünïcode #Tag https://x.example/r/1."
    tag, link = facets_for(body)
    encoded = body.encode()
    assert encoded[tag["index"]["byteStart"] : tag["index"]["byteEnd"]] == b"#Tag"
    assert (
        encoded[link["index"]["byteStart"] : link["index"]["byteEnd"]] == b"https://x.example/r/1"
    )


def test_when_the_search_stops_handing_out_a_cursor_the_next_poll_still_starts_at_the_top(fake):
    # The search cursor does not promise the whole result set: a walk may end early.
    fake.search_page_cap = 1
    connector = BlueskyConnector(
        identifier=fake.handle, app_password=fake.app_password, service=fake.base_url
    )
    first, cursor = drain(connector, TAG)
    assert len(first) == 100
    fake.generate(2)
    later, _ = drain(connector, TAG, cursor)
    assert sorted(p.id for p in later) == sorted(fake.post_id(i) for i in (121, 122))


def test_posts_older_than_not_before_are_left_out(fake):
    connector = BlueskyConnector(
        identifier=fake.handle,
        app_password=fake.app_password,
        service=fake.base_url,
        not_before=fake.start_time + fake.step * 111,
    )
    posts, _ = drain(connector, TAG)
    assert sorted(p.id for p in posts) == sorted(fake.post_id(i) for i in range(111, 121))
