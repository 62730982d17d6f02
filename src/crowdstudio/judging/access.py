"""Who may reach a round's judging pages (CONVENTIONS §4): staff by capability, judges by seat.

A judge reaches only the rounds they sit on, and only the entries they may score: their own
entries and entries they declared a conflict with answer 404, as if they did not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from crowdstudio.accounts.permissions import Capability, role_in
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.models import Round
from crowdstudio.entries.models import Entry
from crowdstudio.judging import selectors


def get_round_for_staff(user: Any, slug: str, number: int, capability: Capability) -> Round:
    """The campaign's round `number`; 404 / 403 like get_campaign_for_user."""
    campaign = get_campaign_for_user(user, slug, capability)
    rnd = Round.objects.filter(campaign=campaign, number=number).first()
    if rnd is None:
        raise Http404("No such round")
    rnd.campaign = campaign
    return rnd


def get_round_for_judge(user: Any, round_id: int) -> Round:
    """A round this person sits on the jury of (and still has a jury role in the organisation)."""
    rnd = Round.objects.select_related("campaign").filter(pk=round_id).first()
    if (
        rnd is None
        or not selectors.is_juror(user, rnd)
        or role_in(user, rnd.campaign.organisation_id) not in selectors.JURY_ROLES
    ):
        raise Http404("No such round")
    return rnd


def get_entry_for_judge(user: Any, rnd: Round, entry_id: int) -> Entry:
    entry = selectors.judge_entries(rnd, user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry")
    return entry
