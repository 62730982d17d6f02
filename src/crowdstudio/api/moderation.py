"""Moderation: the queue of a campaign, and approving or rejecting entries (Capability.MODERATE)."""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations at import
# time, and for handlers wrapped by @paginate it resolves them in ninja's module, not this one.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from crowdstudio.accounts.permissions import Capability
from crowdstudio.api.auth import acting_user
from crowdstudio.api.pagination import BoundedPageNumberPagination
from crowdstudio.api.schemas import (
    BulkModerationIn,
    BulkModerationOut,
    EntryOut,
    QueueEntryOut,
    QueueFilters,
    RejectIn,
    responses,
)
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.entries import selectors, services
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.entries.models import Entry, EntryStatus

router = Router(tags=["moderation"])


@router.get(
    "/campaigns/{slug}/moderation",
    response=responses({200: list[QueueEntryOut]}),
    summary="A campaign's moderation queue, oldest first",
)
@paginate(BoundedPageNumberPagination, page_size=50)
def moderation_queue(
    request: HttpRequest, slug: str, filters: Query[QueueFilters]
) -> QuerySet[Entry]:
    """By default the entries awaiting a decision; `status=all` shows every entry."""
    campaign = get_campaign_for_user(acting_user(request), slug, Capability.MODERATE)
    return selectors.moderation_queue(
        campaign,
        status="" if filters.status == "all" else filters.status,
        kind=filters.kind or "",
        flagged=filters.flagged,
        query=filters.q,
    )


def _decide(request: HttpRequest, entry_id: int, decision: str, reason: str = "") -> Entry:
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id, Capability.MODERATE)
    entry = services.entry_moderate(entry=entry, user=user, decision=decision, reason=reason)
    return selectors.entry_detail(entry.pk) or entry


@router.post(
    "/entries/{entry_id}/approve",
    response=responses({200: EntryOut}),
    summary="Approve an entry: it goes into the public gallery",
)
def entry_approve(request: HttpRequest, entry_id: int) -> Entry:
    return _decide(request, entry_id, EntryStatus.APPROVED)


@router.post(
    "/entries/{entry_id}/reject",
    response=responses({200: EntryOut}),
    summary="Reject an entry; the reason is sent to the entrant",
    description="Without a reason the answer is 400 with code `reason_required`.",
)
def entry_reject(request: HttpRequest, entry_id: int, payload: RejectIn | None = None) -> Entry:
    return _decide(request, entry_id, EntryStatus.REJECTED, payload.reason if payload else "")


@router.post(
    "/campaigns/{slug}/moderation/bulk",
    response=responses({200: BulkModerationOut}),
    summary="Approve or reject many entries of a campaign",
    description="Ids of entries in other campaigns are ignored. Entries that cannot be "
    "moderated (e.g. still processing) are listed in `problems`; the others are done.",
)
def moderation_bulk(
    request: HttpRequest, slug: str, payload: BulkModerationIn
) -> dict[str, object]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.MODERATE)
    done, problems = services.entries_moderate_bulk(
        campaign=campaign,
        entry_ids=payload.entry_ids,
        user=user,
        decision=payload.decision,
        reason=payload.reason,
    )
    return {"done": done, "problems": problems}
