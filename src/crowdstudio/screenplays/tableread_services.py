"""Table reads: request one for a version, render it in the background with a lease, recover
reads whose worker died.

Who may request a read: the writer of the screenplay and the organising team of its campaign
(rendering costs minutes of worker time, and a table read is what a contest gives its chosen
scripts). Anyone who can see the version can listen to finished reads. One read per version may
be queued or rendering at a time.

Rendering (`table_read_render`) claims the read with a conditional update (QUEUED, or RUNNING
with a lapsed lease → RUNNING with a new lease and one more attempt); a DONE or FAILED read is
left alone, so running the task twice is harmless. Progress (stage and percent) is saved at
most a few times a second and extends the lease; `table_reads_recover` (a periodic job of the
worker) puts reads whose lease lapsed back in the queue, and fails them after the last attempt.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crowdstudio.audit.services import log_action
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.lib.speech import SpeechEngine, SpeechError, get_engine
from crowdstudio.screenplays.elements import Screenplay as Document
from crowdstudio.screenplays.models import (
    Screenplay,
    ScriptVersion,
    TableRead,
    TableReadStatus,
)
from crowdstudio.screenplays.tableread import casting as casting_mod
from crowdstudio.screenplays.tableread import render as render_mod
from crowdstudio.screenplays.tableread.script import NARRATOR, ReadingScript, reading_script

logger = logging.getLogger(__name__)

# What a writer is told; the engine's own words go to the worker's log and the audit log.
ENGINE_UNAVAILABLE = gettext_noop(
    "Table reads are not available on this server at the moment: its speech engine is missing "
    "or not working. The site's operators can find the details in the server's log."
)
ENGINE_FAILED = gettext_noop(
    "The speech engine could not read this version aloud. The site's operators can find the "
    "details in the worker's log."
)

ACTIVE = (TableReadStatus.QUEUED, TableReadStatus.RUNNING)
PROGRESS_INTERVAL_SECONDS = 0.3
OUTPUT_PREFIX = "tableread/"


def engine_name() -> str:
    return str(getattr(settings, "CROWDSTUDIO_TABLE_READ_ENGINE", "espeak"))


def lease_seconds() -> int:
    return int(getattr(settings, "CROWDSTUDIO_TABLE_READ_LEASE_SECONDS", 900))


def max_attempts() -> int:
    return int(getattr(settings, "CROWDSTUDIO_TABLE_READ_MAX_ATTEMPTS", 3))


def version_script(version: ScriptVersion) -> ReadingScript:
    return reading_script(Document.from_json_list(list(version.elements or [])))


def _organisation_id(screenplay: Screenplay) -> int | None:
    campaign = screenplay.campaign
    return campaign.organisation_id if campaign is not None else None


def can_request(user: Any, screenplay: Screenplay) -> bool:
    from crowdstudio.screenplays import access

    return access.is_writer(user, screenplay) or access.is_team(user, screenplay)


def suggested_casting(
    *, version: ScriptVersion, engine: SpeechEngine | None = None
) -> dict[str, str]:
    """NARRATOR and every speaking character of the version → a suggested voice id."""
    engine = engine or get_engine(engine_name())
    script = version_script(version)
    counts = script.line_counts()
    counts.setdefault(NARRATOR, 0)
    return casting_mod.suggest(counts, engine.voices())


def table_read_request(
    *,
    version: ScriptVersion,
    user: Any,
    casting: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> TableRead:
    """Queue a table read of `version` with `casting` (the suggestion when None).

    NotAllowed unless the user is the writer or on the campaign's team; ServiceError when the
    version has nothing to read or the casting is incomplete; Conflict while another read of
    this version is queued or rendering.
    """
    now = now or timezone.now()
    screenplay = version.screenplay
    if not can_request(user, screenplay):
        raise NotAllowed(
            "table_read_not_allowed",
            _("Only the writer and the contest team can request a table read."),
        )
    try:
        engine = get_engine(engine_name())
    except SpeechError as error:
        logger.warning("Table reads are unavailable: %s", error)  # the detail, for operators
        raise ServiceError("table_read_engine", _(ENGINE_UNAVAILABLE)) from None
    script = version_script(version)
    if not script.segments:
        raise ServiceError("table_read_empty", _("This version has no text to read aloud."))
    wanted = (
        dict(casting) if casting is not None else suggested_casting(version=version, engine=engine)
    )
    try:
        final = casting_mod.validate(wanted, characters=script.speakers(), voices=engine.voices())
    except casting_mod.CastingError as error:
        raise ServiceError(
            "table_read_casting", _("The casting is not valid: %(reason)s") % {"reason": error}
        ) from None
    with transaction.atomic():
        # Lock the version row so two requests cannot both pass the "one running read" check.
        ScriptVersion.objects.select_for_update().filter(pk=version.pk).first()
        if TableRead.objects.filter(version=version, status__in=ACTIVE).exists():
            raise Conflict(
                "table_read_running",
                _("A table read of this version is already being made; wait until it is done."),
            )
        read = TableRead.objects.create(
            version=version,
            casting=final,
            engine=engine.name,
            requested_by=user,
            created_at=now,
        )
        log_action(
            read,
            "screenplay.table_read_requested",
            user=user,
            now=now,
            data={"version": version.pk, "casting": final},
            organisation_id=_organisation_id(screenplay),
            campaign_id=screenplay.campaign_id,
        )
        transaction.on_commit(lambda: _enqueue(read.pk))
    return read


def _enqueue(read_id: int, run_after: datetime | None = None) -> None:
    from crowdstudio.screenplays.tasks import render_table_read

    if run_after is None:
        render_table_read.enqueue(table_read_id=read_id)
    else:
        render_table_read.using(run_after=run_after).enqueue(table_read_id=read_id)


def _enqueue_all(read_ids: list[int]) -> None:
    for read_id in read_ids:
        _enqueue(read_id)


class ProgressSaver:
    """Saves stage and percent of a claimed read, at most every PROGRESS_INTERVAL_SECONDS
    (always on a change of stage), extending the lease each time. Only the run holding the
    lease (same attempt number) writes."""

    def __init__(
        self,
        read_id: int,
        attempt: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.read_id = read_id
        self.attempt = attempt
        self.clock = clock
        self.now = now
        self.last_saved: float | None = None
        self.stage = ""
        self.saves = 0

    def __call__(self, stage: str, percent: int) -> None:
        moment = self.clock()
        if (
            stage == self.stage
            and self.last_saved is not None
            and moment - self.last_saved < PROGRESS_INTERVAL_SECONDS
        ):
            return
        self.stage = stage
        self.last_saved = moment
        self.saves += 1
        TableRead.objects.filter(
            pk=self.read_id, status=TableReadStatus.RUNNING, attempts=self.attempt
        ).update(
            stage=stage,
            percent=max(0, min(100, percent)),
            lease_until=self.now() + timedelta(seconds=lease_seconds()),
        )


def table_read_render(
    *,
    table_read_id: int,
    now: datetime | None = None,
    engine: SpeechEngine | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Render one read if it is due (idempotent). Returns its status afterwards."""
    now = now or timezone.now()
    claimed = (
        TableRead.objects.filter(pk=table_read_id)
        .filter(
            Q(status=TableReadStatus.QUEUED)
            | Q(status=TableReadStatus.RUNNING, lease_until__lt=now)
        )
        .update(
            status=TableReadStatus.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=now + timedelta(seconds=lease_seconds()),
            started_at=now,
            stage="starting",
            percent=0,
            error="",
        )
    )
    read = TableRead.objects.select_related("version__screenplay__campaign").get(pk=table_read_id)
    if claimed != 1:
        return read.status
    saver = ProgressSaver(read.pk, read.attempts, clock=clock)
    try:
        engine = engine or get_engine(read.engine or engine_name())
        script = version_script(read.version)
        with tempfile.TemporaryDirectory(prefix="tableread-") as folder:
            path = Path(folder) / f"read{render_mod.EXTENSION}"
            result = render_mod.render(
                script,
                read.casting,
                engine,
                path,
                progress=saver,
                title=read.version.screenplay.title,
            )
            name = f"{OUTPUT_PREFIX}{secrets.token_urlsafe(24)}{render_mod.EXTENSION}"
            with path.open("rb") as handle:
                stored = storages["works"].save(name, File(handle, name=name))
    except (SpeechError, ValueError) as error:
        # The script or the engine cannot produce this read: retrying will not help.
        logger.warning("Table read %s failed: %s", table_read_id, error)
        _fail(read, ENGINE_FAILED, now=now, detail=str(error))
        return TableReadStatus.FAILED
    except Exception:
        logger.exception("Table read %s failed (attempt %s)", table_read_id, read.attempts)
        if read.attempts >= max_attempts():
            _fail(read, gettext_noop("The table read could not be rendered."), now=now)
            return TableReadStatus.FAILED
        TableRead.objects.filter(
            pk=read.pk, status=TableReadStatus.RUNNING, attempts=read.attempts
        ).update(status=TableReadStatus.QUEUED, lease_until=None, stage="", percent=0)
        retry_after = now + timedelta(seconds=30 * read.attempts)
        transaction.on_commit(lambda: _enqueue(read.pk, retry_after))
        raise
    finished = TableRead.objects.filter(
        pk=read.pk, status=TableReadStatus.RUNNING, attempts=read.attempts
    ).update(
        status=TableReadStatus.DONE,
        stage="done",
        percent=100,
        lease_until=None,
        output_name=stored,
        output_mime=render_mod.MIME,
        duration=result.duration,
        loudness_lufs=result.loudness_lufs,
        true_peak_dbtp=result.true_peak_dbtp,
        chapters=[chapter.as_dict() for chapter in result.chapters],
        finished_at=now,
    )
    if not finished:
        # Another worker took the read over after our lease lapsed: its file wins.
        storages["works"].delete(stored)
        read.refresh_from_db()
        return read.status
    screenplay = read.version.screenplay
    log_action(
        read,
        "screenplay.table_read_done",
        now=now,
        data={
            "version": read.version_id,
            "duration": round(result.duration, 2),
            "loudness_lufs": round(result.loudness_lufs, 2),
            "true_peak_dbtp": round(result.true_peak_dbtp, 2),
        },
        organisation_id=_organisation_id(screenplay),
        campaign_id=screenplay.campaign_id,
    )
    return TableReadStatus.DONE


def _fail(read: TableRead, message: str, *, now: datetime, detail: str = "") -> None:
    """`message` is an untranslated message id: the page shows it in the reader's language.
    `detail` (an engine's own words) goes to the audit log only."""
    TableRead.objects.filter(pk=read.pk, status=TableReadStatus.RUNNING).update(
        status=TableReadStatus.FAILED,
        lease_until=None,
        stage="failed",
        error=message[:2000],
        finished_at=now,
    )
    screenplay = read.version.screenplay
    log_action(
        read,
        "screenplay.table_read_failed",
        now=now,
        data={
            "version": read.version_id,
            "error": message[:500],
            "detail": detail[:500],
            "attempts": read.attempts,
        },
        organisation_id=_organisation_id(screenplay),
        campaign_id=screenplay.campaign_id,
    )


def table_reads_recover(*, now: datetime | None = None) -> int:
    """Requeue reads whose worker died (RUNNING with a lapsed lease) or whose task was lost
    (QUEUED for longer than a lease); fail those that used their last attempt. Safe to run from
    several workers at once. Returns how many reads were requeued or failed."""
    now = now or timezone.now()
    lease = timedelta(seconds=lease_seconds())
    stale = TableRead.objects.filter(
        Q(status=TableReadStatus.RUNNING, lease_until__lt=now)
        | Q(status=TableReadStatus.QUEUED, lease_until__lt=now)
        | Q(status=TableReadStatus.QUEUED, lease_until__isnull=True, created_at__lt=now - lease)
    ).select_related("version__screenplay__campaign")
    handled = 0
    requeued: list[int] = []
    for read in stale:
        if read.status == TableReadStatus.RUNNING and read.attempts >= max_attempts():
            _fail(
                read, gettext_noop("The worker stopped while rendering, too many times."), now=now
            )
            handled += 1
            continue
        moved = TableRead.objects.filter(
            pk=read.pk, status=read.status, lease_until=read.lease_until, attempts=read.attempts
        ).update(status=TableReadStatus.QUEUED, lease_until=now + lease, stage="", percent=0)
        if moved:
            # lease_until on a queued read marks when it was last queued (see intake).
            requeued.append(read.pk)
            handled += 1
    if requeued:
        transaction.on_commit(lambda: _enqueue_all(requeued))
    return handled


def open_output(read: TableRead) -> Any:
    """The stored audio file of a finished read, opened for reading (ServiceError if missing)."""
    if read.status != TableReadStatus.DONE or not read.output_name:
        raise ServiceError("table_read_not_ready", _("This table read is not ready yet."))
    storage = storages["works"]
    if not storage.exists(read.output_name):
        raise ServiceError("table_read_missing", _("The audio file of this table read is missing."))
    return storage.open(read.output_name, "rb")


def chapters_vtt(read: TableRead) -> str:
    """The read's chapters as a WebVTT chapters track."""

    def stamp(seconds: float) -> str:
        millis = round(max(0.0, seconds) * 1000)
        hours, rest = divmod(millis, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        secs, millis = divmod(rest, 1000)
        return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"

    lines = ["WEBVTT", ""]
    for number, chapter in enumerate(read.chapters or [], start=1):
        title = " ".join(str(chapter.get("title", "")).replace("-->", "→").split())
        # Cue text: "&" and "<" start escapes and tags (the title is the writer's text).
        title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [
            f"chapter-{number}",
            f"{stamp(float(chapter.get('start', 0)))} --> {stamp(float(chapter.get('end', 0)))}",
            title or f"Scene {number}",
            "",
        ]
    return "\n".join(lines)
