"""The Stripe client against the local fake server: request shape and how answers are read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crowdstudio.awards.providers import Payment, get_provider
from crowdstudio.awards.providers.stripe import StripeProvider, minor_units

from . import fake_stripe


def payment(key: str = "key-1", amount: str = "425.50", currency: str = "EUR") -> Payment:
    return Payment(
        idempotency_key=key,
        amount=Decimal(amount),
        currency=currency,
        destination="acct_1Winner",
        description="Prize payout 1",
        metadata={"obligation": "1"},
    )


def test_it_sends_a_form_encoded_transfer_with_the_idempotency_key(stripe):
    result = StripeProvider().send(payment())
    assert result.outcome == "paid"
    assert result.reference.startswith("tr_")
    request = stripe.requests[0]
    assert request["path"] == "/v1/transfers"
    assert request["headers"]["idempotency-key"] == "key-1"
    assert request["headers"]["authorization"] == f"Bearer {fake_stripe.API_KEY}"
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert request["params"] == {
        "amount": "42550",
        "currency": "eur",
        "destination": "acct_1Winner",
        "description": "Prize payout 1",
        "metadata[obligation]": "1",
    }


def test_the_same_key_replays_the_first_transfer(stripe):
    provider = StripeProvider()
    first = provider.send(payment())
    second = provider.send(payment())
    assert first.reference == second.reference
    assert len(stripe.transfers) == 1


def test_the_same_key_with_other_parameters_is_not_a_failure_but_unknown(stripe):
    provider = StripeProvider()
    provider.send(payment())
    result = provider.send(payment(amount="1.00"))
    # The first request may have paid: never start a new attempt on an idempotency error.
    assert result.outcome == "unknown"
    assert result.error_code == "idempotency_key_in_use"


@pytest.mark.parametrize("behaviour", ["500", "429", "lost"])
def test_errors_that_may_hide_a_payment_are_unknown(stripe, behaviour):
    stripe.script = [behaviour]
    assert StripeProvider().send(payment()).outcome == "unknown"


def test_a_decline_is_a_failure_with_stripes_code_and_message(stripe):
    stripe.script = ["decline"]
    result = StripeProvider().send(payment())
    assert result.outcome == "failed"
    assert result.error_code == "balance_insufficient"
    assert "insufficient funds" in result.error_message


def test_a_wrong_api_key_is_a_failure(stripe):
    result = StripeProvider(api_key="sk_test_wrong").send(payment())
    assert (result.outcome, result.error_code) == ("failed", "api_key_invalid")


def test_an_unreachable_server_is_unknown(settings):
    result = StripeProvider(api_key="sk", base="http://127.0.0.1:9", timeout=1).send(payment())
    assert result.outcome == "unknown"


def test_zero_decimal_currencies_are_sent_in_whole_units():
    assert minor_units(Decimal("500"), "JPY") == 500
    assert minor_units(Decimal("12.34"), "usd") == 1234
    with pytest.raises(ValueError):
        minor_units(Decimal("1.5"), "JPY")


def test_the_provider_is_chosen_by_setting(settings):
    assert get_provider().name == "manual"
    settings.CROWDSTUDIO_PAYOUT_PROVIDER = "stripe"
    assert get_provider().name == "stripe"
    with pytest.raises(LookupError):
        get_provider("paypal")
