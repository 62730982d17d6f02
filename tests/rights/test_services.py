"""The rights services: transitions, requests, consent by reply, acceptance on the site,
withdrawal, releases and the studio's gate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns.models import Campaign, EligibilityCode
from crowdstudio.campaigns.services import Applicant, current_terms, hash_code
from crowdstudio.entries.selectors import gallery
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.rights import selectors, services
from crowdstudio.rights.models import (
    ConsentEvidence,
    EvidenceKind,
    GrantedHow,
    RequestChannel,
    RightsRecord,
    RightsRequest,
    RightsStatus,
)
from crowdstudio.rights.selectors import WorkUse
from tests.rights.conftest import post

pytestmark = pytest.mark.django_db


def actions(entry) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(entry.pk), action__startswith="rights.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def status_of(entry) -> str:
    return RightsRecord.objects.get(entry=entry).status


# --- records and transitions --------------------------------------------------------------------


def test_an_imported_post_starts_awaiting_rights_once(imported_entry):
    entry = imported_entry()
    record = RightsRecord.objects.get(entry=entry)
    assert record.status == RightsStatus.AWAITING
    assert (record.network, record.post_id, record.post_author_id) == ("mastodon", "100", "109001")
    again = services.rights_open_import(entry=entry, post=post("100", in_reply_to_id=None))
    assert again.pk == record.pk
    assert actions(entry) == ["rights.awaiting_rights"]


def test_an_upload_with_accepted_terms_counts_as_granted(approved_entry, personas):
    entry = approved_entry(personas["entrant"])
    assert selectors.rights_status(entry) == RightsStatus.GRANTED
    assert selectors.is_usable(entry)
    assert not RightsRecord.objects.filter(entry=entry).exists()


def test_an_imported_entry_is_not_usable_until_granted(imported_entry):
    entry = imported_entry()
    assert not selectors.is_usable(entry)
    assert entry not in gallery(entry.campaign)


def test_it_refuses_a_transition_that_is_not_allowed_and_logs_nothing(imported_entry):
    entry = imported_entry()
    record = RightsRecord.objects.get(entry=entry)
    with pytest.raises(Conflict) as refused:
        services._transition(record, RightsStatus.WITHDRAWN, user=None, now=timezone.now())
    assert refused.value.code == "invalid_transition"
    assert status_of(entry) == RightsStatus.AWAITING
    assert actions(entry) == ["rights.awaiting_rights"]


def test_a_stale_record_cannot_be_moved_twice(imported_entry, fake_social, personas):
    entry = imported_entry()
    stale = RightsRecord.objects.get(entry=entry)
    services.rights_request_send(entries=[entry], user=personas["moderator"])
    with pytest.raises(Conflict):
        services._transition(stale, RightsStatus.DECLINED, user=None, now=timezone.now())
    assert status_of(entry) == RightsStatus.REQUESTED


# --- requests -----------------------------------------------------------------------------------


def test_a_batch_request_replies_with_varied_texts_and_a_link(
    imported_entry, fake_social, personas
):
    entries = [imported_entry(str(100 + i)) for i in range(4)]
    result = services.rights_request_send(entries=entries, user=personas["moderator"])
    assert len(result.sent) == 4
    texts = [text for _pk, text in fake_social.replies]
    assert len(set(texts)) == 4  # rotating templates
    for sent, text in zip(result.sent, texts, strict=True):
        assert "#YesCrowdstudio" in text
        assert services.request_link(sent) in text
        assert sent.channel == RequestChannel.REPLY
        assert sent.reply_post_id
    assert all(status_of(e) == RightsStatus.REQUESTED for e in entries)
    assert "rights.requested" in actions(entries[0])
    assert "rights.request_replied" in actions(entries[0])


def test_sending_again_does_not_ask_twice(imported_entry, fake_social, personas):
    entry = imported_entry()
    services.rights_request_send(entries=[entry], user=personas["moderator"])
    again = services.rights_request_send(entries=[entry, entry], user=personas["moderator"])
    assert again.sent == []
    assert again.skipped == [(entry.pk, "already_requested"), (entry.pk, "already_requested")]
    assert RightsRequest.objects.filter(entry=entry).count() == 1
    assert len(fake_social.replies) == 1


def test_instagram_entries_get_a_link_for_the_organiser_to_send(
    imported_entry, fake_social, personas
):
    entry = imported_entry("ig1", network="instagram")
    [sent] = services.rights_request_send(entries=[entry], user=personas["moderator"]).sent
    assert sent.channel == RequestChannel.LINK
    assert sent.sent_at is None
    assert fake_social.replies == []
    services.rights_request_mark_sent(rights_request=sent, user=personas["moderator"])
    sent.refresh_from_db()
    assert sent.sent_at is not None
    with pytest.raises(Conflict):
        services.rights_request_mark_sent(rights_request=sent, user=personas["moderator"])


def test_uploads_and_settled_entries_are_skipped(
    imported_entry, approved_entry, fake_social, personas
):
    upload = approved_entry(personas["entrant"])
    result = services.rights_request_send(entries=[upload], user=personas["moderator"])
    assert result.skipped == [(upload.pk, "rights_granted")]


def test_due_requests_expire_and_can_be_sent_again(imported_entry, fake_social, personas):
    entry = imported_entry()
    now = timezone.now()
    [sent] = services.rights_request_send(entries=[entry], user=personas["moderator"], now=now).sent
    assert services.requests_expire_due(now=now + timedelta(days=29)) == 0
    assert services.requests_expire_due(now=now + timedelta(days=31)) == 1
    assert services.requests_expire_due(now=now + timedelta(days=32)) == 0  # idempotent
    sent.refresh_from_db()
    assert sent.outcome == "expired"
    assert status_of(entry) == RightsStatus.EXPIRED
    assert "rights.expired" in actions(entry)
    again = services.rights_request_send(
        entries=[entry], user=personas["moderator"], now=now + timedelta(days=33)
    )
    assert len(again.sent) == 1
    assert status_of(entry) == RightsStatus.REQUESTED


# --- consent by reply ---------------------------------------------------------------------------


@pytest.fixture
def requested(imported_entry, fake_social, personas):
    entry = imported_entry("100")
    services.rights_request_send(entries=[entry], user=personas["moderator"])
    return entry


def test_the_right_reply_by_the_right_author_grants(requested, open_campaign):
    reply = post("200")
    assert (
        services.consent_replies_seen(campaign=open_campaign, network="mastodon", posts=[reply])
        == 1
    )
    record = RightsRecord.objects.get(entry=requested)
    assert record.status == RightsStatus.GRANTED
    assert record.how == GrantedHow.REPLY
    assert record.terms_version == current_terms(open_campaign)
    evidence = ConsentEvidence.objects.get(entry=requested)
    assert evidence.kind == EvidenceKind.REPLY
    assert evidence.text == reply.text
    assert evidence.link == reply.url
    assert evidence.snapshot["author_id"] == "109001"
    assert evidence.request == RightsRequest.objects.get(entry=requested)
    assert evidence.request.outcome == "granted"
    assert selectors.is_usable(requested)
    assert "rights.granted" in actions(requested)
    # The next poll sees the same reply again: nothing more happens.
    assert (
        services.consent_replies_seen(campaign=open_campaign, network="mastodon", posts=[reply])
        == 0
    )
    assert ConsentEvidence.objects.filter(entry=requested).count() == 1


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(post("201", author_id="999"), id="hashtag-from-someone-else"),
        pytest.param(post("202", edited_at=timezone.now()), id="edited-reply"),
        pytest.param(post("203", in_reply_to_id="555"), id="reply-to-another-post"),
        pytest.param(post("204", in_reply_to_id=None), id="not-a-reply"),
        pytest.param(post("205", hashtags=(), text="sure, go ahead"), id="no-consent-hashtag"),
        pytest.param(post("206", network="bluesky"), id="other-network"),
    ],
)
def test_these_replies_do_not_grant(requested, open_campaign, reply):
    seen = services.consent_replies_seen(
        campaign=open_campaign, network=reply.network, posts=[reply]
    )
    assert seen == 0
    assert status_of(requested) == RightsStatus.REQUESTED
    assert not ConsentEvidence.objects.filter(entry=requested).exists()


def test_a_reply_deleted_before_we_check_does_not_grant(requested, open_campaign, fake_social):
    fake_social.live["200"] = None  # the connector says: gone
    assert (
        services.consent_replies_seen(
            campaign=open_campaign, network="mastodon", posts=[post("200")]
        )
        == 0
    )
    assert status_of(requested) == RightsStatus.REQUESTED


def test_a_reply_edited_after_the_poll_does_not_grant(requested, open_campaign, fake_social):
    fake_social.live["200"] = post("200", edited_at=timezone.now(), text="#YesCrowdstudio not")
    assert (
        services.consent_replies_seen(
            campaign=open_campaign, network="mastodon", posts=[post("200")]
        )
        == 0
    )
    assert status_of(requested) == RightsStatus.REQUESTED


def test_a_reply_still_there_when_fetched_again_grants(requested, open_campaign, fake_social):
    fake_social.live["200"] = post("200")
    assert (
        services.consent_replies_seen(
            campaign=open_campaign, network="mastodon", posts=[post("200")]
        )
        == 1
    )


def test_an_instagram_reply_never_grants(imported_entry, open_campaign, fake_social, personas):
    entry = imported_entry("ig1", network="instagram")
    services.rights_request_send(entries=[entry], user=personas["moderator"])
    reply = post("ig2", network="instagram", author_id="", in_reply_to_id="ig1")
    assert (
        services.consent_replies_seen(campaign=open_campaign, network="instagram", posts=[reply])
        == 0
    )
    assert status_of(entry) == RightsStatus.REQUESTED


# --- accepting on the site ----------------------------------------------------------------------


def prove(rights_request, user, campaign):
    started = services.rights_proof_start(rights_request=rights_request, user=user)
    proof = post(
        "300",
        text=f"#summernights CS-{started.proof_code}",
        in_reply_to_id="100",
        hashtags=("summernights",),
    )
    services.consent_replies_seen(campaign=campaign, network="mastodon", posts=[proof])
    rights_request.refresh_from_db()
    return rights_request


def accept(rights_request, user, campaign, **applicant):
    guardian = applicant.pop("guardian", None)
    return services.rights_accept(
        rights_request=rights_request,
        user=user,
        terms_version_id=current_terms(campaign).id,
        accept=True,
        applicant=Applicant(**applicant),
        guardian=guardian,
    )


def test_a_proof_code_posted_by_someone_else_proves_nothing(requested, open_campaign, make_user):
    fan = make_user("fan")
    rights_request = RightsRequest.objects.get(entry=requested)
    started = services.rights_proof_start(rights_request=rights_request, user=fan)
    impostor = post("301", author_id="999", text=f"CS-{started.proof_code}", in_reply_to_id="100")
    services.consent_replies_seen(campaign=open_campaign, network="mastodon", posts=[impostor])
    rights_request.refresh_from_db()
    assert rights_request.proved_at is None
    assert not services.handle_proven(rights_request, fan)
    with pytest.raises(NotAllowed) as refused:
        accept(rights_request, fan, open_campaign)
    assert refused.value.code == "handle_not_proven"


def test_the_creator_proves_the_handle_accepts_and_the_entry_moves_to_them(
    requested, open_campaign, make_user, fake_social
):
    fan = make_user("fan")
    rights_request = prove(RightsRequest.objects.get(entry=requested), fan, open_campaign)
    assert rights_request.proved_at is not None
    # The proof post carries no consent hashtag as a reply: it did not grant by itself.
    assert status_of(requested) == RightsStatus.REQUESTED
    record = accept(rights_request, fan, open_campaign)
    assert record.status == RightsStatus.GRANTED
    assert record.how == GrantedHow.SITE
    evidence = ConsentEvidence.objects.get(entry=requested)
    assert evidence.kind == EvidenceKind.SITE
    assert evidence.user == fan
    assert fake_social.claims == [(requested.pk, fan.pk)]
    requested.refresh_from_db()
    assert requested.author == fan
    assert selectors.is_usable(requested)
    with pytest.raises(Conflict):
        accept(rights_request, fan, open_campaign)  # a double click grants once


def test_it_refuses_acceptance_with_old_terms_or_without_the_checkbox(
    requested, open_campaign, make_user
):
    fan = make_user("fan")
    rights_request = prove(RightsRequest.objects.get(entry=requested), fan, open_campaign)
    with pytest.raises(ServiceError) as unticked:
        services.rights_accept(
            rights_request=rights_request,
            user=fan,
            terms_version_id=current_terms(open_campaign).id,
            accept=False,
            applicant=Applicant(),
        )
    assert unticked.value.code == "terms_not_accepted"
    with pytest.raises(Conflict) as stale:
        services.rights_accept(
            rights_request=rights_request,
            user=fan,
            terms_version_id=-1,
            accept=True,
            applicant=Applicant(),
        )
    assert stale.value.code == "terms_changed"
    assert status_of(requested) == RightsStatus.REQUESTED


def test_a_minor_needs_a_guardian_and_the_country_must_be_eligible(
    requested, open_campaign, make_user
):
    Campaign.objects.filter(pk=open_campaign.pk).update(min_age=16, countries=["DE", "AT"])
    open_campaign.refresh_from_db()
    fan = make_user("fan")
    rights_request = prove(RightsRequest.objects.get(entry=requested), fan, open_campaign)
    young = date.today().replace(year=date.today().year - 12)
    for applicant, code in [
        ({}, "age_required"),
        ({"date_of_birth": young, "country": "DE"}, "guardian_required"),
        (
            {"date_of_birth": young, "country": "DE", "guardian": services.Guardian("Gina", False)},
            "guardian_required",
        ),
        (
            {"date_of_birth": young, "country": "FR", "guardian": services.Guardian("Gina", True)},
            "country_not_eligible",
        ),
    ]:
        with pytest.raises(NotAllowed) as refused:
            accept(rights_request, fan, open_campaign, **applicant)
        assert refused.value.code == code
    accept(
        rights_request,
        fan,
        open_campaign,
        date_of_birth=young,
        country="de",
        guardian=services.Guardian("Gina Guardian", True),
    )
    from crowdstudio.rights.models import Eligibility

    declared = Eligibility.objects.get(request=rights_request)
    assert (declared.guardian_name, declared.guardian_confirmed, declared.country) == (
        "Gina Guardian",
        True,
        "DE",
    )


def test_a_code_is_needed_and_used_only_once(
    imported_entry, open_campaign, make_user, fake_social, personas
):
    Campaign.objects.filter(pk=open_campaign.pk).update(requires_code=True)
    open_campaign.refresh_from_db()
    EligibilityCode.objects.create(
        campaign=open_campaign, kind="purchase", code_hash=hash_code(open_campaign, "AAAA-BBBB")
    )
    first, second = imported_entry("100"), imported_entry("110", author_id="777")
    services.rights_request_send(entries=[first, second], user=personas["moderator"])
    fan, other = make_user("fan"), make_user("other")
    r1 = prove(RightsRequest.objects.get(entry=first), fan, open_campaign)
    with pytest.raises(NotAllowed) as missing:
        accept(r1, fan, open_campaign)
    assert missing.value.code == "code_required"
    accept(r1, fan, open_campaign, code="AAAA-BBBB")
    r2 = RightsRequest.objects.get(entry=second)
    started = services.rights_proof_start(rights_request=r2, user=other)
    services.consent_replies_seen(
        campaign=open_campaign,
        network="mastodon",
        posts=[post("400", author_id="777", text=f"CS-{started.proof_code}", in_reply_to_id="110")],
    )
    r2.refresh_from_db()
    with pytest.raises(NotAllowed) as used:
        accept(r2, other, open_campaign, code="AAAA-BBBB")
    assert used.value.code == "code_used"


def test_the_creator_can_decline(requested, open_campaign, make_user):
    fan = make_user("fan")
    rights_request = prove(RightsRequest.objects.get(entry=requested), fan, open_campaign)
    services.rights_decline(rights_request=rights_request, user=fan, reason="Private photo")
    assert status_of(requested) == RightsStatus.DECLINED
    assert "rights.declined" in actions(requested)
    with pytest.raises(Conflict):
        services.rights_decline(rights_request=rights_request, user=fan)


def test_an_expired_link_cannot_be_accepted(requested, open_campaign, make_user):
    fan = make_user("fan")
    rights_request = prove(RightsRequest.objects.get(entry=requested), fan, open_campaign)
    RightsRequest.objects.filter(pk=rights_request.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    rights_request.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        accept(rights_request, fan, open_campaign)
    assert refused.value.code == "request_expired"


def test_a_privately_delivered_instagram_link_is_the_proof(
    imported_entry, open_campaign, make_user, fake_social, personas
):
    entry = imported_entry("ig1", network="instagram")
    [sent] = services.rights_request_send(entries=[entry], user=personas["moderator"]).sent
    fan = make_user("fan")
    assert not services.handle_proven(sent, fan)
    with pytest.raises(Conflict):
        services.rights_proof_start(rights_request=sent, user=fan)
    services.rights_request_mark_sent(rights_request=sent, user=personas["moderator"])
    sent.refresh_from_db()
    accept(sent, fan, open_campaign)
    assert status_of(entry) == RightsStatus.GRANTED


# --- withdrawal ---------------------------------------------------------------------------------


@pytest.fixture
def fake_works():
    def source(entry):
        return [WorkUse("Summer montage v1", "https://studio.example/m/1", "montage")]

    selectors.register_work_source(source)
    yield source
    selectors.unregister_work_source(source)


def test_withdrawal_removes_the_entry_and_tells_the_organisers_which_works_used_it(
    approved_entry, personas, fake_works, django_capture_on_commit_callbacks, run_worker
):
    erin = personas["entrant"]
    entry = approved_entry(erin)
    assert entry in selectors.usable_entries(entry.campaign)
    assert entry in gallery(entry.campaign)
    with django_capture_on_commit_callbacks(execute=True):
        record = services.rights_withdraw(
            entry=entry, user=erin, reason="I changed my mind", confirm=True
        )
    assert record.status == RightsStatus.WITHDRAWN
    assert record.withdrawn_at is not None
    assert entry not in selectors.usable_entries(entry.campaign)
    assert entry not in gallery(entry.campaign)
    event = AuditEvent.objects.get(action="rights.withdrawn", object_id=str(entry.pk))
    assert event.data["works"] == ["Summer montage v1"]
    run_worker()
    [message] = mail.outbox
    assert set(message.to) == {personas["owner"].email, personas["producer"].email} - {""}
    assert "Summer montage v1" in message.body
    assert "I changed my mind" in message.body


def test_only_the_creator_withdraws_and_only_with_confirmation_and_reason(approved_entry, personas):
    entry = approved_entry(personas["entrant"])
    with pytest.raises(NotAllowed):
        services.rights_withdraw(entry=entry, user=personas["owner"], reason="x", confirm=True)
    with pytest.raises(ServiceError) as unconfirmed:
        services.rights_withdraw(entry=entry, user=personas["entrant"], reason="x", confirm=False)
    assert unconfirmed.value.code == "confirm_required"
    with pytest.raises(ServiceError) as no_reason:
        services.rights_withdraw(entry=entry, user=personas["entrant"], reason=" ", confirm=True)
    assert no_reason.value.code == "reason_required"
    assert selectors.is_usable(entry)
    services.rights_withdraw(entry=entry, user=personas["entrant"], reason="x", confirm=True)
    with pytest.raises(Conflict):
        services.rights_withdraw(entry=entry, user=personas["entrant"], reason="x", confirm=True)


def test_works_using_is_empty_without_sources(approved_entry, personas):
    assert selectors.works_using(approved_entry(personas["entrant"])) == []


# --- gallery, policy and releases ---------------------------------------------------------------


def test_the_gallery_shows_granted_imports_only_when_the_policy_allows(
    requested, open_campaign, personas
):
    services.consent_replies_seen(campaign=open_campaign, network="mastodon", posts=[post("200")])
    assert requested in gallery(open_campaign)
    services.policy_save(campaign=open_campaign, user=personas["owner"], public_display=False)
    assert requested not in gallery(open_campaign)
    assert requested in selectors.usable_entries(open_campaign)


def test_required_releases_gate_the_studio(approved_entry, personas, open_campaign):
    entry = approved_entry(personas["entrant"])
    services.policy_save(
        campaign=open_campaign,
        user=personas["owner"],
        require_people_release=True,
        require_music_release=True,
    )
    assert not selectors.is_usable(entry)
    assert selectors.missing_releases(entry) == ["people", "music"]
    services.release_add(
        entry=entry,
        user=personas["entrant"],
        kind="minor_guardian",
        person_name="Gina Guardian",
        signed_at=date.today(),
        document=SimpleUploadedFile("release.pdf", b"%PDF-1.4 signed", "application/pdf"),
    )
    assert not selectors.is_usable(entry)
    services.release_add(
        entry=entry,
        user=personas["moderator"],
        kind="music",
        person_name="Label",
        signed_at=date.today(),
    )
    assert selectors.is_usable(entry)
    assert actions(entry).count("rights.release_added") == 2


def test_a_release_needs_a_name_and_a_past_date(approved_entry, personas):
    entry = approved_entry(personas["entrant"])
    with pytest.raises(ServiceError):
        services.release_add(
            entry=entry,
            user=personas["entrant"],
            kind="people",
            person_name=" ",
            signed_at=date.today(),
        )
    with pytest.raises(ServiceError):
        services.release_add(
            entry=entry,
            user=personas["entrant"],
            kind="people",
            person_name="Pat",
            signed_at=date.today() + timedelta(days=2),
        )


def test_the_policy_refuses_a_bad_hashtag(open_campaign, personas):
    with pytest.raises(ServiceError):
        services.policy_save(
            campaign=open_campaign, user=personas["owner"], consent_hashtag="two words"
        )
    policy = services.policy_save(
        campaign=open_campaign, user=personas["owner"], consent_hashtag="#OkToUse"
    )
    assert policy.hashtag == "oktouse"
