"""The awards API: a winner's awards and write-only payee details; finance's payouts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.utils import timezone

from crowdstudio.awards import services
from crowdstudio.awards.models import PayeeDetails, PayoutObligation
from tests.awards import fake_stripe

PAYEE = {
    "legal_name": "Erin Example",
    "country": "DE",
    "tax_form": "w8ben",
    "form_signed_on": timezone.localdate().isoformat(),
    "taxpayer_id": "DE12345678901",
    "payout_account": "acct_1ErinExample",
}


@pytest.fixture
def obligation(personas, open_campaign, approved_entry) -> PayoutObligation:
    entry = approved_entry(personas["entrant"], title="Harbour at night")
    prize = open_campaign.rounds.get().prizes.get(rank=1)
    award = services.award_confirm(prize=prize, entry=entry, user=personas["owner"])
    return PayoutObligation.objects.get(award=award)


@pytest.fixture
def stripe(settings) -> Iterator[fake_stripe.FakeStripe]:
    fake = fake_stripe.start()
    settings.CROWDSTUDIO_PAYOUT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = fake_stripe.API_KEY
    settings.STRIPE_API_BASE = fake.base
    yield fake
    fake_stripe.stop(fake)


def put(client, path, body):
    return client.client.put(f"/api{path}", json.dumps(body), content_type="application/json")


def test_a_winner_lists_the_award_with_what_the_payout_waits_for(api_as, obligation):
    response = api_as("entrant").get("/me/awards")
    assert response.status_code == 200
    [award] = response.json()
    assert award["prize"] == "Winner"
    assert award["amount"] == "500.00"
    assert award["currency"] == "EUR"
    assert award["payout_status"] == "pending"
    assert award["waiting_for"] == ["payee_details"]


def test_payee_details_are_write_only_and_answered_masked(api_as, obligation):
    client = api_as("entrant")
    response = put(client, "/me/payee", PAYEE)
    assert response.status_code == 200
    body = response.json()
    assert body["taxpayer_id_masked"] == "•••• 8901"
    assert body["payout_account_masked"] == "•••• mple"
    assert body["form_valid_until"] == f"{timezone.localdate().year + 3}-12-31"
    assert "DE12345678901" not in response.content.decode()
    assert "DE12345678901" not in client.get("/me/payee").content.decode()
    # Updating without the secrets keeps them.
    response = put(client, "/me/payee", {**PAYEE, "taxpayer_id": "", "payout_account": ""})
    assert response.json()["taxpayer_id_masked"] == "•••• 8901"
    assert PayeeDetails.objects.count() == 1
    assert client.get("/me/awards").json()[0]["waiting_for"] == []


def test_a_tax_form_that_does_not_fit_the_country_is_a_400(api_as, obligation):
    response = put(api_as("entrant"), "/me/payee", {**PAYEE, "country": "US"})
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_tax_form"


def test_bad_payee_input_is_a_422(api_as, obligation):
    response = put(api_as("entrant"), "/me/payee", {**PAYEE, "form_signed_on": "yesterday"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "form_signed_on"


def test_the_owner_lists_a_campaigns_payouts(api_as, obligation, open_campaign):
    response = api_as("owner").get(f"/campaigns/{open_campaign.slug}/payouts")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["status"], item["waiting_for"]) == (
        obligation.pk,
        "pending",
        ["payee_details"],
    )


def test_sending_a_payout_that_waits_for_a_tax_form_is_a_409_saying_so(api_as, obligation):
    response = api_as("owner").post(f"/payouts/{obligation.pk}/send")
    assert response.status_code == 409
    assert response.json()["code"] == "payee_details"


def test_the_idempotency_key_header_is_honoured(api_as, obligation, stripe):
    put(api_as("entrant"), "/me/payee", PAYEE)
    owner = api_as("owner")
    path = f"/payouts/{obligation.pk}/send"
    first = owner.post(path, headers={"Idempotency-Key": "finance-run-1"})
    assert first.status_code == 200
    body = first.json()
    assert body["status"] == "paid"
    assert (body["gross"], body["withheld"], body["net"]) == ("500.00", "150.00", "350.00")
    assert body["attempts"][0]["provider"] == "stripe"
    for _ in range(9):
        again = owner.post(path, headers={"Idempotency-Key": "finance-run-1"})
        assert again.status_code == 200
        assert again.json()["provider_reference"] == body["provider_reference"]
    assert len(stripe.transfers) == 1
    other = owner.post(path, headers={"Idempotency-Key": "finance-run-2"})
    assert other.status_code == 409
    assert other.json()["code"] == "already_paid"


def test_a_lost_response_is_answered_as_pending_and_the_retry_pays(api_as, obligation, stripe):
    put(api_as("entrant"), "/me/payee", PAYEE)
    stripe.script = ["lost"]
    owner = api_as("owner")
    path = f"/payouts/{obligation.pk}/send"
    first = owner.post(path, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 200
    assert first.json()["status"] == "pending"
    assert first.json()["attempts"][0]["status"] == "in_flight"
    second = owner.post(path, headers={"Idempotency-Key": "k1"})
    assert second.json()["status"] == "paid"
    assert len(stripe.transfers) == 1


def test_payouts_are_not_visible_to_the_producer(api_as, obligation, open_campaign):
    assert api_as("producer").get(f"/campaigns/{open_campaign.slug}/payouts").status_code == 403
    assert api_as("producer").post(f"/payouts/{obligation.pk}/send").status_code == 403


def test_marking_paid_by_hand_shows_in_the_winners_awards(api_as, obligation, personas):
    put(api_as("entrant"), "/me/payee", PAYEE)
    services.payout_mark_paid(
        obligation=obligation,
        user=personas["owner"],
        reference="SEPA-1",
        paid_on=timezone.localdate(),
    )
    award = api_as("entrant").get("/me/awards").json()[0]
    assert (award["payout_status"], award["net"], award["withheld"]) == (
        "paid",
        "350.00",
        "150.00",
    )
