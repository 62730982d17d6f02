"""API routes of the awards app: a winner's awards and payee details; finance's payouts.

The taxpayer id and payout account are write-only: they are accepted by PUT /me/payee and only
ever answered masked (last four characters).
"""

# No `from __future__ import annotations`: ninja reads the handlers' annotations at import time.

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate

from crowdstudio.accounts.permissions import Capability
from crowdstudio.api.auth import acting_user
from crowdstudio.api.pagination import BoundedPageNumberPagination
from crowdstudio.api.schemas import responses
from crowdstudio.awards import selectors, services
from crowdstudio.awards.access import get_obligation_for_user
from crowdstudio.awards.models import PayeeDetails, PayoutObligation
from crowdstudio.campaigns.access import get_campaign_for_user

router = Router(tags=["awards"])


# --- schemas ----------------------------------------------------------------------------------


class MyAwardOut(Schema):
    id: int
    campaign: str
    campaign_slug: str
    prize: str
    prize_kind: str
    entry_id: int
    entry_title: str
    confirmed_at: datetime
    cancelled: bool
    amount: Decimal | None = Field(None, description="Cash prizes only.")
    currency: str | None = None
    payout_status: str | None = Field(
        None, description="`pending`, `paid`, `failed` or `cancelled`; null without cash."
    )
    waiting_for: list[str] = Field(
        description="What the payout waits for, e.g. `tax_form`; empty when it can be paid."
    )
    net: Decimal | None = None
    withheld: Decimal | None = None


class PayeeDetailsIn(Schema):
    legal_name: str = Field(max_length=200)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")
    tax_form: Literal["w9", "w8ben"] = Field(
        description="`w9` for US persons, `w8ben` for everyone else."
    )
    form_signed_on: date
    taxpayer_id: str = Field(
        "", max_length=40, description="Write-only. Empty keeps the one on file."
    )
    payout_account: str = Field(
        "", max_length=64, description="Write-only: IBAN or provider account id. Empty keeps it."
    )


class PayeeDetailsOut(Schema):
    legal_name: str
    country: str
    tax_form: str
    form_signed_on: date
    form_valid_until: date | None
    taxpayer_id_masked: str
    payout_account_masked: str

    @staticmethod
    def resolve_form_valid_until(obj: PayeeDetails) -> date | None:
        return obj.form_valid_until()


class AttemptOut(Schema):
    number: int
    provider: str
    status: str
    idempotency_key: str
    gross: Decimal
    withheld: Decimal
    net: Decimal
    currency: str
    calls: int
    provider_reference: str
    last_error_code: str
    created_at: datetime
    finished_at: datetime | None


class ObligationOut(Schema):
    id: int
    campaign_slug: str
    round: str
    prize: str
    payee: str
    amount: Decimal
    currency: str
    status: str
    waiting_for: list[str]
    treaty_rate: Decimal | None
    gross: Decimal | None
    withheld: Decimal | None
    net: Decimal | None
    paid_at: datetime | None
    provider_reference: str
    attempts: list[AttemptOut]


def _obligation_out(obligation: PayoutObligation, blockers: list[str]) -> dict[str, Any]:
    return {
        "id": obligation.pk,
        "campaign_slug": obligation.campaign.slug,
        "round": obligation.prize.round.title,
        "prize": obligation.prize.title,
        "payee": obligation.payee.username,
        "amount": obligation.amount,
        "currency": obligation.currency,
        "status": obligation.status,
        "waiting_for": blockers,
        "treaty_rate": obligation.treaty_rate,
        "gross": obligation.gross,
        "withheld": obligation.withheld,
        "net": obligation.net,
        "paid_at": obligation.paid_at,
        "provider_reference": obligation.provider_reference,
        "attempts": list(obligation.attempts.order_by("number")),
    }


# --- a winner's own -----------------------------------------------------------------------------


@router.get(
    "/me/awards", response=responses({200: list[MyAwardOut]}), summary="My awards and payouts"
)
def my_awards(request: HttpRequest) -> list[dict[str, Any]]:
    user = acting_user(request)
    details = selectors.payee_details_of(user.pk)
    today = timezone.localdate()
    out = []
    for award in selectors.awards_of(user):
        obligation = getattr(award, "obligation", None)
        blockers = (
            selectors.blockers_given(
                obligation,
                today=today,
                details=details,
                settings=selectors.payout_settings_of(obligation.organisation_id),
            )
            if obligation is not None
            else []
        )
        out.append(
            {
                "id": award.pk,
                "campaign": award.entry.campaign.title,
                "campaign_slug": award.entry.campaign.slug,
                "prize": award.prize.title,
                "prize_kind": award.prize.kind,
                "entry_id": award.entry_id,
                "entry_title": award.entry.title,
                "confirmed_at": award.confirmed_at,
                "cancelled": award.is_cancelled,
                "amount": obligation.amount if obligation else None,
                "currency": obligation.currency if obligation else None,
                "payout_status": obligation.status if obligation else None,
                "waiting_for": blockers,
                "net": obligation.net if obligation else None,
                "withheld": obligation.withheld if obligation else None,
            }
        )
    return out


def _require_awards(user: Any) -> None:
    if not selectors.awards_of(user):
        raise Http404("Payee details are for winners of a prize.")


@router.get(
    "/me/payee",
    response=responses({200: PayeeDetailsOut}),
    summary="My payee details (taxpayer id masked)",
)
def payee_details(request: HttpRequest) -> PayeeDetails:
    user = acting_user(request)
    _require_awards(user)
    details = selectors.payee_details_of(user.pk)
    if details is None:
        raise Http404("No payee details yet.")
    return details


@router.put(
    "/me/payee",
    response=responses({200: PayeeDetailsOut}),
    summary="Give or update my payee details",
    description="The taxpayer id and payout account are write-only: they are stored encrypted "
    "and answered masked. Leave them empty to keep the ones on file. A form that does not fit "
    "the country is a 400 with code `wrong_tax_form`.",
)
def payee_details_update(request: HttpRequest, payload: PayeeDetailsIn) -> PayeeDetails:
    user = acting_user(request)
    _require_awards(user)
    return services.payee_details_save(user=user, **payload.model_dump())


# --- finance ----------------------------------------------------------------------------------


@router.get(
    "/campaigns/{slug}/payouts",
    response=responses({200: list[ObligationOut]}),
    summary="A campaign's payout obligations with what each waits for",
)
@paginate(BoundedPageNumberPagination, page_size=50)
def campaign_payouts(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    campaign = get_campaign_for_user(acting_user(request), slug, Capability.MANAGE_PAYOUTS)
    rows = selectors.obligation_rows(
        selectors.campaign_obligations(campaign), today=timezone.localdate()
    )
    return [_obligation_out(row.obligation, row.blockers) for row in rows]


IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Your key for this request; a repeat returns the first result.",
    ),
]


@router.post(
    "/payouts/{obligation_id}/send",
    response=responses({200: ObligationOut}),
    summary="Pay an obligation through the organisation's provider",
    description="Safe to retry: an attempt the provider did not answer is sent again with the "
    "same provider idempotency key, so it is paid at most once. With an `Idempotency-Key` "
    "header, repeating a finished request answers the obligation as it is now (200) instead of "
    "a 409 `already_paid`. A payout waiting for payee details or a tax form is a 409 whose code "
    "says what it waits for (`payee_details`, `tax_form`, `tax_form_expired`, `payout_account`).",
)
def payout_send(
    request: HttpRequest, obligation_id: int, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    user = acting_user(request)
    obligation = get_obligation_for_user(user, obligation_id)
    services.payout_send(obligation=obligation, user=user, request_key=idempotency_key or "")
    fresh = selectors.obligation_detail(obligation.pk)
    assert fresh is not None
    return _obligation_out(fresh, selectors.obligation_blockers(fresh, today=timezone.localdate()))
