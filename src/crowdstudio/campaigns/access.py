"""The one place that decides who may see or change a campaign (CONVENTIONS §4)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from crowdstudio.accounts.permissions import Capability, has_capability, organisations_with
from crowdstudio.campaigns.models import Campaign, CampaignStatus


def can_view_campaign(user: Any, campaign: Campaign) -> bool:
    return campaign.is_public or has_capability(
        user, campaign.organisation_id, Capability.VIEW_BACKOFFICE
    )


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """`can_view_campaign` as a query: public campaigns plus one's organisations' drafts."""
    backoffice = organisations_with(user, Capability.VIEW_BACKOFFICE)
    return Campaign.objects.filter(
        ~Q(status=CampaignStatus.DRAFT) | Q(organisation_id__in=backoffice)
    ).select_related("organisation")


def get_campaign_for_user(user: Any, slug: str, capability: Capability | None = None) -> Campaign:
    """The campaign, or 404 if this person may not know it exists, or 403 if they lack the right."""
    campaign = Campaign.objects.select_related("organisation").filter(slug=slug).first()
    if campaign is None or not can_view_campaign(user, campaign):
        raise Http404("No such campaign")
    if capability is not None and not has_capability(user, campaign.organisation_id, capability):
        raise PermissionDenied
    return campaign
