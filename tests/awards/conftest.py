"""Fixtures of the awards tests: a winner with an award, payee details, a fake Stripe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from crowdstudio.awards import services
from crowdstudio.awards.models import Award, PayoutObligation

from . import fake_stripe


@pytest.fixture
def winner_entry(personas, approved_entry):
    """Erin's approved entry in the open campaign's round."""
    return approved_entry(personas["entrant"], title="Harbour at night")


@pytest.fixture
def cash_prize(open_campaign):
    """The open campaign's €500 cash prize."""
    return open_campaign.rounds.get().prizes.get(rank=1)


@pytest.fixture
def award(personas, cash_prize, winner_entry) -> Award:
    return services.award_confirm(prize=cash_prize, entry=winner_entry, user=personas["owner"])


@pytest.fixture
def obligation(award) -> PayoutObligation:
    return PayoutObligation.objects.get(award=award)


@pytest.fixture
def give_details(personas) -> Callable[..., Any]:
    """give_details(country="DE", tax_form="w8ben", …) as erin, with sensible defaults."""

    def give(user: Any = None, **fields: Any) -> Any:
        data: dict[str, Any] = {
            "legal_name": "Erin Example",
            "country": "DE",
            "tax_form": "w8ben",
            "form_signed_on": timezone.localdate(),
            "taxpayer_id": "DE12345678901",
            "payout_account": "acct_1ErinExample",
        }
        data.update(fields)
        return services.payee_details_save(user=user or personas["entrant"], **data)

    return give


@pytest.fixture
def stripe(settings) -> Iterator[fake_stripe.FakeStripe]:
    """A running fake Stripe, with the installation set to pay through it."""
    fake = fake_stripe.start()
    settings.CROWDSTUDIO_PAYOUT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = fake_stripe.API_KEY
    settings.STRIPE_API_BASE = fake.base
    settings.STRIPE_TIMEOUT = 5
    yield fake
    fake_stripe.stop(fake)
