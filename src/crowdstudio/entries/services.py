"""Entry submission, the intake pipeline and moderation: every state change of an entry."""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Campaign
from crowdstudio.campaigns.services import (
    Applicant,
    accepted_terms,
    code_check,
    code_redeem,
    eligibility_check,
    require_terms_unchanged,
)
from crowdstudio.entries import neardup
from crowdstudio.entries.messages import intake_message
from crowdstudio.entries.models import (
    Asset,
    AssetStatus,
    Entry,
    EntryStatus,
    NearDuplicate,
    OriginalFile,
    PerceptualHash,
    Rendition,
    Track,
)
from crowdstudio.lib.errors import Conflict, ServiceError
from crowdstudio.lib.media import MediaLimits, MediaRejected, MediaReport, process_media
from crowdstudio.lib.storage import (
    StoredOriginal,
    original_as_local_file,
    public_name,
    store_original,
)

logger = logging.getLogger(__name__)


class Upload(Protocol):
    """What the services need of an uploaded file (Django's UploadedFile fits)."""

    name: str | None
    size: int | None
    content_type: str | None

    def open(self, mode: str = ...) -> Any: ...
    def seek(self, pos: int) -> Any: ...
    def read(self, size: int = ...) -> bytes: ...


def media_limits_for(campaign: Campaign) -> MediaLimits:
    return MediaLimits(
        allowed_kinds=frozenset(campaign.accepted_kinds),
        max_bytes=campaign.max_file_mb * 1024 * 1024,
        max_pixels=campaign.max_megapixels * 1_000_000,
        max_duration=float(campaign.max_duration_seconds),
        # Re-encoding runs at a few times real time on two cores; leave room for long clips.
        timeout=max(120.0, campaign.max_duration_seconds * 2.0),
    )


# --- submission -----------------------------------------------------------------------------


def entry_submit(
    *,
    campaign: Campaign,
    author: Any,
    title: str,
    description: str,
    files: Sequence[Upload],
    terms_version_id: int | None,
    accept_terms: bool,
    applicant: Applicant,
    submission_key: Any = None,
    language: str = "",
    now: datetime | None = None,
) -> Entry:
    """Store the uploads (quarantined, content-addressed) and queue each for intake.

    A retry with the same submission key returns the entry already created, so a double click
    or a resent API call never makes two entries.
    """
    now = now or timezone.now()
    if submission_key is not None:
        existing = Entry.objects.filter(author=author, submission_key=submission_key).first()
        if existing is not None:
            return existing

    eligibility_check(campaign=campaign, user=author, applicant=applicant, now=now)
    terms = accepted_terms(campaign, accept=accept_terms, terms_version_id=terms_version_id)
    title = title.strip()
    if not title:
        raise ServiceError("title_required", _("Give your entry a title."))
    if not files:
        raise ServiceError("no_files", _("Add at least one file."))
    if len(files) > campaign.max_files_per_entry:
        raise ServiceError(
            "too_many_files",
            ngettext(
                "An entry can have only one file.",
                "An entry can have at most %(n)s files.",
                campaign.max_files_per_entry,
            )
            % {"n": campaign.max_files_per_entry},
        )
    limit = campaign.max_file_mb * 1024 * 1024
    for upload in files:
        if upload.size is not None and upload.size > limit:
            raise ServiceError(
                "too_large",
                _("“%(name)s” is larger than %(mb)s MB.")
                % {"name": upload.name, "mb": campaign.max_file_mb},
            )

    code_check(campaign=campaign, user=author, code=applicant.code)

    # Outside the entry's transaction (slow I/O); each stored original gets its row at once, so
    # no stored bytes are ever untracked, even when the submission is refused below.
    blobs = [_original_record(store_original(upload)) for upload in files]
    if len({blob.pk for blob in blobs}) != len(blobs):
        raise ServiceError("same_file_twice", _("The same file was selected twice."))

    round_ = campaign.round_open_at(now)
    try:
        with transaction.atomic():
            require_terms_unchanged(campaign, terms)
            code_redeem(campaign=campaign, user=author, code=applicant.code, now=now)
            _profile_remember(author, applicant, language)
            entry = Entry.objects.create(
                campaign=campaign,
                round=round_,
                author=author,
                title=title[:160],
                description=description.strip(),
                terms_version=terms,
                terms_accepted_at=now,
                created_at=now,
                **({"submission_key": submission_key} if submission_key else {}),
            )
            assets = _assets_create(
                entry,
                [
                    (u.name or "upload", u.content_type, b)
                    for u, b in zip(files, blobs, strict=True)
                ],
                uploaded_by=author,
                now=now,
            )
            log_action(
                entry,
                "entry.received",
                user=author,
                now=now,
                data={"files": [a.original_name for a in assets], "terms_version": terms.version},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
            asset_ids = [a.id for a in assets]
            transaction.on_commit(lambda: _enqueue_intake(asset_ids))
    except IntegrityError:
        # Two identical submissions raced past the lookup above: the other one won.
        existing = Entry.objects.filter(author=author, submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    return entry


def entry_import(
    *,
    campaign: Campaign,
    author: Any,
    source: str,
    source_url: str,
    title: str,
    description: str,
    files: Sequence[tuple[str, str, bytes | IO[bytes]]],
    now: datetime | None = None,
) -> Entry:
    """An entry for a post imported from a social network (crowdstudio.social).

    `files` are (name, content type, bytes or a readable file) already downloaded within the
    campaign's size limit. No terms are accepted here: the rights app records the author's
    consent later. The files are stored and queued for intake exactly like an upload's.
    """
    now = now or timezone.now()
    if not files:
        raise ServiceError("no_files", _("Add at least one file."))
    blobs = [
        _original_record(store_original(io.BytesIO(data) if isinstance(data, bytes) else data))
        for _name, _type, data in files
    ]
    with transaction.atomic():
        entry = Entry.objects.create(
            campaign=campaign,
            round=campaign.round_open_at(now),
            author=author,
            title=(title.strip() or source)[:160],
            description=description.strip(),
            source=source,
            source_url=source_url[:500],
            created_at=now,
        )
        assets = _assets_create(
            entry,
            [(name or "media", ctype, b) for (name, ctype, _), b in zip(files, blobs, strict=True)],
            uploaded_by=author,
            now=now,
        )
        log_action(
            entry,
            "entry.imported",
            now=now,
            data={"source": source, "url": source_url, "files": [a.original_name for a in assets]},
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
        )
        asset_ids = [a.id for a in assets]
        transaction.on_commit(lambda: _enqueue_intake(asset_ids))
    return entry


def _assets_create(
    entry: Entry,
    files: Sequence[tuple[str, str | None, OriginalFile]],
    *,
    uploaded_by: Any,
    now: datetime,
) -> list[Asset]:
    """The entry's assets, in order, from (file name, declared type, stored original)."""
    return [
        Asset.objects.create(
            entry=entry,
            position=position,
            original=blob,
            original_name=Path(name).name[:255],
            declared_type=(content_type or "")[:100],
            uploaded_by=uploaded_by,
            uploaded_at=now,
        )
        for position, (name, content_type, blob) in enumerate(files)
    ]


def _original_record(stored: StoredOriginal) -> OriginalFile:
    blob, _created = OriginalFile.objects.get_or_create(
        sha256=stored.sha256, defaults={"size": stored.size, "storage_name": stored.name}
    )
    return blob


def _profile_remember(user: Any, applicant: Applicant, language: str) -> None:
    changed = []
    if language and user.language != language:
        user.language = language
        changed.append("language")
    if applicant.date_of_birth and user.date_of_birth != applicant.date_of_birth:
        user.date_of_birth = applicant.date_of_birth
        changed.append("date_of_birth")
    if applicant.country and user.country != applicant.country.upper():
        user.country = applicant.country.upper()
        changed.append("country")
    if changed:
        user.save(update_fields=changed)


def _enqueue_intake(asset_ids: list[int]) -> None:
    from crowdstudio.entries.tasks import intake_asset

    for asset_id in asset_ids:
        intake_asset.enqueue(asset_id=asset_id)


# --- intake ---------------------------------------------------------------------------------


def intake_process_asset(*, asset_id: int, now: datetime | None = None) -> str:
    """Decode, validate and publish one asset. Idempotent: a finished asset is left alone.

    Returns the asset's status afterwards. An unexpected error puts the asset back in the queue
    for another attempt (up to CROWDSTUDIO_INTAKE_MAX_ATTEMPTS) and is re-raised for the log.
    """
    now = now or timezone.now()
    lease = now + timedelta(seconds=settings.CROWDSTUDIO_INTAKE_LEASE_SECONDS)
    claimed = (
        Asset.objects.filter(pk=asset_id)
        .filter(
            Q(status=AssetStatus.PENDING) | Q(status=AssetStatus.PROCESSING, lease_until__lt=now)
        )
        .update(status=AssetStatus.PROCESSING, attempts=F("attempts") + 1, lease_until=lease)
    )
    asset = Asset.objects.select_related("entry__campaign", "original").get(pk=asset_id)
    if claimed != 1:
        if asset.status in (AssetStatus.READY, AssetStatus.FAILED):
            # A run that died after finishing the file but before updating the entry.
            entry_refresh_status(entry_id=asset.entry_id, now=now)
        return asset.status
    entry = asset.entry
    _entry_set_status(entry, EntryStatus.PROCESSING, from_statuses=(EntryStatus.RECEIVED,), now=now)

    try:
        duplicate = _exact_duplicate_of(asset)
        if duplicate is not None:
            _asset_fail(
                asset, "duplicate", intake_message("duplicate"), now=now, duplicate_of=duplicate
            )
        else:
            with tempfile.TemporaryDirectory(prefix="intake-") as out_dir:
                with original_as_local_file(asset.original.storage_name) as path:
                    report = process_media(path, Path(out_dir), media_limits_for(entry.campaign))
                _asset_publish(asset, report, now=now)
    except MediaRejected as rejected:
        _asset_fail(asset, rejected.code, rejected.message, now=now)
    except Exception:
        logger.exception("Intake of asset %s failed (attempt %s)", asset_id, asset.attempts)
        if asset.attempts >= settings.CROWDSTUDIO_INTAKE_MAX_ATTEMPTS:
            _asset_fail(asset, "internal_error", intake_message("internal_error"), now=now)
        else:
            Asset.objects.filter(pk=asset_id, status=AssetStatus.PROCESSING).update(
                status=AssetStatus.PENDING, lease_until=None
            )
            retry_after = now + timedelta(seconds=30 * asset.attempts)
            transaction.on_commit(lambda: _enqueue_retry(asset_id, retry_after))
            raise
    entry_refresh_status(entry_id=entry.id, now=now)
    asset.refresh_from_db(fields=["status"])
    return asset.status


def _enqueue_retry(asset_id: int, run_after: datetime) -> None:
    from crowdstudio.entries.tasks import intake_asset

    intake_asset.using(run_after=run_after).enqueue(asset_id=asset_id)


def _exact_duplicate_of(asset: Asset) -> Asset | None:
    """The earliest other asset with the same bytes in this campaign (the lowest id wins)."""
    return (
        Asset.objects.filter(
            original_id=asset.original_id,
            entry__campaign_id=asset.entry.campaign_id,
            id__lt=asset.id,
        )
        .exclude(entry_id=asset.entry_id)
        .exclude(status=AssetStatus.FAILED)
        .exclude(entry__status=EntryStatus.FAILED)
        .order_by("id")
        .first()
    )


def _asset_publish(asset: Asset, report: MediaReport, *, now: datetime) -> None:
    campaign = asset.entry.campaign
    with transaction.atomic():
        for rendition in report.renditions:
            with rendition.path.open("rb") as fh:
                Rendition.objects.update_or_create(
                    asset=asset,
                    role=rendition.role,
                    defaults={
                        "file": File(fh, name=public_name(rendition.role, rendition.path.suffix)),
                        "content_type": rendition.content_type,
                        "width": rendition.width,
                        "height": rendition.height,
                    },
                )
        OriginalFile.objects.filter(pk=asset.original_id, detected_type="").update(
            detected_type=report.mime
        )
        Asset.objects.filter(pk=asset.pk).update(
            status=AssetStatus.READY,
            lease_until=None,
            kind=report.kind,
            mime=report.mime,
            format_name=report.format_name[:100],
            width=report.width,
            height=report.height,
            duration=report.duration,
            codecs=list(report.codecs),
            stream_count=report.stream_count,
            error_code="",
            error_message="",
            processed_at=now,
        )
        if report.phash is not None:
            _record_phash(asset, campaign, report.phash)
        log_action(
            asset.entry,
            "entry.asset_ready",
            now=now,
            data={
                "asset": asset.id,
                "file": asset.original_name,
                "mime": report.mime,
                "width": report.width,
                "height": report.height,
                "duration": report.duration,
            },
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
        )


def _record_phash(asset: Asset, campaign: Campaign, value: int) -> None:
    max_distance = settings.CROWDSTUDIO_NEAR_DUPLICATE_DISTANCE
    matches = find_near_duplicates(
        campaign_id=campaign.id,
        phash=value,
        max_distance=max_distance,
        exclude_entry_id=asset.entry_id,
    )
    b0, b1, b2, b3 = neardup.bands(value)
    PerceptualHash.objects.update_or_create(
        asset=asset,
        defaults={
            "campaign": campaign,
            "value": neardup.to_signed64(value),
            "band0": b0,
            "band1": b1,
            "band2": b2,
            "band3": b3,
        },
    )
    for other_id, distance in matches:
        for a, b in ((asset.id, other_id), (other_id, asset.id)):
            NearDuplicate.objects.get_or_create(
                asset_id=a, other_id=b, defaults={"distance": distance}
            )


def find_near_duplicates(
    *, campaign_id: int, phash: int, max_distance: int, exclude_entry_id: int | None = None
) -> list[tuple[int, int]]:
    """(asset id, distance) of the campaign's images within `max_distance` bits of `phash`.

    Multi-index hashing: a few indexed band probes find the candidates, then the exact distance
    is checked, so the cost follows the number of look-alikes, not the size of the campaign.
    """
    plan = neardup.probe_plan(phash, max_distance)
    condition = Q()
    for band, values in enumerate(plan):
        condition |= Q(**{f"band{band}__in": values})
    rows = PerceptualHash.objects.filter(condition, campaign_id=campaign_id)
    if exclude_entry_id is not None:
        rows = rows.exclude(asset__entry_id=exclude_entry_id)
    return neardup.near_matches(phash, rows.values_list("asset_id", "value"), max_distance)


def _asset_fail(
    asset: Asset, code: str, message: str, *, now: datetime, duplicate_of: Asset | None = None
) -> None:
    campaign = asset.entry.campaign
    with transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(
            status=AssetStatus.FAILED,
            lease_until=None,
            error_code=code[:40],
            error_message=message,
            duplicate_of=duplicate_of,
            processed_at=now,
        )
        log_action(
            asset.entry,
            "entry.asset_failed",
            now=now,
            data={
                "asset": asset.id,
                "file": asset.original_name,
                "error_code": code,
                "message": message,
            },
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
        )


def _entry_set_status(
    entry: Entry,
    to_status: str,
    *,
    from_statuses: Sequence[str],
    now: datetime,
    user: Any = None,
    message: str | None = None,
    action: str | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Conditional status change with an audit event; False if not in `from_statuses`."""
    with transaction.atomic():
        old = Entry.objects.filter(pk=entry.pk).values_list("status", flat=True).first()
        fields: dict[str, Any] = {"status": to_status, "updated_at": now}
        if message is not None:
            fields["status_message"] = message
        if user is not None:
            fields.update(moderated_by=user, moderated_at=now)
        changed = Entry.objects.filter(pk=entry.pk, status__in=from_statuses).update(**fields)
        if changed != 1:
            return False
        log_action(
            entry,
            action or f"entry.{to_status}",
            user=user,
            now=now,
            data={
                "from": old,
                "to": to_status,
                **({"reason": message} if message else {}),
                **(extra or {}),
            },
            organisation_id=entry.campaign.organisation_id,
            campaign_id=entry.campaign_id,
        )
    entry.status = to_status
    if message is not None:
        entry.status_message = message
    return True


def entry_refresh_status(*, entry_id: int, now: datetime | None = None) -> str:
    """Derive the entry's status from its assets once intake has finished with all of them."""
    now = now or timezone.now()
    entry = Entry.objects.select_related("campaign").get(pk=entry_id)
    assets = list(entry.assets.all())
    if any(a.status in (AssetStatus.PENDING, AssetStatus.PROCESSING) for a in assets):
        return entry.status
    failed = [a for a in assets if a.status == AssetStatus.FAILED]
    if failed:
        message = "\n".join(
            f"{a.original_name}: {intake_message(a.error_code, a.error_message)}" for a in failed
        )
        _entry_set_status(
            entry,
            EntryStatus.FAILED,
            message=message,
            now=now,
            from_statuses=(EntryStatus.RECEIVED, EntryStatus.PROCESSING),
        )
    else:
        _entry_set_status(
            entry,
            EntryStatus.AWAITING_MODERATION,
            now=now,
            from_statuses=(EntryStatus.RECEIVED, EntryStatus.PROCESSING),
        )
    return entry.status


def intake_recover_stale(*, now: datetime | None = None) -> list[int]:
    """Requeue assets whose worker died or whose task was lost; give up after the last attempt.

    Run periodically by `crowdstudio worker`. A pending asset's `lease_until` marks when it was
    last queued, so the sweep waits a full lease before queueing it again. Returns requeued ids.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.CROWDSTUDIO_INTAKE_LEASE_SECONDS)
    stale = Asset.objects.filter(
        Q(status=AssetStatus.PROCESSING, lease_until__lt=now)
        | Q(status=AssetStatus.PENDING, lease_until__lt=now)
        | Q(status=AssetStatus.PENDING, lease_until__isnull=True, uploaded_at__lt=now - lease)
    ).select_related("entry__campaign")
    requeued: list[int] = []
    for asset in stale:
        if asset.attempts >= settings.CROWDSTUDIO_INTAKE_MAX_ATTEMPTS:
            _asset_fail(asset, "internal_error", intake_message("internal_error"), now=now)
            entry_refresh_status(entry_id=asset.entry_id, now=now)
            continue
        moved = Asset.objects.filter(
            pk=asset.pk, status=asset.status, lease_until=asset.lease_until
        ).update(status=AssetStatus.PENDING, lease_until=now + lease)
        if moved:
            log_action(
                asset.entry,
                "entry.asset_requeued",
                now=now,
                data={"asset": asset.id, "attempts": asset.attempts, "was": asset.status},
                organisation_id=asset.entry.campaign.organisation_id,
                campaign_id=asset.entry.campaign_id,
            )
            requeued.append(asset.pk)
    # Entries whose files are all done but whose status was never moved on (a worker died
    # between the two steps).
    unfinished = Asset.objects.filter(status__in=(AssetStatus.PENDING, AssetStatus.PROCESSING))
    stuck = (
        Entry.objects.filter(
            status__in=(EntryStatus.RECEIVED, EntryStatus.PROCESSING), updated_at__lt=now - lease
        )
        .exclude(pk__in=unfinished.values("entry_id"))
        .values_list("pk", flat=True)
    )
    for entry_id in stuck:
        entry_refresh_status(entry_id=entry_id, now=now)
    if requeued:
        transaction.on_commit(lambda: _enqueue_intake(requeued))
    return requeued


# --- moderation -----------------------------------------------------------------------------

MODERATION_TRANSITIONS: dict[str, set[str]] = {
    EntryStatus.AWAITING_MODERATION: {EntryStatus.APPROVED, EntryStatus.REJECTED},
    EntryStatus.APPROVED: {EntryStatus.REJECTED},  # a takedown after publication
    EntryStatus.REJECTED: {EntryStatus.APPROVED},  # an appeal upheld
}


def entry_moderate(
    *, entry: Entry, user: Any, decision: str, reason: str = "", now: datetime | None = None
) -> Entry:
    """Approve or reject an entry; a rejection needs a reason, which the entrant is sent."""
    now = now or timezone.now()
    reason = reason.strip()
    if decision not in (EntryStatus.APPROVED, EntryStatus.REJECTED):
        raise ServiceError("invalid_decision", _("Choose approve or reject."))
    if decision == EntryStatus.REJECTED and not reason:
        raise ServiceError("reason_required", _("Give the entrant a reason for the rejection."))
    if entry.status == decision:
        return entry  # a repeated click: nothing to do, nothing logged twice
    allowed_from = [old for old, targets in MODERATION_TRANSITIONS.items() if decision in targets]
    if entry.status not in allowed_from:
        raise Conflict(
            "invalid_transition",
            _("An entry that is “%(status)s” cannot be moderated.")
            % {"status": EntryStatus(entry.status).label},
        )
    seen = entry.status
    # Only the status this moderator saw may be replaced: a decision made meanwhile by someone
    # else is never silently overturned (CONVENTIONS §5). The reason is for the entrant on a
    # rejection; an approval note stays in the audit log only, since approved entries are public.
    if not _entry_set_status(
        entry,
        decision,
        from_statuses=(seen,),
        now=now,
        user=user,
        message=reason if decision == EntryStatus.REJECTED else "",
        extra={"note": reason} if decision == EntryStatus.APPROVED and reason else None,
    ):
        entry.refresh_from_db()
        if entry.status == decision:
            return entry
        raise Conflict("stale_status", _("Someone else moderated this entry meanwhile."))
    if seen == EntryStatus.APPROVED:
        renditions_unpublish(entry=entry)
    from crowdstudio.community.services import notify_entry_decision

    notify_entry_decision(entry=entry, now=now)
    entry_id = entry.id
    transaction.on_commit(lambda: _enqueue_decision_email(entry_id))
    return entry


def renditions_unpublish(*, entry: Entry) -> int:
    """Move a taken-down entry's renditions to fresh unguessable names.

    Public copies may have been shared or cached by URL; after a takedown those URLs must stop
    working, while moderators still see the entry under the new names.
    """
    moved = 0
    for rendition in Rendition.objects.filter(asset__entry=entry):
        storage, old = rendition.file.storage, rendition.file.name
        with storage.open(old, "rb") as fh:
            rendition.file.name = storage.save(public_name(rendition.role, Path(old).suffix), fh)
        rendition.save(update_fields=["file"])
        storage.delete(old)
        moved += 1
    return moved


def _enqueue_decision_email(entry_id: int) -> None:
    from crowdstudio.entries.tasks import send_decision_email

    send_decision_email.enqueue(entry_id=entry_id)


def entries_moderate_bulk(
    *,
    campaign: Campaign,
    entry_ids: Sequence[int],
    user: Any,
    decision: str,
    reason: str = "",
    now: datetime | None = None,
) -> tuple[int, list[str]]:
    """Moderate many entries of one campaign; returns (done, problems) and stops at none."""
    if decision == EntryStatus.REJECTED and not reason.strip():
        raise ServiceError("reason_required", _("Give the entrants a reason for the rejection."))
    done, problems = 0, []
    for entry in Entry.objects.filter(campaign=campaign, pk__in=entry_ids).select_related(
        "campaign"
    ):
        try:
            entry_moderate(entry=entry, user=user, decision=decision, reason=reason, now=now)
            done += 1
        except ServiceError as error:
            problems.append(f"{entry.title}: {error.message}")
    return done, problems


def decision_email(entry: Entry) -> tuple[str, str]:
    """Subject and body of the mail that tells an entrant the moderation decision."""
    link = f"{settings.SITE_URL}/me/entries/"
    if entry.status == EntryStatus.APPROVED:
        subject = _("Your entry “%(title)s” is live") % {"title": entry.title}
        body = _(
            "Good news: your entry “%(title)s” in %(campaign)s was approved and is now in the "
            "gallery.\n\n%(link)s"
        ) % {"title": entry.title, "campaign": entry.campaign.title, "link": link}
    else:
        subject = _("Your entry “%(title)s” was not accepted") % {"title": entry.title}
        body = _(
            "Your entry “%(title)s” in %(campaign)s was not accepted.\n\nReason: %(reason)s"
            "\n\n%(link)s"
        ) % {
            "title": entry.title,
            "campaign": entry.campaign.title,
            "reason": entry.status_message,
            "link": link,
        }
    return subject, body


# --- studio material ------------------------------------------------------------------------


def track_upload(
    *,
    campaign: Campaign,
    user: Any,
    upload: Upload,
    title: str,
    artist: str = "",
    now: datetime | None = None,
) -> Track:
    """Validate and publish a campaign's music track (audio only, up to 20 minutes).

    Runs in the request: tracks come from the organisation's own team, one at a time, and the
    producer wants the result on the spot.
    """
    now = now or timezone.now()
    blob = _original_record(store_original(upload))
    limits = MediaLimits(allowed_kinds=frozenset({"audio"}), max_duration=20 * 60.0)
    with tempfile.TemporaryDirectory(prefix="track-") as out_dir:
        with original_as_local_file(blob.storage_name) as path:
            try:
                report = process_media(path, Path(out_dir), limits)
            except MediaRejected as rejected:
                raise ServiceError(
                    rejected.code, intake_message(rejected.code, rejected.message)
                ) from rejected
        audio = next(r for r in report.renditions if r.role == "audio")
        with transaction.atomic(), audio.path.open("rb") as fh:
            track = Track.objects.create(
                campaign=campaign,
                title=title.strip() or Path(upload.name or "track").stem,
                artist=artist,
                original=blob,
                original_name=Path(upload.name or "track").name[:255],
                audio=File(fh, name=public_name("track", audio.path.suffix)),
                duration=report.duration or 0.0,
                mime=report.mime,
                uploaded_by=user,
                created_at=now,
            )
            log_action(
                track,
                "track.uploaded",
                user=user,
                now=now,
                data={"title": track.title, "duration": track.duration},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
    return track
