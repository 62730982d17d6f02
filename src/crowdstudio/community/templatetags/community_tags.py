"""Inclusion tags that put the community parts into other apps' pages (their hook comments):
`{% community_nav %}`, `{% community_entry %}`, `{% community_campaign %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import timezone

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.models import Campaign
from crowdstudio.community import selectors, services
from crowdstudio.community.forms import CommentForm, ReviewForm
from crowdstudio.community.messages import notification_text
from crowdstudio.community.models import Comment, Notification
from crowdstudio.entries.models import Entry, EntryStatus

register = template.Library()


def follow_context(
    user: Any, *, entry: Entry | None = None, campaign: Campaign | None = None
) -> dict[str, Any]:
    return {
        "user": user,
        "follow_entry": entry,
        "follow_campaign": campaign,
        "following": selectors.is_following(user, entry=entry, campaign=campaign),
    }


def reviews_context(
    request: HttpRequest, entry: Entry, *, form: ReviewForm | None = None
) -> dict[str, Any]:
    user = request.user
    mine = selectors.my_review(entry, user)
    if form is None:
        form = ReviewForm(initial={"rating": mine.rating, "advice": mine.advice} if mine else None)
    return {
        "request": request,
        "user": user,
        "entry": entry,
        "reviews": list(selectors.entry_reviews(entry)),
        "summary": selectors.rating_summary(entry),
        "mine": mine,
        "review_form": form,
        "review_refusal": services.review_refusal(entry, user),
        "discussion_open": entry.status == EntryStatus.APPROVED,
    }


def comments_context(
    request: HttpRequest, entry: Entry, *, form: CommentForm | None = None
) -> dict[str, Any]:
    user = request.user
    return {
        "request": request,
        "user": user,
        "entry": entry,
        "threads": selectors.comment_threads(entry, user),
        "comment_form": form or CommentForm(),
        "can_moderate": selectors.can_moderate_entry(user, entry),
        "discussion_open": entry.status == EntryStatus.APPROVED,
    }


@register.inclusion_tag("community/_nav.html", takes_context=True)
def community_nav(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    return {"unread": selectors.unread_count(user)}


@register.inclusion_tag("community/_discussion.html", takes_context=True)
def community_entry(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    entry = context["entry"]
    if entry.status != EntryStatus.APPROVED:
        return {"entry": entry, "discussion_open": False}
    return {
        **reviews_context(request, entry),
        **comments_context(request, entry),
        **follow_context(request.user, entry=entry),
    }


@register.inclusion_tag("community/_campaign.html", takes_context=True)
def community_campaign(context: template.Context) -> dict[str, Any]:
    campaign = context["campaign"]
    request = context["request"]
    out: dict[str, Any] = {"request": request, "hide": not campaign.is_public}
    if has_capability(request.user, campaign.organisation_id, Capability.MODERATE):
        out["reports_campaign"] = campaign
        out["open_reports"] = selectors.open_report_count(campaign)
    if campaign.is_public:
        out.update(follow_context(request.user, campaign=campaign))
    return out


@register.filter
def editable_by(comment: Comment, user: Any) -> bool:
    return services.comment_can_edit(comment, user, now=timezone.now())


@register.filter
def notification_message(n: Notification) -> str:
    return notification_text(n)


@register.filter
def stars(rating: Any) -> str:
    try:
        value = round(float(rating))
    except (TypeError, ValueError):
        return ""
    return "★" * value + "☆" * (5 - value)
