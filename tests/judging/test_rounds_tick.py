"""The round clock: announcing opened rounds, closing rounds, results and advancement, with
injected time and more than one worker."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns.models import Round, RoundAdvancement
from crowdstudio.entries.selectors import round_entries
from crowdstudio.judging import services
from crowdstudio.judging.models import ResultSnapshot
from crowdstudio.judging.tasks import rounds_tick as rounds_tick_task
from crowdstudio.scheduler import default_jobs


@pytest.fixture
def told(notifications):
    return notifications


@pytest.fixture
def staged(jury_round, personas, approved_entry, make_user, score):
    """Round 1 advances its top 2 into round 2; four entries, scored 9, 7, 5, 3 by jules."""
    jury_round.advance_top_n = 2
    jury_round.save()
    final = Round.objects.create(
        campaign=jury_round.campaign,
        number=2,
        title="Final",
        opens_at=jury_round.closes_at + timedelta(days=1),
        closes_at=jury_round.closes_at + timedelta(days=10),
    )
    entries = [approved_entry(make_user(f"fan{i}"), title=f"E{i}") for i in range(4)]
    for entry, value in zip(entries, [9, 7, 5, 3], strict=True):
        score(personas["judge"], entry, value)
    return jury_round, final, entries


def test_an_open_round_is_announced_once_however_often_the_clock_ticks(jury_round, told):
    now = jury_round.opens_at + timedelta(minutes=5)
    assert services.rounds_tick(now=now) == {"opened": 1}
    assert services.rounds_tick(now=now + timedelta(seconds=30)) == {}
    jury_round.refresh_from_db()
    assert jury_round.opened_announced_at == now
    assert told == [("opened", jury_round.pk)]


def test_a_round_is_not_closed_before_its_time(staged, told):
    first, _final, _entries = staged
    assert services.rounds_tick(now=first.closes_at - timedelta(seconds=1)).get("closed") is None
    first.refresh_from_db()
    assert first.closed_at is None


def test_closing_computes_results_and_advances_the_top_n_exactly_once(staged, told):
    first, final, entries = staged
    after = first.closes_at + timedelta(minutes=1)

    assert services.rounds_tick(now=after) == {"closed": 1, "advanced": 2}
    assert services.rounds_tick(now=after + timedelta(seconds=30)) == {}

    first.refresh_from_db()
    assert first.closed_at == after
    assert ResultSnapshot.objects.get(round=first).computed_at == after
    advanced = RoundAdvancement.objects.filter(round=final).order_by("from_place")
    assert [(a.entry_id, a.from_place) for a in advanced] == [
        (entries[0].pk, 1),
        (entries[1].pk, 2),
    ]
    assert set(round_entries(final)) == {entries[0], entries[1]}
    assert AuditEvent.objects.filter(action="round.closed").count() == 1
    assert AuditEvent.objects.filter(action="round.advanced").count() == 1
    assert ("closed", first.pk) in told and told.count(("closed", first.pk)) == 1


def test_two_workers_closing_the_same_round_close_it_once(staged, told):
    first, final, _entries = staged
    after = first.closes_at + timedelta(minutes=1)
    # Both workers loaded the round before either closed it.
    seen_by_a = Round.objects.get(pk=first.pk)
    seen_by_b = Round.objects.get(pk=first.pk)

    assert services.round_close(round=seen_by_a, now=after) == 2
    assert services.round_close(round=seen_by_b, now=after + timedelta(seconds=1)) is None

    assert RoundAdvancement.objects.filter(round=final).count() == 2
    assert told.count(("closed", first.pk)) == 1


def test_advancing_again_adds_nothing_thanks_to_the_unique_constraint(staged, told):
    first, final, _entries = staged
    after = first.closes_at + timedelta(minutes=1)
    services.round_close(round=first, now=after)
    first.refresh_from_db()
    snap = ResultSnapshot.objects.get(round=first)
    assert services._advance(first, snap, after) == 0
    assert RoundAdvancement.objects.filter(round=final).count() == 2


def test_a_round_without_a_next_round_closes_without_advancing(jury_round, told):
    jury_round.advance_top_n = 3
    jury_round.save()
    result = services.rounds_tick(now=jury_round.closes_at + timedelta(minutes=1))
    assert result.get("closed") == 1 and "advanced" not in result
    assert not RoundAdvancement.objects.exists()


def test_draft_campaigns_are_left_alone(draft_campaign, personas, told):
    from django.utils import timezone

    now = timezone.now()
    Round.objects.create(
        campaign=draft_campaign,
        number=1,
        title="Hidden",
        opens_at=now - timedelta(days=5),
        closes_at=now - timedelta(days=1),
    )
    assert services.rounds_tick(now=now) == {}
    assert told == []


def test_the_worker_sweep_runs_the_clock_and_a_task_wraps_it(jury_round, told):
    assert "crowdstudio.judging.services.rounds_tick" in {job.target for job in default_jobs()}
    assert callable(rounds_tick_task.func)
