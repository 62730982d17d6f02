"""Mastodon connector against the local fake instance: Link paging, HTML, replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crowdstudio.social.connectors import MastodonConnector, NotAuthorised, RateLimited
from crowdstudio.social.connectors._http import html_to_text
from crowdstudio.social.connectors.mastodon import parse_link_header

from .fakes import FakeMastodon, drain

TAG = "vaccinesvideo"


@pytest.fixture
def fake():
    with FakeMastodon(posts=90) as server:
        yield server


@pytest.fixture
def connector(fake):
    return MastodonConnector(instance=fake.base_url, access_token=fake.token)


def test_it_follows_the_link_header_and_asks_for_at_most_forty(fake, connector):
    drain(connector, TAG)
    timeline = fake.requests_to("/timelines/tag/")
    assert all(r.param("limit") == "40" for r in timeline)
    assert "max_id" not in timeline[0].query
    # Later pages use exactly the addresses the server gave in rel="next" / rel="prev".
    assert timeline[1].param("max_id") == fake.post_id(51)
    assert timeline[-1].param("min_id") == fake.post_id(90)


def test_a_link_address_to_another_host_in_the_cursor_is_ignored(fake, connector):
    page = connector.fetch_hashtag(TAG, "")
    state = json.loads(page.cursor)
    state["url"] = "https://evil.example/api/v1/timelines/tag/x?max_id=1"
    connector.fetch_hashtag(TAG, json.dumps(state))
    assert fake.requests_to("/timelines/tag/")[-1].query == {"limit": ["40"]}


def test_the_first_walk_stops_at_the_backfill_limit_then_follows_new_posts(fake):
    connector = MastodonConnector(instance=fake.base_url, access_token=fake.token, backfill_pages=1)
    first, cursor = drain(connector, TAG)
    assert len(first) == 40
    fake.generate(3)
    newer, _ = drain(connector, TAG, cursor)
    assert [p.id for p in newer] == [fake.post_id(i) for i in (93, 92, 91)]


def test_the_first_walk_stops_at_posts_older_than_not_before(fake):
    not_before = fake.start_time + fake.step * 81
    connector = MastodonConnector(
        instance=fake.base_url, access_token=fake.token, not_before=not_before
    )
    posts, _ = drain(connector, TAG)
    assert sorted(p.id for p in posts) == sorted(fake.post_id(i) for i in range(81, 91))


def test_a_rate_limit_reset_time_is_used_when_there_is_no_retry_after(fake, connector):
    original = fake.fault_answer

    def reset_only(kind, retry_after):
        answer = original(kind, retry_after)
        del answer.headers["Retry-After"]
        reset = datetime.now(UTC) + timedelta(minutes=5)
        answer.headers["X-RateLimit-Reset"] = reset.isoformat().replace("+00:00", "Z")
        return answer

    fake.fault_answer = reset_only
    fake.fail_next("rate_limit")
    with pytest.raises(RateLimited) as caught:
        connector.fetch_hashtag(TAG, "")
    assert 240 < (caught.value.retry_after or 0) <= 300


def test_html_content_becomes_plain_text_without_markup(fake, connector):
    _, cursor = drain(connector, TAG)
    fake.add_post(
        html=(
            '<p>Hello <a href="https://x.example/tags/vaccinesvideo" class="hashtag">'
            "#<span>vaccinesvideo</span></a> &amp; friends&#39;<br>second line</p>"
            "<p>new <b>paragraph</b><script>alert(1)</script> &lt;i&gt;kept as text&lt;/i&gt;</p>"
        )
    )
    (post,), _ = drain(connector, TAG, cursor)
    assert post.text == (
        "Hello #vaccinesvideo & friends'\nsecond line\n\nnew paragraph <i>kept as text</i>"
    )
    assert "alert" not in post.text
    assert "<p>" not in post.text and "<a" not in post.text


def test_html_to_text_drops_styles_and_collapses_space():
    assert html_to_text("<div>  a \n b </div><style>p{}</style><ul><li>c</li></ul>") == "a b\n\nc"
    assert html_to_text("") == ""


def test_a_post_reads_author_reply_and_media_fields(fake, connector):
    parent = fake.add_post(text=f"my photo #{TAG}", author="fan1")
    reply = fake.add_post(
        text=f"#YesCrowdstudio #{TAG}", author="fan1", in_reply_to=parent.index, media=0
    )
    post = connector.fetch_post(fake.post_id(reply.index))
    assert post is not None
    assert post.author_handle == "@fan1@127.0.0.1"
    assert post.author_id == fake.account_id("fan1")
    assert post.in_reply_to_id == fake.post_id(parent.index)
    assert post.in_reply_to_author_id == fake.account_id("fan1")
    assert post.hashtags == ("yescrowdstudio", TAG)
    assert post.raw["id"] == fake.post_id(reply.index)
    photo = connector.fetch_post(fake.post_id(parent.index))
    assert photo is not None
    assert photo.media[0].kind == "image"
    assert (photo.media[0].width, photo.media[0].height) == (48, 32)


def test_an_edited_post_carries_its_edit_time(fake, connector):
    fake.edit_post(5, text="changed")
    post = connector.fetch_post(fake.post_id(5))
    assert post is not None
    assert post.text == "changed"
    assert post.edited_at == fake.start_time + fake.step * 5 + timedelta(hours=1)


def test_a_reply_carries_the_token_and_an_idempotency_key(fake, connector):
    target = connector.fetch_post(fake.post_id(10))
    assert target is not None
    reply = connector.reply(to=target, text="May we use it? #YesCrowdstudio", idempotency_key="k1")
    (sent,) = fake.requests_to("/api/v1/statuses", method="POST")
    assert sent.headers["authorization"] == f"Bearer {fake.token}"
    assert sent.headers["idempotency-key"] == "k1"
    assert sent.json == {
        "status": "@fan10@127.0.0.1 May we use it? #YesCrowdstudio",
        "in_reply_to_id": fake.post_id(10),
        "visibility": "public",
    }
    assert reply.in_reply_to_id == target.id
    assert reply.author_handle == "@studio@127.0.0.1"


def test_a_retried_reply_with_the_same_key_posts_once(fake, connector):
    target = connector.fetch_post(fake.post_id(10))
    assert target is not None
    first = connector.reply(to=target, text="hello", idempotency_key="same")
    second = connector.reply(to=target, text="hello", idempotency_key="same")
    assert first.id == second.id
    assert len(fake.replies) == 1


def test_a_reply_without_a_valid_token_is_not_authorised(fake):
    target = MastodonConnector(instance=fake.base_url).fetch_post(fake.post_id(3))
    assert target is not None
    with pytest.raises(NotAuthorised):
        MastodonConnector(instance=fake.base_url).reply(to=target, text="hi")
    with pytest.raises(NotAuthorised):
        MastodonConnector(instance=fake.base_url, access_token="wrong").reply(to=target, text="hi")
    assert fake.replies == []


def test_the_link_header_parser_reads_both_relations():
    links = parse_link_header(
        '<https://m.example/api/v1/timelines/tag/x?max_id=5>; rel="next", '
        '<https://m.example/api/v1/timelines/tag/x?min_id=9>; rel="prev"'
    )
    assert links == {
        "next": "https://m.example/api/v1/timelines/tag/x?max_id=5",
        "prev": "https://m.example/api/v1/timelines/tag/x?min_id=9",
    }
    assert parse_link_header("") == {}


def test_an_instance_address_must_be_http():
    with pytest.raises(ValueError):
        MastodonConnector(instance="ftp://m.example")
    assert MastodonConnector(instance="m.example").instance == "https://m.example"
