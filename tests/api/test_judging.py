"""The judging API: assignments with progress, saving scorecards, and published results."""

# The judging fixtures are imported from tests/judging/conftest.py, and pytest passes them back
# in as arguments of the same name.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from crowdstudio.judging import services
from crowdstudio.judging.models import Criterion, Scorecard, ScorecardStatus
from tests.judging.conftest import jury_round, notifications, score  # noqa: F401


def _scores(rnd, *values):
    criteria = list(Criterion.objects.filter(round=rnd).order_by("position", "id"))
    return [{"criterion_id": c.pk, "value": v} for c, v in zip(criteria, values, strict=True)]


def test_a_judge_gets_their_rounds_entries_and_progress_without_conflicts(
    api_as, jury_round, personas, approved_entry, make_user, score
):
    jules = personas["judge"]
    approved_entry(jules, title="Own")
    friend = approved_entry(make_user("friend"), title="Friend's")
    other = approved_entry(make_user("sam", display_name="Sam Stranger"), title="Sam's")
    services.conflict_declare(round=jury_round, judge=jules, entry=friend, reason="Friend")
    score(jules, other, 6)

    response = api_as("judge").get("/judging/assignments")

    assert response.status_code == 200
    [assignment] = response.json()
    assert assignment["round_id"] == jury_round.pk
    assert (assignment["scored"], assignment["assigned"]) == (1, 1)
    assert [e["title"] for e in assignment["entries"]] == ["Sam's"]
    assert assignment["entries"][0]["author"] == "Sam Stranger"
    assert assignment["entries"][0]["scorecard"] == "submitted"
    assert [c["name"] for c in assignment["rubric"]] == ["Originality", "Craft", "Fit to the brief"]
    assert api_as("entrant").get("/judging/assignments").json() == []


def test_blind_judging_hides_the_author_in_the_api(api_as, jury_round, approved_entry, make_user):
    jury_round.blind_judging = True
    jury_round.save()
    approved_entry(make_user("sam", display_name="Sam Stranger"))
    response = api_as("judge").get("/judging/assignments")
    assert response.json()[0]["entries"][0]["author"] is None
    assert "Sam" not in response.content.decode()


def test_a_judge_submits_and_updates_a_scorecard(api_as, jury_round, approved_entry, make_user):
    entry = approved_entry(make_user("sam"))
    api = api_as("judge")
    url = f"/rounds/{jury_round.pk}/scorecards"

    draft = api.post(url, {"entry_id": entry.pk, "scores": _scores(jury_round, 5, 5, 5)[:1]})
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    incomplete = api.post(url, {"entry_id": entry.pk, "submit": True})
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "incomplete"
    out_of_scale = api.post(
        url, {"entry_id": entry.pk, "scores": _scores(jury_round, 5, 11, 5), "submit": True}
    )
    assert out_of_scale.status_code == 400 and out_of_scale.json()["code"] == "invalid_score"
    done = api.post(
        url,
        {
            "entry_id": entry.pk,
            "scores": _scores(jury_round, 8, 6, 9),
            "comment": "Warm",
            "private_note": "Shortlist",
            "submit": True,
        },
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "submitted" and body["comment"] == "Warm"
    assert [s["value"] for s in body["scores"]] == [8, 6, 9]
    again = api.post(url, {"entry_id": entry.pk, "scores": _scores(jury_round, 9, 6, 9)})
    assert again.json()["status"] == "submitted"  # an edit keeps a submitted card submitted
    assert Scorecard.objects.get().status == ScorecardStatus.SUBMITTED


def test_a_conflicted_or_own_entry_is_404_in_the_api(
    api_as, jury_round, personas, approved_entry, make_user
):
    jules = personas["judge"]
    own = approved_entry(jules)
    friend = approved_entry(make_user("friend"))
    services.conflict_declare(round=jury_round, judge=jules, entry=friend, reason="Friend")
    for entry in (own, friend):
        response = api_as("judge").post(
            f"/rounds/{jury_round.pk}/scorecards",
            {"entry_id": entry.pk, "scores": _scores(jury_round, 5, 5, 5), "submit": True},
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert not Scorecard.objects.exists()


def test_someone_off_the_jury_gets_404_for_the_rounds_scorecards(
    api_as, jury_round, approved_entry, make_user
):
    entry = approved_entry(make_user("sam"))
    for persona in ("entrant", "moderator", "owner", "outsider"):
        response = api_as(persona).post(
            f"/rounds/{jury_round.pk}/scorecards", {"entry_id": entry.pk}
        )
        assert response.status_code == 404, persona


def test_results_are_404_until_published_then_public(
    api_as, jury_round, personas, approved_entry, make_user, score
):
    entry = approved_entry(make_user("sam", display_name="Sam"), title="Pier")
    score(personas["judge"], entry, 7)
    url = f"/rounds/{jury_round.pk}/results"
    assert api_as("anonymous").get(url).status_code == 404
    assert api_as("owner").get(url).status_code == 404
    now = timezone.now()
    type(jury_round).objects.filter(pk=jury_round.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(minutes=1)
    )
    jury_round.refresh_from_db()
    services.results_compute(round=jury_round)
    services.results_publish(round=jury_round, user=personas["owner"])

    response = api_as("anonymous").get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["standings"] == [
        {
            "rank": 1,
            "entry_id": entry.pk,
            "title": "Pier",
            "author": "Sam",
            "points": 1.0,
            "jury_rank": 1,
            "audience_rank": None,
            "decided_by": None,
        }
    ]
    assert (body["jury_weight"], body["audience_weight"]) == (100, 0)
    assert body["tie_breaks"] == ["jury", "audience", "submitted"]


def test_a_scorecard_after_publishing_is_refused_with_409(
    api_as, jury_round, personas, approved_entry, make_user, score
):
    entry = approved_entry(make_user("sam"))
    score(personas["judge"], entry, 7)
    jury_round.results_published_at = timezone.now()
    jury_round.save()
    response = api_as("judge").post(
        f"/rounds/{jury_round.pk}/scorecards",
        {"entry_id": entry.pk, "scores": _scores(jury_round, 9, 9, 9), "submit": True},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "results_published"
