"""Community pages: the discussion on an entry, follows, notifications, digest settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from crowdstudio.community import services
from crowdstudio.community.models import (
    Comment,
    CommentReport,
    Follow,
    Notification,
    NotificationSettings,
    Review,
)
from crowdstudio.entries.models import EntryStatus

HX = {"HX-Request": "true"}


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


def test_the_entry_page_shows_the_average_rating_reviews_and_comments(
    client, entry, fan, make_user, advice
):
    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    services.review_save(entry=entry, user=make_user("fan2"), rating=5, advice=advice)
    services.comment_post(entry=entry, user=fan, body="<script>x</script>\nline two")
    body = client.get(reverse("entry", args=[entry.pk])).content.decode()
    assert "Average 4.5 of 5 from 2 reviews" in body
    assert advice in body
    assert "&lt;script&gt;x&lt;/script&gt;<br>line two" in body
    assert "<script>x" not in body
    assert "Log in to comment." in body


def test_no_discussion_on_an_entry_that_is_not_approved(client, entry, personas):
    entry.status = EntryStatus.AWAITING_MODERATION
    entry.save()
    client.force_login(personas["entrant"])
    body = client.get(reverse("entry", args=[entry.pk])).content.decode()
    assert 'id="discussion"' not in body


def test_posting_a_comment_without_javascript_redirects_to_it(fan_client, entry):
    response = fan_client.post(reverse("comment_create", args=[entry.pk]), {"body": "Lovely"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/e/{entry.pk}/#comment-{comment.pk}")


def test_posting_a_comment_with_htmx_returns_the_comments_fragment(fan_client, entry):
    response = fan_client.post(
        reverse("comment_create", args=[entry.pk]), {"body": "Lovely"}, headers=HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="comments"')
    assert "Lovely" in body


def test_an_empty_comment_shows_the_error_with_and_without_javascript(fan_client, entry):
    url = reverse("comment_create", args=[entry.pk])
    plain = fan_client.post(url, {"body": "  "})
    assert plain.status_code == 400
    assert "This field is required." in plain.content.decode()
    htmx = fan_client.post(url, {"body": "  "}, headers=HX)
    assert htmx.status_code == 200
    assert "This field is required." in htmx.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_is_shown_under_its_thread(fan_client, entry, make_user):
    top = services.comment_post(entry=entry, user=make_user("fan2"), body="Top comment")
    fan_client.post(
        reverse("comment_create", args=[entry.pk]), {"body": "My reply", "parent": top.pk}
    )
    assert Comment.objects.get(body="My reply").parent_id == top.pk
    body = fan_client.get(reverse("entry", args=[entry.pk])).content.decode()
    assert body.index("Top comment") < body.index('class="replies"') < body.index("My reply")


def test_a_comment_can_be_edited_in_the_window_and_not_after(fan_client, fan, entry):
    comment = services.comment_post(entry=entry, user=fan, body="Typo")
    url = reverse("comment_edit", args=[comment.pk])
    assert fan_client.get(url).status_code == 200
    response = fan_client.post(url, {"body": "Fixed"})
    assert response.status_code == 302
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert fan_client.get(url).status_code == 409
    late = fan_client.post(url, {"body": "Too late"})
    assert late.status_code == 409
    assert "minutes after posting" in late.content.decode()
    assert Comment.objects.get().body == "Fixed"


def test_deleting_shows_the_placeholder(fan_client, fan, entry, client):
    comment = services.comment_post(entry=entry, user=fan, body="Secret thought")
    response = fan_client.post(reverse("comment_delete", args=[comment.pk]), headers=HX)
    assert "deleted by its author" in response.content.decode()
    body = Client().get(reverse("entry", args=[entry.pk])).content.decode()
    assert "Secret thought" not in body
    assert "deleted by its author" in body


def test_reporting_twice_says_so(client, entry, fan, make_user):
    comment = services.comment_post(entry=entry, user=fan, body="Spam spam")
    client.force_login(make_user("fan2"))
    url = reverse("comment_report", args=[comment.pk])
    assert client.post(url, {"reason": "spam"}).status_code == 302
    again = client.post(url, {"reason": "spam"})
    assert again.status_code == 409
    assert "already" in again.content.decode()
    assert CommentReport.objects.count() == 1


def test_a_moderator_hides_a_reported_comment_from_the_queue(
    client, entry, fan, make_user, personas
):
    comment = services.comment_post(entry=entry, user=fan, body="Nasty words")
    services.comment_report(comment=comment, user=make_user("fan2"), reason="abuse")
    client.force_login(personas["moderator"])
    queue_url = reverse("community_reports", args=[entry.campaign.slug])
    assert "Nasty words" in client.get(queue_url).content.decode()
    response = client.post(
        reverse("comment_moderate", args=[comment.pk]),
        {"action": "hide", "reason": "Insults", "next": queue_url},
    )
    assert response.status_code == 302 and response["Location"] == queue_url
    assert "Nasty words" not in client.get(queue_url).content.decode()
    assert "Nasty words" in client.get(queue_url + "?show=hidden").content.decode()
    # Hidden from the public, still shown (marked) to moderators.
    assert "Nasty words" not in Client().get(reverse("entry", args=[entry.pk])).content.decode()
    page = client.get(reverse("entry", args=[entry.pk])).content.decode()
    assert "Nasty words" in page and "Hidden by a moderator" in page


def test_a_hidden_comment_cannot_be_reported_or_replied_to_by_the_public(
    client, entry, fan, personas, make_user
):
    comment = services.comment_post(entry=entry, user=fan, body="Rude")
    services.comment_moderate(comment=comment, user=personas["moderator"], hide=True, reason="x")
    client.force_login(make_user("fan2"))
    assert client.get(reverse("comment_report", args=[comment.pk])).status_code == 404
    response = client.post(
        reverse("comment_create", args=[entry.pk]), {"body": "Re", "parent": comment.pk}
    )
    assert response.status_code == 404


def test_a_review_with_too_little_advice_is_refused_with_the_reason(fan_client, entry):
    response = fan_client.post(
        reverse("review_save", args=[entry.pk]), {"rating": "4", "advice": "Nice"}
    )
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    assert not Review.objects.exists()


def test_a_review_is_saved_then_edited_through_the_page(fan_client, entry, advice):
    url = reverse("review_save", args=[entry.pk])
    first = fan_client.post(url, {"rating": "3", "advice": advice})
    assert first.status_code == 302 and first["Location"].endswith("#reviews")
    fan_client.post(url, {"rating": "5", "advice": advice}, headers=HX)
    review = Review.objects.get()
    assert review.rating == 5 and review.versions.count() == 1
    assert 'value="5"' in fan_client.get(url).content.decode()


def test_the_author_is_told_they_cannot_review_their_own_entry(client, entry, personas):
    client.force_login(personas["entrant"])
    response = client.get(reverse("review_save", args=[entry.pk]))
    assert response.status_code == 403
    assert "your own entry" in response.content.decode()


def test_the_follow_button_works_with_and_without_htmx(fan_client, open_campaign):
    page = fan_client.get(reverse("campaign", args=[open_campaign.slug])).content.decode()
    assert 'name="following" value="1"' in page
    url = reverse("follow_campaign", args=[open_campaign.slug])
    htmx = fan_client.post(url, {"following": "1"}, headers=HX)
    assert "Following" in htmx.content.decode()
    assert 'name="following" value="0"' in htmx.content.decode()
    fan_client.post(url, {"following": "1"})  # a second click of the same button
    assert Follow.objects.count() == 1
    plain = fan_client.post(url, {"following": "0", "next": "/"})
    assert plain.status_code == 302 and plain["Location"] == "/"
    assert not Follow.objects.exists()


def test_the_nav_shows_the_unread_count_in_one_query(
    entry, fan, advice, personas, django_assert_num_queries
):
    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    erin = personas["entrant"]
    template = Template("{% load community_tags %}{% community_nav %}")
    request = RequestFactory().get("/")
    request.user = erin
    with django_assert_num_queries(1):
        html = template.render(Context({"user": erin, "request": request}))
    assert ">1</span>" in html


def test_the_notifications_page_lists_and_marks_read(client, entry, fan, advice, personas):
    services.review_save(entry=entry, user=fan, rating=4, advice=advice)
    services.comment_post(entry=entry, user=fan, body="Hello")
    client.force_login(personas["entrant"])
    page = client.get(reverse("notifications")).content.decode()
    assert "fan1 reviewed your entry “Rooftop sunset” (4 of 5)." in page
    assert "fan1 commented on your entry “Rooftop sunset”." in page
    review_note = Notification.objects.get(kind="review_on_my_entry")
    opened = client.post(reverse("notification_read", args=[review_note.pk]))
    assert opened["Location"] == f"/e/{entry.pk}/#reviews"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_settings_page_saves_the_digest_and_language(client, personas):
    erin = personas["entrant"]
    client.force_login(erin)
    assert client.get(reverse("notification_settings")).status_code == 200
    response = client.post(reverse("notification_settings"), {"digest": "hourly", "language": "de"})
    assert response.status_code == 302
    assert NotificationSettings.objects.get(user=erin).digest == "hourly"
    erin.refresh_from_db()
    assert erin.language == "de"
    bad = client.post(reverse("notification_settings"), {"digest": "weekly", "language": "de"})
    assert bad.status_code == 400


def test_unsubscribe_asks_on_get_and_unsubscribes_on_a_post_without_login(personas):
    erin = personas["entrant"]
    url = reverse("digest_unsubscribe", args=[services.unsubscribe_token(erin)])
    client = Client(enforce_csrf_checks=True)  # a mail client's one-click POST has no token
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert not NotificationSettings.objects.exists()
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert NotificationSettings.objects.get(user=erin).digest == "off"


def test_a_tampered_unsubscribe_link_is_refused(personas):
    token = services.unsubscribe_token(personas["entrant"])
    url = reverse("digest_unsubscribe", args=[token[:-3] + "abc"])
    assert Client().post(url).status_code == 404
    assert not NotificationSettings.objects.exists()


def test_moderators_see_the_open_report_count_on_the_campaign_page(
    client, entry, fan, make_user, personas
):
    comment = services.comment_post(entry=entry, user=fan, body="Spam")
    services.comment_report(comment=comment, user=make_user("fan2"), reason="spam")
    url = reverse("campaign", args=[entry.campaign.slug])
    client.force_login(personas["moderator"])
    assert "1 reported comment" in client.get(url).content.decode()
    client.force_login(fan)
    assert "reported comment" not in client.get(url).content.decode()
