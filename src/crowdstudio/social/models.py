"""Hashtag sources on social networks and the posts imported from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    INSTAGRAM = "instagram", _("Instagram")


class SourceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FAILING = "failing", _("Failing")


class HashtagSource(models.Model):
    """One hashtag polled on one network for one campaign, with its resumable cursor.

    Credentials (a Mastodon or Instagram token, a Bluesky app password) are stored encrypted
    with crowdstudio.lib.crypto and never shown again: pages only say whether one is set.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="hashtag_sources"
    )
    network = models.CharField(_("network"), max_length=12, choices=Network.choices)
    hashtag = models.CharField(_("hashtag"), max_length=100, help_text=_("Without the “#”."))
    instance = models.URLField(
        _("instance"),
        max_length=200,
        blank=True,
        help_text=_(
            "Mastodon: the server to read, e.g. https://mastodon.social. Bluesky: optional, "
            "the service that signs in (default https://bsky.social)."
        ),
    )
    account = models.CharField(
        _("account"),
        max_length=200,
        blank=True,
        help_text=_(
            "Bluesky: the handle that signs in. Instagram: the business account id. "
            "Mastodon: not needed."
        ),
    )
    credentials_encrypted = models.TextField(blank=True, editable=False)
    since = models.DateTimeField(
        _("import posts from"),
        null=True,
        blank=True,
        help_text=_("Older posts are ignored; empty imports everything the network returns."),
    )
    poll_interval_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=900)

    cursor = models.TextField(blank=True, editable=False)
    consent_cursor = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=SourceStatus.choices,
        default=SourceStatus.ACTIVE,
        db_index=True,
    )
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    backoff_level = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    posts_seen = models.PositiveIntegerField(default=0)
    posts_imported = models.PositiveIntegerField(default=0)
    posts_skipped = models.PositiveIntegerField(default=0)
    posts_already_imported = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hashtag source")
        verbose_name_plural = _("hashtag sources")
        ordering = ["campaign", "network", "hashtag"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "network", "hashtag", "instance"],
                name="one_source_per_campaign_tag",
            )
        ]

    def __str__(self) -> str:
        where = f" @ {self.instance}" if self.instance else ""
        return f"#{self.hashtag} on {self.get_network_display()}{where}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)


class SocialIdentity(models.Model):
    """An account on a network, stood in for by an inactive placeholder user until claimed.

    `remote_id` is the network's stable account id (Mastodon account id, Bluesky DID); where
    the network gives none (Instagram hashtag media carries no author) it is "post:<post id>",
    so each such post has its own identity, claimed by following the rights link.
    """

    network = models.CharField(max_length=12, choices=Network.choices)
    remote_id = models.CharField(max_length=300)
    handle = models.CharField(max_length=300, blank=True)
    instance = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="social_placeholder"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="social_identities",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("social identity")
        verbose_name_plural = _("social identities")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "remote_id"], name="one_identity_per_account"
            )
        ]

    def __str__(self) -> str:
        return self.handle or f"{self.network}:{self.remote_id}"

    @property
    def label(self) -> str:
        return self.handle or str(_("unknown account"))


class PostOutcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    SKIPPED = "skipped", _("Skipped")


SKIP_REASONS = {
    "no_media": _("no photo, video or sound"),
    "media_not_accepted": _("media of a kind the campaign does not accept"),
    "media_failed": _("the media could not be downloaded (too large or broken)"),
}


class ImportedPost(models.Model):
    """A post seen by a source: imported as an entry, or skipped with a reason.

    Unique per (network, post id): a post becomes at most one entry, whatever the overlap
    between polls or between sources (also of different campaigns: the first source wins).
    """

    source = models.ForeignKey(
        HashtagSource, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="imported_posts"
    )
    network = models.CharField(max_length=12, choices=Network.choices)
    post_id = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    author = models.ForeignKey(
        SocialIdentity, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()
    snapshot = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=8, choices=PostOutcome.choices)
    skip_reason = models.CharField(max_length=40, blank=True)
    entry = models.OneToOneField(
        "entries.Entry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imported_post",
    )
    imported_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("imported post")
        verbose_name_plural = _("imported posts")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "post_id"], name="one_import_per_post")
        ]
        indexes = [models.Index(fields=["campaign", "-imported_at"])]

    def __str__(self) -> str:
        return f"{self.network}:{self.post_id}"

    @property
    def skip_label(self) -> str:
        return str(SKIP_REASONS.get(self.skip_reason, self.skip_reason))


class InstagramHashtagUse(models.Model):
    """A hashtag an Instagram business account searched; it counts for 7 days from
    `searched_at` against the account's 30 unique hashtags (Instagram's documented limit)."""

    account = models.CharField(max_length=200)
    hashtag = models.CharField(max_length=100)
    searched_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Instagram hashtag use")
        verbose_name_plural = _("Instagram hashtag uses")
        constraints = [
            models.UniqueConstraint(fields=["account", "hashtag"], name="one_use_row_per_tag")
        ]

    def __str__(self) -> str:
        return f"{self.account} #{self.hashtag}"
