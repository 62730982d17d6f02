"""What each organisation role may do. Every view and API handler asks here, never inline."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from crowdstudio.accounts.models import Membership, Role


class Capability(StrEnum):
    VIEW_BACKOFFICE = "view_backoffice"  # see drafts, the studio dashboard, entries in any status
    EDIT_CAMPAIGN = "edit_campaign"  # create/edit campaigns, rounds, prizes, terms, codes
    CHANGE_STATUS = "change_status"  # open, start judging, close, archive
    MODERATE = "moderate"  # approve/reject entries, see originals' metadata
    VIEW_AUDIT = "view_audit"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_RESULTS = "manage_results"  # juries, rubrics, publish results, confirm winners
    MANAGE_PAYOUTS = "manage_payouts"  # payee files, payments, finance exports


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.OWNER: frozenset(Capability),
    Role.PRODUCER: frozenset(
        {
            Capability.VIEW_BACKOFFICE,
            Capability.EDIT_CAMPAIGN,
            Capability.CHANGE_STATUS,
            Capability.MODERATE,
            Capability.VIEW_AUDIT,
            Capability.MANAGE_RESULTS,
        }
    ),
    Role.MODERATOR: frozenset(
        {Capability.VIEW_BACKOFFICE, Capability.MODERATE, Capability.VIEW_AUDIT}
    ),
    Role.JUDGE: frozenset({Capability.VIEW_BACKOFFICE}),
}


def role_in(user: Any, organisation_id: int) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, str] | None = getattr(user, "_crowdstudio_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._crowdstudio_roles = cache
    return cache.get(organisation_id)


def has_capability(user: Any, organisation_id: int, capability: Capability) -> bool:
    role = role_in(user, organisation_id)
    return role is not None and capability in ROLE_CAPABILITIES[role]


def organisations_with(user: Any, capability: Capability) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    role_in(user, 0)  # fills the cache
    return [
        org_id
        for org_id, role in user._crowdstudio_roles.items()
        if capability in ROLE_CAPABILITIES[role]
    ]
