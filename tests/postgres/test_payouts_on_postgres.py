"""Payouts under real concurrency on PostgreSQL: finance clicks "pay" in several tabs at once.

Each thread has its own connection; the obligation's row lock and the provider's idempotency key
must make them pay once between them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from crowdstudio.awards import services
from crowdstudio.awards.models import LedgerTransaction, PaymentAttempt, PayoutObligation
from crowdstudio.lib.errors import Conflict
from tests.awards import fake_stripe
from tests.postgres.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe(settings) -> Iterator[fake_stripe.FakeStripe]:
    fake = fake_stripe.start()
    settings.CROWDSTUDIO_PAYOUT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = fake_stripe.API_KEY
    settings.STRIPE_API_BASE = fake.base
    yield fake
    fake_stripe.stop(fake)


@pytest.fixture
def obligation(personas, open_campaign, approved_entry) -> PayoutObligation:
    entry = approved_entry(personas["entrant"], title="Harbour at night")
    prize = open_campaign.rounds.get().prizes.get(rank=1)
    award = services.award_confirm(prize=prize, entry=entry, user=personas["owner"])
    services.payee_details_save(
        user=personas["entrant"],
        legal_name="Erin Example",
        country="DE",
        tax_form="w8ben",
        form_signed_on=timezone.localdate(),
        taxpayer_id="DE12345678901",
        payout_account="acct_1ErinExample",
    )
    return PayoutObligation.objects.get(award=award)


def test_concurrent_pay_clicks_pay_once(obligation, personas, stripe):
    owner = personas["owner"]
    stripe.script = ["lost"]  # the first answer is lost: the others must not start over

    def click(i: int) -> str:
        try:
            services.payout_send(obligation=obligation, user=owner)
        except Conflict as error:
            return error.code
        return "sent"

    results = all_at_once(click)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert set(results) <= {"sent", "already_paid"}
    # Whatever the interleaving, one more click settles it.
    click(0)
    obligation.refresh_from_db()
    assert obligation.status == "paid"
    assert len(stripe.transfers) == 1
    assert PaymentAttempt.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1


def test_concurrent_confirmations_of_one_prize_make_one_award(
    personas, open_campaign, approved_entry
):
    entry = approved_entry(personas["entrant"], title="Harbour at night")
    prize = open_campaign.rounds.get().prizes.get(rank=1)
    results = all_at_once(
        lambda i: services.award_confirm(prize=prize, entry=entry, user=personas["owner"])
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({award.pk for award in results}) == 1
    assert PayoutObligation.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1
