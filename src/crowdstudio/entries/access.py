"""Who may see or moderate an entry: the author, the organisation's team, or everyone once live."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.entries import selectors
from crowdstudio.entries.models import Entry, EntryStatus


def can_view_entry(user: Any, entry: Entry) -> bool:
    if entry.status == EntryStatus.APPROVED and entry.campaign.is_public:
        return True
    if getattr(user, "is_authenticated", False) and entry.author_id == user.pk:
        return True
    return has_capability(user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE)


def get_entry_for_user(user: Any, pk: int, capability: Capability | None = None) -> Entry:
    entry = selectors.entry_detail(pk)
    if entry is None or not can_view_entry(user, entry):
        raise Http404("No such entry")
    if capability is not None and not has_capability(
        user, entry.campaign.organisation_id, capability
    ):
        raise PermissionDenied
    return entry
