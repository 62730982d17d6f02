from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    AWAITING_MODERATION = "awaiting_moderation", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Could not be processed")


class EntrySource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded here")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    INSTAGRAM = "instagram", _("Instagram")


class Entry(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="entries"
    )
    round = models.ForeignKey(
        "campaigns.Round", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entries"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=EntryStatus.choices,
        default=EntryStatus.RECEIVED,
        db_index=True,
    )
    status_message = models.TextField(
        _("message to the entrant"),
        blank=True,
        help_text=_("Why a file failed, or the moderator's reason; shown to the entrant."),
    )
    # Uploads accept the terms when they are submitted; posts imported from a social network
    # have none until their author grants the rights (crowdstudio.rights).
    terms_version = models.ForeignKey(
        "campaigns.TermsVersion",
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
    )
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=EntrySource.choices, default=EntrySource.UPLOAD
    )
    source_url = models.URLField(_("original post"), max_length=500, blank=True)
    submission_key = models.UUIDField(
        default=uuid.uuid4, help_text=_("Idempotency key: a retried or double-clicked submit.")
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="one_entry_per_submission"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="upload") | models.Q(terms_version__isnull=False),
                name="uploads_accept_the_terms",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def in_progress(self) -> bool:
        return self.status in (EntryStatus.RECEIVED, EntryStatus.PROCESSING)

    @property
    def cover(self) -> Asset | None:
        assets = list(self.assets.all())
        return assets[0] if assets else None


class OriginalFile(models.Model):
    """Bytes as received, stored once under their sha256 in private storage; never modified."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    storage_name = models.CharField(max_length=100)
    detected_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("original file")
        verbose_name_plural = _("original files")

    def __str__(self) -> str:
        return self.sha256


class AssetStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Asset(models.Model):
    """One uploaded file of an entry, with what intake learnt about it."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="assets")
    position = models.PositiveSmallIntegerField(default=0)
    original = models.ForeignKey(OriginalFile, on_delete=models.PROTECT, related_name="assets")
    original_name = models.CharField(max_length=255)
    declared_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    status = models.CharField(
        max_length=12, choices=AssetStatus.choices, default=AssetStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)

    kind = models.CharField(max_length=8, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    format_name = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    codecs = models.JSONField(default=list, blank=True)
    stream_count = models.PositiveSmallIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["entry", "position", "id"]

    def __str__(self) -> str:
        return self.original_name

    def rendition(self, role: str) -> Rendition | None:
        for rendition in self.renditions.all():  # prefetched by the selectors
            if rendition.role == role:
                return rendition
        return None

    @property
    def web(self) -> Rendition | None:
        return self.rendition("web")

    @property
    def thumb(self) -> Rendition | None:
        return self.rendition("thumb") or self.rendition("poster")

    @property
    def poster(self) -> Rendition | None:
        return self.rendition("poster")

    @property
    def video(self) -> Rendition | None:
        return self.rendition("video")

    @property
    def audio(self) -> Rendition | None:
        return self.rendition("audio")

    @property
    def message(self) -> str:
        from crowdstudio.entries.messages import intake_message

        return intake_message(self.error_code, self.error_message)


class Rendition(models.Model):
    """A derived, re-encoded, metadata-free copy that may be published; rebuildable."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="renditions")
    role = models.CharField(max_length=12)
    file = models.FileField(max_length=200)
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "role"], name="one_rendition_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}:{self.role}"


class PerceptualHash(models.Model):
    """An image's 64-bit perceptual hash, split into four indexed 16-bit bands.

    The bands make the near-duplicate lookup a handful of index probes (multi-index hashing,
    see entries/neardup.py) instead of a scan of the campaign.
    """

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="phash")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField(help_text=_("signed 64-bit form of the unsigned hash"))
    band0 = models.IntegerField()
    band1 = models.IntegerField()
    band2 = models.IntegerField()
    band3 = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "band0"], name="phash_band0"),
            models.Index(fields=["campaign", "band1"], name="phash_band1"),
            models.Index(fields=["campaign", "band2"], name="phash_band2"),
            models.Index(fields=["campaign", "band3"], name="phash_band3"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.value & 0xFFFFFFFFFFFFFFFF:016x}"


class NearDuplicate(models.Model):
    """Two images of one campaign that look alike (Hamming distance of their hashes)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="near_duplicates")
    other = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    distance = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "other"], name="unique_near_duplicate_pair")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} ~ {self.other_id} ({self.distance})"


class Track(models.Model):
    """A music track of a campaign (the song fans make the video for), uploaded by the studio."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="tracks"
    )
    title = models.CharField(_("title"), max_length=160)
    artist = models.CharField(_("artist"), max_length=160, blank=True)
    original = models.ForeignKey(OriginalFile, on_delete=models.PROTECT, related_name="tracks")
    original_name = models.CharField(max_length=255)
    audio = models.FileField(max_length=200, help_text=_("re-encoded public copy"))
    duration = models.FloatField()
    mime = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["campaign", "-created_at"]

    def __str__(self) -> str:
        return f"{self.artist} – {self.title}" if self.artist else self.title
