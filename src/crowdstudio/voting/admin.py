"""Admin pages for the voting app: read-only, since votes change only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crowdstudio.voting.models import Ballot, RoundStats, RoundVoter, Tally, Vote, VoteFlag


class ReadOnlyAdmin(admin.ModelAdmin):
    """Votes are append-only and tallies are derived: no adding, editing or deleting here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "entry", "voter", "kind", "value", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["round", "entry", "voter", "ballot"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "entry", "voter", "value", "discounted_at"]
    raw_id_fields = ["round", "entry", "voter", "discounted_by"]


@admin.register(RoundVoter)
class RoundVoterAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "voter", "budget", "used", "counted"]
    raw_id_fields = ["round", "voter"]


@admin.register(Tally)
class TallyAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "entry", "raw_count", "counted_count", "score"]
    raw_id_fields = ["round", "entry"]


@admin.register(RoundStats)
class RoundStatsAdmin(ReadOnlyAdmin):
    list_display = ["round", "prior_mean", "prior_weight", "rescored_at", "scanned_at"]


@admin.register(VoteFlag)
class VoteFlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "vote", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["round", "vote"]
