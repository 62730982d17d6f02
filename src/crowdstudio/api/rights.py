"""API routes of the rights app: a campaign's rights overview and batch requests (the team,
Capability.MODERATE), and a creator's withdrawal of consent."""

# No `from __future__ import annotations`: ninja reads the handlers' annotations at import time.

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from crowdstudio.api.auth import acting_user
from crowdstudio.api.schemas import responses
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.rights import selectors, services
from crowdstudio.rights.access import STAFF_CAPABILITY, is_author

router = Router(tags=["rights"])


class RightsRowOut(Schema):
    entry_id: int
    title: str
    source: str
    source_url: str
    status: str = Field(
        description="`awaiting_rights`, `requested`, `granted`, `declined`, `expired` or "
        "`withdrawn`; uploads with accepted terms count as `granted`."
    )
    request_channel: str | None = Field(None, description="`link` or `reply` of the open request.")
    request_link: str | None = Field(None, description="The unique link of the open request.")
    request_expires_at: datetime | None = None
    evidence: int
    releases: int


class RightsOverviewOut(Schema):
    counts: dict[str, int]
    entries: list[RightsRowOut]


class SendRequestsIn(Schema):
    entry_ids: list[int] = Field(min_length=1, max_length=500)


class SentOut(Schema):
    entry_id: int
    channel: str
    link: str
    reply_url: str


class SkippedOut(Schema):
    entry_id: int
    code: str


class SendRequestsOut(Schema):
    sent: list[SentOut]
    skipped: list[SkippedOut]


class WithdrawIn(Schema):
    reason: str = Field(max_length=1000)
    confirm: bool = Field(description="Must be true.")


class RightsOut(Schema):
    entry_id: int
    status: str
    withdrawn_at: datetime | None
    reason: str


@router.get(
    "/campaigns/{slug}/rights",
    response=responses({200: RightsOverviewOut}),
    summary="A campaign's entries by rights status",
)
def rights_overview(request: HttpRequest, slug: str) -> dict[str, Any]:
    campaign = get_campaign_for_user(acting_user(request), slug, STAFF_CAPABILITY)
    rows = selectors.campaign_rights(campaign)
    entries = []
    for row in rows:
        entry, open_request = row["entry"], row["request"]
        entries.append(
            {
                "entry_id": entry.pk,
                "title": entry.title,
                "source": entry.source,
                "source_url": entry.source_url,
                "status": row["status"],
                "request_channel": open_request.channel if open_request else None,
                "request_link": services.request_link(open_request) if open_request else None,
                "request_expires_at": open_request.expires_at if open_request else None,
                "evidence": row["evidence"],
                "releases": row["releases"],
            }
        )
    return {
        "counts": {value: n for value, _label, n in selectors.status_counts(rows)},
        "entries": entries,
    }


@router.post(
    "/campaigns/{slug}/rights/requests",
    response=responses({200: SendRequestsOut}),
    summary="Send rights requests for many entries at once",
    description="Idempotent: entries with an open request or settled rights are skipped with a "
    "code. Ids of other campaigns are skipped as `not_found`.",
)
def rights_requests_send(
    request: HttpRequest, slug: str, payload: SendRequestsIn
) -> dict[str, Any]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, STAFF_CAPABILITY)
    wanted = list(dict.fromkeys(payload.entry_ids))
    entries = {e.pk: e for e in campaign.entries.filter(pk__in=wanted).select_related("campaign")}
    result = services.rights_request_send(
        entries=[entries[pk] for pk in wanted if pk in entries], user=user
    )
    skipped = [{"entry_id": pk, "code": "not_found"} for pk in wanted if pk not in entries]
    skipped += [{"entry_id": pk, "code": code} for pk, code in result.skipped]
    return {
        "sent": [
            {
                "entry_id": r.entry_id,
                "channel": r.channel,
                "link": services.request_link(r),
                "reply_url": r.reply_post_url,
            }
            for r in result.sent
        ],
        "skipped": skipped,
    }


@router.post(
    "/entries/{entry_id}/rights/withdraw",
    response=responses({200: RightsOut}),
    summary="Withdraw consent for my entry",
    description="The creator only. The entry leaves the studio and the gallery; the organisers "
    "are told which published works used it.",
)
def rights_withdraw(request: HttpRequest, entry_id: int, payload: WithdrawIn) -> dict[str, Any]:
    user = acting_user(request)
    entry = get_entry_for_user(user, entry_id)
    if not is_author(user, entry):
        raise Http404("No such entry")
    record = services.rights_withdraw(
        entry=entry, user=user, reason=payload.reason, confirm=payload.confirm
    )
    return {
        "entry_id": entry.pk,
        "status": record.status,
        "withdrawn_at": record.withdrawn_at,
        "reason": record.reason,
    }
