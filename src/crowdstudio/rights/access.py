"""Who may see or act on an entry's rights (CONVENTIONS §4)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.entries.models import Entry
from crowdstudio.rights.models import RightsRequest

#: Clearing rights is part of getting entries ready for use, next to moderation.
STAFF_CAPABILITY = Capability.MODERATE


def is_author(user: Any, entry: Entry) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and entry.author_id == user.pk


def get_entry_rights_for_user(user: Any, pk: int, *, write: bool = False) -> Entry:
    """The entry, for its author or the organisation's team; 404 to everyone else.

    `write` (adding a release) needs the author or Capability.MODERATE; other team members 403.
    """
    entry = get_entry_for_user(user, pk)
    if is_author(user, entry):
        return entry
    org_id = entry.campaign.organisation_id
    if not has_capability(user, org_id, Capability.VIEW_BACKOFFICE):
        raise Http404("No such entry")
    if write and not has_capability(user, org_id, STAFF_CAPABILITY):
        raise PermissionDenied
    return entry


def get_request_for_user(user: Any, pk: int) -> RightsRequest:
    """A rights request, for the team that may send them; 404 outside the organisation."""
    found = (
        RightsRequest.objects.select_related("entry__campaign__organisation").filter(pk=pk).first()
    )
    if found is None or not has_capability(
        user, found.entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE
    ):
        raise Http404("No such request")
    if not has_capability(user, found.entry.campaign.organisation_id, STAFF_CAPABILITY):
        raise PermissionDenied
    return found
