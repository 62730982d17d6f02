"""Confirming and cancelling awards, and the double-entry ledger behind them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.awards import selectors, services
from crowdstudio.awards.models import (
    AccountCode,
    Award,
    LedgerLine,
    LedgerTransaction,
    ObligationStatus,
    PayoutObligation,
)
from crowdstudio.campaigns.models import Prize, Round
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError

EUR = "EUR"


def balance(org, code, payee=None):
    return selectors.account_balance(org.pk, code, EUR, payee_id=payee.pk if payee else None)


def assert_every_transaction_balances():
    for txn in LedgerTransaction.objects.all():
        per_currency = txn.lines.values("currency").annotate(total=Sum("amount"))
        assert all(row["total"] == 0 for row in per_currency), txn.key


# --- award_confirm ---------------------------------------------------------------------------


def test_confirming_a_cash_prize_creates_the_award_the_obligation_and_the_ledger_entry(
    award, personas, org, cash_prize, winner_entry
):
    assert award.winner == personas["entrant"]
    obligation = PayoutObligation.objects.get(award=award)
    assert (obligation.amount, obligation.currency) == (Decimal("500.00"), EUR)
    assert obligation.payee == personas["entrant"]
    assert obligation.prize == cash_prize
    assert obligation.status == ObligationStatus.PENDING
    assert balance(org, AccountCode.PRIZE_EXPENSE) == Decimal("500.00")
    assert balance(org, AccountCode.PRIZES_PAYABLE) == Decimal("-500.00")
    assert balance(org, AccountCode.PRIZES_PAYABLE, personas["entrant"]) == Decimal("-500.00")
    assert_every_transaction_balances()
    assert AuditEvent.objects.filter(action="award.confirmed", object_id=str(award.pk)).exists()
    assert selectors.round_awards(cash_prize.round) == [award]


def test_a_double_click_returns_the_same_award_and_posts_once(award, personas, cash_prize):
    again = services.award_confirm(prize=cash_prize, entry=award.entry, user=personas["producer"])
    assert again.pk == award.pk
    assert Award.objects.count() == 1
    assert PayoutObligation.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1


def test_it_refuses_to_give_an_awarded_prize_to_another_entry(
    award, personas, cash_prize, approved_entry, make_user
):
    other = approved_entry(make_user("fan1"), title="Other")
    with pytest.raises(Conflict) as error:
        services.award_confirm(prize=cash_prize, entry=other, user=personas["owner"])
    assert error.value.code == "prize_already_awarded"


def test_only_people_who_manage_results_may_confirm_winners(personas, cash_prize, winner_entry):
    for persona in ("moderator", "judge", "entrant", "outsider"):
        with pytest.raises(NotAllowed):
            services.award_confirm(prize=cash_prize, entry=winner_entry, user=personas[persona])
    assert not Award.objects.exists()


def test_it_refuses_an_entry_that_is_not_approved(personas, cash_prize, winner_entry):
    Entry.objects.filter(pk=winner_entry.pk).update(status=EntryStatus.REJECTED)
    with pytest.raises(ServiceError) as error:
        services.award_confirm(prize=cash_prize, entry=winner_entry, user=personas["owner"])
    assert error.value.code == "entry_not_approved"


def test_it_refuses_an_entry_from_another_campaign(
    personas, cash_prize, approved_entry, draft_campaign, make_user
):
    now = timezone.now()
    other_round = Round.objects.create(
        campaign=draft_campaign, number=1, title="R", opens_at=now, closes_at=now + timedelta(1)
    )
    prize = Prize.objects.create(
        round=other_round, rank=1, title="Other prize", kind="cash", amount=Decimal("10")
    )
    entry = approved_entry(make_user("fan1"))
    with pytest.raises(ServiceError) as error:
        services.award_confirm(prize=prize, entry=entry, user=personas["owner"])
    assert error.value.code == "wrong_campaign"


def test_it_refuses_an_entry_that_does_not_compete_in_the_prizes_round(
    personas, open_campaign, winner_entry
):
    first = open_campaign.rounds.get()
    final = Round.objects.create(
        campaign=open_campaign,
        number=2,
        title="Final",
        opens_at=first.closes_at,
        closes_at=first.closes_at + timedelta(days=7),
    )
    prize = Prize.objects.create(round=final, rank=1, title="Grand prize", kind="cash", amount=1)
    with pytest.raises(ServiceError) as error:
        services.award_confirm(prize=prize, entry=winner_entry, user=personas["owner"])
    assert error.value.code == "entry_not_in_round"


def test_a_member_of_the_organisation_cannot_win(personas, cash_prize, approved_entry):
    entry = approved_entry(personas["judge"])
    with pytest.raises(ServiceError) as error:
        services.award_confirm(prize=cash_prize, entry=entry, user=personas["owner"])
    assert error.value.code == "winner_is_member"


def test_a_prize_without_cash_creates_the_award_only(personas, open_campaign, winner_entry):
    prize = Prize.objects.create(
        round=open_campaign.rounds.get(), rank=2, title="Option deal", kind="option"
    )
    award = services.award_confirm(prize=prize, entry=winner_entry, user=personas["owner"])
    assert award.pk
    assert not PayoutObligation.objects.exists()
    assert not LedgerTransaction.objects.exists()


# --- the ledger ------------------------------------------------------------------------------


def test_the_ledger_refuses_a_transaction_that_does_not_sum_to_zero(org):
    with pytest.raises(ServiceError) as error:
        services.ledger_post(
            organisation_id=org.pk,
            key="test:1",
            kind="award",
            lines=[
                services.Line(AccountCode.PRIZE_EXPENSE, Decimal("10"), EUR),
                services.Line(AccountCode.PRIZES_PAYABLE, Decimal("-9.99"), EUR),
            ],
        )
    assert error.value.code == "unbalanced"
    assert not LedgerTransaction.objects.exists()


def test_the_ledger_balances_per_currency_not_across_currencies(org):
    with pytest.raises(ServiceError):
        services.ledger_post(
            organisation_id=org.pk,
            key="test:2",
            kind="award",
            lines=[
                services.Line(AccountCode.PRIZE_EXPENSE, Decimal("10"), EUR),
                services.Line(AccountCode.PRIZES_PAYABLE, Decimal("-10"), "USD"),
            ],
        )


def test_each_business_event_is_posted_once(org):
    lines = [
        services.Line(AccountCode.PRIZE_EXPENSE, Decimal("10"), EUR),
        services.Line(AccountCode.PRIZES_PAYABLE, Decimal("-10"), EUR),
    ]
    services.ledger_post(organisation_id=org.pk, key="award:x", kind="award", lines=lines)
    with pytest.raises(Conflict):
        services.ledger_post(organisation_id=org.pk, key="award:x", kind="award", lines=lines)


def test_ledger_rows_cannot_be_edited_or_deleted(award):
    line = LedgerLine.objects.first()
    line.amount = Decimal("1")
    with pytest.raises(ValueError):
        line.save()
    with pytest.raises(ValueError):
        line.delete()
    with pytest.raises(ValueError):
        LedgerTransaction.objects.first().delete()


# --- cancelling ------------------------------------------------------------------------------


def test_cancelling_an_award_reverses_the_ledger_with_a_new_transaction(award, personas, org):
    original_lines = list(LedgerLine.objects.values_list("pk", "amount"))
    services.award_cancel(award=award, user=personas["owner"], reason="Broke the rules")
    award.refresh_from_db()
    assert award.cancelled_at is not None
    obligation = PayoutObligation.objects.get(award=award)
    assert obligation.status == ObligationStatus.CANCELLED
    assert obligation.cancel_reason == "Broke the rules"
    kinds = sorted(LedgerTransaction.objects.values_list("kind", flat=True))
    assert kinds == ["award", "reversal"]
    assert (
        list(
            LedgerLine.objects.filter(pk__in=[p for p, _ in original_lines]).values_list(
                "pk", "amount"
            )
        )
        == original_lines
    )
    assert balance(org, AccountCode.PRIZE_EXPENSE) == 0
    assert balance(org, AccountCode.PRIZES_PAYABLE) == 0
    assert_every_transaction_balances()
    assert AuditEvent.objects.filter(action="payout.cancelled").count() == 1
    assert selectors.round_awards(award.prize.round) == []


def test_cancelling_twice_is_harmless_and_needs_a_reason(award, personas):
    with pytest.raises(ServiceError) as error:
        services.award_cancel(award=award, user=personas["owner"], reason="  ")
    assert error.value.code == "reason_required"
    services.award_cancel(award=award, user=personas["owner"], reason="Duplicate")
    services.award_cancel(award=award, user=personas["owner"], reason="Duplicate")
    assert LedgerTransaction.objects.filter(kind="reversal").count() == 1


def test_after_cancelling_the_prize_can_go_to_another_entry(
    award, personas, cash_prize, approved_entry, make_user
):
    services.award_cancel(award=award, user=personas["owner"], reason="Plagiarism")
    other = approved_entry(make_user("fan2"), title="Runner up")
    new = services.award_confirm(prize=cash_prize, entry=other, user=personas["owner"])
    assert new.pk != award.pk
    assert PayoutObligation.objects.filter(status="pending").count() == 1
