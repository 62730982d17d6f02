"""Paying obligations: form gating, withholding, and exactly-once payment under retries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.awards import selectors, services
from crowdstudio.awards.models import (
    AccountCode,
    AttemptStatus,
    LedgerTransaction,
    ObligationStatus,
    OrganisationPayoutSettings,
    PaymentAttempt,
)
from crowdstudio.lib.errors import Conflict, NotAllowed

EUR = "EUR"


def balance(org, code):
    return selectors.account_balance(org.pk, code, EUR)


def send(obligation, user, **kwargs):
    """payout_send, returning the refusal's code instead of raising (a retry loop's view)."""
    try:
        services.payout_send(obligation=obligation, user=user, **kwargs)
    except Conflict as error:
        return error.code
    return "sent"


def aware(*args):
    return timezone.make_aware(datetime(*args))


# --- what a payout waits for -----------------------------------------------------------------


def test_a_payout_waits_for_payee_details(obligation, personas):
    assert selectors.obligation_blockers(obligation, today=timezone.localdate()) == [
        "payee_details"
    ]
    assert send(obligation, personas["owner"]) == "payee_details"
    assert not PaymentAttempt.objects.exists()


def test_a_payout_waits_while_the_w8ben_has_expired(obligation, personas, give_details):
    # Signed in 2022: valid until the end of 2025.
    give_details(form_signed_on=date(2022, 3, 1))
    assert selectors.obligation_blockers(obligation, today=date(2025, 12, 31)) == []
    assert selectors.obligation_blockers(obligation, today=date(2026, 1, 1)) == ["tax_form_expired"]
    assert send(obligation, personas["owner"], now=aware(2026, 1, 1, 12)) == "tax_form_expired"
    row = selectors.obligation_rows(
        selectors.organisation_obligations(obligation.organisation_id), today=date(2026, 1, 1)
    )[0]
    assert "tax form" in row.state_label


def test_a_form_that_no_longer_fits_the_country_blocks_the_payout(
    obligation, personas, give_details
):
    details = give_details()
    # The person moved to the US: the W-8BEN on file is the wrong form.
    type(details).objects.filter(pk=details.pk).update(country="US")
    assert selectors.obligation_blockers(obligation, today=timezone.localdate()) == ["tax_form"]


def test_stripe_payouts_wait_for_a_payout_account(obligation, personas, give_details, stripe):
    give_details(payout_account="")
    assert send(obligation, personas["owner"]) == "payout_account"
    assert stripe.requests == []


def test_an_organisation_may_collect_no_tax_forms_and_then_withholds_nothing(
    obligation, personas, give_details, org
):
    OrganisationPayoutSettings.objects.create(organisation=org, tax_forms_required=False)
    give_details(form_signed_on=date(2001, 1, 1))  # long expired, but not needed
    services.payout_mark_paid(
        obligation=obligation,
        user=personas["owner"],
        reference="BANK-1",
        paid_on=timezone.localdate(),
    )
    obligation.refresh_from_db()
    assert (obligation.withheld, obligation.net) == (Decimal("0.00"), Decimal("500.00"))


# --- withholding -----------------------------------------------------------------------------


def test_a_w9_payee_is_paid_in_full(obligation, personas, give_details, org):
    give_details(country="US", tax_form="w9", taxpayer_id="123-45-6789")
    services.payout_mark_paid(
        obligation=obligation,
        user=personas["owner"],
        reference="ACH-7",
        paid_on=timezone.localdate(),
    )
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert (obligation.gross, obligation.withheld, obligation.net) == (
        Decimal("500.00"),
        Decimal("0.00"),
        Decimal("500.00"),
    )
    payment = LedgerTransaction.objects.get(kind="payment")
    assert payment.lines.count() == 2
    assert balance(org, AccountCode.PRIZES_PAYABLE) == 0
    assert balance(org, AccountCode.CASH) == Decimal("-500.00")


def test_a_w8ben_payee_has_30_percent_withheld_and_the_ledger_shows_it(
    obligation, personas, give_details, org
):
    give_details()
    services.payout_mark_paid(
        obligation=obligation,
        user=personas["owner"],
        reference="SEPA-1",
        paid_on=timezone.localdate(),
    )
    obligation.refresh_from_db()
    assert (obligation.gross, obligation.withheld, obligation.net) == (
        Decimal("500.00"),
        Decimal("150.00"),
        Decimal("350.00"),
    )
    assert obligation.tax_form == "w8ben"
    assert balance(org, AccountCode.PRIZE_EXPENSE) == Decimal("500.00")
    assert balance(org, AccountCode.PRIZES_PAYABLE) == 0
    assert balance(org, AccountCode.CASH) == Decimal("-350.00")
    assert balance(org, AccountCode.TAX_WITHHELD) == Decimal("-150.00")
    assert selectors.payee_payable(org.pk) == []


def test_a_treaty_rate_the_organiser_enters_replaces_the_30_percent(
    obligation, personas, give_details
):
    give_details()
    services.obligation_set_treaty_rate(
        obligation=obligation, user=personas["owner"], rate=Decimal("15")
    )
    services.payout_mark_paid(
        obligation=obligation,
        user=personas["owner"],
        reference="SEPA-2",
        paid_on=timezone.localdate(),
    )
    obligation.refresh_from_db()
    assert (obligation.withheld, obligation.net) == (Decimal("75.00"), Decimal("425.00"))


# --- manual payouts --------------------------------------------------------------------------


def test_manual_payouts_sent_and_marked_ten_times_pay_once(obligation, personas, give_details):
    give_details()
    owner = personas["owner"]
    results = [send(obligation, owner) for _ in range(10)]
    assert results == ["sent"] * 10
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.IN_FLIGHT
    assert attempt.provider == "manual"
    for _ in range(10):
        services.payout_mark_paid(
            obligation=obligation, user=owner, reference="SEPA-99", paid_on=timezone.localdate()
        )
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert obligation.provider_reference == "SEPA-99"
    assert PaymentAttempt.objects.get().status == AttemptStatus.SUCCEEDED
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert AuditEvent.objects.filter(action="payout.paid").count() == 1
    assert [send(obligation, owner) for _ in range(10)] == ["already_paid"] * 10
    with pytest.raises(Conflict):
        services.payout_mark_paid(
            obligation=obligation, user=owner, reference="OTHER", paid_on=timezone.localdate()
        )


def test_only_the_owner_may_pay(obligation, personas, give_details):
    give_details()
    for persona in ("producer", "moderator", "judge", "entrant", "outsider"):
        with pytest.raises(NotAllowed):
            services.payout_send(obligation=obligation, user=personas[persona])
    assert not PaymentAttempt.objects.exists()


# --- Stripe payouts --------------------------------------------------------------------------


def test_stripe_payouts_retried_ten_times_after_a_lost_response_pay_once(
    obligation, personas, give_details, stripe, org
):
    give_details()
    # The provider pays but the answer is lost; then a gateway error and the rate limiter.
    stripe.script = ["lost", "500", "429"]
    results = [send(obligation, personas["owner"]) for _ in range(10)]
    assert results == ["sent"] * 4 + ["already_paid"] * 6
    assert len(stripe.transfers) == 1
    transfer = stripe.transfers[0]
    assert (transfer["amount"], transfer["currency"]) == (35000, "eur")
    assert transfer["destination"] == "acct_1ErinExample"
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.SUCCEEDED
    assert attempt.calls == 4
    assert {r["headers"]["idempotency-key"] for r in stripe.requests} == {attempt.idempotency_key}
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert obligation.provider_reference == transfer["id"]
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert balance(org, AccountCode.PRIZES_PAYABLE) == 0
    assert AuditEvent.objects.filter(action="payout.no_answer").count() == 3


def test_a_stripe_timeout_leaves_the_attempt_in_flight_and_the_retry_completes_it(
    obligation, personas, give_details, stripe, settings
):
    give_details()
    settings.STRIPE_TIMEOUT = 0.3
    stripe.script = ["hang"]
    assert send(obligation, personas["owner"]) == "sent"
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PENDING
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.IN_FLIGHT
    assert attempt.last_error_code == "no_answer"
    stripe.release.set()
    assert send(obligation, personas["owner"]) == "sent"
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert len(stripe.transfers) == 1
    assert PaymentAttempt.objects.count() == 1


def test_a_declined_payout_fails_and_a_retry_is_a_new_attempt_that_pays(
    obligation, personas, give_details, stripe
):
    give_details()
    stripe.script = ["decline"]
    assert send(obligation, personas["owner"]) == "sent"
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.FAILED
    first = PaymentAttempt.objects.get()
    assert (first.status, first.last_error_code) == (AttemptStatus.FAILED, "balance_insufficient")
    assert send(obligation, personas["owner"]) == "sent"
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    attempts = list(PaymentAttempt.objects.order_by("number"))
    assert [a.status for a in attempts] == [AttemptStatus.FAILED, AttemptStatus.SUCCEEDED]
    assert attempts[0].idempotency_key != attempts[1].idempotency_key
    assert len(stripe.transfers) == 1
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    assert AuditEvent.objects.filter(action="payout.failed").count() == 1


def test_a_repeated_request_key_replays_instead_of_refusing(
    obligation, personas, give_details, stripe
):
    give_details()
    for _ in range(3):
        services.payout_send(obligation=obligation, user=personas["owner"], request_key="k-1")
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert len(stripe.requests) == 1


def test_a_payment_in_flight_with_stripe_cannot_be_cancelled(
    obligation, personas, give_details, stripe
):
    give_details()
    stripe.script = ["500"]
    send(obligation, personas["owner"])
    with pytest.raises(Conflict) as error:
        services.payout_cancel(obligation=obligation, user=personas["owner"], reason="Oops")
    assert error.value.code == "payment_in_flight"


def test_a_manual_payment_waiting_for_finance_can_be_cancelled(
    obligation, personas, give_details, org
):
    give_details()
    send(obligation, personas["owner"])
    services.payout_cancel(obligation=obligation, user=personas["owner"], reason="Disqualified")
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.CANCELLED
    assert PaymentAttempt.objects.get().status == AttemptStatus.CANCELLED
    assert balance(org, AccountCode.PRIZES_PAYABLE) == 0
    assert send(obligation, personas["owner"]) == "cancelled"


def test_a_paid_obligation_cannot_be_cancelled(obligation, personas, give_details):
    give_details()
    services.payout_mark_paid(
        obligation=obligation, user=personas["owner"], reference="X1", paid_on=timezone.localdate()
    )
    with pytest.raises(Conflict) as error:
        services.payout_cancel(obligation=obligation, user=personas["owner"], reason="Too late")
    assert error.value.code == "already_paid"


def test_a_retry_sends_the_same_request_even_if_the_payee_changed_the_account_meanwhile(
    obligation, personas, give_details, stripe
):
    give_details()
    stripe.script = ["lost"]
    send(obligation, personas["owner"])
    give_details(payout_account="acct_2NewAccount", taxpayer_id="")
    send(obligation, personas["owner"])
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert {r["params"]["destination"] for r in stripe.requests} == {"acct_1ErinExample"}
    assert len(stripe.transfers) == 1
