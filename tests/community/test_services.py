"""Comments, reviews, follows and notifications at the service level, with time injected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.community import services
from crowdstudio.community.messages import notification_text
from crowdstudio.community.models import (
    Comment,
    CommentReport,
    DigestFrequency,
    Follow,
    Notification,
    NotificationKind,
    NotificationSettings,
    Review,
)
from crowdstudio.entries.models import EntryStatus
from crowdstudio.entries.services import entry_moderate
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError

# --- comments -------------------------------------------------------------------------------


def test_a_comment_is_kept_as_plain_text_with_its_line_breaks(entry, fan):
    comment = services.comment_post(entry=entry, user=fan, body="  <b>Wow</b>\r\nsecond line  ")
    assert comment.body == "<b>Wow</b>\nsecond line"


def test_it_refuses_an_empty_or_overlong_comment(entry, fan):
    with pytest.raises(ServiceError) as empty:
        services.comment_post(entry=entry, user=fan, body="   ")
    assert empty.value.code == "comment_empty"
    with pytest.raises(ServiceError) as long:
        services.comment_post(entry=entry, user=fan, body="x" * 2001)
    assert long.value.code == "comment_too_long"


def test_it_refuses_comments_from_anonymous_visitors(entry):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        services.comment_post(entry=entry, user=AnonymousUser(), body="Hi")


def test_it_refuses_comments_on_an_entry_that_is_not_approved(entry, fan, personas):
    entry.status = EntryStatus.AWAITING_MODERATION
    entry.save()
    with pytest.raises(ServiceError):
        services.comment_post(entry=entry, user=personas["entrant"], body="Mine")


def test_a_reply_to_a_reply_joins_the_top_level_thread(entry, fan, make_user):
    top = services.comment_post(entry=entry, user=fan, body="Top")
    reply = services.comment_post(entry=entry, user=make_user("fan2"), body="Re", parent=top)
    deeper = services.comment_post(entry=entry, user=fan, body="Re re", parent=reply)
    assert reply.parent_id == top.pk
    assert deeper.parent_id == top.pk


def test_a_reply_must_stay_on_the_same_entry(entry, fan, personas, approved_entry):
    other = approved_entry(personas["entrant"], title="Other")
    top = services.comment_post(entry=other, user=fan, body="Top")
    with pytest.raises(ServiceError) as error:
        services.comment_post(entry=entry, user=fan, body="Re", parent=top)
    assert error.value.code == "wrong_thread"


def test_a_double_click_posts_one_comment(entry, fan):
    now = timezone.now()
    first = services.comment_post(entry=entry, user=fan, body="Great!", now=now)
    again = services.comment_post(
        entry=entry, user=fan, body="Great!", now=now + timedelta(seconds=1)
    )
    assert first.pk == again.pk
    assert Comment.objects.count() == 1


def test_the_author_may_edit_within_the_window_and_the_old_text_is_kept(entry, fan, settings):
    settings.CROWDSTUDIO_COMMENT_EDIT_MINUTES = 15
    posted = timezone.now()
    comment = services.comment_post(entry=entry, user=fan, body="Typo", now=posted)
    edited = services.comment_edit(
        comment=comment, user=fan, body="Fixed", now=posted + timedelta(minutes=14)
    )
    assert edited.body == "Fixed"
    assert edited.edited_at is not None
    assert list(edited.versions.values_list("body", flat=True)) == ["Typo"]


def test_the_author_cannot_edit_after_the_window(entry, fan, settings):
    settings.CROWDSTUDIO_COMMENT_EDIT_MINUTES = 15
    posted = timezone.now()
    comment = services.comment_post(entry=entry, user=fan, body="Typo", now=posted)
    with pytest.raises(Conflict) as error:
        services.comment_edit(
            comment=comment, user=fan, body="Late", now=posted + timedelta(minutes=16)
        )
    assert error.value.code == "edit_window_over"
    comment.refresh_from_db()
    assert comment.body == "Typo"


def test_nobody_else_may_edit_or_delete_a_comment(entry, fan, personas):
    comment = services.comment_post(entry=entry, user=fan, body="Mine")
    with pytest.raises(NotAllowed):
        services.comment_edit(comment=comment, user=personas["owner"], body="Theirs")
    with pytest.raises(NotAllowed):
        services.comment_delete(comment=comment, user=personas["owner"])


def test_deleting_keeps_the_row_and_its_history(entry, fan):
    comment = services.comment_post(entry=entry, user=fan, body="Regret")
    services.comment_delete(comment=comment, user=fan)
    services.comment_delete(comment=comment, user=fan)  # a second click changes nothing
    comment.refresh_from_db()
    assert comment.is_deleted
    assert comment.body == "Regret"
    assert list(comment.versions.values_list("body", flat=True)) == ["Regret"]


def test_a_person_reports_a_comment_once(entry, fan, make_user):
    comment = services.comment_post(entry=entry, user=fan, body="Buy cheap watches")
    reporter = make_user("fan2")
    services.comment_report(comment=comment, user=reporter, reason="spam")
    with pytest.raises(Conflict) as error:
        services.comment_report(comment=comment, user=reporter, reason="abuse")
    assert error.value.code == "already_reported"
    assert CommentReport.objects.count() == 1


def test_one_cannot_report_ones_own_comment_nor_without_a_reason(entry, fan, make_user):
    comment = services.comment_post(entry=entry, user=fan, body="Hi")
    with pytest.raises(ServiceError):
        services.comment_report(comment=comment, user=fan, reason="spam")
    with pytest.raises(ServiceError):
        services.comment_report(comment=comment, user=make_user("fan2"), reason="nonsense")
    with pytest.raises(ServiceError) as error:
        services.comment_report(comment=comment, user=make_user("fan3"), reason="other")
    assert error.value.code == "note_required"


def test_a_moderator_hides_and_restores_a_comment_with_an_audited_reason(
    entry, fan, personas, make_user
):
    from crowdstudio.community.selectors import visible_comments

    comment = services.comment_post(entry=entry, user=fan, body="Rude words")
    services.comment_report(comment=comment, user=make_user("fan2"), reason="abuse")
    moderator = personas["moderator"]
    with pytest.raises(ServiceError):
        services.comment_moderate(comment=comment, user=moderator, hide=True, reason=" ")
    services.comment_moderate(comment=comment, user=moderator, hide=True, reason="Insults")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Insults"
    assert list(visible_comments(entry, make_user("fan3"))) == []
    assert list(visible_comments(entry, moderator)) == [comment]
    assert CommentReport.objects.get().resolved_at is not None
    services.comment_moderate(comment=comment, user=moderator, hide=False, reason="Appeal")
    comment.refresh_from_db()
    assert not comment.is_hidden
    actions = list(
        AuditEvent.objects.filter(action__startswith="comment.").values_list("action", "data")
    )
    assert ("comment.hidden", {"reason": "Insults", "entry": entry.pk}) in actions
    assert ("comment.restored", {"reason": "Appeal", "entry": entry.pk}) in actions


@pytest.mark.parametrize("persona", ["judge", "entrant", "outsider"])
def test_only_the_campaigns_moderators_may_hide(entry, fan, personas, persona):
    comment = services.comment_post(entry=entry, user=fan, body="Hi")
    with pytest.raises(NotAllowed):
        services.comment_moderate(comment=comment, user=personas[persona], hide=True, reason="x")


# --- reviews --------------------------------------------------------------------------------


def test_a_review_needs_a_rating_from_1_to_5_and_real_advice(entry, fan, advice):
    with pytest.raises(ServiceError) as rating:
        services.review_save(entry=entry, user=fan, rating=6, advice=advice)
    assert rating.value.code == "invalid_rating"
    with pytest.raises(ServiceError) as short:
        services.review_save(entry=entry, user=fan, rating=4, advice="Nice!")
    assert short.value.code == "advice_too_short"


def test_one_review_per_person_per_entry_edits_keep_the_earlier_version(entry, fan, advice):
    review, created = services.review_save(entry=entry, user=fan, rating=3, advice=advice)
    assert created
    again, created_again = services.review_save(
        entry=entry, user=fan, rating=4, advice=advice + " Better now."
    )
    assert not created_again
    assert again.pk == review.pk
    assert Review.objects.count() == 1
    assert again.rating == 4 and again.edited_at is not None
    assert list(again.versions.values_list("rating", flat=True)) == [3]


def test_the_database_refuses_a_second_review_row(entry, fan, advice):
    from django.db import IntegrityError, transaction

    services.review_save(entry=entry, user=fan, rating=3, advice=advice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            entry=entry, author=fan, rating=2, advice=advice, created_at=timezone.now()
        )


def test_one_cannot_review_ones_own_entry(entry, personas, advice):
    with pytest.raises(NotAllowed) as error:
        services.review_save(entry=entry, user=personas["entrant"], rating=5, advice=advice)
    assert error.value.code == "own_entry"


@pytest.mark.parametrize("persona", ["owner", "producer", "moderator", "judge"])
def test_the_organising_team_judges_instead_of_reviewing(entry, personas, advice, persona):
    with pytest.raises(NotAllowed) as error:
        services.review_save(entry=entry, user=personas[persona], rating=5, advice=advice)
    assert error.value.code == "organiser"


def test_another_organisation_may_review(entry, personas, advice):
    review, _ = services.review_save(
        entry=entry, user=personas["outsider"], rating=5, advice=advice
    )
    assert review.rating == 5


# --- follows --------------------------------------------------------------------------------


def test_following_is_set_not_toggled_so_retries_are_harmless(entry, fan, open_campaign):
    assert services.follow_set(user=fan, entry=entry, following=True)
    assert services.follow_set(user=fan, entry=entry, following=True)
    assert services.follow_set(user=fan, campaign=open_campaign, following=True)
    assert Follow.objects.count() == 2
    assert not services.follow_set(user=fan, entry=entry, following=False)
    assert not services.follow_set(user=fan, entry=entry, following=False)
    assert Follow.objects.count() == 1


def test_a_draft_campaign_cannot_be_followed(fan, draft_campaign):
    with pytest.raises(Conflict):
        services.follow_set(user=fan, campaign=draft_campaign, following=True)


# --- notifications --------------------------------------------------------------------------


def _kinds() -> dict[str, str]:
    return {n.recipient.username: n.kind for n in Notification.objects.select_related("recipient")}


def test_a_comment_notifies_the_author_the_followers_and_the_person_replied_to_never_the_actor(
    entry, fan, make_user
):
    follower = make_user("follower")
    services.follow_set(user=follower, entry=entry, following=True)
    services.follow_set(user=fan, entry=entry, following=True)
    top = services.comment_post(entry=entry, user=fan, body="First!")
    assert _kinds() == {
        "erin": NotificationKind.COMMENT_ON_MY_ENTRY,
        "follower": NotificationKind.COMMENT_ON_FOLLOWED_ENTRY,
    }
    Notification.objects.all().delete()
    services.comment_post(entry=entry, user=make_user("fan2"), body="Agreed", parent=top)
    assert _kinds() == {
        "erin": NotificationKind.COMMENT_ON_MY_ENTRY,
        "fan1": NotificationKind.COMMENT_REPLY,
        "follower": NotificationKind.COMMENT_ON_FOLLOWED_ENTRY,
    }


def test_the_author_commenting_on_their_own_entry_is_not_notified(entry, personas):
    services.comment_post(entry=entry, user=personas["entrant"], body="Thanks all")
    assert Notification.objects.count() == 0


def test_a_review_notifies_the_author_once_and_an_edit_does_not_again(entry, fan, advice):
    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    services.review_save(entry=entry, user=fan, rating=5, advice=advice)
    note = Notification.objects.get()
    assert note.kind == NotificationKind.REVIEW_ON_MY_ENTRY
    assert note.recipient.username == "erin"
    assert note.actor == fan


def test_the_message_is_rendered_in_the_readers_language(entry, fan, advice):
    from django.utils import translation

    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    note = Notification.objects.get()
    with translation.override("en"):
        english = notification_text(note)
    assert english == "fan1 reviewed your entry “Rooftop sunset” (4 of 5)."
    with translation.override("de"):
        german = notification_text(note)
    # The text is made when shown, not stored; German is used once the lead has translated.
    assert "Rooftop sunset" in german


def test_approving_an_entry_notifies_its_author(personas, approved_entry):
    entry = approved_entry(personas["entrant"])
    entry.status = EntryStatus.AWAITING_MODERATION
    entry.save()
    entry_moderate(entry=entry, user=personas["moderator"], decision="approved")
    note = Notification.objects.get()
    assert note.kind == NotificationKind.ENTRY_APPROVED
    assert note.recipient == personas["entrant"]
    # The entries app mails the decision itself; the digest does not repeat it.
    assert note.emailed_at is not None


def test_rejecting_an_entry_notifies_its_author(personas, approved_entry):
    entry = approved_entry(personas["entrant"])
    entry_moderate(entry=entry, user=personas["moderator"], decision="rejected", reason="Blurry")
    assert Notification.objects.get().kind == NotificationKind.ENTRY_REJECTED


def test_round_notices_reach_followers_and_entrants_once(
    entry, fan, make_user, open_campaign, personas
):
    rnd = open_campaign.rounds.get()
    services.follow_set(user=fan, campaign=open_campaign, following=True)
    services.follow_set(user=personas["entrant"], campaign=open_campaign, following=True)
    assert services.notify_round_closed(round=rnd) == 2
    assert services.notify_round_closed(round=rnd) == 0
    assert services.notify_results_published(round=rnd) == 2
    assert services.notify_round_opened(round=rnd) == 2
    late = make_user("late")
    services.follow_set(user=late, campaign=open_campaign, following=True)
    assert services.notify_round_opened(round=rnd) == 1  # only the newcomer
    kinds = sorted(
        Notification.objects.filter(recipient=personas["entrant"]).values_list("kind", flat=True)
    )
    assert kinds == ["results_published", "round_closed", "round_opened"]


def test_marking_read_touches_only_my_notifications(entry, fan, advice, personas):
    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    note = Notification.objects.get()
    from django.http import Http404

    with pytest.raises(Http404):
        services.notification_mark_read(user=fan, notification_id=note.pk)
    services.notification_mark_read(user=personas["entrant"], notification_id=note.pk)
    assert Notification.objects.get().read_at is not None
    assert services.notifications_mark_all_read(user=personas["entrant"]) == 0


# --- digest ---------------------------------------------------------------------------------


def test_the_digest_is_sent_once_even_when_run_twice(entry, fan, advice, personas):
    now = timezone.now()
    services.review_save(entry=entry, user=fan, rating=4, advice=advice, now=now)
    services.comment_post(entry=entry, user=fan, body="And a comment", now=now)
    erin = personas["entrant"]
    later = now + timedelta(minutes=5)
    assert services.digest_send(user_id=erin.pk, now=later) == 2
    assert services.digest_send(user_id=erin.pk, now=later) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [erin.email]
    assert "Rooftop sunset" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "Rooftop sunset" in html
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_digest_waits_for_its_interval(entry, fan, advice, personas):
    erin = personas["entrant"]
    now = timezone.now()
    NotificationSettings.objects.create(user=erin, digest="daily", last_digest_at=now)
    services.review_save(entry=entry, user=fan, rating=4, advice=advice, now=now)
    assert services.digest_send(user_id=erin.pk, now=now + timedelta(hours=2)) == 0
    assert services.digest_send(user_id=erin.pk, now=now + timedelta(hours=25)) == 1


def test_no_digest_for_someone_who_switched_it_off_or_read_everything(entry, fan, advice, personas):
    erin = personas["entrant"]
    now = timezone.now()
    services.notification_settings_update(user=erin, digest=DigestFrequency.OFF)
    services.review_save(entry=entry, user=fan, rating=4, advice=advice, now=now)
    assert services.digest_due(now=now + timedelta(minutes=1)) == 0
    services.notification_settings_update(user=erin, digest=DigestFrequency.HOURLY)
    services.notifications_mark_all_read(user=erin)
    assert services.digest_due(now=now + timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_digest_due_queues_and_the_worker_sends_in_the_recipients_language(
    entry, fan, advice, personas, django_capture_on_commit_callbacks, run_worker
):
    erin = personas["entrant"]
    erin.language = "de"
    erin.save()
    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_due()  # queued again before the worker ran: still one mail
    run_worker()
    assert len(mail.outbox) == 1
    from django.utils import translation

    with translation.override("de"):
        expected = notification_text(Notification.objects.get())
    assert expected in mail.outbox[0].body


def test_the_unsubscribe_token_switches_the_digest_off(fan):
    token = services.unsubscribe_token(fan)
    services.digest_unsubscribe(token=token)
    assert NotificationSettings.objects.get(user=fan).digest == DigestFrequency.OFF


def test_a_tampered_unsubscribe_token_is_refused(fan, make_user):
    other = make_user("victim")
    token = services.unsubscribe_token(fan)
    forged = signing.dumps({"u": other.pk}, salt="something-else")
    for bad in (token[:-2] + "xx", forged, "garbage"):
        with pytest.raises(ServiceError):
            services.digest_unsubscribe(token=bad)
    assert not NotificationSettings.objects.exists()
