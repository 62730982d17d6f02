"""Who may see or moderate an entry: the author, the organisation's team, or everyone once live."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from crowdstudio.accounts.permissions import Capability, has_capability, organisations_with
from crowdstudio.campaigns.models import CampaignStatus
from crowdstudio.entries import selectors
from crowdstudio.entries.models import Entry, EntryStatus


def can_view_entry(user: Any, entry: Entry) -> bool:
    if entry.status == EntryStatus.APPROVED and entry.campaign.is_public:
        return True
    if getattr(user, "is_authenticated", False) and entry.author_id == user.pk:
        return True
    return has_capability(user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE)


def entries_visible_to(user: Any) -> QuerySet[Entry]:
    """`can_view_entry` as a query, with assets and renditions prefetched."""
    visible = Q(status=EntryStatus.APPROVED) & ~Q(campaign__status=CampaignStatus.DRAFT)
    if getattr(user, "is_authenticated", False):
        visible |= Q(author=user)
        visible |= Q(
            campaign__organisation_id__in=organisations_with(user, Capability.VIEW_BACKOFFICE)
        )
    return selectors.with_media(Entry.objects.filter(visible))


def get_entry_for_user(user: Any, pk: int, capability: Capability | None = None) -> Entry:
    entry = selectors.entry_detail(pk)
    if entry is None or not can_view_entry(user, entry):
        raise Http404("No such entry")
    if capability is not None and not has_capability(
        user, entry.campaign.organisation_id, capability
    ):
        raise PermissionDenied
    return entry
