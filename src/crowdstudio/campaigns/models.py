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


class VotingScheme(models.TextChoices):
    NONE = "none", _("No audience vote")
    UPVOTE = "upvote", _("One up-vote per person per entry")
    STARS = "stars", _("A 1–5 star score per person per entry")
    BUDGET = "budget", _("A fixed budget of votes per person")


class Normalisation(models.TextChoices):
    ROBUST = "robust", _("Robust (median and spread per judge)")
    ZSCORE = "zscore", _("z-scores per judge")


class ResultsScale(models.TextChoices):
    LINEAR = "linear", _("Linear (N points for first down to 1)")
    EUROVISION = "eurovision", _("Eurovision (12, 10, 8 … 1 for the top ten)")


def default_tie_breaks() -> list[str]:
    return ["jury", "audience", "submitted"]


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
    # Audience voting. The voting window defaults to the round's own window.
    voting_scheme = models.CharField(
        _("audience voting"), max_length=8, choices=VotingScheme.choices, default="none"
    )
    vote_budget = models.PositiveSmallIntegerField(
        _("votes per person"),
        null=True,
        blank=True,
        help_text=_("For the budget scheme: how many votes each person may give in this round."),
    )
    voting_opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    # Jury and results.
    blind_judging = models.BooleanField(
        _("blind judging"), default=False, help_text=_("Judges do not see who made an entry.")
    )
    normalisation = models.CharField(
        _("judge normalisation"), max_length=8, choices=Normalisation.choices, default="robust"
    )
    jury_weight = models.PositiveSmallIntegerField(
        _("jury weight (%)"),
        default=100,
        help_text=_("The audience gets the rest, e.g. 70 for a 70/30 split."),
    )
    results_scale = models.CharField(
        _("rank points"), max_length=10, choices=ResultsScale.choices, default="linear"
    )
    tie_breaks = models.JSONField(
        _("tie-breaks"),
        default=default_tie_breaks,
        help_text=_("In order: jury, audience, submitted."),
    )
    # Lifecycle markers set by the round scheduler (judging.tasks) and by publishing results.
    opened_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    results_published_at = models.DateTimeField(null=True, blank=True, editable=False)

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
            models.CheckConstraint(
                condition=models.Q(jury_weight__lte=100), name="round_jury_weight_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.title}"

    @property
    def audience_weight(self) -> int:
        return 100 - self.jury_weight

    def voting_window(self) -> tuple[datetime, datetime]:
        return (self.voting_opens_at or self.opens_at, self.voting_closes_at or self.closes_at)

    def voting_open_at(self, when: datetime) -> bool:
        if self.voting_scheme == VotingScheme.NONE:
            return False
        start, end = self.voting_window()
        return start <= when < end


class RoundAdvancement(models.Model):
    """An entry that went on from one round to the next (staged contests).

    Round 1 takes every approved entry of the campaign; a later round takes only the entries
    advanced into it (see `entries.selectors.round_entries`).
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="advancements")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    from_place = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("advancement")
        verbose_name_plural = _("advancements")
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="unique_round_advancement")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.round}"


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
