"""The one place that decides who may see or change a hashtag source (CONVENTIONS §4)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from crowdstudio.accounts.permissions import Capability
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.social.models import HashtagSource


def get_source_for_user(
    user: Any, slug: str, pk: int, capability: Capability = Capability.EDIT_CAMPAIGN
) -> HashtagSource:
    """The campaign's source: 404 if unknown, 403 without the capability on its campaign."""
    campaign = get_campaign_for_user(user, slug, capability)
    source = HashtagSource.objects.filter(campaign=campaign, pk=pk).first()
    if source is None:
        raise Http404("No such source")
    source.campaign = campaign
    return source
