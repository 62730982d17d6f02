"""Judging: a judge's assignments and scorecards, and the published results of a round.

A judge reaches only the rounds they sit on and only the entries they may score: their own
entries and entries they declared a conflict with answer 404, as if they did not exist. With
blind judging the author is null everywhere a judge looks.
"""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations.

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from crowdstudio.api.auth import PUBLIC, acting_user
from crowdstudio.api.schemas import responses
from crowdstudio.awards.selectors import round_awards
from crowdstudio.campaigns.models import Round
from crowdstudio.judging import selectors, services
from crowdstudio.judging.access import get_entry_for_judge, get_round_for_judge
from crowdstudio.judging.models import Scorecard

router = Router(tags=["judging"])


class AssignedEntryOut(Schema):
    id: int
    title: str
    author: str | None = Field(description="The author's public name; null with blind judging.")
    scorecard: str | None = Field(description="`draft`, `submitted`, or null if not started.")


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: float
    scale_min: int
    scale_max: int


class AssignmentOut(Schema):
    round_id: int
    campaign: str = Field(description="The campaign's slug.")
    round: str = Field(description="The round's title.")
    blind_judging: bool
    scored: int = Field(description="Submitted scorecards for assigned entries.")
    assigned: int = Field(description="The round's entries minus conflicts and own entries.")
    results_published: bool
    rubric: list[CriterionOut]
    entries: list[AssignedEntryOut]


class ScoreIn(Schema):
    criterion_id: int = Field(ge=1, le=2**31 - 1)
    value: int = Field(ge=-32768, le=32767)


class ScorecardIn(Schema):
    entry_id: int = Field(ge=1, le=2**63 - 1)
    scores: list[ScoreIn] = Field(default_factory=list, max_length=100)
    comment: str = Field("", max_length=5000, description="To the entrant, anonymised.")
    private_note: str = Field("", max_length=5000, description="For the jury and staff only.")
    submit: bool = Field(
        False,
        description="Submit (every criterion scored) or keep as a draft; a submitted "
        "card stays submitted when edited.",
    )


class ScoreOut(Schema):
    criterion_id: int
    value: int


class ScorecardOut(Schema):
    id: int
    round_id: int
    entry_id: int
    status: str
    comment: str
    private_note: str
    submitted_at: datetime | None
    updated_at: datetime
    scores: list[ScoreOut]

    @staticmethod
    def resolve_scores(obj: Scorecard) -> list[dict[str, int]]:
        return [
            {"criterion_id": s.criterion_id, "value": s.value}
            for s in obj.scores.order_by("criterion_id")
        ]


class StandingOut(Schema):
    rank: int
    entry_id: int
    title: str
    author: str
    points: float
    jury_rank: int | None
    audience_rank: int | None
    decided_by: str | None = Field(description="The tie-break that put it ahead of the next.")


class WinnerOut(Schema):
    prize_rank: int
    prize: str
    entry_id: int
    title: str
    author: str


class ResultsOut(Schema):
    round_id: int
    campaign: str
    round: str
    published_at: datetime
    jury_weight: int
    audience_weight: int
    scale: str
    tie_breaks: list[str]
    standings: list[StandingOut]
    winners: list[WinnerOut]


@router.get(
    "/judging/assignments",
    response=responses({200: list[AssignmentOut]}),
    summary="The rounds I judge, with my progress and the entries I score",
)
def judging_assignments(request: HttpRequest) -> list[dict[str, Any]]:
    user = acting_user(request)
    out = []
    for rnd, scored, assigned in selectors.rounds_of_judge(user):
        cards = dict(
            Scorecard.objects.filter(round=rnd, judge=user).values_list("entry_id", "status")
        )
        out.append(
            {
                "round_id": rnd.pk,
                "campaign": rnd.campaign.slug,
                "round": rnd.title,
                "blind_judging": rnd.blind_judging,
                "scored": scored,
                "assigned": assigned,
                "results_published": rnd.results_published_at is not None,
                "rubric": [
                    {
                        "id": c.pk,
                        "name": c.name,
                        "description": c.description,
                        "weight": float(c.weight),
                        "scale_min": c.scale_min,
                        "scale_max": c.scale_max,
                    }
                    for c in selectors.rubric(rnd)
                ],
                "entries": [
                    {
                        "id": entry.pk,
                        "title": entry.title,
                        "author": None if rnd.blind_judging else entry.author.public_name,
                        "scorecard": cards.get(entry.pk),
                    }
                    for entry in selectors.judge_entries(rnd, user)
                ],
            }
        )
    return out


@router.post(
    "/rounds/{round_id}/scorecards",
    response=responses({200: ScorecardOut}),
    summary="Save or submit my scorecard for an entry",
    description="One card per judge and entry: posting again updates it. Scores are whole "
    "numbers within each criterion's scale. Refused with 409 `results_published` once the "
    "round's results are out; 404 for entries I may not judge.",
)
def scorecard_save(request: HttpRequest, round_id: int, payload: ScorecardIn) -> Scorecard:
    user = acting_user(request)
    rnd = get_round_for_judge(user, round_id)
    entry = get_entry_for_judge(user, rnd, payload.entry_id)
    scores: dict[int, int | None] = {}
    for score in payload.scores:
        scores[score.criterion_id] = score.value
    return services.scorecard_save(
        round=rnd,
        judge=user,
        entry=entry,
        scores=scores,
        comment=payload.comment,
        private_note=payload.private_note,
        submit=payload.submit,
    )


@router.get(
    "/rounds/{round_id}/results",
    response=responses({200: ResultsOut}),
    auth=PUBLIC,
    summary="The published results of a round",
    description="404 until the organiser publishes the results.",
)
def round_results_public(request: HttpRequest, round_id: int) -> dict[str, Any]:
    rnd = Round.objects.select_related("campaign").filter(pk=round_id).first()
    snap = selectors.published_results(rnd) if rnd is not None else None
    if rnd is None or snap is None or not rnd.campaign.is_public:
        raise Http404("No published results for this round")
    return {
        "round_id": rnd.pk,
        "campaign": rnd.campaign.slug,
        "round": rnd.title,
        "published_at": snap.published_at,
        "jury_weight": snap.jury_weight,
        "audience_weight": snap.audience_weight,
        "scale": snap.scale,
        "tie_breaks": list(snap.tie_breaks),
        "standings": [
            {
                "rank": row.rank,
                "entry_id": row.entry_id,
                "title": row.entry.title,
                "author": row.entry.author.public_name,
                "points": row.points,
                "jury_rank": row.jury_rank,
                "audience_rank": row.audience_rank,
                "decided_by": row.decided_by or None,
            }
            for row in selectors.standings(snap)
        ],
        "winners": [
            {
                "prize_rank": award.prize.rank,
                "prize": award.prize.title,
                "entry_id": award.entry.pk,
                "title": award.entry.title,
                "author": award.entry.author.public_name,
            }
            for award in round_awards(rnd)
        ],
    }
