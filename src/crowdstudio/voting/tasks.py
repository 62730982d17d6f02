"""Background jobs of the voting app. Each takes ids, loads what it needs and calls a service."""

from __future__ import annotations

from django_tasks import task

from crowdstudio.campaigns.models import Round
from crowdstudio.voting import services


@task()
def scan_round_votes(round_id: int) -> int:
    """Compute the fraud signals of a round and store new flags; safe to run twice."""
    round = Round.objects.filter(pk=round_id).first()
    if round is None:
        return 0
    return services.fraud_scan(round=round)


@task()
def rebuild_round_tallies(round_id: int) -> dict[str, int]:
    round = Round.objects.filter(pk=round_id).first()
    if round is None:
        return {}
    report = services.tally_rebuild(round)
    return {
        "ballots_fixed": report.ballots_fixed,
        "tallies_fixed": report.tallies_fixed,
        "voters_fixed": report.voters_fixed,
    }
