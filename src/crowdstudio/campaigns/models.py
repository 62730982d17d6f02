from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    PHOTO_VIDEO = "photo_video", _("Photo / video call")
    MUSIC_VIDEO = "music_video", _("Music-video call")
    SCRIPT = "script", _("Script contest")
    FILM = "film", _("Film contest")
    ADVERT = "advert", _("Advert contest")
    IDEA = "idea", _("Idea call")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    JUDGING = "judging", _("Judging")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Photos")
    VIDEO = "video", _("Video clips")
    AUDIO = "audio", _("Audio")


class Campaign(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="campaigns"
    )
    slug = models.SlugField(_("address"), unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=160)
    tagline = models.CharField(_("tagline"), max_length=240, blank=True)
    brief = models.TextField(_("brief"), help_text=_("Markdown"), blank=True)
    rules = models.TextField(_("rules"), help_text=_("Markdown"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)

    accepted_kinds = models.JSONField(_("accepted media"), default=list)
    max_file_mb = models.PositiveIntegerField(_("largest file (MB)"), default=50)
    max_megapixels = models.PositiveIntegerField(_("largest image (megapixels)"), default=50)
    max_duration_seconds = models.PositiveIntegerField(
        _("longest video or audio (seconds)"), default=300
    )
    max_files_per_entry = models.PositiveSmallIntegerField(_("files per entry"), default=5)

    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    countries = models.JSONField(
        _("eligible countries"),
        default=list,
        blank=True,
        help_text=_("ISO country codes; empty means everywhere"),
    )
    requires_code = models.BooleanField(
        _("requires an invite or proof-of-purchase code"), default=False
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status != CampaignStatus.DRAFT

    def round_open_at(self, when: datetime) -> Round | None:
        return self.rounds.filter(opens_at__lte=when, closes_at__gt=when).order_by("number").first()


class TermsVersion(models.Model):
    """Terms entrants accept. Versions are immutable; a change is a new version."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="terms_versions")
    version = models.PositiveIntegerField()
    body = models.TextField(_("terms"), help_text=_("Markdown"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("terms version")
        verbose_name_plural = _("terms versions")
        ordering = ["campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="unique_terms_version")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} terms v{self.version}"


class Round(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=120)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    advance_top_n = models.PositiveIntegerField(
        _("entries advancing"),
        null=True,
        blank=True,
        help_text=_("For staged rounds: how many entries go on to the next round."),
    )

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="unique_round_number"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.title}"


class PrizeKind(models.TextChoices):
    CASH = "cash", _("Cash")
    OPTION = "option", _("Option agreement")
    PRODUCTION = "production", _("Production")


class Prize(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="prizes")
    rank = models.PositiveSmallIntegerField(_("rank"))
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=PrizeKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "rank"], name="unique_prize_rank"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="prize_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.title}"


class CodeKind(models.TextChoices):
    INVITE = "invite", _("Invite code")
    PURCHASE = "purchase", _("Proof-of-purchase code")


class EligibilityCode(models.Model):
    """A code an entrant must give; only a keyed hash is stored, never the code itself."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    kind = models.CharField(max_length=12, choices=CodeKind.choices)
    code_hash = models.CharField(max_length=64)
    label = models.CharField(_("label"), max_length=80, blank=True)
    max_uses = models.PositiveIntegerField(default=1)
    use_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility code")
        verbose_name_plural = _("eligibility codes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code_hash"], name="unique_code_hash"),
            models.CheckConstraint(
                condition=models.Q(use_count__lte=models.F("max_uses")), name="code_not_overused"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label or self.code_hash[:8]}"


class CodeRedemption(models.Model):
    code = models.ForeignKey(EligibilityCode, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redeemed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "user"], name="one_redemption_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.user}"
