"""Community: comments and reviews of an entry, follows, and my notifications."""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations at import
# time (see api/moderation.py).

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from crowdstudio.api.auth import PUBLIC, acting_user
from crowdstudio.api.pagination import BoundedPageNumberPagination
from crowdstudio.api.schemas import responses
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.community import selectors, services
from crowdstudio.community.access import get_comment_for_user
from crowdstudio.community.messages import notification_path, notification_text
from crowdstudio.community.models import (
    COMMENT_MAX_LENGTH,
    REVIEW_MAX_LENGTH,
    Comment,
    Notification,
    NotificationKind,
    Review,
)
from crowdstudio.entries.access import get_entry_for_user

router = Router(tags=["community"])


# --- shapes ---------------------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    entry_id: int
    parent_id: int | None = Field(description="The top-level comment this replies to.")
    author: str = Field(description="The author's public name.")
    body: str = Field(description="Plain text; empty when the author deleted the comment.")
    deleted: bool
    hidden: bool = Field(description="Hidden by a moderator; only moderators see such comments.")
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_author(obj: Comment) -> str:
        return obj.author.public_name

    @staticmethod
    def resolve_body(obj: Comment) -> str:
        return "" if obj.is_deleted else obj.body

    @staticmethod
    def resolve_deleted(obj: Comment) -> bool:
        return obj.is_deleted

    @staticmethod
    def resolve_hidden(obj: Comment) -> bool:
        return obj.is_hidden


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=COMMENT_MAX_LENGTH)
    parent_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Reply to this comment.")


class ReviewOut(Schema):
    id: int
    entry_id: int
    author: str
    rating: int
    advice: str
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_author(obj: Review) -> str:
        return obj.author.public_name


class ReviewIn(Schema):
    rating: int = Field(ge=1, le=5)
    advice: str = Field(max_length=REVIEW_MAX_LENGTH, description="At least 20 characters.")


class FollowOut(Schema):
    following: bool


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    message: str = Field(description="In the language of the request.")
    url: str = Field(description="Where it leads, a path on this site.")
    entry_id: int | None
    campaign_id: int | None
    round_id: int | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_message(obj: Notification) -> str:
        return notification_text(obj)

    @staticmethod
    def resolve_url(obj: Notification) -> str:
        return notification_path(obj)


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only unread notifications.")


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread.")


# --- comments -------------------------------------------------------------------------------


@router.get(
    "/entries/{entry_id}/comments",
    response=responses({200: list[CommentOut]}),
    auth=PUBLIC,
    summary="The comments of an entry, oldest first",
)
@paginate(BoundedPageNumberPagination, page_size=50)
def comment_list(request: HttpRequest, entry_id: int) -> QuerySet[Comment]:
    """Replies carry `parent_id`. Hidden comments are listed for the campaign's moderators
    only."""
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id)
    return selectors.visible_comments(entry, user)


@router.post(
    "/entries/{entry_id}/comments",
    response=responses({201: CommentOut}),
    summary="Comment on an entry, or reply to a comment",
)
def comment_create(request: HttpRequest, entry_id: int, payload: CommentIn) -> Any:
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id)
    parent = get_comment_for_user(user, payload.parent_id) if payload.parent_id else None
    comment = services.comment_post(entry=entry, user=user, body=payload.body, parent=parent)
    return Status(201, comment)


# --- reviews --------------------------------------------------------------------------------


@router.get(
    "/entries/{entry_id}/reviews",
    response=responses({200: list[ReviewOut]}),
    auth=PUBLIC,
    summary="The reviews of an entry, newest first",
)
@paginate(BoundedPageNumberPagination, page_size=50)
def review_list(request: HttpRequest, entry_id: int) -> QuerySet[Review]:
    entry = get_entry_for_user(acting_user(request), entry_id)
    return selectors.entry_reviews(entry)


@router.put(
    "/entries/{entry_id}/review",
    response=responses({200: ReviewOut, 201: ReviewOut}),
    summary="Write or change my review of an entry",
    description="201 when the review is new, 200 when it changed an earlier one. Not for the "
    "entry's author (`own_entry`) nor for the organising team (`organiser`).",
)
def review_put(request: HttpRequest, entry_id: int, payload: ReviewIn) -> Any:
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id)
    review, created = services.review_save(
        entry=entry, user=user, rating=payload.rating, advice=payload.advice
    )
    return Status(201 if created else 200, review)


# --- follows --------------------------------------------------------------------------------


@router.put(
    "/entries/{entry_id}/follow",
    response=responses({200: FollowOut}),
    summary="Follow an entry",
)
def entry_follow(request: HttpRequest, entry_id: int) -> dict[str, bool]:
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id)
    return {"following": services.follow_set(user=user, entry=entry, following=True)}


@router.delete(
    "/entries/{entry_id}/follow",
    response=responses({200: FollowOut}),
    summary="Stop following an entry",
)
def entry_unfollow(request: HttpRequest, entry_id: int) -> dict[str, bool]:
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id)
    return {"following": services.follow_set(user=user, entry=entry, following=False)}


@router.put(
    "/campaigns/{slug}/follow",
    response=responses({200: FollowOut}),
    summary="Follow a campaign",
)
def campaign_follow(request: HttpRequest, slug: str) -> dict[str, bool]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug)
    return {"following": services.follow_set(user=user, campaign=campaign, following=True)}


@router.delete(
    "/campaigns/{slug}/follow",
    response=responses({200: FollowOut}),
    summary="Stop following a campaign",
)
def campaign_unfollow(request: HttpRequest, slug: str) -> dict[str, bool]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug)
    return {"following": services.follow_set(user=user, campaign=campaign, following=False)}


# --- notifications --------------------------------------------------------------------------


@router.get(
    "/notifications",
    response=responses({200: list[NotificationOut]}),
    summary="My notifications, newest first",
)
@paginate(BoundedPageNumberPagination, page_size=30)
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilters]
) -> QuerySet[Notification]:
    return selectors.notifications_for(acting_user(request), unread_only=filters.unread)


@router.post(
    "/notifications/{notification_id}/read",
    response=responses({200: NotificationOut}),
    summary="Mark one of my notifications read",
)
def notification_mark_read(request: HttpRequest, notification_id: int) -> Notification:
    return services.notification_mark_read(
        user=acting_user(request), notification_id=notification_id
    )


@router.post(
    "/notifications/read-all",
    response=responses({200: ReadAllOut}),
    summary="Mark all my notifications read",
)
def notifications_mark_all_read(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.notifications_mark_all_read(user=acting_user(request))}
