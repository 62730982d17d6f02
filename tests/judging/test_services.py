"""Juries, rubrics, conflicts, scorecards and results through the judging services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.judging import selectors, services
from crowdstudio.judging.models import (
    Criterion,
    JuryMember,
    ResultRow,
    ResultSnapshot,
    Scorecard,
    ScorecardStatus,
)
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError


def _criteria(rnd):
    return list(Criterion.objects.filter(round=rnd).order_by("position", "id"))


# --- The worked example ------------------------------------------------------------------------


def test_a_harsh_and_a_lenient_judge_who_agree_give_equal_normalised_scores(
    jury_round, personas, approved_entry, make_user, score
):
    a, b, c = (approved_entry(make_user(f"fan{i}"), title=t) for i, t in enumerate("ABC"))
    jules, peter = personas["judge"], personas["producer"]
    # Jules is lenient (9, 8, 7), Peter harsh (6, 5, 4); both rank A > B > C by the same steps.
    for entry, lenient, harsh in [(a, 9, 6), (b, 8, 5), (c, 7, 4)]:
        score(jules, entry, lenient)
        score(peter, entry, harsh)

    snap = services.results_compute(round=jury_round)

    rows = {row.entry_id: row for row in snap.rows.all()}
    # Robust: median 8 (resp. 5), MAD 1, spread 1.4826: ±1 / 1.4826 = ±0.6745 for both judges.
    assert rows[a.pk].jury_normalised_mean == pytest.approx(0.6745, abs=1e-4)
    assert rows[b.pk].jury_normalised_mean == pytest.approx(0.0)
    assert rows[c.pk].jury_normalised_mean == pytest.approx(-0.6745, abs=1e-4)
    # The raw means are kept beside them: (9 + 6) / 2 and so on.
    assert [rows[e.pk].jury_raw_mean for e in (a, b, c)] == [7.5, 6.5, 5.5]
    assert [rows[e.pk].rank for e in (a, b, c)] == [1, 2, 3]
    # Jury 100 %, linear rank points for a field of three: 3, 2, 1.
    assert [rows[e.pk].points for e in (a, b, c)] == [3.0, 2.0, 1.0]
    assert all(rows[e.pk].jury_judges == 2 for e in (a, b, c))
    scales = {s["judge_id"]: s for s in snap.judge_scales}
    assert scales[jules.pk]["centre"] == 8.0 and scales[peter.pk]["centre"] == 5.0
    assert scales[jules.pk]["spread"] == pytest.approx(scales[peter.pk]["spread"])
    assert snap.method == "robust"


def test_the_documented_example_with_conflicts_gives_the_documented_jury_scores(
    jury_round, personas, approved_entry, make_user, score
):
    """docs/judging.md: Ana generous (conflict D), Ben harsh (conflict C), Cy all sixes (not A)."""
    owner = personas["owner"]
    ana, ben, cy = personas["judge"], personas["producer"], owner
    services.jury_member_add(round=jury_round, user=owner, member=cy)
    a, b, c, d = (approved_entry(make_user(f"fan{t}"), title=t) for t in "ABCD")
    services.conflict_declare(round=jury_round, judge=ana, entry=d, reason="My cousin")
    services.conflict_declare(round=jury_round, judge=ben, entry=c, reason="Former student")
    services.conflict_declare(round=jury_round, judge=cy, entry=a, reason="Worked together")
    for judge, cards in [
        (ana, [(a, 9), (b, 8), (c, 7)]),
        (ben, [(a, 6), (b, 5), (d, 2)]),
        (cy, [(b, 6), (c, 6), (d, 6)]),
    ]:
        for entry, value in cards:
            score(judge, entry, value)

    rows = {r.entry_id: r for r in services.results_compute(round=jury_round).rows.all()}

    assert [round(rows[e.pk].jury_normalised_mean, 2) for e in (a, b, c, d)] == [
        0.67,
        0.0,
        -0.34,
        -1.01,
    ]
    assert [round(rows[e.pk].jury_raw_mean, 2) for e in (a, b, c, d)] == [7.5, 6.33, 6.5, 4.0]
    assert [rows[e.pk].jury_flagged for e in (a, b, c, d)] == [0, 1, 1, 1]
    # On raw averages C would beat B; the jury score puts B ahead.
    assert [rows[e.pk].rank for e in (a, b, c, d)] == [1, 2, 3, 4]


def test_jury_and_audience_combine_by_rank_points_with_the_rounds_weights(
    jury_round, personas, approved_entry, make_user, score, monkeypatch
):
    a, b = (
        approved_entry(make_user("fan1"), title="A"),
        approved_entry(make_user("fan2"), title="B"),
    )
    score(personas["judge"], a, 9)
    score(personas["judge"], b, 3)
    jury_round.voting_scheme = "upvote"
    jury_round.jury_weight = 40
    jury_round.save()
    # The audience prefers B: 60 % of B's audience points against 40 % of A's jury points.
    monkeypatch.setattr(
        "crowdstudio.judging.services.audience_scores", lambda rnd: {a.pk: 0.2, b.pk: 0.8}
    )

    rows = list(services.results_compute(round=jury_round).rows.order_by("rank"))

    assert [r.entry_id for r in rows] == [b.pk, a.pk]
    assert rows[0].points == pytest.approx(0.4 * 1 + 0.6 * 2)
    assert rows[0].audience_score == 0.8 and rows[0].audience_rank == 1
    assert rows[1].jury_rank == 1 and rows[1].audience_rank == 2


def test_equal_points_are_separated_by_the_rounds_tie_breaks_and_the_rule_is_recorded(
    jury_round, personas, approved_entry, make_user, score, monkeypatch
):
    a, b = (
        approved_entry(make_user("fan1"), title="A"),
        approved_entry(make_user("fan2"), title="B"),
    )
    score(personas["judge"], a, 9)
    score(personas["judge"], b, 3)
    jury_round.voting_scheme = "upvote"
    jury_round.jury_weight = 50
    jury_round.tie_breaks = ["audience", "jury", "submitted"]
    jury_round.save()
    monkeypatch.setattr(
        "crowdstudio.judging.services.audience_scores", lambda rnd: {a.pk: 0.2, b.pk: 0.8}
    )

    rows = list(services.results_compute(round=jury_round).rows.order_by("rank"))

    assert rows[0].points == rows[1].points
    assert [r.entry_id for r in rows] == [b.pk, a.pk]
    assert rows[0].decided_by == "audience"


# --- Scorecards --------------------------------------------------------------------------------


def test_a_score_outside_the_criterions_scale_is_refused(
    jury_round, personas, approved_entry, make_user, score
):
    entry = approved_entry(make_user("fan1"))
    for bad in (0, 11):
        with pytest.raises(ServiceError) as error:
            score(personas["judge"], entry, [bad, 5, 5])
        assert error.value.code == "invalid_score"
        assert "between 1 and 10" in error.value.message
    assert not Scorecard.objects.exists()


def test_a_card_can_only_be_submitted_with_every_criterion_scored(
    jury_round, personas, approved_entry, make_user
):
    entry = approved_entry(make_user("fan1"))
    first = _criteria(jury_round)[0]
    with pytest.raises(ServiceError) as error:
        services.scorecard_save(
            round=jury_round,
            judge=personas["judge"],
            entry=entry,
            scores={first.pk: 5},
            submit=True,
        )
    assert error.value.code == "incomplete"
    assert "Craft" in error.value.message
    draft = services.scorecard_save(
        round=jury_round, judge=personas["judge"], entry=entry, scores={first.pk: 5}
    )
    assert draft.status == ScorecardStatus.DRAFT


def test_saving_again_updates_the_one_card_and_the_database_refuses_a_second(
    jury_round, personas, approved_entry, make_user, score
):
    entry = approved_entry(make_user("fan1"))
    score(personas["judge"], entry, 5, submit=False)
    card = score(personas["judge"], entry, 7, comment="Lovely light")
    again = score(personas["judge"], entry, [8, 7, 7])

    assert again.pk == card.pk and again.status == ScorecardStatus.SUBMITTED
    assert Scorecard.objects.count() == 1
    assert sorted(again.scores.values_list("value", flat=True)) == [7, 7, 8]
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(
            round=jury_round, judge=personas["judge"], entry=entry, created_at=now, updated_at=now
        )


def test_someone_off_the_jury_cannot_score(jury_round, personas, approved_entry, make_user, score):
    entry = approved_entry(make_user("fan1"))
    with pytest.raises(NotAllowed):
        score(personas["owner"], entry, 5)


# --- Conflicts of interest ---------------------------------------------------------------------


def test_a_judge_never_gets_their_own_entry_or_a_declared_conflict(
    jury_round, personas, approved_entry, make_user, score
):
    jules = personas["judge"]
    own = approved_entry(jules, title="Jules's own")
    friend = approved_entry(make_user("friend"), title="A friend's")
    other = approved_entry(make_user("stranger"), title="A stranger's")
    services.conflict_declare(round=jury_round, judge=jules, entry=friend, reason="Friend")

    assert list(selectors.judge_entries(jury_round, jules)) == [other]
    assert selectors.judge_progress(jury_round, jules) == (0, 1)
    for entry in (own, friend):
        with pytest.raises(ServiceError) as error:
            score(jules, entry, 5)
        assert error.value.code == "not_assigned"
    # Peter has no conflict: he sees all three.
    assert selectors.judge_progress(jury_round, personas["producer"]) == (0, 3)


def test_a_conflict_declared_after_scoring_takes_the_card_out_of_the_results(
    jury_round, personas, approved_entry, make_user, score
):
    jules = personas["judge"]
    a, b = approved_entry(make_user("fan1")), approved_entry(make_user("fan2"))
    score(jules, a, 9)
    score(jules, b, 4)
    services.conflict_declare(round=jury_round, judge=jules, entry=a, reason="Realised: neighbour")

    rows = {r.entry_id: r for r in services.results_compute(round=jury_round).rows.all()}

    assert rows[a.pk].jury_judges == 0 and rows[a.pk].jury_normalised_mean is None
    assert rows[b.pk].jury_judges == 1


def test_declaring_a_conflict_needs_a_reason_and_twice_keeps_one(
    jury_round, personas, approved_entry, make_user
):
    entry = approved_entry(make_user("fan1"))
    with pytest.raises(ServiceError) as error:
        services.conflict_declare(
            round=jury_round, judge=personas["judge"], entry=entry, reason=" "
        )
    assert error.value.code == "reason_required"
    first = services.conflict_declare(
        round=jury_round, judge=personas["judge"], entry=entry, reason="Friend"
    )
    second = services.conflict_declare(
        round=jury_round, judge=personas["judge"], entry=entry, reason="Friend, again"
    )
    assert first.pk == second.pk


# --- Jury and rubric ---------------------------------------------------------------------------


def test_only_judges_producers_and_owners_of_the_organisation_sit_on_the_jury(jury_round, personas):
    for persona in ("moderator", "entrant", "outsider"):
        with pytest.raises(ServiceError) as error:
            services.jury_member_add(
                round=jury_round, user=personas["owner"], member=personas[persona]
            )
        assert error.value.code == "not_eligible"
    again = services.jury_member_add(
        round=jury_round, user=personas["owner"], member=personas["judge"]
    )
    assert again.number == 1
    assert list(selectors.jury(jury_round).values_list("user__username", "number")) == [
        ("jules", 1),
        ("peter", 2),
    ]
    assert AuditEvent.objects.filter(action="jury.member_added").count() == 2


def test_a_judge_who_has_submitted_cards_stays_on_the_jury(
    jury_round, personas, approved_entry, make_user, score
):
    entry = approved_entry(make_user("fan1"))
    score(personas["judge"], entry, 5)
    with pytest.raises(Conflict) as error:
        services.jury_member_remove(
            round=jury_round, user=personas["owner"], member=personas["judge"]
        )
    assert error.value.code == "judge_has_scored"
    assert services.jury_member_remove(
        round=jury_round, user=personas["owner"], member=personas["producer"]
    )
    assert not JuryMember.objects.filter(user=personas["producer"]).exists()


def test_the_rubric_locks_when_the_first_scorecard_is_submitted(
    jury_round, personas, approved_entry, make_user, score
):
    owner = personas["owner"]
    entry = approved_entry(make_user("fan1"))
    score(personas["judge"], entry, 5, submit=False)  # a draft does not lock it
    services.criterion_add(round=jury_round, user=owner, name="Sound", weight=Decimal("1"))
    score(personas["judge"], entry, 5)

    with pytest.raises(Conflict) as error:
        services.criterion_add(round=jury_round, user=owner, name="Mood", weight=Decimal("1"))
    assert error.value.code == "rubric_locked"
    assert "locked" in error.value.message
    criterion = _criteria(jury_round)[0]
    with pytest.raises(Conflict):
        services.criterion_remove(criterion=criterion, user=owner)
    with pytest.raises(Conflict):
        services.criterion_update(
            criterion=criterion,
            user=owner,
            name="Originality",
            description="",
            weight=Decimal("5"),
            scale_min=1,
            scale_max=10,
            position=1,
        )


@pytest.mark.parametrize(
    ("weight", "low", "high", "code"),
    [
        ("0", 1, 10, "invalid_weight"),
        ("-1", 1, 10, "invalid_weight"),
        ("1", 5, 5, "invalid_scale"),
        ("1", 10, 1, "invalid_scale"),
        ("1", -1, 10, "invalid_scale"),
    ],
)
def test_a_criterion_needs_a_positive_weight_and_an_ordered_scale(
    jury_round, personas, weight, low, high, code
):
    with pytest.raises(ServiceError) as error:
        services.criterion_add(
            round=jury_round,
            user=personas["owner"],
            name="Mood",
            weight=Decimal(weight),
            scale_min=low,
            scale_max=high,
        )
    assert error.value.code == code


def test_criterion_names_are_unique_in_a_round(jury_round, personas):
    with pytest.raises(ServiceError) as error:
        services.criterion_add(
            round=jury_round, user=personas["owner"], name="craft", weight=Decimal("1")
        )
    assert error.value.code == "duplicate_name"


# --- Contest settings --------------------------------------------------------------------------


def _settings(**overrides):
    values = {
        "voting_scheme": "upvote",
        "vote_budget": None,
        "voting_opens_at": None,
        "voting_closes_at": None,
        "blind_judging": True,
        "normalisation": "zscore",
        "jury_weight": 70,
        "results_scale": "eurovision",
        "tie_breaks": ["audience", "jury", "submitted"],
    }
    values.update(overrides)
    return values


def test_contest_settings_are_saved_and_audited(jury_round, personas):
    services.round_configure(round=jury_round, user=personas["producer"], **_settings())
    jury_round.refresh_from_db()
    assert (jury_round.jury_weight, jury_round.audience_weight) == (70, 30)
    assert jury_round.tie_breaks == ["audience", "jury", "submitted"]
    assert jury_round.blind_judging and jury_round.results_scale == "eurovision"
    event = AuditEvent.objects.get(action="round.contest_configured")
    assert event.data["jury_weight"] == {"from": 100, "to": 70}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"voting_scheme": "budget"}, "invalid_budget"),
        ({"voting_scheme": "budget", "vote_budget": 0}, "invalid_budget"),
        ({"voting_scheme": "none"}, "invalid_weight"),
        ({"jury_weight": 101}, "invalid_weight"),
        ({"tie_breaks": ["jury", "jury", "submitted"]}, "invalid_tie_breaks"),
        ({"tie_breaks": ["jury", "audience"]}, "invalid_tie_breaks"),
        ({"normalisation": "mean"}, "invalid_normalisation"),
        ({"results_scale": "log"}, "invalid_scale"),
    ],
)
def test_contest_settings_refuse_bad_values_with_a_clear_code(
    jury_round, personas, overrides, code
):
    with pytest.raises(ServiceError) as error:
        services.round_configure(round=jury_round, user=personas["owner"], **_settings(**overrides))
    assert error.value.code == code


def test_the_voting_window_must_be_ordered_and_near_the_round(jury_round, personas):
    opens = jury_round.opens_at
    for start, end in [
        (opens + timedelta(days=2), opens + timedelta(days=1)),
        (opens - timedelta(days=1), None),
        (None, jury_round.closes_at + timedelta(days=400)),
    ]:
        with pytest.raises(ServiceError) as error:
            services.round_configure(
                round=jury_round,
                user=personas["owner"],
                **_settings(voting_opens_at=start, voting_closes_at=end),
            )
        assert error.value.code == "invalid_voting_window"
    services.round_configure(
        round=jury_round,
        user=personas["owner"],
        **_settings(
            voting_scheme="budget",
            vote_budget=5,
            voting_closes_at=jury_round.closes_at + timedelta(days=7),
        ),
    )
    jury_round.refresh_from_db()
    assert jury_round.vote_budget == 5


# --- Results: compute, publish, freeze ---------------------------------------------------------


def _close(rnd):
    """Move the round's window into the past (it closed a minute ago)."""
    now = timezone.now()
    type(rnd).objects.filter(pk=rnd.pk).update(
        opens_at=now - timedelta(days=10), closes_at=now - timedelta(minutes=1)
    )
    rnd.refresh_from_db()
    return rnd


def test_recomputing_replaces_the_draft_snapshot(
    jury_round, personas, approved_entry, make_user, score
):
    a, b = approved_entry(make_user("fan1")), approved_entry(make_user("fan2"))
    score(personas["judge"], a, 4)
    score(personas["judge"], b, 8)
    first = services.results_compute(round=jury_round)
    assert first.rows.get(rank=1).entry_id == b.pk
    score(personas["judge"], a, 9)

    second = services.results_compute(round=jury_round)

    assert ResultSnapshot.objects.count() == 1 and second.pk == first.pk
    assert ResultRow.objects.count() == 2
    assert second.rows.get(rank=1).entry_id == a.pk


def test_results_are_published_once_after_closing_and_then_frozen(
    jury_round, personas, approved_entry, make_user, score, monkeypatch
):
    told = []
    monkeypatch.setattr(
        "crowdstudio.community.services.notify_results_published",
        lambda *, round: told.append(round.pk) or 1,
    )
    entry = approved_entry(make_user("fan1"))
    score(personas["judge"], entry, 7)
    producer = personas["producer"]

    with pytest.raises(Conflict) as error:
        services.results_publish(round=jury_round, user=producer)
    assert error.value.code == "round_open"
    _close(jury_round)
    with pytest.raises(Conflict) as error:
        services.results_publish(round=jury_round, user=producer)
    assert error.value.code == "no_results"
    services.results_compute(round=jury_round, user=producer)

    assert services.results_publish(round=jury_round, user=producer) is True
    assert services.results_publish(round=jury_round, user=producer) is False  # double click

    jury_round.refresh_from_db()
    assert jury_round.results_published_at is not None
    assert told == [jury_round.pk]
    assert AuditEvent.objects.filter(action="results.published").count() == 1
    assert ResultSnapshot.objects.get().published_at == jury_round.results_published_at
    for attempt in (
        lambda: services.results_compute(round=jury_round),
        lambda: score(personas["judge"], entry, 9),
        lambda: services.round_configure(round=jury_round, user=producer, **_settings()),
        lambda: services.criterion_add(
            round=jury_round, user=producer, name="Late", weight=Decimal("1")
        ),
    ):
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code in {"results_published", "rubric_locked"}
    with pytest.raises(Conflict, match="published"):
        services.results_compute(round=jury_round)


def test_an_entrant_reads_their_scores_with_judges_anonymised_by_stable_numbers(
    jury_round, personas, approved_entry, score
):
    erin = personas["entrant"]
    entry = approved_entry(erin)
    score(personas["producer"], entry, [9, 8, 7], comment="Strong idea.", private_note="Top 3?")
    score(personas["judge"], entry, 6, comment="Needs focus.")

    feedback = selectors.feedback_for_entry(jury_round, entry)

    # Jules was seated first (Judge 1), Peter second (Judge 2), whoever scored first.
    assert [(f.judge_number, f.comment) for f in feedback] == [
        (1, "Needs focus."),
        (2, "Strong idea."),
    ]
    assert [value for _c, value in feedback[1].scores] == [9, 8, 7]
