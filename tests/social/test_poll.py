"""Polling a hashtag source: import once, resume after a crash, back off, never crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError

from crowdstudio.entries.models import Asset, Entry, EntrySource, EntryStatus
from crowdstudio.social import services
from crowdstudio.social.connectors.base import (
    BadResponse,
    NotAuthorised,
    RateLimited,
    Unavailable,
)
from crowdstudio.social.models import (
    HashtagSource,
    ImportedPost,
    PostOutcome,
    SocialIdentity,
    SourceStatus,
)
from tests.entries.samples import jpeg_bytes
from tests.social.conftest import NOW
from tests.social.memory_connector import MemoryConnector

pytestmark = pytest.mark.django_db


def test_it_imports_a_post_with_media_as_an_entry_by_a_placeholder_author(
    source, memory, rights_calls
):
    post = memory.add(text="Fireworks over the bay\n#summernights")

    result = services.source_poll(source=source, now=NOW)

    assert result.outcome == "ok"
    assert result.imported == 1
    entry = Entry.objects.get()
    assert entry.source == EntrySource.MASTODON
    assert entry.source_url == post.url
    assert entry.title == "Fireworks over the bay"
    assert entry.terms_version is None
    assert entry.status == EntryStatus.RECEIVED
    assert entry.assets.count() == 1
    identity = SocialIdentity.objects.get()
    assert entry.author == identity.user
    assert not identity.user.is_active
    assert not identity.user.has_usable_password()
    assert identity.user.display_name == "@fan@example.social"
    imported = ImportedPost.objects.get()
    assert imported.entry == entry and imported.author == identity
    assert imported.snapshot["text"] == post.text
    assert rights_calls["open"] == [(entry, post)]


def test_the_intake_of_an_imported_photo_runs_through_the_normal_pipeline(
    source, memory, rights_calls, run_worker, django_capture_on_commit_callbacks
):
    memory.add(media=jpeg_bytes(3))
    with django_capture_on_commit_callbacks(execute=True):
        services.source_poll(source=source, now=NOW)
    run_worker()
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.AWAITING_MODERATION
    assert entry.assets.get().web is not None


def test_overlapping_polls_never_import_a_post_twice(source, memory, rights_calls):
    for _i in range(4):
        memory.add()
    services.source_poll(source=source, now=NOW)
    # The network answers the same posts again from the start (an overlapping window).
    HashtagSource.objects.filter(pk=source.pk).update(cursor="")
    source.refresh_from_db()
    result = services.source_poll(source=source, now=NOW + timedelta(minutes=20))

    assert result.imported == 0
    assert result.already == 4
    assert Entry.objects.count() == 4
    assert ImportedPost.objects.count() == 4


def test_two_sources_seeing_the_same_post_import_it_once(
    source, memory, rights_calls, open_campaign, personas
):
    other = services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="mastodon",
        hashtag="nightsky",
        instance="https://example.social",
        now=NOW,
    )
    post = memory.add("summernights", hashtags=("summernights", "nightsky"))
    memory.posts["nightsky"] = [post]

    services.source_poll(source=source, now=NOW)
    result = services.source_poll(source=other, now=NOW)

    assert result.already == 1
    assert Entry.objects.count() == 1
    other.refresh_from_db()
    assert other.posts_already_imported == 1


def test_the_database_constraint_guards_a_post_imported_concurrently(source, open_campaign):
    ImportedPost.objects.create(
        campaign=open_campaign,
        network="mastodon",
        post_id="p1",
        created_at=NOW,
        outcome=PostOutcome.SKIPPED,
        imported_at=NOW,
    )
    with pytest.raises(IntegrityError):
        ImportedPost.objects.create(
            campaign=open_campaign,
            network="mastodon",
            post_id="p1",
            created_at=NOW,
            outcome=PostOutcome.SKIPPED,
            imported_at=NOW,
        )


def test_a_post_seen_by_another_worker_between_the_check_and_the_insert_is_skipped(
    source, memory, rights_calls, open_campaign, monkeypatch
):
    post = memory.add()
    # Another worker imported the post after this poll's check found nothing.
    monkeypatch.setattr(services, "_already_imported", lambda network, ids: set())
    ImportedPost.objects.create(
        campaign=open_campaign,
        network="mastodon",
        post_id=post.id,
        created_at=NOW,
        outcome=PostOutcome.SKIPPED,
        imported_at=NOW,
    )

    result = services.source_poll(source=source, now=NOW)

    assert result.outcome == "ok"
    assert result.already == 1
    assert Entry.objects.count() == 0
    assert ImportedPost.objects.count() == 1


def test_a_crash_mid_page_resumes_from_the_stored_cursor_without_duplicates(
    source, memory, rights_calls, monkeypatch
):
    for _i in range(7):  # pages of 3: [p1 p2 p3] [p4 p5 p6] [p7]
        memory.add()
    from crowdstudio.rights import services as rights

    real_open = rights.rights_open_import
    opened = []

    def crash_on_fifth(*, entry, post):
        opened.append(post.id)
        if len(opened) == 5:
            raise RuntimeError("worker killed")
        real_open(entry=entry, post=post)

    monkeypatch.setattr(rights, "rights_open_import", crash_on_fifth)
    first = services.source_poll(source=source, now=NOW)

    assert first.outcome == "error"
    source.refresh_from_db()
    assert source.cursor == "3"  # the first page committed with its cursor, the second did not
    assert Entry.objects.count() == 3
    assert "RuntimeError" in source.last_error

    monkeypatch.setattr(rights, "rights_open_import", real_open)
    HashtagSource.objects.filter(pk=source.pk).update(next_poll_at=NOW)
    second = services.source_poll(source=source, now=NOW + timedelta(minutes=5))

    assert second.outcome == "ok"
    assert Entry.objects.count() == 7
    assert ImportedPost.objects.count() == 7
    source.refresh_from_db()
    assert source.cursor == "7"
    assert source.backoff_level == 0
    assert source.last_error == ""


def test_posts_without_media_are_recorded_as_skipped_with_a_reason(source, memory, rights_calls):
    memory.add(media=None, text="Just words #summernights")
    memory.add(kind="other")

    result = services.source_poll(source=source, now=NOW)

    assert result.skipped == 2
    assert Entry.objects.count() == 0
    reasons = sorted(ImportedPost.objects.values_list("skip_reason", flat=True))
    assert reasons == ["media_not_accepted", "no_media"]
    source.refresh_from_db()
    assert source.posts_skipped == 2


def test_a_malformed_media_item_is_skipped_and_the_page_continues(source, memory, rights_calls):
    broken = memory.add()
    memory.add()
    memory.media_errors[broken.media[0].url] = BadResponse("not an image")

    result = services.source_poll(source=source, now=NOW)

    assert result.outcome == "ok"
    assert result.imported == 1
    assert ImportedPost.objects.get(post_id=broken.id).skip_reason == "media_failed"


def test_media_larger_than_the_campaign_allows_is_not_downloaded(
    source, memory, rights_calls, open_campaign
):
    open_campaign.max_file_mb = 1
    open_campaign.save()
    memory.add(media=b"x" * (1024 * 1024 + 1))
    services.source_poll(source=source, now=NOW)
    assert ImportedPost.objects.get().skip_reason == "media_failed"
    assert Asset.objects.count() == 0


def test_a_rate_limit_waits_for_retry_after(source, memory, rights_calls):
    memory.fail_next.append(RateLimited("slow down", retry_after=120))

    result = services.source_poll(source=source, now=NOW)

    assert result.outcome == "rate_limited"
    source.refresh_from_db()
    assert source.next_poll_at == NOW + timedelta(seconds=120)
    assert source.status == SourceStatus.ACTIVE
    assert source.last_error == "slow down"
    assert source.lease_until is None


def test_a_rate_limit_without_retry_after_backs_off_exponentially(source, memory, rights_calls):
    memory.fail_next.append(RateLimited("slow down"))
    services.source_poll(source=source, now=NOW)
    source.refresh_from_db()
    assert source.next_poll_at == NOW + timedelta(seconds=services.backoff_delay(1))


def test_a_server_error_backs_off_exponentially_and_marks_the_source_failing(
    source, memory, rights_calls
):
    now = NOW
    delays = []
    for _i in range(services.FAILING_AFTER):
        memory.fail_next.append(Unavailable("HTTP 500"))
        services.source_poll(source=source, now=now)
        source.refresh_from_db()
        delays.append((source.next_poll_at - now).total_seconds())
        now = source.next_poll_at

    assert delays == [60, 120, 240, 480, 960]
    assert source.status == SourceStatus.FAILING
    assert source.last_error == "HTTP 500"
    # A failing source is still polled; a good poll makes it active again.
    memory.add()
    assert services.source_poll(source=source, now=now).outcome == "ok"
    source.refresh_from_db()
    assert source.status == SourceStatus.ACTIVE
    assert source.backoff_level == 0


def test_the_back_off_is_capped():
    assert services.backoff_delay(30) == services.BACKOFF_CAP_SECONDS


def test_a_malformed_page_backs_off_and_keeps_the_cursor(source, memory, rights_calls):
    memory.fail_next.append(BadResponse("not JSON"))
    result = services.source_poll(source=source, now=NOW)
    assert result.outcome == "unavailable"
    source.refresh_from_db()
    assert source.cursor == ""
    assert source.backoff_level == 1


def test_a_refused_token_pauses_the_source_with_a_message_for_the_organiser(
    source, memory, rights_calls
):
    memory.fail_next.append(NotAuthorised("token mastodon-token-s3cret expired"))

    result = services.source_poll(source=source, now=NOW)

    assert result.outcome == "not_authorised"
    source.refresh_from_db()
    assert source.status == SourceStatus.PAUSED
    assert "new token" in source.last_error
    assert "mastodon-token-s3cret" not in source.last_error
    assert services.source_poll(source=source, now=NOW).outcome == "paused"


def test_an_unexpected_error_never_escapes_the_poll(source, monkeypatch, rights_calls):
    from crowdstudio.social import clients

    def boom(source):
        raise KeyError("surprise")

    monkeypatch.setattr(clients, "connector_for", boom)
    assert services.source_poll(source=source, now=NOW).outcome == "error"
    source.refresh_from_db()
    assert source.backoff_level == 1


def test_a_source_is_polled_by_one_worker_at_a_time(source, memory, rights_calls):
    HashtagSource.objects.filter(pk=source.pk).update(lease_until=NOW + timedelta(minutes=5))
    assert services.source_poll(source=source, now=NOW).outcome == "busy"
    assert memory.fetches == []
    # A lease that ran out (its worker died) is taken over.
    assert services.source_poll(source=source, now=NOW + timedelta(minutes=6)).outcome == "ok"


def test_consent_replies_are_handed_to_the_rights_app_and_not_imported(
    source, memory, rights_calls
):
    memory.add()
    reply = memory.add(
        "yescrowdstudio",
        media=None,
        text="@studio #YesCrowdstudio",
        in_reply_to_id="r1",
        hashtags=("yescrowdstudio",),
    )
    tagged = memory.add(
        text="#summernights #YesCrowdstudio",
        in_reply_to_id="r2",
        hashtags=("summernights", "yescrowdstudio"),
    )

    services.source_poll(source=source, now=NOW)

    assert tagged in rights_calls["consent"]
    assert reply in rights_calls["consent"]
    assert ("yescrowdstudio", "") in memory.fetches
    assert Entry.objects.count() == 1
    assert not ImportedPost.objects.filter(post_id__in=[reply.id, tagged.id]).exists()
    source.refresh_from_db()
    assert source.consent_cursor == "1"


def test_posts_older_than_the_start_date_are_ignored(source, memory, rights_calls):
    HashtagSource.objects.filter(pk=source.pk).update(since=NOW - timedelta(days=1))
    source.refresh_from_db()
    memory.add(created_at=NOW - timedelta(days=3))
    memory.add(created_at=NOW - timedelta(hours=3))
    assert services.source_poll(source=source, now=NOW).imported == 1


def test_a_long_backlog_is_imported_over_several_polls(source, memory, rights_calls, settings):
    settings.CROWDSTUDIO_SOCIAL_MAX_PAGES_PER_POLL = 2
    for _i in range(10):
        memory.add()
    services.source_poll(source=source, now=NOW)
    source.refresh_from_db()
    assert source.next_poll_at == NOW  # more is waiting: poll again at the next tick
    assert Entry.objects.count() == 6
    services.source_poll(source=source, now=NOW)
    assert Entry.objects.count() == 10
    source.refresh_from_db()
    assert source.next_poll_at == NOW + timedelta(seconds=900)


def test_the_author_of_several_posts_has_one_identity(source, memory, rights_calls):
    memory.add()
    memory.add(handle="@fan@example.social")
    services.source_poll(source=source, now=NOW)
    assert SocialIdentity.objects.count() == 1
    assert Entry.objects.values("author").distinct().count() == 1


def test_instagram_posts_without_an_author_get_one_identity_each(
    open_campaign, personas, monkeypatch, rights_calls
):
    from crowdstudio.social import clients

    instagram = MemoryConnector("instagram", can_reply=False)
    monkeypatch.setattr(clients, "connector_for", lambda source: instagram)
    ig = services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="instagram",
        hashtag="summernights",
        account="17841400000",
        secret="ig-token",
        now=NOW,
    )
    instagram.add(author_id="", handle="")
    instagram.add(author_id="", handle="")
    services.source_poll(source=ig, now=NOW)
    assert SocialIdentity.objects.count() == 2
    assert ("yescrowdstudio", "") not in instagram.fetches  # no replies on Instagram
