"""Audience voting: cast, change or withdraw a vote, and read a round's leaderboard."""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations.

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.api.auth import PUBLIC, acting_user
from crowdstudio.api.schemas import ErrorOut, responses
from crowdstudio.campaigns.access import can_view_campaign
from crowdstudio.campaigns.models import Round
from crowdstudio.entries.access import can_view_entry
from crowdstudio.entries.models import Entry
from crowdstudio.voting import selectors, services
from crowdstudio.voting.origin import origin_from_request

router = Router(tags=["voting"])


class VoteIn(Schema):
    entry_id: int = Field(ge=1, le=2**63 - 1)
    value: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="Up-votes: omit (or 1). Stars: 1–5. Budget: votes for this entry (default 1).",
    )


class VoteOut(Schema):
    round_id: int
    entry_id: int
    value: int = Field(description="The vote now on record; 0 after a withdrawal.")
    recorded: bool = Field(description="False when the request repeated the current vote.")
    votes_left: int | None = Field(description="Budget scheme: votes left in the round.")


class LeaderboardRowOut(Schema):
    place: int
    entry_id: int
    title: str
    author: str
    votes: int = Field(description="Counted votes (ratings, for stars).")
    total: int = Field(description="Counted sum: up-votes, budget votes or stars.")
    score: float = Field(description="The ranking score; see /how-it-works/ranking/.")
    average: float | None = Field(description="Stars: the plain average of counted ratings.")
    raw_votes: int | None = Field(None, description="Staff only: including discounted votes.")
    raw_total: int | None = Field(None, description="Staff only.")
    flags: int | None = Field(None, description="Staff only: fraud flags on its votes.")


class LeaderboardOut(Schema):
    items: list[LeaderboardRowOut]
    count: int


class LeaderboardQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=200)


RATE_LIMITED = {429: ErrorOut}


def _visible_round(user: Any, round_id: int) -> Round:
    # get(), not first(): by primary key there is no order to add (and compile) to the query.
    try:
        rnd = Round.objects.select_related("campaign").get(pk=round_id)
    except Round.DoesNotExist:
        raise Http404("No such round") from None
    if not can_view_campaign(user, rnd.campaign):
        raise Http404("No such round")
    return rnd


def _visible_entry(user: Any, entry_id: int, rnd: Round) -> Entry:
    # Without the media prefetch of `get_entry_for_user`: the vote path needs only the row.
    try:
        entry = Entry.objects.get(pk=entry_id)
    except Entry.DoesNotExist:
        raise Http404("No such entry") from None
    if entry.campaign_id == rnd.campaign_id:
        entry.campaign = rnd.campaign  # already loaded with the round; else read when needed
    if not can_view_entry(user, entry):
        raise Http404("No such entry")
    return entry


def _rate_limited(limited: services.RateLimited) -> HttpResponse:
    """The usual error body, plus Retry-After (the shared ServiceError handler has no header)."""
    response = JsonResponse({"message": limited.message, "code": limited.code}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def _vote_out(rnd: Round, entry_id: int, result: services.VoteResult) -> dict[str, Any]:
    return {
        "round_id": rnd.pk,
        "entry_id": entry_id,
        "value": result.ballot.value,
        "recorded": result.recorded,
        "votes_left": result.left,
    }


@router.post(
    "/rounds/{round_id}/votes",
    response={**responses({200: VoteOut, 201: VoteOut}), **RATE_LIMITED},
    summary="Vote for an entry in a round (or change one's star score or budget votes)",
    description="201 when the vote was recorded; 200 when it repeats the vote already on "
    "record (a retry or double click: nothing is counted twice). 409 when voting is not open "
    "or the budget is spent, 403 for one's own entry or the organising team, 429 when "
    "rate-limited (code `rate_limited`).",
)
def vote_cast(request: HttpRequest, round_id: int, payload: VoteIn) -> Status | HttpResponse:
    user = acting_user(request)
    rnd = _visible_round(user, round_id)
    entry = _visible_entry(user, payload.entry_id, rnd)
    try:
        result = services.vote_cast(
            round=rnd,
            entry=entry,
            user=user,
            value=payload.value,
            origin=origin_from_request(request),
        )
    except services.RateLimited as limited:
        return _rate_limited(limited)
    return Status(201 if result.recorded else 200, _vote_out(rnd, entry.pk, result))


@router.delete(
    "/rounds/{round_id}/votes/{entry_id}",
    response={**responses({200: VoteOut}), **RATE_LIMITED},
    summary="Withdraw one's vote for an entry while voting is open",
    description="Repeating it is harmless (`recorded` is then false).",
)
def vote_withdraw(
    request: HttpRequest, round_id: int, entry_id: int
) -> dict[str, Any] | HttpResponse:
    user = acting_user(request)
    rnd = _visible_round(user, round_id)
    entry = _visible_entry(user, entry_id, rnd)
    try:
        result = services.vote_withdraw(
            round=rnd, entry=entry, user=user, origin=origin_from_request(request)
        )
    except services.RateLimited as limited:
        return _rate_limited(limited)
    return _vote_out(rnd, entry.pk, result)


@router.get(
    "/rounds/{round_id}/leaderboard",
    auth=PUBLIC,
    response=responses({200: LeaderboardOut}),
    summary="A round's audience leaderboard, best first, from counted votes",
    description="The organisation's team also sees raw figures and flag counts.",
)
def round_leaderboard(
    request: HttpRequest, round_id: int, query: Query[LeaderboardQuery]
) -> dict[str, Any]:
    user = acting_user(request)
    rnd = _visible_round(user, round_id)
    staff = has_capability(user, rnd.campaign.organisation_id, Capability.VIEW_BACKOFFICE)
    tallies = selectors.leaderboard(rnd)
    start = (query.page - 1) * query.page_size
    page = list(tallies[start : start + query.page_size])
    rows = selectors.leaderboard_rows(rnd, page, first_place=start + 1, with_flags=staff)
    return {
        "count": tallies.count(),
        "items": [
            {
                "place": row.place,
                "entry_id": row.tally.entry_id,
                "title": row.tally.entry.title,
                "author": row.tally.entry.author.public_name,
                "votes": row.tally.counted_count,
                "total": row.tally.counted_sum,
                "score": row.score,
                "average": row.average,
                "raw_votes": row.tally.raw_count if staff else None,
                "raw_total": row.tally.raw_sum if staff else None,
                "flags": row.flags if staff else None,
            }
            for row in rows
        ],
    }
