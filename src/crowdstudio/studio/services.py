"""The Director's actions: make a montage, edit its plan, render it, recover lost renders.

The working state of a montage lives in `Montage.plan` (JSON, see `selectors`): a planning
state, the plan itself (the edit decision list) and the scored candidates it was made from, so
edits (drop, swap) can fill a slot without touching pixels again. Every change of the plan bumps
`Montage.plan_revision`; an edit names the revision the director saw and is refused (nothing
changed, nothing lost) when the plan moved on since.

Heavy work never runs in a request: the music analysis (cached per track in `TrackAnalysis`),
scoring the pictures and planning run in the `montage_plan` task; rendering in the
`montage_render` task, under a lease so a killed worker's render is picked up again by
`montage_renders_recover` (run by the worker's sweep).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Asset, Entry, EntrySource, Track
from crowdstudio.lib.errors import Conflict, ServiceError
from crowdstudio.lib.storage import original_as_local_file
from crowdstudio.rights.models import ConsentEvidence, RightsRecord
from crowdstudio.studio import selectors
from crowdstudio.studio.models import (
    Montage,
    MontageRender,
    MontageRenderUse,
    RenderShape,
    RenderStatus,
    TrackAnalysis,
)
from crowdstudio.studio.montage import beats as beats_mod
from crowdstudio.studio.montage import edit, sources
from crowdstudio.studio.montage import plan as plan_mod
from crowdstudio.studio.montage import render as render_mod
from crowdstudio.studio.montage import shots as shots_mod

logger = logging.getLogger(__name__)

DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    RenderShape.LANDSCAPE: (1920, 1080),
    RenderShape.VERTICAL: (1080, 1920),
    RenderShape.SQUARE: (1080, 1080),
}
FPS_CHOICES = (24, 25, 30, 50, 60)
MAX_SEED = 2**31 - 1
ANALYSER_VERSION = int(getattr(beats_mod, "VERSION", 1))
PROGRESS_EVERY_SECONDS = 0.5  # progress is saved at most twice a second
EDIT_ACTIONS = ("pin", "unpin", "drop", "earlier", "later", "swap")
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF", "MPO")


def montage_sizes() -> dict[str, tuple[int, int]]:
    """Output size per shape; CROWDSTUDIO_MONTAGE_SIZES overrides (tests use tiny ones)."""
    configured = getattr(settings, "CROWDSTUDIO_MONTAGE_SIZES", DEFAULT_SIZES)
    return {str(k): (int(v[0]), int(v[1])) for k, v in configured.items()}


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "CROWDSTUDIO_MONTAGE_LEASE_SECONDS", 1800))


def _max_attempts() -> int:
    return int(getattr(settings, "CROWDSTUDIO_MONTAGE_MAX_ATTEMPTS", 3))


def _audit(montage: Montage, action: str, *, user: Any, now: datetime, **data: Any) -> None:
    log_action(
        montage,
        action,
        user=user,
        now=now,
        data=data,
        organisation_id=montage.campaign.organisation_id,
        campaign_id=montage.campaign_id,
    )


# --- making a montage ---------------------------------------------------------------------------


#: A request for the same montage within this window is a repeat (double click, retry).
REPEAT_WINDOW = timedelta(seconds=30)


def montage_create(
    *,
    campaign: Campaign,
    user: Any,
    title: str,
    track: Track,
    seed: int = 0,
    fps: int = 30,
    now: datetime | None = None,
) -> Montage:
    """A new montage of the campaign to the track; the worker plans it."""
    now = now or timezone.now()
    title = title.strip()
    if not title:
        raise ServiceError("title_required", _("Give the video a title."))
    if track.campaign_id != campaign.pk:
        raise ServiceError("wrong_track", _("Choose one of this campaign's music tracks."))
    if fps not in FPS_CHOICES:
        raise ServiceError("bad_fps", _("Choose a frame rate from the list."))
    if not 0 <= seed <= MAX_SEED:
        raise ServiceError("bad_seed", _("The seed must be a whole number from 0 to 2147483647."))
    with transaction.atomic():
        # A double click or a retried request: the same person asking for the same video moments
        # ago gets that montage back instead of a second one (the campaign row serialises them).
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        repeat = Montage.objects.filter(
            campaign=campaign,
            track=track,
            title=title[:160],
            seed=seed,
            fps=fps,
            created_by=user,
            created_at__gte=now - REPEAT_WINDOW,
        ).first()
        if repeat is not None:
            return repeat
        montage = Montage.objects.create(
            campaign=campaign,
            track=track,
            title=title[:160],
            seed=seed,
            fps=fps,
            plan={"state": selectors.PLANNING, "stage": "queued"},
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        _audit(montage, "montage.created", user=user, now=now, track=track.pk, seed=seed, fps=fps)
        revision = montage.plan_revision
        transaction.on_commit(lambda: _enqueue_plan(montage.pk, revision))
    return montage


def _enqueue_plan(montage_id: int, revision: int) -> None:
    from crowdstudio.studio.tasks import montage_plan

    montage_plan.enqueue(montage_id=montage_id, revision=revision)


def track_beat_grid(track: Track, *, now: datetime | None = None) -> plan_mod.BeatGrid:
    """The track's beat grid, analysed once and cached in `TrackAnalysis` (worker only)."""
    cached = TrackAnalysis.objects.filter(track=track, version=ANALYSER_VERSION).first()
    if cached is None:
        with original_as_local_file(track.original.storage_name) as path:
            analysis = beats_mod.analyse_file(path)
        data = {
            "beats": list(analysis.beats),
            "downbeats": list(analysis.downbeats),
            "energy": list(analysis.energy),
            "sections": list(analysis.sections),
            "duration": analysis.duration,
            "rate": analysis.rate,
        }
        cached, _created = TrackAnalysis.objects.update_or_create(
            track=track,
            defaults={
                "version": ANALYSER_VERSION,
                "tempo": analysis.tempo,
                "data": data,
                "analysed_at": now or timezone.now(),
            },
        )
    data = cached.data
    return plan_mod.BeatGrid(
        beats=tuple(float(t) for t in data.get("beats", [])),
        duration=float(data["duration"]),
        downbeats=tuple(float(t) for t in data.get("downbeats", [])),
        energy=tuple(float(e) for e in data.get("energy", [])),
    )


# --- pictures -----------------------------------------------------------------------------------


def _asset_id(ref: Any) -> int:
    return ref if isinstance(ref, int) else int(ref.asset_id)


def _open_image(source: Any, *, decode: bool) -> Image.Image:
    """Open a stored picture safely: known formats only, the pixel limit is an error. With
    `decode` the pixels are read at once (the source may go away); otherwise the image is
    opened lazily and the caller closes it. The EXIF orientation is left for the engine, which
    applies it (scorer and renderer both do)."""
    opened = Image.open(source, formats=IMAGE_FORMATS)
    if Image.MAX_IMAGE_PIXELS and opened.width * opened.height > Image.MAX_IMAGE_PIXELS:
        opened.close()
        raise ValueError("the picture has too many pixels")
    if decode:
        opened.load()
    return opened


def _open_rendition(asset: Asset, roles: Sequence[str]) -> Image.Image | None:
    storage = storages["default"]
    for role in roles:
        rendition = asset.rendition(role)
        if rendition is None or not rendition.file:
            continue
        with storage.open(rendition.file.name, "rb") as fh:
            return _open_image(fh, decode=True)
    return None


class AssetLoader:
    """Pictures and clips of a plan's assets for the scorer and the renderer.

    `image(ref)` (ref = an asset id, or a Shot / PlannedShot): the original photo, opened lazily
    (a clip's poster frame, decoded); `clip(ref)`: a local path to a clip's re-encoded video.
    Originals and clips in remote storage are copied to a temporary folder first; `close()`
    removes it.
    """

    def __init__(self, asset_ids: Sequence[int]) -> None:
        self.assets = {
            a.pk: a
            for a in Asset.objects.filter(pk__in=set(asset_ids))
            .select_related("original")
            .prefetch_related("renditions")
        }
        self._stack = ExitStack()
        self._folder: Path | None = None

    def _asset(self, ref: Any) -> Asset:
        asset = self.assets.get(_asset_id(ref))
        if asset is None:
            raise LookupError(f"asset {_asset_id(ref)} is gone")
        return asset

    def _local(self, storage_alias: str, name: str, suffix: str) -> Path:
        storage = storages[storage_alias]
        try:
            return Path(storage.path(name))
        except NotImplementedError:
            pass
        if self._folder is None:
            self._folder = Path(
                self._stack.enter_context(tempfile.TemporaryDirectory(prefix="montage-src-"))
            )
        local = self._folder / f"{secrets.token_hex(8)}{suffix}"
        with storage.open(name, "rb") as src, local.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        return local

    def image(self, ref: Any) -> Image.Image:
        asset = self._asset(ref)
        if asset.kind == "video":
            found = _open_rendition(asset, ("poster", "thumb"))
            if found is None:
                raise LookupError(f"clip {asset.pk} has no poster frame")
            return found
        return _open_image(self._local("originals", asset.original.storage_name, ""), decode=False)

    def clip(self, ref: Any) -> str:
        asset = self._asset(ref)
        rendition = asset.rendition("video")
        if rendition is None or not rendition.file:
            raise LookupError(f"clip {asset.pk} has no video")
        return str(self._local("default", rendition.file.name, ".mp4"))

    def close(self) -> None:
        self._stack.close()


def score_candidates(candidates: list[plan_mod.Shot], loader: AssetLoader) -> list[plan_mod.Shot]:
    """Quality, point of interest, colour and perceptual hash from the pixels: the engine's
    scorer (which leaves out pictures it cannot read), else `shots.shot_from_image` on each
    still (an unreadable one keeps the neutral defaults)."""
    scorer = getattr(shots_mod, "score_candidates", None)
    if scorer is not None:
        return list(scorer(candidates, loader.image))
    scored = []
    for shot in candidates:
        if shot.kind == "image":
            try:
                with loader.image(shot) as picture:
                    measured = shots_mod.shot_from_image(
                        picture,
                        contributor=shot.contributor,
                        entry_id=shot.entry_id,
                        asset_id=shot.asset_id,
                    )
            except Exception:  # an unreadable picture keeps the defaults
                logger.warning("Could not score asset %s", shot.asset_id, exc_info=True)
            else:
                shot = plan_mod.Shot(
                    **{
                        **edit.shot_to_data(shot),
                        "quality": measured.quality,
                        "poi": measured.poi,
                    }
                )
        scored.append(shot)
    return scored


def _plan_sizes() -> tuple[tuple[int, int], ...]:
    sizes = montage_sizes()
    return tuple(sizes[shape] for shape in RenderShape.values if shape in sizes)


def make_plan(
    montage: Montage,
    candidates: list[plan_mod.Shot],
    grid: plan_mod.BeatGrid,
    *,
    pins: dict[int, int] | None = None,
) -> plan_mod.Plan:
    """Plan the montage from scored candidates; pinned assets (asset -> slot) keep their slot
    when it still exists."""
    made = plan_mod.plan_montage(
        candidates,
        grid,
        fps=float(montage.fps),
        seed=montage.seed,
        sizes=_plan_sizes(),
        title=montage.title,
        credits=(str(montage.track),),
    )
    if pins:
        by_asset = {c.asset_id: c for c in candidates}
        wanted = {slot: by_asset[a] for a, slot in pins.items() if a in by_asset}
        made = edit.apply_pins(made, wanted)
    return made


def montage_plan_run(*, montage_id: int, revision: int, now: datetime | None = None) -> str:
    """Analyse the track (cached), score the candidates and plan (the `montage_plan` task).

    Idempotent: does nothing unless the montage is still waiting for exactly this planning
    (a newer re-plan or an edit bumped the revision). Returns the planning state afterwards.
    """
    montage = (
        Montage.objects.select_related("campaign", "track__original").filter(pk=montage_id).first()
    )
    if montage is None:
        return "gone"  # deleted while the task waited
    state = selectors.state_of(montage)
    if state["state"] != selectors.PLANNING or montage.plan_revision != revision:
        return str(state["state"])
    pins = {int(a): int(s) for a, s in (montage.plan or {}).get("pins", {}).items()}
    dropped = set(montage.dropped_assets or [])
    loader: AssetLoader | None = None
    try:
        _set_planning_stage(montage, revision, "analysing")
        grid = track_beat_grid(montage.track, now=now)
        candidates = [
            c for c in sources.montage_candidates(montage.campaign) if c.asset_id not in dropped
        ]
        _set_planning_stage(montage, revision, "scoring")
        loader = AssetLoader([c.asset_id for c in candidates])
        candidates = score_candidates(candidates, loader)
        dedupe = getattr(shots_mod, "drop_near_duplicates", None)
        if dedupe is not None:  # again, now with the measured quality and hashes
            distance = int(getattr(settings, "CROWDSTUDIO_NEAR_DUPLICATE_DISTANCE", 6))
            candidates = list(dedupe(candidates, max_distance=distance))
        _set_planning_stage(montage, revision, "planning")
        made = make_plan(montage, candidates, grid, pins=pins)
        new_state: dict[str, Any] = {
            "state": selectors.READY,
            "edl": selectors.plan_data(made),
            "candidates": [edit.shot_to_data(c) for c in candidates],
        }
        if not made.shots:
            new_state["error"] = _(
                "No usable photos or clips yet: approved entries with rights cleared appear "
                "here. Re-plan once there are some."
            )
    except Exception:
        logger.exception("Planning montage %s failed", montage_id)
        new_state = {
            "state": selectors.FAILED,
            "error": _(
                "The plan could not be made (the track or the pictures could not be read). "
                "Try again; if it keeps failing, ask an operator to look at the worker's log."
            ),
        }
    finally:
        if loader is not None:
            loader.close()
    now = now or timezone.now()
    Montage.objects.filter(pk=montage_id, plan_revision=revision).update(
        plan=new_state, plan_revision=revision + 1, updated_at=now
    )
    return str(new_state["state"])


def _set_planning_stage(montage: Montage, revision: int, stage: str) -> None:
    data = dict(montage.plan or {})
    data["stage"] = stage
    montage.plan = data
    Montage.objects.filter(pk=montage.pk, plan_revision=revision).update(
        plan=data, updated_at=timezone.now()
    )


# --- edits --------------------------------------------------------------------------------------


STALE_MESSAGE = gettext_lazy(
    "The plan changed since you opened it (another edit or a re-plan). Nothing was changed: "
    "look at the plan as it is now and make your edit again."
)


def _locked(montage: Montage, revision: int) -> Montage:
    locked = (
        Montage.objects.select_for_update().select_related("campaign", "track").get(pk=montage.pk)
    )
    if locked.plan_revision != revision:
        raise Conflict("stale_plan", str(STALE_MESSAGE))
    return locked


def _ready_plan(montage: Montage) -> plan_mod.Plan:
    found = selectors.plan_of(montage)
    if found is None or selectors.planning_state(montage) != selectors.READY:
        raise Conflict("plan_not_ready", _("The plan is not ready yet."))
    return found


def _save_plan(montage: Montage, new: plan_mod.Plan, *, now: datetime) -> None:
    data = dict(montage.plan or {})
    data["edl"] = selectors.plan_data(new)
    montage.plan = data
    montage.plan_revision += 1
    montage.updated_at = now
    montage.save(
        update_fields=[
            "plan",
            "plan_revision",
            "pinned_assets",
            "dropped_assets",
            "updated_at",
        ]
    )


def montage_edit(
    *,
    montage: Montage,
    user: Any,
    revision: int,
    action: str,
    slot: int,
    asset_id: int | None = None,
    now: datetime | None = None,
) -> Montage:
    """One edit of the plan as the director saw it at `revision`: pin/unpin the shot in `slot`,
    drop it, move it earlier/later, or swap it for the unused candidate `asset_id`."""
    now = now or timezone.now()
    if action not in EDIT_ACTIONS:
        raise ServiceError("bad_action", _("Unknown edit."))
    with transaction.atomic():
        locked = _locked(montage, revision)
        current = _ready_plan(locked)
        if not 0 <= slot < len(current.shots):
            raise ServiceError("no_such_shot", _("There is no such shot in the plan."))
        shot = current.shots[slot]
        pinned = [a for a in (locked.pinned_assets or []) if a != shot.asset_id]
        dropped = list(locked.dropped_assets or [])
        candidates = selectors.candidates_of(locked)
        try:
            if action == "pin":
                pinned.append(shot.asset_id)
                new = current
            elif action == "unpin":
                new = current
            elif action == "drop":
                new = edit.drop_shot(current, slot, candidates, dropped=dropped)
                dropped.append(shot.asset_id)
            elif action in ("earlier", "later"):
                new = edit.move_shot(current, slot, -1 if action == "earlier" else 1)
                if shot.asset_id in (locked.pinned_assets or []):
                    pinned.append(shot.asset_id)  # a pin follows the shot to its new slot
            else:
                if asset_id is None:
                    raise ServiceError("choose_candidate", _("Choose the picture to show."))
                new = edit.swap_shot(current, slot, asset_id, candidates, dropped=dropped)
        except edit.EditError as error:
            raise ServiceError(error.code, str(error)) from error
        locked.pinned_assets = pinned
        locked.dropped_assets = dropped
        _save_plan(locked, new, now=now)
        _audit(
            locked,
            f"montage.{action}",
            user=user,
            now=now,
            slot=slot,
            asset=shot.asset_id,
            entry=shot.entry_id,
            **({"to_asset": asset_id} if action == "swap" else {}),
        )
    return locked


def montage_replan(
    *,
    montage: Montage,
    user: Any,
    revision: int,
    seed: int,
    now: datetime | None = None,
) -> Montage:
    """Plan again with a new seed (and today's candidates): pins keep their slot when it still
    exists, dropped pictures never come back."""
    now = now or timezone.now()
    if not 0 <= seed <= MAX_SEED:
        raise ServiceError("bad_seed", _("The seed must be a whole number from 0 to 2147483647."))
    with transaction.atomic():
        locked = _locked(montage, revision)
        if selectors.planning_state(locked) == selectors.PLANNING:
            raise Conflict("plan_not_ready", _("The plan is being made already."))
        current = selectors.plan_of(locked)
        pinned = set(locked.pinned_assets or [])
        pins = {
            str(s.asset_id): n
            for n, s in enumerate(current.shots if current else ())
            if s.asset_id in pinned
        }
        locked.seed = seed
        locked.plan = {"state": selectors.PLANNING, "stage": "queued", "pins": pins}
        locked.plan_revision += 1
        locked.updated_at = now
        locked.save(update_fields=["seed", "plan", "plan_revision", "updated_at"])
        _audit(locked, "montage.replanned", user=user, now=now, seed=seed)
        revision = locked.plan_revision
        transaction.on_commit(lambda: _enqueue_plan(locked.pk, revision))
    return locked


# --- rendering ----------------------------------------------------------------------------------


def _unusable_message(entries: Sequence[Entry]) -> str:
    names = ", ".join(f"“{e.title}” (#{e.pk})" for e in entries)
    return _(
        "These entries may no longer be used (withdrawn, rejected or their rights are not "
        "cleared): %(names)s. Re-plan the video without them, then render again."
    ) % {"names": names}


def montage_render_request(
    *,
    montage: Montage,
    user: Any,
    revision: int,
    shapes: Sequence[str],
    now: datetime | None = None,
) -> list[MontageRender]:
    """Queue one render per shape of the plan at `revision`. A shape already queued or
    rendering for the same plan is not queued twice: that render is returned instead."""
    now = now or timezone.now()
    sizes = montage_sizes()
    shapes = list(dict.fromkeys(shapes))
    if not shapes:
        raise ServiceError("choose_shape", _("Choose at least one shape to render."))
    for shape in shapes:
        if shape not in RenderShape.values or shape not in sizes:
            raise ServiceError("bad_shape", _("Unknown shape."))
    renders: list[MontageRender] = []
    new_ids: list[int] = []
    with transaction.atomic():
        locked = _locked(montage, revision)
        current = _ready_plan(locked)
        if not current.shots:
            raise Conflict("empty_plan", _("The plan has no shots: re-plan once there are some."))
        unusable = selectors.unusable_entries(locked.campaign, current.entry_ids())
        if unusable:
            raise Conflict("entry_not_usable", _unusable_message(unusable))
        edl = selectors.plan_data(current)
        for shape in shapes:
            if tuple(sizes[shape]) not in current.sizes:
                raise Conflict(
                    "replan_for_shape",
                    _("The plan was made for other sizes: re-plan it to render this shape."),
                )
            existing = next(
                (
                    r
                    for r in MontageRender.objects.filter(
                        montage=locked, shape=shape, status__in=selectors.ACTIVE_RENDER
                    ).order_by("id")
                    if r.plan == edl
                ),
                None,
            )
            if existing is not None:
                renders.append(existing)
                continue
            width, height = sizes[shape]
            created = MontageRender.objects.create(
                montage=locked,
                shape=shape,
                width=width,
                height=height,
                plan=edl,
                plan_revision=locked.plan_revision,
                stage="queued",
                lease_until=now + _lease(),
                requested_by=user,
                created_at=now,
            )
            _audit(locked, "montage.render_requested", user=user, now=now, render=created.pk)
            renders.append(created)
            new_ids.append(created.pk)
        if new_ids:
            transaction.on_commit(lambda: _enqueue_renders(new_ids))
    return renders


def _enqueue_renders(render_ids: list[int]) -> None:
    from crowdstudio.studio.tasks import montage_render

    for render_id in render_ids:
        montage_render.enqueue(render_id=render_id)


def _render_fail(render: MontageRender, message: str, *, now: datetime) -> None:
    MontageRender.objects.filter(pk=render.pk).exclude(status=RenderStatus.DONE).update(
        status=RenderStatus.FAILED,
        error=message,
        stage="failed",
        lease_until=None,
        finished_at=now,
    )


class _Progress:
    """Saves stage and percent at most every PROGRESS_EVERY_SECONDS, and renews the lease."""

    def __init__(self, render_id: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.render_id = render_id
        self.clock = clock
        self.last_saved: float | None = None
        self.last_percent = -1

    def __call__(self, fraction: float) -> None:
        percent = max(0, min(100, int(fraction * 100)))
        moment = self.clock()
        if percent == self.last_percent:
            return
        if (
            percent < 100
            and self.last_saved is not None
            and moment - self.last_saved < PROGRESS_EVERY_SECONDS
        ):
            return
        self.last_saved, self.last_percent = moment, percent
        MontageRender.objects.filter(pk=self.render_id, status=RenderStatus.RUNNING).update(
            stage="rendering", percent=percent, lease_until=timezone.now() + _lease()
        )


def _store_output(path: Path) -> tuple[str, int, str]:
    """Save the MP4 in the private "works" storage under an unguessable name."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    token = secrets.token_urlsafe(24)
    name = f"montages/{token[:2]}/{token}.mp4"
    with path.open("rb") as fh:
        saved = storages["works"].save(name, File(fh, name=name))
    return saved, path.stat().st_size, digest.hexdigest()


def _duration_of(path: Path, fallback: float) -> float:
    try:
        with av.open(str(path)) as container:
            if container.duration:
                return float(container.duration) / 1_000_000
    except Exception:  # measuring is a nicety; the plan's duration is right by construction
        logger.info("Could not measure %s", path, exc_info=True)
    return fallback


def _record_uses(render: MontageRender, plan: plan_mod.Plan) -> None:
    entries = {
        e.pk: e
        for e in Entry.objects.filter(pk__in=plan.entry_ids()).select_related("terms_version")
    }
    records = {r.entry_id: r for r in RightsRecord.objects.filter(entry_id__in=entries)}
    evidence: dict[int, ConsentEvidence] = {}
    for item in ConsentEvidence.objects.filter(entry_id__in=entries).order_by("-at", "-id"):
        evidence.setdefault(item.entry_id, item)
    seen: set[int] = set()
    for shot in plan.shots:
        if shot.asset_id in seen:
            continue
        seen.add(shot.asset_id)
        entry = entries[shot.entry_id]
        is_upload = entry.source == EntrySource.UPLOAD
        MontageRenderUse.objects.create(
            render=render,
            entry=entry,
            asset_id=shot.asset_id,
            rights_record=records.get(entry.pk),
            consent_evidence=None if is_upload else evidence.get(entry.pk),
            terms_version=entry.terms_version if is_upload else None,
            credited_as=shot.contributor[:160],
        )


@contextmanager
def _audio_path(track: Track) -> Iterator[str]:
    with original_as_local_file(track.original.storage_name) as path:
        yield str(path)


def montage_render_run(*, render_id: int, now: datetime | None = None) -> str:
    """Render one queued render (the `montage_render` task). Idempotent: a render that is done,
    failed, or held by a live worker is left alone. Returns the render's status afterwards."""
    now = now or timezone.now()
    claimed = (
        MontageRender.objects.filter(pk=render_id)
        .filter(Q(status=RenderStatus.QUEUED) | Q(status=RenderStatus.RUNNING, lease_until__lt=now))
        .update(
            status=RenderStatus.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=now + _lease(),
            started_at=now,
            stage="preparing",
            percent=0,
            error="",
        )
    )
    render = (
        MontageRender.objects.select_related("montage__campaign", "montage__track__original")
        .filter(pk=render_id)
        .first()
    )
    if render is None:
        return "gone"  # deleted while the task waited
    if claimed != 1:
        return render.status
    montage = render.montage
    plan = plan_mod.Plan.from_json(json.dumps(render.plan))
    unusable = selectors.unusable_entries(montage.campaign, plan.entry_ids())
    if unusable:
        _render_fail(render, _unusable_message(unusable), now=now)
        return RenderStatus.FAILED
    size = (render.width, render.height)
    if size not in plan.sizes:
        _render_fail(render, _("The plan has no framing for this size: re-plan it."), now=now)
        return RenderStatus.FAILED
    loader = AssetLoader([s.asset_id for s in plan.shots])
    try:
        with (
            tempfile.TemporaryDirectory(prefix="montage-") as folder,
            _audio_path(montage.track) as audio,
        ):
            out = Path(folder) / "montage.mp4"
            options: dict[str, Any] = {}
            if "load_clip" in inspect.signature(render_mod.render_plan).parameters:
                options["load_clip"] = loader.clip
            render_mod.render_plan(
                plan,
                size_index=plan.sizes.index(size),
                load_image=loader.image,
                audio_path=audio,
                out_path=str(out),
                progress=_Progress(render.pk),
                **options,
            )
            MontageRender.objects.filter(pk=render.pk, status=RenderStatus.RUNNING).update(
                stage="saving"
            )
            duration = _duration_of(out, plan.duration)
            name, size_bytes, sha = _store_output(out)
    except Exception:
        logger.exception("Render %s of montage %s failed", render.pk, montage.pk)
        _render_fail(
            render,
            _(
                "The render failed. The plan is unchanged: try again, and if it keeps failing "
                "ask an operator to look at the worker's log."
            ),
            now=timezone.now(),
        )
        return RenderStatus.FAILED
    finally:
        loader.close()
    finished = timezone.now()
    with transaction.atomic():
        done = MontageRender.objects.filter(
            pk=render.pk, status=RenderStatus.RUNNING, attempts=render.attempts
        ).update(
            status=RenderStatus.DONE,
            stage="done",
            percent=100,
            output_name=name,
            output_size=size_bytes,
            output_sha256=sha,
            duration=duration,
            lease_until=None,
            finished_at=finished,
        )
        if done != 1:  # another worker took over meanwhile: its output wins
            transaction.on_commit(lambda: storages["works"].delete(name))
            render.refresh_from_db()
            return render.status
        _record_uses(render, plan)
        log_action(
            render,
            "montage.rendered",
            now=finished,
            data={"montage": montage.pk, "shape": render.shape, "sha256": sha},
            organisation_id=montage.campaign.organisation_id,
            campaign_id=montage.campaign_id,
        )
    return RenderStatus.DONE


def montage_plans_recover(*, now: datetime | None = None) -> int:
    """Queue again the plannings whose worker died or whose task was lost (still "planning" a
    full lease after their last change); fail them after the last attempt. Returns how many
    moved."""
    now = now or timezone.now()
    moved_count = 0
    requeue: list[tuple[int, int]] = []
    stale = Montage.objects.filter(plan__state=selectors.PLANNING, updated_at__lt=now - _lease())
    for montage in stale:
        data = dict(montage.plan or {})
        attempts = int(data.get("attempts", 0)) + 1
        if attempts >= _max_attempts():
            data = {
                "state": selectors.FAILED,
                "error": _("Making the plan stopped too many times. Re-plan to try again."),
            }
        else:
            data["attempts"] = attempts
        moved = Montage.objects.filter(
            pk=montage.pk, plan_revision=montage.plan_revision, updated_at=montage.updated_at
        ).update(plan=data, updated_at=now)
        moved_count += moved
        if moved and data["state"] == selectors.PLANNING:
            requeue.append((montage.pk, montage.plan_revision))
    if requeue:
        transaction.on_commit(lambda: _enqueue_plans(requeue))
    return moved_count


def _enqueue_plans(items: list[tuple[int, int]]) -> None:
    for montage_id, revision in items:
        _enqueue_plan(montage_id, revision)


def montage_renders_recover(*, now: datetime | None = None) -> int:
    """Queue again the renders whose worker died (lease ran out) or whose task was lost; fail
    them after the last attempt; the same for plannings (`montage_plans_recover`). Safe to run
    from several workers at once. Returns how many renders and plannings moved."""
    now = now or timezone.now()
    plans_moved = montage_plans_recover(now=now)
    stale = MontageRender.objects.filter(
        status__in=selectors.ACTIVE_RENDER, lease_until__lt=now
    ).select_related("montage__campaign")
    moved_ids: list[int] = []
    failed = 0
    for render in stale:
        if render.attempts >= _max_attempts():
            moved = MontageRender.objects.filter(
                pk=render.pk, status=render.status, lease_until=render.lease_until
            ).update(
                status=RenderStatus.FAILED,
                stage="failed",
                error=_("The render stopped too many times. Try again later."),
                lease_until=None,
                finished_at=now,
            )
            failed += moved
            continue
        moved = MontageRender.objects.filter(
            pk=render.pk, status=render.status, lease_until=render.lease_until
        ).update(status=RenderStatus.QUEUED, stage="queued", lease_until=now + _lease())
        if moved:
            log_action(
                render,
                "montage.render_requeued",
                now=now,
                data={"attempts": render.attempts, "was": render.status},
                organisation_id=render.montage.campaign.organisation_id,
                campaign_id=render.montage.campaign_id,
            )
            moved_ids.append(render.pk)
    if moved_ids:
        transaction.on_commit(lambda: _enqueue_renders(moved_ids))
    return len(moved_ids) + failed + plans_moved
