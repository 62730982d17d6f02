"""Sources, the poll schedule, Instagram's hashtag quota, identities and replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from crowdstudio.audit.models import AuditEvent
from crowdstudio.entries.models import Entry
from crowdstudio.lib import crypto
from crowdstudio.lib.errors import Conflict, ServiceError
from crowdstudio.social import services
from crowdstudio.social.models import (
    HashtagSource,
    InstagramHashtagUse,
    SocialIdentity,
    SourceStatus,
)
from tests.social.conftest import NOW
from tests.social.memory_connector import MemoryConnector

pytestmark = pytest.mark.django_db


def _poll_tasks() -> int:
    return DBTaskResult.objects.filter(task_path="crowdstudio.social.tasks.poll_source").count()


# --- connecting ------------------------------------------------------------------------------


def test_connecting_stores_the_secret_encrypted_and_logs_no_secret(source):
    assert source.hashtag == "summernights"
    assert source.instance == "https://example.social"
    assert "mastodon-token-s3cret" not in source.credentials_encrypted
    assert crypto.decrypt(source.credentials_encrypted) == "mastodon-token-s3cret"
    event = AuditEvent.objects.get(action="social.source_connected")
    assert "s3cret" not in str(event.data)
    assert event.data["credentials"] == "set"


def test_the_same_hashtag_cannot_be_connected_twice(source, open_campaign, personas):
    with pytest.raises(Conflict):
        services.source_connect(
            campaign=open_campaign,
            user=personas["owner"],
            network="mastodon",
            hashtag="summernights",
            instance="https://example.social",
        )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"network": "myspace", "hashtag": "x"}, "invalid_network"),
        (
            {"network": "mastodon", "hashtag": "two words", "instance": "https://a.b"},
            "invalid_hashtag",
        ),
        ({"network": "mastodon", "hashtag": "ok"}, "instance_required"),
        ({"network": "bluesky", "hashtag": "ok", "secret": "pw"}, "account_required"),
        ({"network": "instagram", "hashtag": "ok", "account": "1"}, "secret_required"),
    ],
)
def test_connecting_refuses_bad_input_with_a_clear_error(open_campaign, personas, kwargs, code):
    with pytest.raises(ServiceError) as error:
        services.source_connect(campaign=open_campaign, user=personas["owner"], **kwargs)
    assert error.value.code == code


def test_instagram_is_polled_at_least_hourly(open_campaign, personas):
    source = services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="instagram",
        hashtag="summernights",
        account="1784",
        secret="tok",
        poll_interval_seconds=6 * 3600,
    )
    assert source.poll_interval_seconds == 3600


def test_updating_keeps_the_secret_unless_a_new_one_is_given(source, personas):
    services.source_update(source=source, user=personas["owner"], secret="", account="nl")
    source.refresh_from_db()
    assert crypto.decrypt(source.credentials_encrypted) == "mastodon-token-s3cret"
    assert source.account == "nl"
    services.source_update(source=source, user=personas["owner"], secret="new-token")
    source.refresh_from_db()
    assert crypto.decrypt(source.credentials_encrypted) == "new-token"


def test_pause_and_resume_are_audited_and_repeatable(source, personas):
    assert services.source_pause(source=source, user=personas["owner"], now=NOW)
    assert not services.source_pause(source=source, user=personas["owner"], now=NOW)
    assert source.status == SourceStatus.PAUSED
    assert services.source_resume(source=source, user=personas["owner"], now=NOW)
    assert source.status == SourceStatus.ACTIVE and source.next_poll_at == NOW
    assert AuditEvent.objects.filter(action__startswith="social.source_p").count() == 1


# --- the schedule ----------------------------------------------------------------------------


def test_due_sources_are_queued_once(source, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sources_poll_due(now=NOW) == 1
        assert services.sources_poll_due(now=NOW + timedelta(seconds=60)) == 0
    assert _poll_tasks() == 1


def test_sources_not_yet_due_or_paused_are_not_queued(source, personas):
    HashtagSource.objects.filter(pk=source.pk).update(next_poll_at=NOW + timedelta(minutes=5))
    assert services.sources_poll_due(now=NOW) == 0
    services.source_pause(source=source, user=personas["owner"])
    assert services.sources_poll_due(now=NOW + timedelta(hours=1)) == 0


def test_a_queued_poll_that_was_lost_is_queued_again_after_the_lease(source):
    assert services.sources_poll_due(now=NOW) == 1
    assert services.sources_poll_due(now=NOW + services.LEASE + timedelta(seconds=1)) == 1


def test_the_queued_task_polls_the_source(
    source, memory, rights_calls, run_worker, django_capture_on_commit_callbacks
):
    memory.add()
    with django_capture_on_commit_callbacks(execute=True):
        services.sources_poll_due()
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    assert Entry.objects.count() == 1
    source.refresh_from_db()
    assert source.queued_at is None and source.last_polled_at is not None


def test_poll_now_queues_once_and_refuses_a_paused_source(
    source, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.source_poll_now(source=source, user=personas["owner"], now=NOW)
        assert not services.source_poll_now(source=source, user=personas["owner"], now=NOW)
    assert _poll_tasks() == 1
    services.source_pause(source=source, user=personas["owner"])
    with pytest.raises(Conflict):
        services.source_poll_now(source=source, user=personas["owner"], now=NOW)


# --- Instagram's 30 hashtags per 7 days ------------------------------------------------------


@pytest.fixture
def instagram(open_campaign, personas, monkeypatch, rights_calls):
    from crowdstudio.social import clients

    connector = MemoryConnector("instagram", can_reply=False)
    monkeypatch.setattr(clients, "connector_for", lambda source: connector)
    source = services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="instagram",
        hashtag="summernights",
        account="1784",
        secret="ig-token",
        now=NOW,
    )
    return source, connector


def test_instagram_hashtags_count_against_the_weekly_quota(instagram):
    source, _connector = instagram
    assert services.instagram_quota(account="1784", now=NOW).left == 30
    services.source_poll(source=source, now=NOW)
    quota = services.instagram_quota(account="1784", now=NOW)
    assert (quota.used, quota.left, quota.tags) == (1, 29, ["summernights"])
    # Polling the same hashtag again within the week takes no new slot.
    services.source_poll(source=source, now=NOW + timedelta(hours=1))
    assert services.instagram_quota(account="1784", now=NOW).used == 1
    # A week later it has stopped counting.
    assert services.instagram_quota(account="1784", now=NOW + timedelta(days=7, hours=2)).used == 0


def test_a_31st_hashtag_waits_until_a_slot_frees_up(instagram):
    source, connector = instagram
    for number in range(30):
        InstagramHashtagUse.objects.create(
            account="1784",
            hashtag=f"tag{number}",
            searched_at=NOW - timedelta(days=6 - number / 10),
        )

    result = services.source_poll(source=source, now=NOW)

    assert result.outcome == "quota"
    assert connector.fetches == []
    source.refresh_from_db()
    assert source.next_poll_at == NOW - timedelta(days=6) + timedelta(days=7)
    assert "30" in source.last_error
    assert source.status == SourceStatus.ACTIVE


# --- identities ------------------------------------------------------------------------------


def test_claiming_an_identity_moves_its_entries_to_the_real_user(
    source, memory, rights_calls, make_user
):
    memory.add()
    memory.add()
    services.source_poll(source=source, now=NOW)
    identity = SocialIdentity.objects.get()
    fan = make_user("fan1")

    moved = services.identity_claim(identity=identity, user=fan, now=NOW)

    assert moved == 2
    assert set(Entry.objects.values_list("author", flat=True)) == {fan.pk}
    identity.refresh_from_db()
    assert identity.claimed_by == fan and identity.claimed_at == NOW
    assert AuditEvent.objects.filter(action="entry.author_claimed").count() == 2
    assert AuditEvent.objects.filter(action="social.identity_claimed").count() == 1
    # Claiming again is harmless.
    assert services.identity_claim(identity=identity, user=fan, now=NOW) == 0


def test_an_identity_claimed_by_someone_else_cannot_be_claimed(
    source, memory, rights_calls, make_user
):
    memory.add()
    services.source_poll(source=source, now=NOW)
    identity = SocialIdentity.objects.get()
    services.identity_claim(identity=identity, user=make_user("fan1"))
    with pytest.raises(Conflict):
        services.identity_claim(identity=identity, user=make_user("fan2"))
    assert Entry.objects.get().author.username == "fan1"


def test_posts_imported_after_the_claim_are_moved_by_claiming_again(
    source, memory, rights_calls, make_user
):
    fan = make_user("fan1")
    memory.add()
    services.source_poll(source=source, now=NOW)
    services.identity_claim(identity=SocialIdentity.objects.get(), user=fan)
    memory.add()
    services.source_poll(source=source, now=NOW + timedelta(hours=1))
    assert services.identity_claim(identity=SocialIdentity.objects.get(), user=fan) == 1
    assert Entry.objects.filter(author=fan).count() == 2


# --- replies ---------------------------------------------------------------------------------


def test_a_reply_goes_to_the_imported_post(source, memory, rights_calls):
    post = memory.add()
    services.source_poll(source=source, now=NOW)
    reply = services.reply_post(entry=Entry.objects.get(), text="May we use it? #YesCrowdstudio")
    assert reply is not None and reply.in_reply_to_id == post.id
    assert memory.replies[0][0].id == post.id


def test_no_reply_on_instagram_or_for_an_uploaded_entry(instagram, approved_entry, personas):
    source, connector = instagram
    connector.add()
    services.source_poll(source=source, now=NOW)
    assert services.reply_post(entry=Entry.objects.get(), text="hi") is None
    assert services.reply_post(entry=approved_entry(personas["entrant"]), text="hi") is None


def test_a_refused_reply_is_a_clear_error(source, memory, rights_calls, monkeypatch):
    from crowdstudio.social.connectors.base import Unavailable

    memory.add()
    services.source_poll(source=source, now=NOW)

    def refuse(*, to, text):
        raise Unavailable("HTTP 503 for token mastodon-token-s3cret")

    monkeypatch.setattr(memory, "reply", refuse)
    with pytest.raises(ServiceError) as error:
        services.reply_post(entry=Entry.objects.get(), text="hi")
    assert error.value.code == "reply_failed"
    assert "s3cret" not in error.value.message


def test_updating_without_a_start_date_keeps_the_stored_one(source, personas):
    services.source_update(source=source, user=personas["owner"], since=NOW)
    services.source_update(source=source, user=personas["owner"], account="again")
    source.refresh_from_db()
    assert source.since == NOW
    services.source_update(source=source, user=personas["owner"], since=None)
    source.refresh_from_db()
    assert source.since is None
