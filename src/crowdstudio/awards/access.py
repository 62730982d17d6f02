"""Who may see or act on a payout obligation (CONVENTIONS §4)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.awards import selectors
from crowdstudio.awards.models import PayoutObligation


def get_obligation_for_user(
    user: Any, pk: int, capability: Capability = Capability.MANAGE_PAYOUTS
) -> PayoutObligation:
    """404 to anyone outside the organisation's team; 403 to members without the capability."""
    obligation = selectors.obligation_detail(pk)
    if obligation is None or not has_capability(
        user, obligation.organisation_id, Capability.VIEW_BACKOFFICE
    ):
        raise Http404("No such payout")
    if not has_capability(user, obligation.organisation_id, capability):
        raise PermissionDenied
    return obligation
