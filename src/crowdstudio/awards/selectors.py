"""Reads of the awards app: awards, what a payout waits for, obligations, ledger balances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from crowdstudio.awards import tax
from crowdstudio.awards.models import (
    Account,
    AccountCode,
    Award,
    LedgerLine,
    LedgerTransaction,
    ObligationStatus,
    OrganisationPayoutSettings,
    PayeeDetails,
    PaymentAttempt,
    PayoutObligation,
)
from crowdstudio.awards.providers import default_provider_name, get_provider
from crowdstudio.campaigns.models import Campaign, Round

# --- awards ---------------------------------------------------------------------------------


def round_awards(round: Round) -> list[Award]:
    """The round's confirmed awards, best prize first, with prize and entry loaded."""
    return list(
        Award.objects.filter(prize__round=round, cancelled_at__isnull=True)
        .select_related("prize", "entry", "entry__author", "winner")
        .order_by("prize__rank", "id")
    )


def has_awards(user: Any) -> bool:
    """Whether to show "My awards" in the navigation: one indexed query, cached per request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached: bool | None = getattr(user, "_crowdstudio_has_awards", None)
    if cached is None:
        cached = Award.objects.filter(winner=user, cancelled_at__isnull=True).exists()
        user._crowdstudio_has_awards = cached
    return cached


def awards_of(user: Any) -> list[Award]:
    """A winner's awards, newest first, with the obligation (if cash) loaded."""
    return list(
        Award.objects.filter(winner=user)
        .select_related("prize", "prize__round", "entry", "entry__campaign", "obligation")
        .order_by("-confirmed_at", "-id")
    )


# --- payee details and what a payout waits for ----------------------------------------------


def payee_details_of(user_id: int | None) -> PayeeDetails | None:
    if user_id is None:
        return None
    return PayeeDetails.objects.filter(user_id=user_id).first()


def payout_settings_of(organisation_id: int) -> OrganisationPayoutSettings:
    """The organisation's settings, or the defaults (unsaved) if it never changed them."""
    found = OrganisationPayoutSettings.objects.filter(organisation_id=organisation_id).first()
    return found or OrganisationPayoutSettings(organisation_id=organisation_id)


def provider_name_for(organisation_id: int) -> str:
    return payout_settings_of(organisation_id).provider or default_provider_name()


#: Why a payout cannot be sent yet, in the order the winner should fix them.
BLOCKERS = {
    "payee_details": _("Waiting for payee details"),
    "tax_form": _("Waiting for tax form"),
    "tax_form_expired": _("Waiting for tax form (the one on file has expired)"),
    "payout_account": _("Waiting for a payout account"),
}


def obligation_blockers(obligation: PayoutObligation, *, today: date) -> list[str]:
    """Codes (keys of BLOCKERS) of what the payout still waits for; [] if it can be sent."""
    return blockers_given(
        obligation,
        today=today,
        details=payee_details_of(obligation.payee_id),
        settings=payout_settings_of(obligation.organisation_id),
    )


def blockers_given(
    obligation: PayoutObligation,
    *,
    today: date,
    details: PayeeDetails | None,
    settings: OrganisationPayoutSettings,
) -> list[str]:
    """`obligation_blockers` with the payee's details and the organisation's settings given."""
    if obligation.status in (ObligationStatus.PAID, ObligationStatus.CANCELLED):
        return []
    if details is None:
        return ["payee_details"]
    blockers = []
    required = tax.required_form(details.country, forms_required=settings.tax_forms_required)
    if required:
        if details.tax_form != required:
            blockers.append("tax_form")
        elif not tax.form_is_current(details.tax_form, details.form_signed_on, today):
            blockers.append("tax_form_expired")
    provider = get_provider(settings.provider or default_provider_name())
    if provider.needs_account and not details.has_payout_account:
        blockers.append("payout_account")
    return blockers


@dataclass
class ObligationRow:
    obligation: PayoutObligation
    blockers: list[str]

    @property
    def waiting_for(self) -> list[str]:
        return [str(BLOCKERS[code]) for code in self.blockers]

    @property
    def state_label(self) -> str:
        if self.blockers:
            return str(BLOCKERS[self.blockers[0]])
        return str(self.obligation.get_status_display())


def _obligations(queryset: QuerySet[PayoutObligation]) -> QuerySet[PayoutObligation]:
    return queryset.select_related(
        "award", "award__entry", "prize", "prize__round", "campaign", "payee"
    ).prefetch_related(Prefetch("attempts", queryset=PaymentAttempt.objects.order_by("number")))


def obligation_rows(queryset: QuerySet[PayoutObligation], *, today: date) -> list[ObligationRow]:
    """Obligations with what each waits for; payee details and settings loaded in bulk."""
    obligations = list(
        _obligations(queryset).order_by("campaign_id", "prize__round__number", "prize__rank", "id")
    )
    details = {
        d.user_id: d
        for d in PayeeDetails.objects.filter(user_id__in={o.payee_id for o in obligations})
    }
    settings_by_org: dict[int, OrganisationPayoutSettings] = {}
    rows = []
    for obligation in obligations:
        org_id = obligation.organisation_id
        if org_id not in settings_by_org:
            settings_by_org[org_id] = payout_settings_of(org_id)
        blockers = blockers_given(
            obligation,
            today=today,
            details=details.get(obligation.payee_id),
            settings=settings_by_org[org_id],
        )
        rows.append(ObligationRow(obligation, blockers))
    return rows


def campaign_obligations(campaign: Campaign) -> QuerySet[PayoutObligation]:
    return PayoutObligation.objects.filter(campaign=campaign)


def organisation_obligations(organisation_id: int) -> QuerySet[PayoutObligation]:
    return PayoutObligation.objects.filter(organisation_id=organisation_id)


def obligation_detail(pk: int) -> PayoutObligation | None:
    return _obligations(PayoutObligation.objects.filter(pk=pk)).first()


# --- ledger ---------------------------------------------------------------------------------


def account_balance(
    organisation_id: int, code: str, currency: str, *, payee_id: int | None = None
) -> Decimal:
    """Sum of the account's lines (debits positive, credits negative), optionally one payee's."""
    lines = LedgerLine.objects.filter(
        account__organisation_id=organisation_id, account__code=code, currency=currency
    )
    if payee_id is not None:
        lines = lines.filter(payee_id=payee_id)
    total = lines.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


@dataclass
class Balance:
    code: str
    name: str
    currency: str
    balance: Decimal  # debit positive

    @property
    def side(self) -> str:
        return "Dr" if self.balance >= 0 else "Cr"

    @property
    def magnitude(self) -> Decimal:
        return abs(self.balance)


def ledger_balances(organisation_id: int) -> list[Balance]:
    """Every account of the organisation with its balance, in account-code order."""
    names = dict(AccountCode.choices)
    totals = {
        (row["account__code"], row["currency"]): row["total"]
        for row in LedgerLine.objects.filter(account__organisation_id=organisation_id)
        .values("account__code", "currency")
        .annotate(total=Sum("amount"))
    }
    return [
        Balance(
            account.code,
            str(names.get(account.code, account.code)),
            account.currency,
            totals.get((account.code, account.currency)) or Decimal("0.00"),
        )
        for account in Account.objects.filter(organisation_id=organisation_id).order_by(
            "code", "currency"
        )
    ]


def payee_payable(organisation_id: int) -> list[dict[str, Any]]:
    """What the organisation still owes each payee: the prizes-payable balance per person."""
    rows = (
        LedgerLine.objects.filter(
            account__organisation_id=organisation_id, account__code=AccountCode.PRIZES_PAYABLE
        )
        .values("payee_id", "payee__username", "currency")
        .annotate(total=Sum("amount"))
        .order_by("payee__username", "currency")
    )
    return [
        {
            "payee": row["payee__username"],
            "currency": row["currency"],
            "owed": -row["total"],
        }
        for row in rows
        if row["total"]
    ]


def recent_transactions(organisation_id: int, limit: int = 50) -> list[LedgerTransaction]:
    return list(
        LedgerTransaction.objects.filter(organisation_id=organisation_id)
        .prefetch_related(
            Prefetch("lines", queryset=LedgerLine.objects.select_related("account", "payee"))
        )
        .order_by("-created_at", "-id")[:limit]
    )


# --- finance export ---------------------------------------------------------------------------

EXPORT_HEADER = [
    "campaign",
    "round",
    "prize",
    "payee_legal_name",
    "country",
    "tax_form",
    "gross",
    "withheld",
    "net",
    "currency",
    "status",
    "paid_at",
    "provider_reference",
]


def export_rows(queryset: QuerySet[PayoutObligation]) -> list[list[str]]:
    """One row per obligation for finance; never the taxpayer id or the payout account."""
    obligations = list(_obligations(queryset).order_by("created_at", "id"))
    details = {
        d.user_id: d
        for d in PayeeDetails.objects.filter(user_id__in={o.payee_id for o in obligations})
    }
    rows = []
    for o in obligations:
        payee = details.get(o.payee_id)
        rows.append(
            [
                o.campaign.title,
                o.prize.round.title,
                o.prize.title,
                payee.legal_name if payee else "",
                payee.country if payee else "",
                o.tax_form or (payee.tax_form if payee else ""),
                str(o.gross if o.gross is not None else o.amount),
                "" if o.withheld is None else str(o.withheld),
                "" if o.net is None else str(o.net),
                o.currency,
                o.status,
                o.paid_at.isoformat() if o.paid_at else "",
                o.provider_reference,
            ]
        )
    return rows
