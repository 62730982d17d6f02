"""The importer against a real client and its local fake network (no in-memory shortcut).

Mastodon: the real MastodonConnector talks HTTP to FakeMastodon on 127.0.0.1, with Link-header
paging, generated JPEG media, a 429 with Retry-After, a 500 and malformed JSON.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from crowdstudio.entries.models import Entry, EntrySource
from crowdstudio.social import services
from crowdstudio.social.models import HashtagSource, ImportedPost, SourceStatus
from tests.social.conftest import NOW
from tests.social.fakes import FakeMastodon

pytestmark = pytest.mark.django_db

TAG = "summernights"


@pytest.fixture
def fake():
    with FakeMastodon(tag=TAG, posts=0, start=NOW - timedelta(days=2)) as server:
        yield server


@pytest.fixture
def mastodon_source(fake, open_campaign, personas, rights_calls):
    return services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="mastodon",
        hashtag=TAG,
        instance=fake.base_url,
        secret=fake.token,
        now=NOW,
    )


def _poll(source, now):
    HashtagSource.objects.filter(pk=source.pk).update(next_poll_at=now)
    source.refresh_from_db()
    return services.source_poll(source=source, now=now)


def test_posts_from_the_fake_instance_become_entries_once(fake, mastodon_source):
    fake.generate(45)  # more than one page of 40
    fake.add_post(text=f"only words #{TAG}", media=0)

    first = _poll(mastodon_source, NOW)

    assert first.outcome == "ok", mastodon_source.last_error
    assert first.imported == 45
    assert first.skipped == 1
    entry = Entry.objects.filter(source=EntrySource.MASTODON).first()
    assert entry is not None and entry.source_url.startswith(fake.base_url)

    fake.generate(3)
    second = _poll(mastodon_source, NOW + timedelta(minutes=15))
    assert second.imported == 3
    assert Entry.objects.count() == 48
    assert ImportedPost.objects.count() == 49


def test_the_fake_networks_failures_back_off_and_resume_without_duplicates(fake, mastodon_source):
    fake.generate(10)
    fake.fail_next("rate_limit", retry_after=90)
    assert _poll(mastodon_source, NOW).outcome == "rate_limited"
    mastodon_source.refresh_from_db()
    assert mastodon_source.next_poll_at == NOW + timedelta(seconds=90)

    fake.fail_next("error")
    assert _poll(mastodon_source, NOW + timedelta(minutes=2)).outcome == "unavailable"
    fake.fail_next("malformed")
    assert _poll(mastodon_source, NOW + timedelta(minutes=4)).outcome == "unavailable"
    mastodon_source.refresh_from_db()
    assert mastodon_source.backoff_level == 3

    assert _poll(mastodon_source, NOW + timedelta(minutes=10)).outcome == "ok"
    assert _poll(mastodon_source, NOW + timedelta(minutes=30)).outcome == "ok"
    assert Entry.objects.count() == 10
    mastodon_source.refresh_from_db()
    assert mastodon_source.status == SourceStatus.ACTIVE
    assert mastodon_source.backoff_level == 0


def test_a_reply_reaches_the_fake_instance(fake, mastodon_source):
    fake.generate(1)
    _poll(mastodon_source, NOW)
    reply = services.reply_post(entry=Entry.objects.get(), text="May we use it? #YesCrowdstudio")
    assert reply is not None
    assert len(fake.replies) == 1
