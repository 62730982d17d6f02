"""Awards, payee details and payouts: every write of the awards app.

Money moves only through `ledger_post`, which refuses unbalanced transactions and posts each
business event once (a unique key per event). Payments follow three steps so that retries and
double clicks never pay twice (docs/awards.md):

1. lock the obligation, reuse its in-flight attempt or create one with a fresh idempotency key,
   and commit — the key is on file before any provider is called;
2. call the provider with that key (outside any transaction: it may take seconds);
3. lock again and record the outcome once: paid (ledger posted under the key "payment:<id>"),
   failed (a later try starts a new attempt), or unknown (the next try reuses the same key).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdstudio.accounts.models import Membership, Organisation
from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.audit.services import log_action
from crowdstudio.awards import selectors, tax
from crowdstudio.awards.models import (
    Account,
    AccountCode,
    AttemptStatus,
    Award,
    LedgerLine,
    LedgerTransaction,
    ObligationStatus,
    OrganisationPayoutSettings,
    PayeeDetails,
    PaymentAttempt,
    PayoutObligation,
    TaxForm,
    TransactionKind,
)
from crowdstudio.awards.providers import PROVIDERS, Payment, Result, get_provider
from crowdstudio.campaigns.models import Prize, PrizeKind
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.entries.selectors import entry_in_round
from crowdstudio.lib import crypto
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError


def _require(user: Any, organisation_id: int, *capabilities: Capability) -> None:
    if not any(has_capability(user, organisation_id, cap) for cap in capabilities):
        raise NotAllowed("forbidden", _("You do not have permission to do this."))


# --- ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    code: str
    amount: Decimal  # debit positive, credit negative
    currency: str
    payee_id: int | None = None
    obligation_id: int | None = None


def ledger_post(
    *,
    organisation_id: int,
    key: str,
    kind: str,
    lines: list[Line],
    user: Any = None,
    memo: str = "",
    obligation: PayoutObligation | None = None,
    reverses: LedgerTransaction | None = None,
    now: datetime | None = None,
) -> LedgerTransaction:
    """Post a balanced transaction. Refuses lines that do not sum to zero in each currency, and
    a second transaction with the same key (each business event is posted once)."""
    if len(lines) < 2:
        raise ServiceError("unbalanced", _("A transaction needs at least two lines."))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.amount == 0:
            raise ServiceError("zero_line", _("A ledger line cannot be zero."))
        totals[line.currency.upper()] += Decimal(line.amount)
    if any(total != 0 for total in totals.values()):
        raise ServiceError("unbalanced", _("Debits and credits must sum to zero per currency."))
    with transaction.atomic():
        if LedgerTransaction.objects.filter(key=key).exists():
            raise Conflict("already_posted", _("This event is already in the ledger."))
        txn = LedgerTransaction.objects.create(
            organisation_id=organisation_id,
            key=key,
            kind=kind,
            memo=memo[:255],
            obligation=obligation,
            reverses=reverses,
            created_at=now or timezone.now(),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        for line in lines:
            account, _created = Account.objects.get_or_create(
                organisation_id=organisation_id, code=line.code, currency=line.currency.upper()
            )
            LedgerLine.objects.create(
                transaction=txn,
                account=account,
                amount=line.amount,
                currency=line.currency.upper(),
                payee_id=line.payee_id,
                obligation_id=line.obligation_id,
            )
    return txn


def _reverse(
    original: LedgerTransaction, *, key: str, user: Any, memo: str, now: datetime
) -> LedgerTransaction:
    lines = [
        Line(
            line.account.code,
            -line.amount,
            line.currency,
            payee_id=line.payee_id,
            obligation_id=line.obligation_id,
        )
        for line in original.lines.select_related("account")
    ]
    return ledger_post(
        organisation_id=original.organisation_id,
        key=key,
        kind=TransactionKind.REVERSAL,
        lines=lines,
        user=user,
        memo=memo,
        obligation=original.obligation,
        reverses=original,
        now=now,
    )


# --- awards ---------------------------------------------------------------------------------


def award_confirm(*, prize: Any, entry: Any, user: Any, now: datetime | None = None) -> Award:
    """Confirm `entry` as the winner of `prize`; creates the payout obligation and ledger lines.

    A repeated call for the same prize and entry (a double click) returns the existing award; a
    call naming another entry for an awarded prize is a Conflict.
    """
    now = now or timezone.now()
    with transaction.atomic():
        prize = (
            Prize.objects.select_for_update()
            .select_related("round__campaign")
            .filter(pk=prize.pk)
            .first()
        )
        if prize is None:
            raise ServiceError("no_prize", _("This prize no longer exists."))
        campaign = prize.round.campaign
        _require(user, campaign.organisation_id, Capability.MANAGE_RESULTS)
        entry = Entry.objects.select_related("author").filter(pk=entry.pk).first()
        if entry is None or entry.campaign_id != campaign.pk:
            raise ServiceError("wrong_campaign", _("The entry is not part of this campaign."))
        if entry.status != EntryStatus.APPROVED:
            raise ServiceError("entry_not_approved", _("Only an approved entry can win."))
        if not entry_in_round(entry, prize.round):
            raise ServiceError(
                "entry_not_in_round", _("The entry does not compete in this prize's round.")
            )
        existing = Award.objects.filter(prize=prize, cancelled_at__isnull=True).first()
        if existing is not None:
            if existing.entry_id == entry.pk:
                return existing
            raise Conflict(
                "prize_already_awarded",
                _("This prize is already awarded to another entry; cancel that award first."),
            )
        if Membership.objects.filter(
            organisation_id=campaign.organisation_id, user_id=entry.author_id
        ).exists():
            raise ServiceError(
                "winner_is_member", _("A member of the organising team cannot win its prizes.")
            )
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    prize=prize,
                    entry=entry,
                    winner_id=entry.author_id,
                    confirmed_by=user,
                    confirmed_at=now,
                )
        except IntegrityError as error:
            # A concurrent confirmation won the race (the lock is a no-op on SQLite).
            existing = Award.objects.filter(prize=prize, cancelled_at__isnull=True).first()
            if existing is not None and existing.entry_id == entry.pk:
                return existing
            raise Conflict(
                "prize_already_awarded", _("This prize is already awarded to another entry.")
            ) from error
        data: dict[str, Any] = {"prize": prize.title, "entry": entry.pk, "winner": entry.author_id}
        if prize.kind == PrizeKind.CASH and prize.amount > 0:
            obligation = PayoutObligation.objects.create(
                award=award,
                organisation_id=campaign.organisation_id,
                campaign=campaign,
                prize=prize,
                payee_id=entry.author_id,
                amount=prize.amount,
                currency=prize.currency.upper(),
                created_at=now,
                updated_at=now,
            )
            ledger_post(
                organisation_id=campaign.organisation_id,
                key=f"award:{award.pk}",
                kind=TransactionKind.AWARD,
                lines=[
                    Line(
                        AccountCode.PRIZE_EXPENSE,
                        prize.amount,
                        obligation.currency,
                        payee_id=entry.author_id,
                        obligation_id=obligation.pk,
                    ),
                    Line(
                        AccountCode.PRIZES_PAYABLE,
                        -prize.amount,
                        obligation.currency,
                        payee_id=entry.author_id,
                        obligation_id=obligation.pk,
                    ),
                ],
                user=user,
                memo=f"{campaign.title} · {prize.title}",
                obligation=obligation,
                now=now,
            )
            data.update(amount=str(prize.amount), currency=obligation.currency)
        log_action(
            award,
            "award.confirmed",
            user=user,
            data=data,
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.pk,
            now=now,
        )
    return award


def award_cancel(*, award: Award, user: Any, reason: str, now: datetime | None = None) -> Award:
    """Cancel an award and its unpaid obligation; the ledger is reversed by a new transaction.

    Cancelling an award that is already cancelled returns it unchanged (a double click).
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        award = (
            Award.objects.select_for_update()
            .select_related("prize__round__campaign")
            .get(pk=award.pk)
        )
        campaign = award.prize.round.campaign
        _require(
            user, campaign.organisation_id, Capability.MANAGE_RESULTS, Capability.MANAGE_PAYOUTS
        )
        if award.cancelled_at is not None:
            return award
        if not reason:
            raise ServiceError("reason_required", _("Please give a reason for the cancellation."))
        obligation = PayoutObligation.objects.select_for_update().filter(award=award).first()
        if obligation is not None:
            if obligation.status == ObligationStatus.PAID:
                raise Conflict(
                    "already_paid", _("This prize is already paid; it cannot be cancelled.")
                )
            in_flight = obligation.attempts.filter(status=AttemptStatus.IN_FLIGHT).first()
            if in_flight is not None:
                if in_flight.provider != "manual":
                    raise Conflict(
                        "payment_in_flight",
                        _(
                            "A payment is in flight with the provider. Send it again to learn "
                            "its outcome before cancelling."
                        ),
                    )
                in_flight.status = AttemptStatus.CANCELLED
                in_flight.finished_at = now
                in_flight.finished_by = user
                in_flight.save(update_fields=["status", "finished_at", "finished_by"])
            obligation.status = ObligationStatus.CANCELLED
            obligation.cancel_reason = reason
            obligation.updated_at = now
            obligation.save(update_fields=["status", "cancel_reason", "updated_at"])
            original = LedgerTransaction.objects.filter(key=f"award:{award.pk}").first()
            if original is not None:
                _reverse(
                    original,
                    key=f"reversal:{award.pk}",
                    user=user,
                    memo=reason,
                    now=now,
                )
            log_action(
                obligation,
                "payout.cancelled",
                user=user,
                data={"reason": reason},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.pk,
                now=now,
            )
        award.cancelled_at = now
        award.cancelled_by = user
        award.cancel_reason = reason
        award.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        log_action(
            award,
            "award.cancelled",
            user=user,
            data={"reason": reason},
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.pk,
            now=now,
        )
    return award


# --- payee details ----------------------------------------------------------------------------

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TAX_ID = re.compile(r"^[A-Z0-9]{4,30}$")


def _clean_secret(value: str) -> str:
    return re.sub(r"[\s\-./]", "", value or "").upper()


def payee_details_save(
    *,
    user: Any,
    legal_name: str,
    country: str,
    tax_form: str,
    form_signed_on: date,
    taxpayer_id: str = "",
    payout_account: str = "",
    now: datetime | None = None,
) -> PayeeDetails:
    """Record or update the signed-in winner's payee details.

    The taxpayer id and payout account are write-only: blank keeps what is on file. The form
    must fit the country (awards.tax: W-9 for the US, W-8BEN elsewhere).
    """
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("forbidden", _("Please sign in."))
    legal_name = (legal_name or "").strip()
    country = (country or "").strip().upper()
    if not legal_name:
        raise ServiceError("legal_name_required", _("Please give your legal name."))
    if not _COUNTRY.match(country):
        raise ServiceError("invalid_country", _("The country must be a two-letter ISO code."))
    if tax_form not in TaxForm.values:
        raise ServiceError("invalid_tax_form", _("Choose a W-9 or a W-8BEN."))
    required = tax.required_form(country)
    if tax_form != required:
        message = (
            _("US persons give a W-9.")
            if required == tax.W9
            else _("Payees outside the US give a W-8BEN.")
        )
        raise ServiceError("wrong_tax_form", message)
    if form_signed_on > timezone.localdate(now):
        raise ServiceError("signed_in_future", _("The signature date cannot be in the future."))
    taxpayer_id = _clean_secret(taxpayer_id)
    payout_account = re.sub(r"\s", "", payout_account or "")
    if taxpayer_id:
        if tax_form == TaxForm.W9 and not re.fullmatch(r"\d{9}", taxpayer_id):
            raise ServiceError(
                "invalid_taxpayer_id", _("A US taxpayer id (SSN, ITIN or EIN) has nine digits.")
            )
        if not _TAX_ID.match(taxpayer_id):
            raise ServiceError(
                "invalid_taxpayer_id", _("The taxpayer id has 4 to 30 letters or digits.")
            )
    if payout_account and not re.fullmatch(r"[A-Za-z0-9_]{4,64}", payout_account):
        raise ServiceError(
            "invalid_payout_account",
            _("The payout account is an IBAN or a provider account id (letters and digits)."),
        )
    with transaction.atomic():
        details = PayeeDetails.objects.select_for_update().filter(user=user).first()
        created = details is None
        if details is None:
            if not taxpayer_id:
                raise ServiceError("taxpayer_id_required", _("Please give your taxpayer id."))
            details = PayeeDetails(user=user, created_at=now)
        if details.tax_form and details.tax_form != tax_form and not taxpayer_id:
            # A different form means a different kind of taxpayer id.
            raise ServiceError(
                "taxpayer_id_required", _("A new tax form needs its taxpayer id again.")
            )
        details.legal_name = legal_name[:200]
        details.country = country
        details.tax_form = tax_form
        details.form_signed_on = form_signed_on
        details.updated_at = now
        if taxpayer_id:
            details.taxpayer_id_encrypted = crypto.encrypt(taxpayer_id)
            details.taxpayer_id_last4 = taxpayer_id[-4:]
        if payout_account:
            details.payout_account_encrypted = crypto.encrypt(payout_account)
            details.payout_account_last4 = payout_account[-4:]
        details.save()
        log_action(
            details,
            "payee.created" if created else "payee.updated",
            user=user,
            data={
                "country": country,
                "tax_form": tax_form,
                "form_signed_on": form_signed_on.isoformat(),
                "tax_id_changed": bool(taxpayer_id),
                "payout_account_changed": bool(payout_account),
            },
            now=now,
        )
    return details


def payee_details_rotate_keys() -> int:
    """Re-encrypt every stored secret with the newest key (after adding one); returns the count."""
    count = 0
    for details in PayeeDetails.objects.all().iterator():
        fields = {"taxpayer_id_encrypted": crypto.rotate(details.taxpayer_id_encrypted)}
        if details.payout_account_encrypted:
            fields["payout_account_encrypted"] = crypto.rotate(details.payout_account_encrypted)
        PayeeDetails.objects.filter(pk=details.pk).update(**fields)
        count += 1
    for attempt in PaymentAttempt.objects.exclude(destination_encrypted="").iterator():
        PaymentAttempt.objects.filter(pk=attempt.pk).update(
            destination_encrypted=crypto.rotate(attempt.destination_encrypted)
        )
    return count


# --- payout settings --------------------------------------------------------------------------


def payout_settings_save(
    *, organisation: Organisation, user: Any, tax_forms_required: bool, provider: str
) -> OrganisationPayoutSettings:
    _require(user, organisation.pk, Capability.MANAGE_PAYOUTS)
    if provider and provider not in PROVIDERS:
        raise ServiceError("unknown_provider", _("Unknown payout provider."))
    with transaction.atomic():
        settings, _created = OrganisationPayoutSettings.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        settings.tax_forms_required = tax_forms_required
        settings.provider = provider
        settings.save()
        log_action(
            settings,
            "payout.settings_changed",
            user=user,
            data={"tax_forms_required": tax_forms_required, "provider": provider},
            organisation_id=organisation.pk,
        )
    return settings


def obligation_set_treaty_rate(
    *, obligation: PayoutObligation, user: Any, rate: Decimal | None, now: datetime | None = None
) -> PayoutObligation:
    """The reduced withholding rate for a W-8BEN payee from a treaty country (None: 30 %)."""
    now = now or timezone.now()
    _require(user, obligation.organisation_id, Capability.MANAGE_PAYOUTS)
    if rate is not None:
        try:
            rate = Decimal(rate).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError) as error:
            raise ServiceError("invalid_rate", _("The rate is a percentage.")) from error
        if not Decimal("0") <= rate < Decimal("100"):
            raise ServiceError(
                "invalid_rate", _("The rate must be from 0 up to (not incl.) 100 %.")
            )
    with transaction.atomic():
        ob = PayoutObligation.objects.select_for_update().get(pk=obligation.pk)
        if ob.status in (ObligationStatus.PAID, ObligationStatus.CANCELLED):
            raise Conflict("not_pending", _("This payout is closed."))
        if ob.attempts.filter(status=AttemptStatus.IN_FLIGHT).exists():
            raise Conflict("payment_in_flight", _("A payment is in flight; its amounts are fixed."))
        ob.treaty_rate = rate
        ob.updated_at = now
        ob.save(update_fields=["treaty_rate", "updated_at"])
        log_action(
            ob,
            "payout.treaty_rate_set",
            user=user,
            data={"rate": None if rate is None else str(rate)},
            organisation_id=ob.organisation_id,
            campaign_id=ob.campaign_id,
            now=now,
        )
    return ob


# --- payouts ----------------------------------------------------------------------------------


def _lock(obligation: PayoutObligation) -> PayoutObligation:
    return PayoutObligation.objects.select_for_update().get(pk=obligation.pk)


def _refuse_closed(ob: PayoutObligation) -> None:
    if ob.status == ObligationStatus.CANCELLED:
        raise Conflict("cancelled", _("This payout is cancelled."))
    if ob.status == ObligationStatus.PAID:
        raise Conflict("already_paid", _("This payout is already paid."))


def _start_attempt(
    ob: PayoutObligation, *, provider_name: str, user: Any, request_key: str, now: datetime
) -> PaymentAttempt:
    """A new attempt with its amounts and key, after checking what the payout waits for."""
    settings = selectors.payout_settings_of(ob.organisation_id)
    details = selectors.payee_details_of(ob.payee_id)
    provider = get_provider(provider_name)
    # The account check depends on the provider actually used (manual needs none).
    blockers = [
        code
        for code in selectors.blockers_given(
            ob, today=timezone.localdate(now), details=details, settings=settings
        )
        if code != "payout_account"
    ]
    if details is not None and provider.needs_account and not details.has_payout_account:
        blockers.append("payout_account")
    if blockers or details is None:
        code = blockers[0] if blockers else "payee_details"
        raise Conflict(code, str(selectors.BLOCKERS[code]))
    form = tax.required_form(details.country, forms_required=settings.tax_forms_required)
    rate = tax.withholding_rate(form, ob.treaty_rate)
    withheld, net = tax.split(ob.amount, rate)
    number = (ob.attempts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    try:
        with transaction.atomic():
            attempt = PaymentAttempt.objects.create(
                obligation=ob,
                number=number,
                provider=provider.name,
                idempotency_key=uuid.uuid4().hex,
                request_key=request_key[:255],
                gross=ob.amount,
                withheld=withheld,
                net=net,
                withholding_rate=rate,
                currency=ob.currency,
                tax_form=form,
                destination_encrypted=(
                    details.payout_account_encrypted if provider.needs_account else ""
                ),
                created_by=user if getattr(user, "is_authenticated", False) else None,
                created_at=now,
            )
    except IntegrityError as error:
        # Only where row locks are not real (SQLite): a concurrent request started one first.
        raise Conflict(
            "payment_in_progress", _("A payment for this prize is being started; try again.")
        ) from error
    if ob.status == ObligationStatus.FAILED:
        ob.status = ObligationStatus.PENDING
        ob.updated_at = now
        ob.save(update_fields=["status", "updated_at"])
    log_action(
        ob,
        "payout.attempt_started",
        user=user,
        data={
            "attempt": number,
            "provider": provider.name,
            "idempotency_key": attempt.idempotency_key,
            "gross": str(ob.amount),
            "withheld": str(withheld),
            "net": str(net),
        },
        organisation_id=ob.organisation_id,
        campaign_id=ob.campaign_id,
        now=now,
    )
    return attempt


def _record_paid(
    ob: PayoutObligation,
    attempt: PaymentAttempt,
    *,
    reference: str,
    user: Any,
    paid_at: datetime,
    now: datetime,
) -> None:
    """Attempt succeeded, obligation paid, payment posted — called with both rows locked."""
    attempt.status = AttemptStatus.SUCCEEDED
    attempt.provider_reference = reference[:255]
    attempt.finished_at = now
    attempt.finished_by = user if getattr(user, "is_authenticated", False) else None
    attempt.save()
    ob.status = ObligationStatus.PAID
    ob.gross, ob.withheld, ob.net = attempt.gross, attempt.withheld, attempt.net
    ob.withholding_rate = attempt.withholding_rate
    ob.tax_form = attempt.tax_form
    ob.paid_at = paid_at
    ob.provider_reference = reference[:255]
    ob.updated_at = now
    ob.save()
    lines = [
        Line(AccountCode.PRIZES_PAYABLE, attempt.gross, ob.currency, ob.payee_id, ob.pk),
        Line(AccountCode.CASH, -attempt.net, ob.currency, ob.payee_id, ob.pk),
    ]
    if attempt.withheld:
        lines.append(
            Line(AccountCode.TAX_WITHHELD, -attempt.withheld, ob.currency, ob.payee_id, ob.pk)
        )
    ledger_post(
        organisation_id=ob.organisation_id,
        key=f"payment:{ob.pk}",
        kind=TransactionKind.PAYMENT,
        lines=lines,
        user=user,
        memo=f"{attempt.provider} {reference}"[:255],
        obligation=ob,
        now=now,
    )
    log_action(
        ob,
        "payout.paid",
        user=user,
        data={
            "attempt": attempt.number,
            "provider": attempt.provider,
            "reference": reference,
            "gross": str(attempt.gross),
            "withheld": str(attempt.withheld),
            "net": str(attempt.net),
        },
        organisation_id=ob.organisation_id,
        campaign_id=ob.campaign_id,
        now=now,
    )


def payout_send(
    *,
    obligation: PayoutObligation,
    user: Any,
    now: datetime | None = None,
    request_key: str = "",
) -> PayoutObligation:
    """Pay an obligation through its organisation's provider; safe to call any number of times.

    Refuses a paid or cancelled obligation and one that waits for payee details or a tax form.
    An attempt left in flight (the provider did not answer) is retried with the same idempotency
    key. `request_key` is the caller's own idempotency key (API header, web form): repeating a
    finished request returns the obligation as it is now instead of acting again.
    """
    now = now or timezone.now()
    _require(user, obligation.organisation_id, Capability.MANAGE_PAYOUTS)
    # Step 1: the attempt and its key are committed before the provider hears of it.
    with transaction.atomic(durable=True):
        ob = _lock(obligation)
        if request_key:
            earlier = ob.attempts.filter(request_key=request_key[:255]).first()
            if earlier is not None and earlier.status != AttemptStatus.IN_FLIGHT:
                return ob
        _refuse_closed(ob)
        attempt = ob.attempts.filter(status=AttemptStatus.IN_FLIGHT).first()
        if attempt is None:
            attempt = _start_attempt(
                ob,
                provider_name=selectors.provider_name_for(ob.organisation_id),
                user=user,
                request_key=request_key,
                now=now,
            )
        provider = get_provider(attempt.provider)
        # The account as it was when the attempt started, so every retry sends the same request.
        destination = (
            crypto.decrypt(attempt.destination_encrypted) if attempt.destination_encrypted else ""
        )
    # Step 2: outside any transaction.
    result = provider.send(
        Payment(
            idempotency_key=attempt.idempotency_key,
            amount=attempt.net,
            currency=attempt.currency,
            destination=destination,
            description=f"Prize payout {ob.pk}",
            metadata={"obligation": str(ob.pk), "attempt": str(attempt.number)},
        )
    )
    # Step 3: record the outcome once.
    return _record_outcome(ob, attempt, result, user=user, now=now)


def _record_outcome(
    ob: PayoutObligation, attempt: PaymentAttempt, result: Result, *, user: Any, now: datetime
) -> PayoutObligation:
    with transaction.atomic():
        ob = _lock(ob)
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if result.outcome == "awaiting_person":
            return ob
        attempt.calls += 1
        if attempt.status != AttemptStatus.IN_FLIGHT:
            # Another request already recorded this attempt's outcome.
            attempt.save(update_fields=["calls"])
            return ob
        if result.outcome == "paid":
            _record_paid(ob, attempt, reference=result.reference, user=user, paid_at=now, now=now)
            return ob
        attempt.last_error_code = result.error_code[:60]
        attempt.last_error_message = result.error_message[:2000]
        if result.outcome == "failed":
            attempt.status = AttemptStatus.FAILED
            attempt.finished_at = now
            ob.status = ObligationStatus.FAILED
            ob.updated_at = now
            ob.save(update_fields=["status", "updated_at"])
            action = "payout.failed"
        else:
            action = "payout.no_answer"
        attempt.save()
        log_action(
            ob,
            action,
            user=user,
            data={
                "attempt": attempt.number,
                "error_code": result.error_code,
                "error": result.error_message[:500],
            },
            organisation_id=ob.organisation_id,
            campaign_id=ob.campaign_id,
            now=now,
        )
    return ob


def payout_mark_paid(
    *,
    obligation: PayoutObligation,
    user: Any,
    reference: str,
    paid_on: date,
    now: datetime | None = None,
) -> PayoutObligation:
    """Finance paid by other means (bank transfer…) and records it: completes the manual attempt.

    Marking a paid obligation again with the same reference is a no-op (a double click).
    """
    now = now or timezone.now()
    reference = (reference or "").strip()
    _require(user, obligation.organisation_id, Capability.MANAGE_PAYOUTS)
    if not reference:
        raise ServiceError("reference_required", _("Give the payment's reference."))
    if paid_on > timezone.localdate(now):
        raise ServiceError("paid_in_future", _("The payment date cannot be in the future."))
    with transaction.atomic():
        ob = _lock(obligation)
        if ob.status == ObligationStatus.PAID and ob.provider_reference == reference[:255]:
            return ob
        _refuse_closed(ob)
        attempt = ob.attempts.filter(status=AttemptStatus.IN_FLIGHT).first()
        if attempt is None:
            attempt = _start_attempt(ob, provider_name="manual", user=user, request_key="", now=now)
        elif attempt.provider != "manual":
            raise Conflict(
                "payment_in_flight",
                _("A payment is in flight with the provider; send it again to learn its outcome."),
            )
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        paid_at = (
            now
            if paid_on == timezone.localdate(now)
            else timezone.make_aware(datetime.combine(paid_on, time(12)))
        )
        _record_paid(ob, attempt, reference=reference, user=user, paid_at=paid_at, now=now)
    return ob


def payout_cancel(
    *, obligation: PayoutObligation, user: Any, reason: str, now: datetime | None = None
) -> PayoutObligation:
    """Cancel an unpaid obligation together with its award (see `award_cancel`)."""
    _require(user, obligation.organisation_id, Capability.MANAGE_PAYOUTS)
    award_cancel(award=obligation.award, user=user, reason=reason, now=now)
    return PayoutObligation.objects.get(pk=obligation.pk)
