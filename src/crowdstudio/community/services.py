"""Comments, reviews, follows and notifications: every write of the community app."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Campaign, CampaignStatus, Round
from crowdstudio.community.messages import notification_path, notification_text
from crowdstudio.community.models import (
    COMMENT_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REVIEW_MAX_LENGTH,
    REVIEW_MIN_LENGTH,
    Comment,
    CommentReport,
    CommentVersion,
    DigestFrequency,
    Follow,
    Notification,
    NotificationKind,
    NotificationSettings,
    ReportReason,
    Review,
    ReviewVersion,
)
from crowdstudio.community.selectors import default_digest
from crowdstudio.entries.access import can_view_entry
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError

logger = logging.getLogger(__name__)

#: A repeated identical comment within this time is taken for a double click, not a new one.
DUPLICATE_COMMENT_WINDOW = timedelta(minutes=2)
#: Notifications older than this are not mailed any more (e.g. after switching the digest on).
DIGEST_MAX_AGE = timedelta(days=7)
DIGEST_INTERVALS: dict[str, timedelta] = {
    DigestFrequency.DAILY: timedelta(hours=24),
    DigestFrequency.HOURLY: timedelta(hours=1),
}
UNSUBSCRIBE_SALT = "crowdstudio.community.unsubscribe"


def edit_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "CROWDSTUDIO_COMMENT_EDIT_MINUTES", 15))


def clean_text(text: str) -> str:
    """Plain text as typed, with uniform line breaks and no surrounding blank space."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _require_signed_in(user: Any) -> None:
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("login_required", _("Please log in first."))


def _require_open_for_discussion(user: Any, entry: Entry) -> None:
    _require_signed_in(user)
    if not can_view_entry(user, entry):
        raise NotAllowed("forbidden", _("You cannot see this entry."))
    if entry.status != EntryStatus.APPROVED:
        raise Conflict(
            "entry_not_public", _("Discussion opens once the entry is approved and public.")
        )
    if entry.campaign.status in (CampaignStatus.DRAFT, CampaignStatus.ARCHIVED):
        raise Conflict("discussion_closed", _("This campaign is closed for discussion."))


def _entry_names(entry: Entry, actor: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "entry": entry.title,
        "campaign": entry.campaign.title,
        "campaign_slug": entry.campaign.slug,
    }
    if actor is not None:
        data["actor"] = actor.public_name
    return data


# --- comments -------------------------------------------------------------------------------


def comment_post(
    *,
    entry: Entry,
    user: Any,
    body: str,
    parent: Comment | None = None,
    now: datetime | None = None,
) -> Comment:
    """Comment on an approved entry, or reply to a comment (a reply to a reply joins the
    top-level comment's thread: threads are one level deep)."""
    now = now or timezone.now()
    _require_open_for_discussion(user, entry)
    body = clean_text(body)
    if not body:
        raise ServiceError("comment_empty", _("Write something first."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ServiceError(
            "comment_too_long",
            _("A comment can be at most %(n)s characters long.") % {"n": COMMENT_MAX_LENGTH},
        )
    if parent is not None:
        if parent.entry_id != entry.pk:
            raise ServiceError("wrong_thread", _("That comment belongs to another entry."))
        if parent.is_hidden:
            raise Conflict("comment_hidden", _("You cannot reply to a hidden comment."))
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
    with transaction.atomic():
        # A double click or a resent form posts the same text twice: keep one comment.
        same = Comment.objects.filter(
            entry=entry,
            author=user,
            parent=parent,
            body=body,
            created_at__gte=now - DUPLICATE_COMMENT_WINDOW,
            deleted_at__isnull=True,
        ).first()
        if same is not None:
            return same
        comment = Comment.objects.create(
            entry=entry, author=user, parent=parent, body=body, created_at=now
        )
        _notify_comment(comment, now=now)
    return comment


def comment_can_edit(comment: Comment, user: Any, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        getattr(user, "is_authenticated", False)
        and comment.author_id == user.pk
        and not comment.is_deleted
        and not comment.is_hidden
        and now - comment.created_at <= edit_window()
    )


def comment_edit(*, comment: Comment, user: Any, body: str, now: datetime | None = None) -> Comment:
    """The author corrects their comment within the edit window; the old text is kept."""
    now = now or timezone.now()
    _require_signed_in(user)
    if comment.author_id != user.pk:
        raise NotAllowed("not_yours", _("You can only edit your own comments."))
    if comment.is_deleted or comment.is_hidden:
        raise Conflict("comment_gone", _("This comment can no longer be edited."))
    if now - comment.created_at > edit_window():
        minutes = int(edit_window().total_seconds() // 60)
        raise Conflict(
            "edit_window_over",
            ngettext(
                "Comments can be edited for %(n)s minute after posting.",
                "Comments can be edited for %(n)s minutes after posting.",
                minutes,
            )
            % {"n": minutes},
        )
    body = clean_text(body)
    if not body:
        raise ServiceError("comment_empty", _("Write something first."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ServiceError(
            "comment_too_long",
            _("A comment can be at most %(n)s characters long.") % {"n": COMMENT_MAX_LENGTH},
        )
    if body == comment.body:
        return comment
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        CommentVersion.objects.create(comment=locked, body=locked.body, replaced_at=now)
        locked.body = body
        locked.edited_at = now
        locked.save(update_fields=["body", "edited_at"])
    return locked


def comment_delete(*, comment: Comment, user: Any, now: datetime | None = None) -> Comment:
    """The author withdraws their comment: the public sees a placeholder, replies stay."""
    now = now or timezone.now()
    _require_signed_in(user)
    if comment.author_id != user.pk:
        raise NotAllowed("not_yours", _("You can only delete your own comments."))
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.deleted_at is not None:
            return locked  # a repeated click
        CommentVersion.objects.create(comment=locked, body=locked.body, replaced_at=now)
        locked.deleted_at = now
        locked.save(update_fields=["deleted_at"])
    return locked


def comment_report(
    *, comment: Comment, user: Any, reason: str, note: str = "", now: datetime | None = None
) -> CommentReport:
    """Flag a comment for the campaign's moderators; once per person per comment."""
    now = now or timezone.now()
    _require_signed_in(user)
    if reason not in ReportReason.values:
        raise ServiceError("invalid_reason", _("Choose a reason."))
    note = clean_text(note)[:REASON_MAX_LENGTH]
    if reason == ReportReason.OTHER and not note:
        raise ServiceError("note_required", _("Tell the moderators what is wrong."))
    if comment.author_id == user.pk:
        raise ServiceError("own_comment", _("You cannot report your own comment."))
    if comment.is_deleted:
        raise Conflict("comment_gone", _("This comment has been deleted already."))
    campaign = comment.entry.campaign
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(
                comment=comment, reporter=user, reason=reason, note=note, created_at=now
            )
            log_action(
                comment,
                "comment.reported",
                user=user,
                now=now,
                data={"reason": reason, "note": note, "entry": comment.entry_id},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
    except IntegrityError:
        raise Conflict(
            "already_reported", _("You have reported this comment already. Thank you.")
        ) from None
    return report


def comment_moderate(
    *, comment: Comment, user: Any, hide: bool, reason: str, now: datetime | None = None
) -> Comment:
    """A moderator hides a comment from the public, or restores it; both need a reason and
    close the comment's open reports."""
    now = now or timezone.now()
    campaign = comment.entry.campaign
    if not has_capability(user, campaign.organisation_id, Capability.MODERATE):
        raise NotAllowed("forbidden", _("Only the campaign's moderators can do this."))
    reason = clean_text(reason)
    if not reason:
        raise ServiceError("reason_required", _("Give a reason; it is kept in the audit log."))
    reason = reason[:REASON_MAX_LENGTH]
    with transaction.atomic():
        if hide:
            changed = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
                hidden_at=now, hidden_by=user, hidden_reason=reason
            )
        else:
            changed = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).update(
                hidden_at=None, hidden_by=None, hidden_reason=""
            )
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=now
        )
        if changed:
            log_action(
                comment,
                "comment.hidden" if hide else "comment.restored",
                user=user,
                now=now,
                data={"reason": reason, "entry": comment.entry_id},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
        elif CommentReport.objects.filter(comment=comment, resolved_at=now).exists():
            # Nothing to hide or restore, but the reports were looked at: say so.
            log_action(
                comment,
                "comment.reports_dismissed",
                user=user,
                now=now,
                data={"reason": reason, "entry": comment.entry_id},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
    comment.refresh_from_db()
    return comment


# --- reviews --------------------------------------------------------------------------------


def review_refusal(entry: Entry, user: Any) -> str:
    """Why this person may not review this entry ("" when they may). Staff of the organising
    team judge instead; nobody reviews their own entry."""
    if not getattr(user, "is_authenticated", False):
        return _("Log in to write a review.")
    if entry.author_id == user.pk:
        return _("You cannot review your own entry.")
    if has_capability(user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE):
        return _("The organising team judges entries instead of reviewing them.")
    return ""


def review_save(
    *, entry: Entry, user: Any, rating: int, advice: str, now: datetime | None = None
) -> tuple[Review, bool]:
    """Write or change my review of an entry; returns (review, created). Earlier versions are
    kept."""
    now = now or timezone.now()
    _require_open_for_discussion(user, entry)
    refusal = review_refusal(entry, user)
    if refusal:
        code = "own_entry" if entry.author_id == user.pk else "organiser"
        raise NotAllowed(code, refusal)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ServiceError("invalid_rating", _("Give a rating from 1 to 5."))
    advice = clean_text(advice)
    if len(advice) < REVIEW_MIN_LENGTH:
        raise ServiceError(
            "advice_too_short",
            _("Write at least %(n)s characters of advice, so the entrant can learn from it.")
            % {"n": REVIEW_MIN_LENGTH},
        )
    if len(advice) > REVIEW_MAX_LENGTH:
        raise ServiceError(
            "advice_too_long",
            _("A review can be at most %(n)s characters long.") % {"n": REVIEW_MAX_LENGTH},
        )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                entry=entry, author=user, rating=rating, advice=advice, created_at=now
            )
            _notify_review(review, now=now)
            return review, True
    except IntegrityError:
        pass  # I reviewed it before (or a double click got there first): update it
    with transaction.atomic():
        review = Review.objects.select_for_update().get(entry=entry, author=user)
        if review.rating == rating and review.advice == advice:
            return review, False
        ReviewVersion.objects.create(
            review=review, rating=review.rating, advice=review.advice, replaced_at=now
        )
        review.rating = rating
        review.advice = advice
        review.edited_at = now
        review.save(update_fields=["rating", "advice", "edited_at"])
    return review, False


# --- follows --------------------------------------------------------------------------------


def follow_set(
    *,
    user: Any,
    following: bool,
    entry: Entry | None = None,
    campaign: Campaign | None = None,
    now: datetime | None = None,
) -> bool:
    """Follow or stop following an entry or a campaign. The wanted state is sent, not a
    toggle, so a double click or a retry lands where the person meant. Returns `following`."""
    now = now or timezone.now()
    _require_signed_in(user)
    if (entry is None) == (campaign is None):
        raise ServiceError("follow_target", _("Follow either an entry or a campaign."))
    target: dict[str, Any] = {"entry": entry} if entry is not None else {"campaign": campaign}
    if not following:
        Follow.objects.filter(user=user, **target).delete()
        return False
    if entry is not None and entry.status != EntryStatus.APPROVED:
        raise Conflict("entry_not_public", _("You can follow an entry once it is public."))
    if campaign is not None and not campaign.is_public:
        raise Conflict("campaign_not_public", _("You can follow a campaign once it is public."))
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, **target, defaults={"created_at": now})
    except IntegrityError:
        pass  # a concurrent request followed first: the state is what was asked for
    return True


# --- notifications --------------------------------------------------------------------------


def _create_notifications(
    recipients: dict[int, str],
    *,
    actor: Any = None,
    entry: Entry | None = None,
    campaign: Campaign | None = None,
    round: Round | None = None,
    data: dict[str, Any],
    key: str = "",
    now: datetime,
    emailed: bool = False,
) -> int:
    """One notification per recipient (id → kind); never to the actor; with a key, once per
    recipient whatever the number of calls (DB-unique)."""
    if actor is not None:
        recipients.pop(actor.pk, None)
    if key:
        already = set(
            Notification.objects.filter(recipient_id__in=recipients, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = {uid: kind for uid, kind in recipients.items() if uid not in already}
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            actor=actor,
            entry=entry,
            campaign=campaign or (entry.campaign if entry is not None else None),
            round=round,
            data=data,
            key=key,
            created_at=now,
            emailed_at=now if emailed else None,
        )
        for uid, kind in recipients.items()
    ]
    # ignore_conflicts: another worker announcing the same round at the same moment.
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    return len(rows)


def _entry_followers(entry: Entry) -> list[int]:
    return list(Follow.objects.filter(entry=entry).values_list("user_id", flat=True))


def _notify_comment(comment: Comment, *, now: datetime) -> int:
    entry = comment.entry
    recipients: dict[int, str] = {
        uid: NotificationKind.COMMENT_ON_FOLLOWED_ENTRY for uid in _entry_followers(entry)
    }
    if comment.parent_id is not None:
        parent_author = Comment.objects.values_list("author_id", flat=True).get(
            pk=comment.parent_id
        )
        recipients[parent_author] = NotificationKind.COMMENT_REPLY
    recipients[entry.author_id] = NotificationKind.COMMENT_ON_MY_ENTRY
    data = {**_entry_names(entry, comment.author), "comment": comment.pk}
    return _create_notifications(recipients, actor=comment.author, entry=entry, data=data, now=now)


def _notify_review(review: Review, *, now: datetime) -> int:
    entry = review.entry
    recipients: dict[int, str] = {
        uid: NotificationKind.REVIEW_ON_FOLLOWED_ENTRY for uid in _entry_followers(entry)
    }
    recipients[entry.author_id] = NotificationKind.REVIEW_ON_MY_ENTRY
    data = {**_entry_names(entry, review.author), "rating": review.rating}
    return _create_notifications(recipients, actor=review.author, entry=entry, data=data, now=now)


def notify_entry_decision(*, entry: Entry, now: datetime | None = None) -> int:
    """Tell the author that their entry was approved or rejected (called by entry_moderate).

    The entries app mails the decision at once, so the notification is marked as emailed and
    the digest does not repeat it.
    """
    now = now or timezone.now()
    if entry.status == EntryStatus.APPROVED:
        kind = NotificationKind.ENTRY_APPROVED
    elif entry.status == EntryStatus.REJECTED:
        kind = NotificationKind.ENTRY_REJECTED
    else:
        return 0
    return _create_notifications(
        {entry.author_id: kind},
        entry=entry,
        data=_entry_names(entry),
        now=now,
        emailed=True,
    )


def _notify_round(round: Any, kind: str, *, include_entrants: bool = True) -> int:
    from crowdstudio.entries.selectors import round_entries

    now = timezone.now()
    rnd = Round.objects.select_related("campaign").get(pk=round.pk)
    campaign = rnd.campaign
    if not campaign.is_public:
        return 0
    recipients: dict[int, str] = {
        uid: kind
        for uid in Follow.objects.filter(campaign=campaign).values_list("user_id", flat=True)
    }
    if include_entrants:
        for uid in round_entries(rnd).values_list("author_id", flat=True).distinct():
            recipients[uid] = kind
    data = {"campaign": campaign.title, "campaign_slug": campaign.slug, "round": rnd.title}
    return _create_notifications(
        recipients, campaign=campaign, round=rnd, data=data, key=f"{kind}:{rnd.pk}", now=now
    )


def notify_round_opened(*, round: Any) -> int:
    """Tell the campaign's followers (and entries advanced into it) that a round is open.
    Returns how many were told; a second call tells nobody twice."""
    return _notify_round(round, NotificationKind.ROUND_OPENED)


def notify_round_closed(*, round: Any) -> int:
    """Tell the campaign's followers and the round's entrants that a round has closed."""
    return _notify_round(round, NotificationKind.ROUND_CLOSED)


def notify_results_published(*, round: Any) -> int:
    """Tell the campaign's followers and the round's entrants that results are out."""
    return _notify_round(round, NotificationKind.RESULTS_PUBLISHED)


def notification_mark_read(
    *, user: Any, notification_id: int, now: datetime | None = None
) -> Notification:
    now = now or timezone.now()
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise Http404("No such notification")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now)


# --- email digest ---------------------------------------------------------------------------


def notification_settings_update(
    *, user: Any, digest: str, language: str | None = None
) -> NotificationSettings:
    _require_signed_in(user)
    if digest not in DigestFrequency.values:
        raise ServiceError("invalid_digest", _("Choose how often we may email you."))
    row, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"digest": digest}
    )
    if language is not None and language != user.language:
        if language not in dict(settings.LANGUAGES):
            raise ServiceError("invalid_language", _("Choose a language we write in."))
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return row


def unsubscribe_token(user: Any) -> str:
    """A signed token that switches this person's digest off without logging in."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe_token(token: str) -> Any | None:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    return get_user_model().objects.filter(pk=payload["u"], is_active=True).first()


def digest_unsubscribe(*, token: str, now: datetime | None = None) -> Any:
    """Switch the digest off for the person the token was made for (one click from a mail)."""
    user = user_for_unsubscribe_token(token)
    if user is None:
        raise ServiceError("invalid_token", _("This unsubscribe link is not valid."))
    NotificationSettings.objects.update_or_create(
        user=user, defaults={"digest": DigestFrequency.OFF}
    )
    log_action(user, "notifications.unsubscribed", user=user, now=now, data={"via": "link"})
    return user


def _pending(now: datetime) -> Any:
    """Notifications not mailed, not read in the app, and recent enough to be news."""
    return Notification.objects.filter(
        emailed_at__isnull=True,
        read_at__isnull=True,
        created_at__lte=now,
        created_at__gt=now - DIGEST_MAX_AGE,
    )


def _is_due(digest: str, last: datetime | None, now: datetime) -> bool:
    interval = DIGEST_INTERVALS.get(digest)
    if interval is None:
        return False
    return last is None or now - last >= interval


def digest_due(*, now: datetime | None = None) -> int:
    """Queue a digest for everyone whose digest is due and who has news; returns how many.

    Run periodically from the worker's sweep. Queueing twice is harmless: `digest_send`
    checks again under a lock and sends nothing the second time.
    """
    now = now or timezone.now()
    user_ids = set(_pending(now).values_list("recipient_id", flat=True).distinct())
    if not user_ids:
        return 0
    prefs = {
        row["user_id"]: (row["digest"], row["last_digest_at"])
        for row in NotificationSettings.objects.filter(user_id__in=user_ids).values(
            "user_id", "digest", "last_digest_at"
        )
    }
    with_email = set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    default = default_digest()
    due = [
        uid
        for uid in sorted(user_ids & with_email)
        if _is_due(*prefs.get(uid, (default, None)), now)
    ]
    for uid in due:
        transaction.on_commit(functools.partial(_enqueue_digest, uid))
    return len(due)


def _enqueue_digest(user_id: int) -> None:
    from crowdstudio.community.tasks import send_digest

    send_digest.enqueue(user_id=user_id)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def digest_message(user: Any, notifications: Iterable[Notification]) -> EmailMultiAlternatives:
    """The digest mail (plain text and HTML) in the recipient's language, with one-click
    unsubscribe headers (RFC 8058)."""
    unsubscribe_url = _absolute(
        reverse("digest_unsubscribe", kwargs={"token": unsubscribe_token(user)})
    )
    with translation.override(user.language or settings.LANGUAGE_CODE):
        items = [
            {
                "text": notification_text(n),
                "url": _absolute(notification_path(n)),
                "created_at": n.created_at,
            }
            for n in notifications
        ]
        context = {
            "user": user,
            "items": items,
            "unsubscribe_url": unsubscribe_url,
            "settings_url": _absolute(reverse("notification_settings")),
            "notifications_url": _absolute(reverse("notifications")),
        }
        subject = ngettext(
            "crowdstudio: %(n)s new notification",
            "crowdstudio: %(n)s new notifications",
            len(items),
        ) % {"n": len(items)}
        text = render_to_string("community/email/digest.txt", context)
        html = render_to_string("community/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def digest_send(*, user_id: int, now: datetime | None = None) -> int:
    """Mail one person their pending notifications in one message, if their digest is due.

    The notifications are marked emailed in the same transaction that sends, under a lock on
    the person's settings row: a second run (another worker, a retried task) finds nothing to
    send, and a failed send leaves them pending. Returns how many notifications were mailed.
    """
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    try:
        with transaction.atomic():
            NotificationSettings.objects.get_or_create(
                user=user, defaults={"digest": default_digest()}
            )
    except IntegrityError:
        pass  # made meanwhile by a concurrent run
    with transaction.atomic():
        prefs = NotificationSettings.objects.select_for_update().get(user=user)
        if not _is_due(prefs.digest, prefs.last_digest_at, now):
            return 0
        pending = list(
            _pending(now).filter(recipient=user).select_for_update().order_by("created_at", "id")
        )
        if not pending:
            return 0
        marked = Notification.objects.filter(
            pk__in=[n.pk for n in pending], emailed_at__isnull=True
        ).update(emailed_at=now)
        if marked != len(pending):
            raise Conflict("digest_race", "Notifications changed while the digest was sent.")
        prefs.last_digest_at = now
        prefs.save(update_fields=["last_digest_at", "updated_at"])
        digest_message(user, pending).send()
    return len(pending)
