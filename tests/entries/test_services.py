from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image

from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries import services
from crowdstudio.entries.models import (
    Asset,
    AssetStatus,
    Entry,
    EntryStatus,
    NearDuplicate,
    OriginalFile,
    Rendition,
)
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError

from .samples import jpeg_bytes, photo, upload


def submit(campaign, author, files, **extra):
    terms = current_terms(campaign)
    return services.entry_submit(
        campaign=campaign,
        author=author,
        title=extra.pop("title", "My night"),
        description="",
        files=files,
        terms_version_id=terms.id,
        accept_terms=extra.pop("accept_terms", True),
        applicant=Applicant(),
        **extra,
    )


@pytest.fixture
def submit_and_process(open_campaign, personas, django_capture_on_commit_callbacks, run_worker):
    def go(files, author=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            entry = submit(open_campaign, author or personas["entrant"], files, **extra)
        run_worker()
        entry.refresh_from_db()
        return entry

    return go


def test_a_valid_photo_goes_through_intake_to_the_moderation_queue(submit_and_process):
    entry = submit_and_process([photo(1)])
    assert entry.status == EntryStatus.AWAITING_MODERATION
    asset = entry.assets.get()
    assert asset.status == AssetStatus.READY
    assert (asset.kind, asset.mime, asset.width, asset.height) == ("image", "image/jpeg", 320, 240)
    roles = set(asset.renditions.values_list("role", flat=True))
    assert {"web", "thumb"} <= roles
    actions = list(
        AuditEvent.objects.filter(object_id=str(entry.pk)).values_list("action", flat=True)
    )
    assert {
        "entry.received",
        "entry.processing",
        "entry.asset_ready",
        "entry.awaiting_moderation",
    } <= set(actions)


def test_the_original_is_stored_once_under_its_hash_and_never_published(submit_and_process):
    data = jpeg_bytes(3)
    entry = submit_and_process([upload("x.jpg", data)])
    original = entry.assets.get().original
    with storages["originals"].open(original.storage_name) as fh:
        assert fh.read() == data
    for rendition in entry.assets.get().renditions.all():
        with rendition.file.open("rb") as fh:
            assert fh.read() != data
        assert original.sha256 not in rendition.file.name


def test_a_corrupt_file_fails_the_entry_with_a_clear_message_and_keeps_the_original(
    submit_and_process,
):
    data = jpeg_bytes(2)[:400]
    entry = submit_and_process([upload("broken.jpg", data)])
    assert entry.status == EntryStatus.FAILED
    assert "broken.jpg" in entry.status_message
    assert "damaged" in entry.status_message
    asset = entry.assets.get()
    assert asset.error_code == "corrupt"
    with storages["originals"].open(asset.original.storage_name) as fh:
        assert fh.read() == data


def test_a_file_of_a_type_the_campaign_does_not_take_is_refused(submit_and_process, open_campaign):
    open_campaign.accepted_kinds = ["video"]
    open_campaign.save()
    entry = submit_and_process([photo(4)])
    assert entry.status == EntryStatus.FAILED
    assert entry.assets.get().error_code == "kind_not_allowed"


def test_a_retried_submission_returns_the_first_entry(open_campaign, personas):
    key = uuid.uuid4()
    first = submit(open_campaign, personas["entrant"], [photo(1)], submission_key=key)
    again = submit(open_campaign, personas["entrant"], [photo(1)], submission_key=key)
    assert first.pk == again.pk
    assert Entry.objects.count() == 1


def test_an_exact_duplicate_of_another_entry_is_refused(
    submit_and_process, personas, db, django_user_model
):
    data = jpeg_bytes(5)
    first = submit_and_process([upload("a.jpg", data)])
    other = django_user_model.objects.create_user("frank", "frank@example.org", "pw-123456789")
    second = submit_and_process([upload("b.jpg", data)], author=other)
    assert first.status == EntryStatus.AWAITING_MODERATION
    assert second.status == EntryStatus.FAILED
    asset = second.assets.get()
    assert asset.error_code == "duplicate"
    assert asset.duplicate_of == first.assets.get()
    assert asset.original_id == first.assets.get().original_id  # stored once


def test_the_same_file_twice_in_one_entry_is_a_clear_error(open_campaign, personas):
    data = jpeg_bytes(6)
    with pytest.raises(ServiceError) as error:
        submit(open_campaign, personas["entrant"], [upload("a.jpg", data), upload("b.jpg", data)])
    assert error.value.code == "same_file_twice"


def test_a_near_duplicate_is_linked_both_ways(submit_and_process, django_user_model):
    first = submit_and_process([upload("a.jpg", jpeg_bytes(7, (640, 480)))])
    img = Image.open(io.BytesIO(jpeg_bytes(7, (640, 480)))).resize((500, 375))
    out = io.BytesIO()
    img.point(lambda v: min(255, v + 6)).save(out, "JPEG", quality=70)
    other = django_user_model.objects.create_user("frank", "frank@example.org", "pw-123456789")
    second = submit_and_process([upload("b.jpg", out.getvalue())], author=other)
    a, b = first.assets.get(), second.assets.get()
    assert NearDuplicate.objects.filter(asset=a, other=b).exists()
    assert NearDuplicate.objects.filter(asset=b, other=a).exists()
    assert second.status == EntryStatus.AWAITING_MODERATION  # flagged, not refused


def test_unrelated_images_are_not_near_duplicates(submit_and_process, django_user_model):
    submit_and_process([photo(8)])
    other = django_user_model.objects.create_user("frank", "frank@example.org", "pw-123456789")
    submit_and_process([photo(9)], author=other)
    assert not NearDuplicate.objects.exists()


def test_it_refuses_entries_without_accepting_the_terms(open_campaign, personas):
    with pytest.raises(ServiceError) as error:
        submit(open_campaign, personas["entrant"], [photo()], accept_terms=False)
    assert error.value.code == "terms_not_accepted"


def test_it_refuses_entries_against_outdated_terms(open_campaign, personas):
    from crowdstudio.campaigns.services import terms_publish

    old = current_terms(open_campaign)
    terms_publish(campaign=open_campaign, user=personas["owner"], body="New terms.")
    with pytest.raises(Conflict) as error:
        services.entry_submit(
            campaign=open_campaign,
            author=personas["entrant"],
            title="t",
            description="",
            files=[photo()],
            terms_version_id=old.id,
            accept_terms=True,
            applicant=Applicant(),
        )
    assert error.value.code == "terms_changed"


def test_organisers_cannot_enter_their_own_campaign(open_campaign, personas):
    with pytest.raises(NotAllowed):
        submit(open_campaign, personas["moderator"], [photo()])


def test_entries_keep_the_accepted_terms_version_and_time(open_campaign, personas):
    entry = submit(open_campaign, personas["entrant"], [photo()])
    assert entry.terms_version == current_terms(open_campaign)
    assert entry.terms_accepted_at is not None


def test_a_worker_killed_mid_job_is_recovered_by_the_sweep(
    open_campaign, personas, django_capture_on_commit_callbacks, run_worker, settings
):
    entry = submit(open_campaign, personas["entrant"], [photo(11)])
    asset = entry.assets.get()
    # What a killed worker leaves behind: the asset claimed, its lease running, nothing done.
    Asset.objects.filter(pk=asset.pk).update(
        status=AssetStatus.PROCESSING, attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        requeued = services.intake_recover_stale()
    assert requeued == [asset.pk]
    run_worker()
    entry.refresh_from_db()
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY
    assert entry.status == EntryStatus.AWAITING_MODERATION


def test_after_the_last_attempt_the_asset_fails_with_an_apology_and_the_original_is_kept(
    open_campaign, personas, settings
):
    entry = submit(open_campaign, personas["entrant"], [photo(12)])
    asset = entry.assets.get()
    Asset.objects.filter(pk=asset.pk).update(
        status=AssetStatus.PROCESSING,
        attempts=settings.CROWDSTUDIO_INTAKE_MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert services.intake_recover_stale() == []
    entry.refresh_from_db()
    asset.refresh_from_db()
    assert asset.status == AssetStatus.FAILED and asset.error_code == "internal_error"
    assert entry.status == EntryStatus.FAILED
    assert "original is kept" in entry.status_message
    assert storages["originals"].exists(asset.original.storage_name)


def test_an_unexpected_error_is_retried_then_succeeds(
    open_campaign, personas, monkeypatch, django_capture_on_commit_callbacks
):
    entry = submit(open_campaign, personas["entrant"], [photo(13)])
    asset = entry.assets.get()
    real = services.process_media
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "process_media", flaky)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.intake_process_asset(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.PENDING and asset.attempts == 1
    assert callbacks  # a retry was scheduled
    assert services.intake_process_asset(asset_id=asset.pk) == AssetStatus.READY
    assert len(calls) == 2


def test_running_intake_twice_is_harmless(submit_and_process):
    entry = submit_and_process([photo(14)])
    asset = entry.assets.get()
    renditions = set(asset.renditions.values_list("file", flat=True))
    assert services.intake_process_asset(asset_id=asset.pk) == AssetStatus.READY
    assert set(asset.renditions.values_list("file", flat=True)) == renditions
    assert AuditEvent.objects.filter(action="entry.asset_ready").count() == 1


class TestModeration:
    @pytest.fixture
    def waiting(self, submit_and_process):
        return submit_and_process([photo(20)])

    def test_approve_then_it_is_in_the_gallery(self, waiting, personas, open_campaign):
        from crowdstudio.entries.selectors import gallery

        services.entry_moderate(entry=waiting, user=personas["moderator"], decision="approved")
        assert list(gallery(open_campaign)) == [waiting]
        assert AuditEvent.objects.filter(
            action="entry.approved", actor=personas["moderator"]
        ).exists()

    def test_reject_needs_a_reason_which_the_entrant_sees(self, waiting, personas):
        with pytest.raises(ServiceError) as error:
            services.entry_moderate(entry=waiting, user=personas["moderator"], decision="rejected")
        assert error.value.code == "reason_required"
        services.entry_moderate(
            entry=waiting,
            user=personas["moderator"],
            decision="rejected",
            reason="Shows a person who did not agree.",
        )
        waiting.refresh_from_db()
        assert waiting.status == EntryStatus.REJECTED
        assert waiting.status_message == "Shows a person who did not agree."

    def test_a_double_click_does_not_log_twice(self, waiting, personas):
        for _ in range(2):
            services.entry_moderate(entry=waiting, user=personas["moderator"], decision="approved")
        assert AuditEvent.objects.filter(action="entry.approved").count() == 1

    def test_the_decision_is_emailed_to_the_entrant(
        self, waiting, personas, mailoutbox, django_capture_on_commit_callbacks, run_worker
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.entry_moderate(
                entry=waiting, user=personas["moderator"], decision="rejected", reason="Blurry."
            )
        run_worker()
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["erin@example.org"]
        assert "Blurry." in mailoutbox[0].body

    def test_an_entry_still_processing_cannot_be_moderated(self, open_campaign, personas):
        entry = submit(open_campaign, personas["entrant"], [photo(21)])
        with pytest.raises(Conflict):
            services.entry_moderate(entry=entry, user=personas["moderator"], decision="approved")

    def test_bulk_moderation_reports_what_it_skipped(self, waiting, open_campaign, personas):
        pending = submit(open_campaign, personas["entrant"], [photo(22)])
        done, problems = services.entries_moderate_bulk(
            campaign=open_campaign,
            entry_ids=[waiting.pk, pending.pk],
            user=personas["moderator"],
            decision="approved",
        )
        assert done == 1
        assert len(problems) == 1 and pending.title in problems[0]


def test_a_track_is_validated_and_published_as_a_reencoded_copy(open_campaign, personas):
    from crowdstudio.demo import make_track

    data = make_track(seconds=2.0)
    track = services.track_upload(
        campaign=open_campaign,
        user=personas["producer"],
        upload=upload("song.wav", data, "audio/wav"),
        title="Song",
    )
    assert abs(track.duration - 2.0) < 0.1
    assert track.mime == "audio/wav"
    with track.audio.open("rb") as fh:
        assert fh.read() != data
    assert AuditEvent.objects.filter(action="track.uploaded").count() == 1


def test_a_track_that_is_not_audio_is_refused_with_a_clear_error(open_campaign, personas):
    with pytest.raises(ServiceError) as error:
        services.track_upload(
            campaign=open_campaign, user=personas["producer"], upload=photo(30), title="Not a song"
        )
    assert error.value.code == "kind_not_allowed"


def test_the_decision_email_is_in_the_language_the_entrant_used(
    open_campaign, personas, mailoutbox, django_capture_on_commit_callbacks, run_worker
):
    terms = current_terms(open_campaign)
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_submit(
            campaign=open_campaign,
            author=personas["entrant"],
            title="Nacht",
            description="",
            files=[photo(40)],
            terms_version_id=terms.id,
            accept_terms=True,
            applicant=Applicant(),
            language="de",
        )
    run_worker()
    entry.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_moderate(entry=entry, user=personas["moderator"], decision="approved")
    run_worker()
    assert personas["entrant"].__class__.objects.get(pk=personas["entrant"].pk).language == "de"
    assert "Nacht" in mailoutbox[0].subject
    assert "freigegeben" in mailoutbox[0].body or "Galerie" in mailoutbox[0].body


def test_an_entry_left_behind_after_its_files_finished_is_moved_on(submit_and_process):
    entry = submit_and_process([photo(50)])
    # What a worker that died between finishing the file and updating the entry leaves behind.
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.PROCESSING)
    asset = entry.assets.get()
    assert services.intake_process_asset(asset_id=asset.pk) == AssetStatus.READY
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_MODERATION


def test_the_sweep_moves_on_an_entry_whose_task_is_gone(submit_and_process, settings):
    entry = submit_and_process([photo(51)])
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.PROCESSING)
    later = timezone.now() + timedelta(seconds=settings.CROWDSTUDIO_INTAKE_LEASE_SECONDS + 1)
    services.intake_recover_stale(now=later)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_MODERATION


def test_a_takedown_retires_the_public_urls(submit_and_process, personas):
    entry = submit_and_process([photo(52)])
    services.entry_moderate(entry=entry, user=personas["moderator"], decision="approved")
    old = {r.role: r.file.name for r in Rendition.objects.filter(asset__entry=entry)}
    services.entry_moderate(
        entry=entry, user=personas["moderator"], decision="rejected", reason="Rights complaint."
    )
    storage = storages["default"]
    for rendition in Rendition.objects.filter(asset__entry=entry):
        assert rendition.file.name != old[rendition.role]
        assert not storage.exists(old[rendition.role])
        assert storage.exists(rendition.file.name)


def test_an_approval_note_stays_in_the_audit_log(submit_and_process, personas):
    entry = submit_and_process([photo(53)])
    services.entry_moderate(
        entry=entry,
        user=personas["moderator"],
        decision="approved",
        reason="internal: checked the release form",
    )
    entry.refresh_from_db()
    assert entry.status_message == ""
    event = AuditEvent.objects.get(action="entry.approved")
    assert event.data["note"] == "internal: checked the release form"


def test_a_decision_made_meanwhile_is_not_silently_overturned(submit_and_process, personas):
    entry = submit_and_process([photo(54)])
    stale = Entry.objects.get(pk=entry.pk)  # what the second moderator's page showed
    services.entry_moderate(entry=entry, user=personas["moderator"], decision="approved")
    with pytest.raises(Conflict) as error:
        services.entry_moderate(
            entry=stale, user=personas["owner"], decision="rejected", reason="Too dark."
        )
    assert error.value.code == "stale_status"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED


def test_good_files_of_a_failed_entry_can_be_sent_again(submit_and_process):
    good = jpeg_bytes(55)
    first = submit_and_process([upload("good.jpg", good), upload("bad.jpg", jpeg_bytes(56)[:300])])
    assert first.status == EntryStatus.FAILED
    second = submit_and_process([upload("good.jpg", good)])
    assert second.status == EntryStatus.AWAITING_MODERATION


def test_a_wrong_code_is_refused_before_anything_is_stored(open_campaign, personas):
    open_campaign.requires_code = True
    open_campaign.save()
    terms = current_terms(open_campaign)
    with pytest.raises(NotAllowed) as error:
        services.entry_submit(
            campaign=open_campaign,
            author=personas["entrant"],
            title="t",
            description="",
            files=[photo(57)],
            terms_version_id=terms.id,
            accept_terms=True,
            applicant=Applicant(code="NOPE-NOPE-NOPE"),
        )
    assert error.value.code == "code_invalid"
    assert OriginalFile.objects.count() == 0
    from pathlib import Path

    folder = Path(storages["originals"].location)
    assert not folder.exists() or not any(folder.rglob("*"))


def test_terms_published_during_the_upload_are_caught(open_campaign, personas, monkeypatch):
    from crowdstudio.campaigns.services import terms_publish

    real = services.store_original

    def slow_store(upload):
        terms_publish(campaign=open_campaign, user=personas["owner"], body="v2 while uploading")
        return real(upload)

    monkeypatch.setattr(services, "store_original", slow_store)
    with pytest.raises(Conflict) as error:
        submit(open_campaign, personas["entrant"], [photo(58)])
    assert error.value.code == "terms_changed"
    assert Entry.objects.count() == 0
    assert OriginalFile.objects.count() == 1  # the bytes are kept and tracked


def test_intake_error_codes_are_readable_in_the_audit_log(submit_and_process):
    submit_and_process([upload("broken.jpg", jpeg_bytes(59)[:300])])
    event = AuditEvent.objects.get(action="entry.asset_failed")
    assert event.data["error_code"] == "corrupt"


def test_a_truncated_stored_original_is_replaced_by_the_real_bytes(db):
    import io

    from crowdstudio.lib.storage import original_name_for, store_original

    data = jpeg_bytes(60)
    first = store_original(io.BytesIO(data))
    storage = storages["originals"]
    storage.delete(first.name)
    storage.save(original_name_for(first.sha256), io.BytesIO(data[:100]))  # a half-written copy
    store_original(io.BytesIO(data))
    with storage.open(first.name) as fh:
        assert fh.read() == data


def test_task_records_left_running_by_a_killed_worker_are_closed(
    open_campaign, personas, django_capture_on_commit_callbacks, settings
):
    from django_tasks_db.models import DBTaskResult

    from crowdstudio.entries.tasks import close_abandoned_intake_results

    with django_capture_on_commit_callbacks(execute=True):
        submit(open_campaign, personas["entrant"], [photo(80)])
    record = DBTaskResult.objects.get()
    started = timezone.now() - timedelta(seconds=settings.CROWDSTUDIO_INTAKE_LEASE_SECONDS + 5)
    DBTaskResult.objects.filter(pk=record.pk).update(status="RUNNING", started_at=started)
    assert close_abandoned_intake_results() == 1
    record.refresh_from_db()
    assert record.status == "FAILED" and "queued the file again" in record.traceback
    assert close_abandoned_intake_results() == 0
