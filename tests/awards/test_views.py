"""The winner's pages, the finance pages, the CSV export and the hooks in shared templates."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from crowdstudio.awards import services
from crowdstudio.awards.models import (
    LedgerTransaction,
    ObligationStatus,
    PayeeDetails,
    PaymentAttempt,
)
from crowdstudio.awards.selectors import has_awards

PAYEE_FORM = {
    "legal_name": "Erin Example",
    "country": "DE",
    "tax_form": "w8ben",
    "form_signed_on": timezone.localdate().isoformat(),
    "taxpayer_id": "DE12345678901",
    "payout_account": "acct_1ErinExample",
}


# --- hooks -----------------------------------------------------------------------------------


def test_my_awards_is_in_the_navigation_only_for_winners(
    client, personas, award, make_user, django_assert_num_queries
):
    erin = type(personas["entrant"]).objects.get(pk=personas["entrant"].pk)
    with django_assert_num_queries(1):  # one indexed EXISTS, remembered for the request
        assert has_awards(erin) and has_awards(erin)
    client.force_login(personas["entrant"])
    assert reverse("my_awards") in client.get(reverse("home")).content.decode()
    client.force_login(make_user("fan1"))
    assert reverse("my_awards") not in client.get(reverse("home")).content.decode()


def test_the_studio_toolbar_links_payouts_for_the_owner_only(client, personas, open_campaign):
    url = reverse("campaign", args=[open_campaign.slug])
    payouts = reverse("payouts_campaign", args=[open_campaign.slug])
    client.force_login(personas["owner"])
    assert payouts in client.get(url).content.decode()
    client.force_login(personas["producer"])
    assert payouts not in client.get(url).content.decode()


# --- the winner ------------------------------------------------------------------------------


def test_the_winner_sees_the_award_and_what_the_payout_waits_for(client, personas, award):
    client.force_login(personas["entrant"])
    body = client.get(reverse("my_awards")).content.decode()
    assert "Winner" in body
    assert "500" in body
    assert "Waiting for payee details" in body
    assert reverse("payee_details") in body


def test_my_awards_makes_no_query_per_award(
    client, personas, award, cash_prize, approved_entry, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas["entrant"])
    with CaptureQueriesContext(connection) as one_award:
        assert client.get(reverse("my_awards")).status_code == 200
    for rank in (2, 3, 4):
        prize = type(cash_prize).objects.create(
            round=cash_prize.round,
            rank=rank,
            title=f"Prize {rank}",
            kind=cash_prize.kind,
            amount=100,
            currency="EUR",
        )
        entry = approved_entry(personas["entrant"], title=f"Entry {rank}")
        services.award_confirm(prize=prize, entry=entry, user=personas["owner"])
    with django_assert_max_num_queries(len(one_award)):
        body = client.get(reverse("my_awards")).content.decode()
    assert body.count("Waiting for payee details") == 4


def test_the_winner_enters_payee_details_and_the_taxpayer_id_is_never_shown_again(
    client, personas, award
):
    client.force_login(personas["entrant"])
    response = client.post(reverse("payee_details"), PAYEE_FORM)
    assert response.status_code == 302
    details = PayeeDetails.objects.get()
    assert details.taxpayer_id_last4 == "8901"
    for url in (reverse("payee_details"), reverse("my_awards")):
        body = client.get(url).content.decode()
        assert "DE12345678901" not in body
        assert "acct_1ErinExample" not in body
        assert "8901" in body
    assert "Waiting for" not in client.get(reverse("my_awards")).content.decode()


def test_a_form_that_does_not_fit_the_country_is_shown_next_to_the_field(client, personas, award):
    client.force_login(personas["entrant"])
    response = client.post(reverse("payee_details"), {**PAYEE_FORM, "tax_form": "w9"})
    assert response.status_code == 400
    assert "W-8BEN" in response.content.decode()
    assert not PayeeDetails.objects.exists()


def test_people_without_an_award_have_no_payee_page(client, make_user, award):
    client.force_login(make_user("fan1"))
    assert client.get(reverse("payee_details")).status_code == 404


# --- finance ---------------------------------------------------------------------------------


def test_the_payouts_page_shows_each_obligation_and_what_it_waits_for(
    client, personas, obligation, open_campaign, org
):
    client.force_login(personas["owner"])
    body = client.get(reverse("payouts_campaign", args=[open_campaign.slug])).content.decode()
    assert "Waiting for payee details" in body
    assert reverse("payout_detail", args=[obligation.pk]) in body
    body = client.get(reverse("payouts_organisation", args=[org.slug])).content.decode()
    assert open_campaign.title in body


def test_marking_paid_twice_from_the_page_pays_once(
    client, personas, obligation, give_details, org
):
    give_details()
    client.force_login(personas["owner"])
    url = reverse("payout_mark_paid", args=[obligation.pk])
    form = {"reference": "SEPA-2026-01", "paid_on": timezone.localdate().isoformat()}
    for _ in range(2):
        assert client.post(url, form).status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    assert LedgerTransaction.objects.filter(kind="payment").count() == 1
    detail = client.get(reverse("payout_detail", args=[obligation.pk])).content.decode()
    assert "SEPA-2026-01" in detail
    ledger = client.get(reverse("payouts_ledger", args=[org.slug])).content.decode()
    assert "Tax withheld payable" in ledger
    assert "150" in ledger


def test_a_double_clicked_pay_button_sends_one_transfer(
    client, personas, obligation, give_details, stripe
):
    give_details()
    client.force_login(personas["owner"])
    key = str(uuid.uuid4())
    url = reverse("payout_send", args=[obligation.pk])
    for _ in range(2):
        response = client.post(url, {"request_key": key}, follow=True)
        assert response.status_code == 200
    assert len(stripe.transfers) == 1
    assert len(stripe.requests) == 1
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PAID
    # A fresh page (a new key) after payment is refused politely, not paid again.
    response = client.post(url, {"request_key": str(uuid.uuid4())}, follow=True)
    assert "already paid" in response.content.decode()
    assert len(stripe.transfers) == 1


def test_paying_a_payout_that_waits_for_a_tax_form_explains_why(client, personas, obligation):
    client.force_login(personas["owner"])
    response = client.post(
        reverse("payout_send", args=[obligation.pk]),
        {"request_key": str(uuid.uuid4())},
        follow=True,
    )
    assert "Waiting for payee details" in response.content.decode()
    assert not PaymentAttempt.objects.exists()


def test_cancelling_from_the_page_needs_a_reason(client, personas, obligation):
    client.force_login(personas["owner"])
    url = reverse("payout_cancel", args=[obligation.pk])
    client.post(url, {"reason": ""})
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.PENDING
    client.post(url, {"reason": "Entry broke the rules"})
    client.post(url, {"reason": "Entry broke the rules"})
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.CANCELLED
    assert LedgerTransaction.objects.filter(kind="reversal").count() == 1


def test_the_csv_export_has_one_row_per_obligation_and_never_the_taxpayer_id(
    client, personas, obligation, give_details, open_campaign
):
    give_details(legal_name="=HYPERLINK(evil)")
    services.payout_mark_paid(
        obligation=obligation,
        user=personas["owner"],
        reference="SEPA-7",
        paid_on=timezone.localdate(),
    )
    client.force_login(personas["owner"])
    response = client.get(reverse("payouts_export", args=[open_campaign.slug]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "DE12345678901" not in text
    assert "acct_1ErinExample" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
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
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["campaign"] == open_campaign.title
    assert row["round"] == "Round 1"
    assert row["prize"] == "Winner"
    assert row["payee_legal_name"] == "'=HYPERLINK(evil)"  # no formula in a spreadsheet
    assert (row["country"], row["tax_form"]) == ("DE", "w8ben")
    assert (row["gross"], row["withheld"], row["net"]) == ("500.00", "150.00", "350.00")
    assert (row["currency"], row["status"], row["provider_reference"]) == ("EUR", "paid", "SEPA-7")
    assert row["paid_at"]


def test_the_owner_sets_a_treaty_rate_and_the_payout_settings(client, personas, obligation, org):
    client.force_login(personas["owner"])
    client.post(reverse("payout_treaty_rate", args=[obligation.pk]), {"rate": "10"})
    obligation.refresh_from_db()
    assert obligation.treaty_rate == 10
    client.post(reverse("payout_settings", args=[org.slug]), {"provider": "stripe"})
    org.payout_settings.refresh_from_db()
    assert org.payout_settings.provider == "stripe"
    assert org.payout_settings.tax_forms_required is False


# --- admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label == "awards"],
    ids=lambda m: m.__name__,
)
def test_admin_change_pages_render_with_data(
    client, django_user_model, personas, obligation, give_details, model
):
    give_details()
    services.payout_mark_paid(
        obligation=obligation, user=personas["owner"], reference="R1", paid_on=timezone.localdate()
    )
    services.payout_settings_save(
        organisation=obligation.organisation,
        user=personas["owner"],
        tax_forms_required=True,
        provider="",
    )
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(root)
    meta = model._meta
    obj = model.objects.first()
    response = client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    assert "DE12345678901" not in response.content.decode()
