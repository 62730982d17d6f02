"""Juries, rubrics, conflicts of interest, scorecards and result snapshots.

The jury of a round is its `JuryMember` rows (one jury per round). Each member gets a number
when added ("Judge 3"), stable for the round, so entrants can read their feedback without
learning who wrote it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JuryMember(models.Model):
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_seats"
    )
    number = models.PositiveSmallIntegerField(
        help_text=_("Shown to entrants as “Judge 1, 2, …” instead of the name.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_seat_per_judge"),
            models.UniqueConstraint(fields=["round", "number"], name="unique_judge_number"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.user}"


class Criterion(models.Model):
    """One line of a round's rubric: scored on a whole-number scale, weighted relative to others."""

    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=10)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["round", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="unique_criterion_name"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_gt_0"),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="criterion_scale_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ConflictOfInterest(models.Model):
    """A judge's declared conflict of interest: the entry is never shown to them.

    The author of an entry is conflicted with it without a row (see selectors.judge_entries).
    """

    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judging_conflicts"
    )
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    declared_at = models.DateTimeField()

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "judge", "entry"], name="one_conflict_per_judge_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.judge} ✕ {self.entry_id}"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Scorecard(models.Model):
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorecards"
    )
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    comment = models.TextField(_("comment to the entrant"), blank=True)
    private_note = models.TextField(_("private note to the jury"), blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "judge", "entry"], name="one_scorecard_per_judge_entry"
            )
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"{self.judge} → {self.entry_id} ({self.status})"


class CriterionScore(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class ResultSnapshot(models.Model):
    """The computed standings of a round; replaced on recompute, frozen once published."""

    round = models.OneToOneField(
        "campaigns.Round", on_delete=models.CASCADE, related_name="result_snapshot"
    )
    computed_at = models.DateTimeField()
    method = models.CharField(max_length=8)
    jury_weight = models.PositiveSmallIntegerField()
    audience_weight = models.PositiveSmallIntegerField()
    scale = models.CharField(max_length=10)
    tie_breaks = models.JSONField(default=list)
    judge_scales = models.JSONField(
        default=list, help_text=_("Each judge's centre, spread and basis, for staff.")
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")

    def __str__(self) -> str:
        return f"{self.round} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ResultRow(models.Model):
    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="rows")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    points = models.FloatField()
    jury_rank = models.PositiveIntegerField(null=True, blank=True)
    jury_points = models.FloatField(default=0)
    jury_raw_mean = models.FloatField(null=True, blank=True)
    jury_normalised_mean = models.FloatField(null=True, blank=True)
    jury_judges = models.PositiveSmallIntegerField(default=0)
    jury_flagged = models.PositiveSmallIntegerField(default=0)
    audience_score = models.FloatField(null=True, blank=True)
    audience_rank = models.PositiveIntegerField(null=True, blank=True)
    audience_points = models.FloatField(default=0)
    decided_by = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("result row")
        verbose_name_plural = _("result rows")
        ordering = ["snapshot", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "entry"], name="one_result_per_entry"),
            models.UniqueConstraint(fields=["snapshot", "rank"], name="one_entry_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.entry_id}"
