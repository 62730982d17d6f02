from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import product

import pytest
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns import services
from crowdstudio.campaigns.models import (
    Campaign,
    CampaignStatus,
    CodeRedemption,
    EligibilityCode,
    TermsVersion,
)
from crowdstudio.campaigns.services import Applicant
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError

ALL_STATUSES = list(CampaignStatus.values)
LEGAL = {(old, new) for old, targets in services.ALLOWED_TRANSITIONS.items() for new in targets}


def _force_status(campaign: Campaign, status: str) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()
    return campaign


def _events(campaign: Campaign, prefix: str = "campaign.") -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(campaign_id=campaign.id, action__startswith=prefix).order_by("id")
    )


# The status machine ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"), [pair for pair in product(ALL_STATUSES, ALL_STATUSES) if pair not in LEGAL]
)
def test_it_refuses_every_illegal_transition(open_campaign, personas, old, new):
    campaign = _force_status(open_campaign, old)
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        services.campaign_transition(campaign=campaign, to_status=new, user=personas["owner"])
    assert refused.value.code == "invalid_transition"
    campaign.refresh_from_db()
    assert campaign.status == old
    assert AuditEvent.objects.count() == before


def test_the_machine_goes_draft_open_judging_closed_archived_with_one_event_each(
    open_campaign, personas
):
    owner = personas["owner"]
    campaign = _force_status(open_campaign, CampaignStatus.DRAFT)
    steps = [
        CampaignStatus.OPEN,
        CampaignStatus.JUDGING,
        CampaignStatus.CLOSED,
        CampaignStatus.ARCHIVED,
    ]
    for step in steps:
        before = AuditEvent.objects.count()
        old = campaign.status
        services.campaign_transition(
            campaign=campaign, to_status=step, user=owner, reason=f"going {step}"
        )
        assert AuditEvent.objects.count() == before + 1
        event = AuditEvent.objects.latest("id")
        assert event.action == f"campaign.{step}"
        assert event.actor == owner
        assert event.data == {"from": old, "to": step, "reason": f"going {step}"}
        assert Campaign.objects.get(pk=campaign.pk).status == step


def test_a_stale_transition_is_refused(open_campaign, personas):
    seen_by_alice = Campaign.objects.get(pk=open_campaign.pk)
    seen_by_peter = Campaign.objects.get(pk=open_campaign.pk)
    services.campaign_transition(
        campaign=seen_by_alice, to_status=CampaignStatus.JUDGING, user=personas["owner"]
    )
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        services.campaign_transition(
            campaign=seen_by_peter, to_status=CampaignStatus.JUDGING, user=personas["producer"]
        )
    assert refused.value.code == "stale_status"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("missing", ["terms", "rounds", "media"])
def test_a_campaign_opens_only_with_terms_rounds_and_media(draft_campaign, personas, missing):
    owner = personas["owner"]
    now = timezone.now()
    if missing != "terms":
        services.terms_publish(campaign=draft_campaign, user=owner, body="Terms.")
    if missing != "rounds":
        services.round_add(
            campaign=draft_campaign,
            user=owner,
            title="R1",
            opens_at=now,
            closes_at=now + timedelta(days=3),
        )
    if missing == "media":
        Campaign.objects.filter(pk=draft_campaign.pk).update(accepted_kinds=[])
        draft_campaign.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        services.campaign_transition(campaign=draft_campaign, to_status="open", user=owner)
    assert (
        refused.value.code
        == {"terms": "no_terms", "rounds": "no_rounds", "media": "no_media"}[missing]
    )
    assert Campaign.objects.get(pk=draft_campaign.pk).status == CampaignStatus.DRAFT


def test_a_closed_campaign_can_no_longer_be_edited(open_campaign, personas):
    campaign = _force_status(open_campaign, CampaignStatus.CLOSED)
    with pytest.raises(Conflict):
        services.campaign_update(campaign=campaign, user=personas["owner"], title="New")
    assert Campaign.objects.get(pk=campaign.pk).title == "Summer Nights Video"


def test_an_update_logs_only_the_fields_that_changed(open_campaign, personas):
    services.campaign_update(
        campaign=open_campaign,
        user=personas["owner"],
        title="Summer Nights Video",
        tagline="New line",
    )
    assert _events(open_campaign, "campaign.updated")[-1].data == {"fields": ["tagline"]}


# Hashtags and countries ------------------------------------------------------------------


def test_hashtags_are_parsed_from_text_without_hash_signs_or_duplicates():
    assert services.normalise_hashtags("#summer #Night, night  #summer_2026") == [
        "summer",
        "Night",
        "summer_2026",
    ]
    assert services.normalise_hashtags(["#a", "", "b"]) == ["a", "b"]


@pytest.mark.parametrize("bad", ["#no-dash", "#two words#", "#emoji🎉", "#" + "x" * 101])
def test_an_invalid_hashtag_is_refused(bad):
    with pytest.raises(ServiceError) as refused:
        services.normalise_hashtags(bad)
    assert refused.value.code == "invalid_hashtag"


def test_an_invalid_hashtag_creates_no_campaign(org, personas):
    with pytest.raises(ServiceError):
        services.campaign_create(
            organisation=org, user=personas["owner"], title="X", kind="idea", hashtags="#ok #not-ok"
        )
    assert not Campaign.objects.filter(title="X").exists()


def test_countries_are_upper_cased_sorted_and_deduplicated(org, personas):
    campaign = services.campaign_create(
        organisation=org, user=personas["owner"], title="C", kind="idea", countries="de at, CH de"
    )
    assert campaign.countries == ["AT", "CH", "DE"]


@pytest.mark.parametrize("bad", ["DEU", "D1", "G", "DE AUT"])
def test_a_country_that_is_not_a_two_letter_code_is_refused(org, personas, bad):
    with pytest.raises(ServiceError) as refused:
        services.campaign_create(
            organisation=org, user=personas["owner"], title="C", kind="idea", countries=bad
        )
    assert refused.value.code == "invalid_country"


def test_limits_must_be_positive(open_campaign, personas):
    with pytest.raises(ServiceError) as refused:
        services.campaign_update(campaign=open_campaign, user=personas["owner"], max_file_mb=0)
    assert refused.value.code == "invalid_limit"


# Rounds and prizes -------------------------------------------------------------------------


def test_rounds_are_numbered_and_may_not_overlap(open_campaign, personas):
    owner = personas["owner"]
    first = open_campaign.rounds.get()
    with pytest.raises(ServiceError) as refused:
        services.round_add(
            campaign=open_campaign,
            user=owner,
            title="Overlap",
            opens_at=first.closes_at - timedelta(hours=1),
            closes_at=first.closes_at + timedelta(days=5),
        )
    assert refused.value.code == "overlapping_round"
    second = services.round_add(
        campaign=open_campaign,
        user=owner,
        title="Final",
        opens_at=first.closes_at,
        closes_at=first.closes_at + timedelta(days=5),
    )
    assert second.number == 2


def test_a_round_must_close_after_it_opens(open_campaign, personas):
    now = timezone.now() + timedelta(days=100)
    with pytest.raises(ServiceError) as refused:
        services.round_add(
            campaign=open_campaign,
            user=personas["owner"],
            title="Backwards",
            opens_at=now,
            closes_at=now - timedelta(hours=1),
        )
    assert refused.value.code == "invalid_window"


@pytest.mark.parametrize(
    ("currency", "amount", "code"),
    [
        ("EURO", Decimal("1"), "invalid_currency"),
        ("E1R", Decimal("1"), "invalid_currency"),
        ("EUR", Decimal("-1"), "invalid_amount"),
    ],
)
def test_a_prize_needs_an_iso_currency_and_a_positive_amount(
    open_campaign, personas, currency, amount, code
):
    with pytest.raises(ServiceError) as refused:
        services.prize_add(
            round=open_campaign.rounds.get(),
            user=personas["owner"],
            rank=2,
            title="Second",
            kind="cash",
            amount=amount,
            currency=currency,
        )
    assert refused.value.code == code


def test_two_prizes_of_a_round_cannot_share_a_rank(open_campaign, personas):
    with pytest.raises(ServiceError) as refused:
        services.prize_add(
            round=open_campaign.rounds.get(),
            user=personas["owner"],
            rank=1,
            title="Also first",
            kind="cash",
            amount=Decimal(1),
            currency="eur",
        )
    assert refused.value.code == "duplicate_rank"


# Terms -----------------------------------------------------------------------------------------


def test_terms_versions_increment_and_earlier_versions_stay_as_they_were(draft_campaign, personas):
    owner = personas["owner"]
    v1 = services.terms_publish(campaign=draft_campaign, user=owner, body="First terms.")
    v2 = services.terms_publish(campaign=draft_campaign, user=owner, body="Second terms.")
    v3 = services.terms_publish(campaign=draft_campaign, user=owner, body="Third terms.")
    assert [v1.version, v2.version, v3.version] == [1, 2, 3]
    assert TermsVersion.objects.get(pk=v1.pk).body == "First terms."
    assert TermsVersion.objects.get(pk=v2.pk).body == "Second terms."
    assert services.current_terms(draft_campaign) == v3
    assert len(_events(draft_campaign, "terms.published")) == 3


def test_publishing_the_same_terms_again_makes_no_new_version(draft_campaign, personas):
    owner = personas["owner"]
    first = services.terms_publish(campaign=draft_campaign, user=owner, body="Same.")
    again = services.terms_publish(campaign=draft_campaign, user=owner, body="Same.")
    assert again.pk == first.pk
    assert draft_campaign.terms_versions.count() == 1


def test_empty_terms_are_refused(draft_campaign, personas):
    with pytest.raises(ServiceError):
        services.terms_publish(campaign=draft_campaign, user=personas["owner"], body="  \n ")
    assert not draft_campaign.terms_versions.exists()


# Eligibility --------------------------------------------------------------------------------


def _check(campaign, user, **applicant):
    services.eligibility_check(
        campaign=campaign, user=user, applicant=Applicant(**applicant), now=timezone.now()
    )


def test_the_minimum_age_is_checked_on_the_day(open_campaign, personas):
    open_campaign.min_age = 18
    today = timezone.now().date()
    erin = personas["entrant"]
    with pytest.raises(NotAllowed) as refused:
        _check(open_campaign, erin)
    assert refused.value.code == "age_required"
    # On 29 February the 18th birthday of someone born then is taken as 28 February.
    eighteen_years_ago = date(
        today.year - 18, today.month, min(today.day, 28 if today.month == 2 else 31)
    )
    turns_18_tomorrow = eighteen_years_ago + timedelta(days=1)
    with pytest.raises(NotAllowed) as refused:
        _check(open_campaign, erin, date_of_birth=turns_18_tomorrow)
    assert refused.value.code == "too_young"
    _check(open_campaign, erin, date_of_birth=turns_18_tomorrow - timedelta(days=1))


def test_only_residents_of_the_listed_countries_may_enter(open_campaign, personas):
    open_campaign.countries = ["AT", "DE"]
    erin = personas["entrant"]
    with pytest.raises(NotAllowed) as refused:
        _check(open_campaign, erin)
    assert refused.value.code == "country_required"
    with pytest.raises(NotAllowed) as refused:
        _check(open_campaign, erin, country="FR")
    assert refused.value.code == "country_not_eligible"
    _check(open_campaign, erin, country="de")


def test_the_organising_team_may_not_enter(open_campaign, personas):
    with pytest.raises(NotAllowed) as refused:
        _check(open_campaign, personas["judge"])
    assert refused.value.code == "organiser"
    _check(open_campaign, personas["outsider"])  # another organisation's owner is a fan here


def test_no_one_may_enter_when_no_round_is_open(open_campaign, personas):
    open_campaign.rounds.update(
        opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=2)
    )
    with pytest.raises(NotAllowed) as refused:
        _check(open_campaign, personas["entrant"])
    assert refused.value.code == "no_open_round"


def test_no_one_may_enter_a_campaign_that_is_not_open(draft_campaign, personas):
    with pytest.raises(NotAllowed) as refused:
        _check(draft_campaign, personas["entrant"])
    assert refused.value.code == "campaign_not_open"


# Codes ----------------------------------------------------------------------------------------


@pytest.fixture
def code_campaign(open_campaign):
    open_campaign.requires_code = True
    open_campaign.save(update_fields=["requires_code"])
    return open_campaign


def test_generated_codes_are_stored_only_as_keyed_hashes(code_campaign, personas):
    codes = services.codes_generate(
        campaign=code_campaign, user=personas["owner"], kind="invite", count=5, label="Flyers"
    )
    assert len(set(codes)) == 5
    stored = list(EligibilityCode.objects.filter(campaign=code_campaign))
    assert {c.code_hash for c in stored} == {services.hash_code(code_campaign, c) for c in codes}
    for code in codes:
        assert not EligibilityCode.objects.filter(code_hash__icontains=code).exists()
    event = _events(code_campaign, "campaign.codes_generated")[-1]
    assert not any(code in str(event.data) for code in codes)


def test_a_code_is_used_once_but_its_owner_may_reuse_it(code_campaign, personas):
    [code] = services.codes_generate(
        campaign=code_campaign, user=personas["owner"], kind="purchase", count=1
    )
    now = timezone.now()
    erin, oscar = personas["entrant"], personas["outsider"]
    first = services.code_redeem(campaign=code_campaign, user=erin, code=code.lower(), now=now)
    again = services.code_redeem(campaign=code_campaign, user=erin, code="", now=now)
    assert first == again
    with pytest.raises(NotAllowed) as refused:
        services.code_redeem(campaign=code_campaign, user=oscar, code=code, now=now)
    assert refused.value.code == "code_used"
    stored = EligibilityCode.objects.get(campaign=code_campaign)
    assert stored.use_count == 1
    assert CodeRedemption.objects.filter(code=stored).count() == 1


def test_an_unknown_or_missing_code_is_refused(code_campaign, personas):
    services.codes_generate(campaign=code_campaign, user=personas["owner"], kind="invite", count=1)
    now = timezone.now()
    for code, reason in [("", "code_required"), ("AAAA-BBBB-CCCC", "code_invalid")]:
        with pytest.raises(NotAllowed) as refused:
            services.code_redeem(
                campaign=code_campaign, user=personas["entrant"], code=code, now=now
            )
        assert refused.value.code == reason


def test_a_code_with_several_uses_serves_several_people(code_campaign, personas):
    [code] = services.codes_generate(
        campaign=code_campaign, user=personas["owner"], kind="invite", count=1, max_uses=2
    )
    now = timezone.now()
    services.code_redeem(campaign=code_campaign, user=personas["entrant"], code=code, now=now)
    services.code_redeem(campaign=code_campaign, user=personas["outsider"], code=code, now=now)
    assert EligibilityCode.objects.get(campaign=code_campaign).use_count == 2


@pytest.mark.parametrize("count", [0, 10_001])
def test_code_batches_have_a_sane_size(code_campaign, personas, count):
    with pytest.raises(ServiceError):
        services.codes_generate(
            campaign=code_campaign, user=personas["owner"], kind="invite", count=count
        )


def test_a_closed_campaign_takes_no_new_rounds_prizes_terms_or_codes(open_campaign, personas):
    owner = personas["owner"]
    for status in ("judging", "closed"):
        services.campaign_transition(campaign=open_campaign, to_status=status, user=owner)
    now = timezone.now()
    attempts = [
        lambda: services.round_add(
            campaign=open_campaign,
            user=owner,
            title="Late",
            opens_at=now + timedelta(days=60),
            closes_at=now + timedelta(days=61),
        ),
        lambda: services.prize_add(
            round=open_campaign.rounds.get(),
            user=owner,
            rank=9,
            title="Late",
            kind="cash",
            amount=Decimal(1),
            currency="EUR",
        ),
        lambda: services.terms_publish(campaign=open_campaign, user=owner, body="Changed late"),
        lambda: services.codes_generate(campaign=open_campaign, user=owner, kind="invite", count=1),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "campaign_closed"


def test_limits_have_a_ceiling(draft_campaign, personas):
    with pytest.raises(ServiceError) as error:
        services.campaign_update(
            campaign=draft_campaign, user=personas["owner"], max_megapixels=10**12
        )
    assert error.value.code == "invalid_limit"


def test_the_demo_refuses_to_run_in_production(settings, db):
    from crowdstudio.demo import load_demo

    settings.DEBUG = False
    with pytest.raises(RuntimeError):
        load_demo(photos=1)


def test_a_deadline_can_be_extended_and_the_change_is_audited(open_campaign, personas):
    rnd = open_campaign.rounds.get()
    later = rnd.closes_at + timedelta(days=7)
    services.round_update(
        round=rnd,
        user=personas["producer"],
        title=rnd.title,
        opens_at=rnd.opens_at,
        closes_at=later,
    )
    rnd.refresh_from_db()
    assert rnd.closes_at == later
    event = AuditEvent.objects.get(action="round.updated")
    assert event.data["closes_at"]["to"] == later.isoformat()


def test_a_round_cannot_be_moved_onto_another(open_campaign, personas):
    first = open_campaign.rounds.get()
    second = services.round_add(
        campaign=open_campaign,
        user=personas["owner"],
        title="Two",
        opens_at=first.closes_at + timedelta(days=1),
        closes_at=first.closes_at + timedelta(days=10),
    )
    with pytest.raises(ServiceError) as error:
        services.round_update(
            round=second,
            user=personas["owner"],
            title="Two",
            opens_at=first.closes_at - timedelta(days=1),
            closes_at=second.closes_at,
        )
    assert error.value.code == "overlapping_round"


def test_a_prize_can_be_removed_while_the_campaign_runs_and_the_log_keeps_it(
    open_campaign, personas
):
    prize = open_campaign.rounds.get().prizes.get()
    services.prize_remove(prize=prize, user=personas["producer"])
    assert not open_campaign.rounds.get().prizes.exists()
    event = AuditEvent.objects.get(action="prize.removed")
    assert event.data["title"] == prize.title and event.data["amount"] == "500.00"


def test_terms_are_accepted_only_ticked_and_as_read(draft_campaign, personas):
    owner = personas["owner"]
    with pytest.raises(Conflict) as none_yet:
        services.accepted_terms(draft_campaign, accept=True, terms_version_id=None)
    assert none_yet.value.code == "terms_changed"
    v1 = services.terms_publish(campaign=draft_campaign, user=owner, body="First terms.")
    with pytest.raises(ServiceError) as unticked:
        services.accepted_terms(draft_campaign, accept=False, terms_version_id=v1.id)
    assert unticked.value.code == "terms_not_accepted"
    accepted = services.accepted_terms(draft_campaign, accept=True, terms_version_id=v1.id)
    assert accepted == v1
    services.require_terms_unchanged(draft_campaign, accepted)  # nothing new: no error
    services.terms_publish(campaign=draft_campaign, user=owner, body="Second terms.")
    with pytest.raises(Conflict) as changed:
        services.require_terms_unchanged(draft_campaign, accepted)  # published meanwhile
    assert changed.value.code == "terms_changed"
    with pytest.raises(Conflict):
        services.accepted_terms(draft_campaign, accept=True, terms_version_id=v1.id)  # read v1
