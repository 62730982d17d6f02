"""Comments, reviews, follows and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 2000
REVIEW_MIN_LENGTH = 20
REVIEW_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 500


class Comment(models.Model):
    """A comment on an entry; a reply points at a top-level comment (threads are one level deep).

    Nothing is ever deleted: the author's deletion blanks the text shown (`deleted_at`), a
    moderator's decision hides it from the public (`hidden_at`); earlier texts are kept as
    `CommentVersion` rows.
    """

    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["entry", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} on {self.entry_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentVersion(models.Model):
    """A comment's text as it was before an edit or a deletion."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField()
    replaced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("comment version")
        verbose_name_plural = _("comment versions")
        ordering = ["comment", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id} @ {self.replaced_at:%Y-%m-%d %H:%M}"


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abuse, harassment or hate")
    PERSONAL = "personal", _("Shares someone's personal data")
    OTHER = "other", _("Something else")


class CommentReport(models.Model):
    """Someone flags a comment for the moderators; once per person per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=ReportReason.choices)
    note = models.TextField(_("details"), max_length=REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.reason}"


class Review(models.Model):
    """A 1–5 rating with written advice; one per person per entry, editable."""

    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    advice = models.TextField(_("advice"), max_length=REVIEW_MAX_LENGTH)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "author"], name="one_review_per_person"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ on {self.entry_id}"


class ReviewVersion(models.Model):
    """A review as it was before an edit."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions")
    rating = models.PositiveSmallIntegerField()
    advice = models.TextField()
    replaced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review version")
        verbose_name_plural = _("review versions")
        ordering = ["review", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id} @ {self.replaced_at:%Y-%m-%d %H:%M}"


class Follow(models.Model):
    """Someone follows either an entry or a campaign."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    entry = models.ForeignKey(
        "entries.Entry", on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(Q(entry__isnull=False) & Q(campaign__isnull=True))
                | (Q(entry__isnull=True) & Q(campaign__isnull=False)),
                name="follow_entry_or_campaign",
            ),
            models.UniqueConstraint(
                fields=["user", "entry"],
                condition=Q(entry__isnull=False),
                name="follow_entry_once",
            ),
            models.UniqueConstraint(
                fields=["user", "campaign"],
                condition=Q(campaign__isnull=False),
                name="follow_campaign_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.entry_id or self.campaign_id}"


class NotificationKind(models.TextChoices):
    REVIEW_ON_MY_ENTRY = "review_on_my_entry", _("A review of my entry")
    COMMENT_ON_MY_ENTRY = "comment_on_my_entry", _("A comment on my entry")
    COMMENT_REPLY = "comment_reply", _("A reply to my comment")
    REVIEW_ON_FOLLOWED_ENTRY = "review_on_followed_entry", _("A review of an entry I follow")
    COMMENT_ON_FOLLOWED_ENTRY = "comment_on_followed_entry", _("A comment on an entry I follow")
    ENTRY_APPROVED = "entry_approved", _("My entry was approved")
    ENTRY_REJECTED = "entry_rejected", _("My entry was not accepted")
    ROUND_OPENED = "round_opened", _("A round opened")
    ROUND_CLOSED = "round_closed", _("A round closed")
    RESULTS_PUBLISHED = "results_published", _("Results were published")


class Notification(models.Model):
    """Something that happened, for one person. The text is rendered when shown (in the
    reader's language), from the kind, the linked objects and `data`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    entry = models.ForeignKey(
        "entries.Entry", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    round = models.ForeignKey(
        "campaigns.Round", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    #: Makes an event notify a person once (e.g. "round_opened:12"); empty when not needed.
    key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notify_once_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["emailed_at", "recipient"], name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class DigestFrequency(models.TextChoices):
    OFF = "off", _("Never: only in the app")
    DAILY = "daily", _("Once a day")
    HOURLY = "hourly", _("Soon after it happens (at most hourly)")


class NotificationSettings(models.Model):
    """A person's email preference; without a row the default applies (see selectors)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(
        _("email digest"), max_length=8, choices=DigestFrequency.choices, default="daily"
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"
