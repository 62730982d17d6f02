"""Reads of the community app: discussions, ratings, follows, notifications, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.models import Campaign
from crowdstudio.community.models import (
    Comment,
    DigestFrequency,
    Follow,
    Notification,
    NotificationSettings,
    Review,
)
from crowdstudio.entries.models import Entry


def can_moderate_entry(user: Any, entry: Entry) -> bool:
    return has_capability(user, entry.campaign.organisation_id, Capability.MODERATE)


def visible_comments(entry: Entry, user: Any) -> QuerySet[Comment]:
    """The entry's comments this person may read: hidden ones only for its moderators."""
    comments = Comment.objects.filter(entry=entry).select_related("author")
    if not can_moderate_entry(user, entry):
        comments = comments.filter(hidden_at__isnull=True)
    return comments.order_by("created_at", "id")


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def comment_threads(entry: Entry, user: Any) -> list[Thread]:
    """Top-level comments in order, each with its replies (one level); one query."""
    threads: dict[int, Thread] = {}
    for comment in visible_comments(entry, user):
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
        # Otherwise its top-level comment is hidden, and the reply is not shown either.
    return list(threads.values())


def entry_reviews(entry: Entry) -> QuerySet[Review]:
    return (
        Review.objects.filter(entry=entry).select_related("author").order_by("-created_at", "-id")
    )


def rating_summary(entry: Entry) -> dict[str, Any]:
    """{"average": float | None, "count": int} of the entry's reviews."""
    row = Review.objects.filter(entry=entry).aggregate(average=Avg("rating"), count=Count("id"))
    average = row["average"]
    return {
        "average": round(float(average), 1) if average is not None else None,
        "count": row["count"],
    }


def my_review(entry: Entry, user: Any) -> Review | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Review.objects.filter(entry=entry, author=user).first()


def is_following(
    user: Any, *, entry: Entry | None = None, campaign: Campaign | None = None
) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    target: dict[str, Any] = {"entry": entry} if entry is not None else {"campaign": campaign}
    return Follow.objects.filter(user=user, **target).exists()


def unread_count(user: Any) -> int:
    """One COUNT on an index; for the navigation bar."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def default_digest() -> str:
    value = getattr(settings, "CROWDSTUDIO_DIGEST_DEFAULT", DigestFrequency.DAILY)
    return str(value) if value in DigestFrequency.values else DigestFrequency.DAILY


def notification_settings_for(user: Any) -> NotificationSettings:
    """The person's settings; unsaved defaults when they never chose."""
    row = NotificationSettings.objects.filter(user=user).first()
    return row or NotificationSettings(user=user, digest=default_digest())


def reports_queue(campaign: Campaign, *, show: str = "open") -> QuerySet[Comment]:
    """Reported comments of a campaign, most reported first; `show="hidden"` lists hidden
    comments, `"all"` every reported one."""
    comments = Comment.objects.filter(entry__campaign=campaign).annotate(
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
        all_reports=Count("reports"),
    )
    if show == "hidden":
        comments = comments.filter(hidden_at__isnull=False)
    elif show == "all":
        comments = comments.filter(all_reports__gt=0)
    else:
        comments = comments.filter(open_reports__gt=0)
    return (
        comments.select_related("author", "entry", "hidden_by")
        .prefetch_related("reports__reporter")
        .order_by("-open_reports", "-created_at", "-id")
    )


def open_report_count(campaign: Campaign) -> int:
    """How many comments of the campaign wait for a moderator's look."""
    return (
        Comment.objects.filter(entry__campaign=campaign, reports__resolved_at__isnull=True)
        .distinct()
        .count()
    )
