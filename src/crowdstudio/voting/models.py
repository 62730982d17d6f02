"""Audience votes, tallies and vote integrity.

- `Vote` is an append-only event: every cast, change and withdrawal is a new row, with the
  network and device as keyed hashes (never raw addresses or user agents).
- `Ballot` is a person's current vote for one entry in one round. Its unique constraint is what
  makes "one vote per person per entry" hold under concurrent requests and retries.
- `RoundVoter` is a person's participation in a round: the votes they have used (the budget
  scheme's check constraint lives here) and how many of them count.
- `Tally` is an entry's figures in a round, kept in the same transaction as each vote: raw
  (every vote) and counted (without discounted ballots), and the stored ranking key the
  leaderboard is read in order of.
- `VoteFlag` is a fraud signal raised by the background scan about one vote event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VoteKind(models.TextChoices):
    CAST = "cast", _("Cast")
    CHANGE = "change", _("Changed")
    WITHDRAW = "withdraw", _("Withdrawn")


class Ballot(models.Model):
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    #: 0 = no vote now (withdrawn); 1 for an up-vote; 1–5 stars; the votes given in a budget.
    value = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    discounted_at = models.DateTimeField(null=True, blank=True)
    discounted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    discount_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "voter", "entry"], name="one_ballot_per_voter_and_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.entry_id}: {self.value}"

    @property
    def discounted(self) -> bool:
        return self.discounted_at is not None


class Vote(models.Model):
    """One vote event. Never updated or deleted; a flagged vote is discounted on its ballot."""

    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    kind = models.CharField(max_length=8, choices=VoteKind.choices)
    value = models.PositiveSmallIntegerField(help_text=_("The ballot's value after this event."))
    previous = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    network_hash = models.CharField(max_length=64, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        indexes = [models.Index(fields=["round", "created_at"], name="vote_round_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.voter_id} → {self.entry_id}: {self.value}"


class RoundVoter(models.Model):
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: The budget scheme's allowance, copied from the round when the first vote is cast.
    budget = models.PositiveSmallIntegerField(null=True, blank=True)
    used = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    first_vote_at = models.DateTimeField()

    class Meta:
        verbose_name = _("round voter")
        verbose_name_plural = _("round voters")
        constraints = [
            models.UniqueConstraint(fields=["round", "voter"], name="one_round_voter"),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(used__lte=models.F("budget")),
                name="round_voter_within_budget",
            ),
            models.CheckConstraint(
                condition=models.Q(counted__lte=models.F("used")),
                name="round_voter_counted_within_used",
            ),
        ]
        indexes = [models.Index(fields=["round", "counted"], name="round_voter_counted")]

    def __str__(self) -> str:
        return f"{self.voter_id} in {self.round_id}: {self.used}"

    @property
    def left(self) -> int | None:
        return None if self.budget is None else max(0, self.budget - self.used)


class Tally(models.Model):
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey("entries.Entry", on_delete=models.CASCADE, related_name="+")
    raw_count = models.PositiveIntegerField(default=0)
    raw_sum = models.PositiveIntegerField(default=0)
    counted_count = models.PositiveIntegerField(default=0)
    counted_sum = models.PositiveIntegerField(default=0)
    #: The leaderboard's order (see docs/voting.md): counted votes for up-votes and budgets,
    #: the Bayesian average for stars.
    score = models.FloatField(default=0.0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="one_tally_per_round_entry")
        ]
        indexes = [
            models.Index(
                models.F("round"),
                models.F("score").desc(),
                models.F("counted_count").desc(),
                models.F("entry"),
                name="tally_leaderboard",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} in {self.round_id}: {self.counted_count}/{self.raw_count}"


class RoundStats(models.Model):
    """The star scheme's prior, refreshed by `tally_rescore`; read (never locked) by votes."""

    round = models.OneToOneField(
        "campaigns.Round", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    prior_mean = models.FloatField(default=3.0)
    prior_weight = models.FloatField(default=1.0)
    rescored_at = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("round vote statistics")
        verbose_name_plural = _("round vote statistics")

    def __str__(self) -> str:
        return f"{self.round_id}: prior {self.prior_mean:.2f}×{self.prior_weight:.1f}"


class FlagKind(models.TextChoices):
    BURST = "burst", _("Burst of votes for one entry")
    SHARED_NETWORK = "shared_network", _("Accounts sharing a network")
    SHARED_DEVICE = "shared_device", _("Accounts sharing a device")
    NEW_ACCOUNT = "new_account", _("Account created just before voting")
    RING = "ring", _("Voting ring")


class VoteFlag(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="flags")
    round = models.ForeignKey("campaigns.Round", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vote flag")
        verbose_name_plural = _("vote flags")
        constraints = [
            models.UniqueConstraint(fields=["vote", "kind"], name="one_flag_per_vote_and_kind")
        ]
        indexes = [models.Index(fields=["round", "kind"], name="vote_flag_round_kind")]

    def __str__(self) -> str:
        return f"{self.kind} on vote {self.vote_id}"
