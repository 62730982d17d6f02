"""Template tags that put voting into other apps' pages through their hook comments.

- `{% vote_panel entry %}` on the entry page (hook:voting-entry);
- `{% round_voting_link rnd %}` in each round of the campaign page (hook:voting-round);
- `{% voting_studio_links campaign can %}` in the studio toolbar (hook:voting-studio).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import timezone

from crowdstudio.accounts.permissions import role_in
from crowdstudio.campaigns.models import Campaign, Round, VotingScheme
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.voting import selectors
from crowdstudio.voting.models import Tally

register = template.Library()


def panel_context(request: HttpRequest, entry: Entry, rnd: Round | None) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    if rnd is None:
        return {"rnd": None}
    start, end = rnd.voting_window()
    signed_in = user.is_authenticated
    voter = selectors.round_voter(rnd, user)
    # The entry's counted figures (one indexed row): the public sees what the leaderboard shows.
    tally = (
        Tally.objects.filter(round=rnd, entry=entry).only("counted_count", "counted_sum").first()
    )
    counted_votes = tally.counted_count if tally else 0
    counted_sum = tally.counted_sum if tally else 0
    budget_left = None
    if rnd.voting_scheme == VotingScheme.BUDGET:
        budget_left = (rnd.vote_budget or 0) - (voter.used if voter else 0)
    return {
        "request": request,
        "entry": entry,
        "rnd": rnd,
        "scheme": rnd.voting_scheme,
        "is_open": rnd.voting_open_at(now),
        "not_yet": now < start,
        "opens_at": start,
        "closes_at": end,
        "signed_in": signed_in,
        "is_own": signed_in and entry.author_id == user.pk,
        "is_team": signed_in and role_in(user, entry.campaign.organisation_id) is not None,
        "ballot": selectors.ballot_of(rnd, entry, user),
        "budget_left": budget_left,
        "counted_votes": counted_votes,
        "counted_sum": counted_sum,
        "average": counted_sum / counted_votes if counted_votes else None,
        "stars": range(1, 6),
        "budget_choices": range(1, (rnd.vote_budget or 0) + 1),
    }


@register.inclusion_tag("voting/_vote_panel.html", takes_context=True)
def vote_panel(context: template.Context, entry: Entry) -> dict[str, Any]:
    request = context.get("request")
    if request is None or entry.status != EntryStatus.APPROVED:
        return {"rnd": None}
    return panel_context(request, entry, selectors.voting_round_for(entry))


@register.inclusion_tag("voting/_round_link.html")
def round_voting_link(rnd: Round) -> dict[str, Any]:
    return {"rnd": rnd, "has_vote": rnd.voting_scheme != VotingScheme.NONE}


@register.inclusion_tag("voting/_studio_links.html")
def voting_studio_links(campaign: Campaign, can: Any) -> dict[str, Any]:
    rounds: list[Round] = []
    if can and can.get("moderate"):
        rounds = list(campaign.rounds.exclude(voting_scheme=VotingScheme.NONE).order_by("number"))
    return {"campaign": campaign, "rounds": rounds}
