"""The intake path on a real PostgreSQL: what SQLite cannot show.

Every test here is transactional. The real worker calls `close_old_connections()` between tasks,
which on PostgreSQL drops a connection that is still inside pytest-django's per-test transaction;
committing for real is also what lets other threads (workers, moderators) see the rows.
"""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from PIL import Image

from crowdstudio.audit.models import AuditEvent
from crowdstudio.campaigns.models import Campaign
from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries import neardup, services
from crowdstudio.entries.models import (
    Asset,
    AssetStatus,
    Entry,
    EntryStatus,
    NearDuplicate,
    OriginalFile,
    PerceptualHash,
)
from tests.entries.samples import jpeg_bytes, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: Enough rows that a scan of the campaign costs more than the band index probes.
FILLER_HASHES = 20_000


def submit(campaign: Campaign, author: Any, data: bytes, name: str = "photo.jpg") -> Entry:
    return services.entry_submit(
        campaign=campaign,
        author=author,
        title=f"Entry {name}",
        description="",
        files=[upload(name, data)],
        terms_version_id=current_terms(campaign).id,
        accept_terms=True,
        applicant=Applicant(),
    )


def look_alike(data: bytes) -> bytes:
    """The same photo resized, brightened and recompressed: other bytes, nearly the same hash."""
    img = Image.open(io.BytesIO(data))
    img = img.resize((img.width * 25 // 32, img.height * 25 // 32))
    out = io.BytesIO()
    img.point(lambda v: min(255, v + 6)).save(out, "JPEG", quality=70)
    return out.getvalue()


def add_filler_hashes(campaign: Campaign, author: Any, count: int) -> None:
    """Real assets of an older entry, each with a random perceptual hash.

    Real rows rather than hashes inserted with `session_replication_role = replica`: no
    foreign key is bypassed and no superuser is needed, so the planner sees exactly the join
    the lookup makes in production. Every filler asset shares one original (allowed: the same
    bytes may be attached to several assets), which keeps the insert to two bulk statements.
    """
    now = timezone.now()
    entry = Entry.objects.create(
        campaign=campaign,
        round=campaign.round_open_at(now),
        author=author,
        title="Archive",
        status=EntryStatus.APPROVED,
        terms_version=current_terms(campaign),
        terms_accepted_at=now,
        created_at=now - timedelta(days=1),
    )
    original = OriginalFile.objects.create(
        sha256="f" * 64, size=1, storage_name="ff/ff/" + "f" * 64
    )
    assets = Asset.objects.bulk_create(
        [
            Asset(
                entry=entry,
                position=i,
                original=original,
                original_name=f"archive-{i}.jpg",
                uploaded_by=author,
                uploaded_at=now,
                status=AssetStatus.READY,
                kind="image",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    rng = random.Random(20240611)
    rows = []
    for asset in assets:
        value = rng.getrandbits(64)
        b0, b1, b2, b3 = neardup.bands(value)
        rows.append(
            PerceptualHash(
                asset=asset,
                campaign=campaign,
                value=neardup.to_signed64(value),
                band0=b0,
                band1=b1,
                band2=b2,
                band3=b3,
            )
        )
    PerceptualHash.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE entries_asset")
        cursor.execute("ANALYZE entries_perceptualhash")


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_intake_publishes_flags_look_alikes_through_the_band_indexes_and_refuses_copies(
    open_campaign: Campaign,
    personas: dict[str, Any],
    django_user_model: Any,
    run_worker: Callable[[], None],
) -> None:
    original_bytes = jpeg_bytes(7, (640, 480))
    first = submit(open_campaign, personas["entrant"], original_bytes, "first.jpg")
    run_worker()
    first.refresh_from_db()
    assert first.status == EntryStatus.AWAITING_MODERATION
    first_asset = first.assets.get()
    assert first_asset.status == AssetStatus.READY
    renditions = {r.role: r for r in first_asset.renditions.all()}
    assert {"web", "thumb"} <= set(renditions)
    for rendition in renditions.values():
        assert storages["default"].exists(rendition.file.name)
        assert rendition.file.name.startswith("r/")

    archivist = django_user_model.objects.create_user(
        "archie", "archie@example.org", "pw-12345678x"
    )
    add_filler_hashes(open_campaign, archivist, FILLER_HASHES)

    frank = django_user_model.objects.create_user("frank", "frank@example.org", "pw-12345678x")
    second = submit(open_campaign, frank, look_alike(original_bytes), "second.jpg")
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    second.refresh_from_db()
    second_asset = second.assets.get()
    assert second.status == EntryStatus.AWAITING_MODERATION  # flagged for the moderator only
    assert NearDuplicate.objects.filter(asset=second_asset, other=first_asset).exists()
    assert NearDuplicate.objects.filter(asset=first_asset, other=second_asset).exists()
    assert NearDuplicate.objects.count() == 2  # none of the 20,000 random hashes is close

    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "entries_perceptualhash"' in q["sql"] and '"band0" IN' in q["sql"]
    ]
    assert len(lookups) == 1, lookups
    plan = explain(lookups[0])
    for band in range(neardup.BANDS):
        assert f"Bitmap Index Scan on phash_band{band}" in plan, plan
    assert "BitmapOr" in plan, plan
    assert "Seq Scan on entries_perceptualhash" not in plan, plan

    gina = django_user_model.objects.create_user("gina", "gina@example.org", "pw-12345678x")
    copy = submit(open_campaign, gina, original_bytes, "copy.jpg")
    run_worker()
    copy.refresh_from_db()
    copy_asset = copy.assets.get()
    assert copy.status == EntryStatus.FAILED
    assert (copy_asset.status, copy_asset.error_code) == (AssetStatus.FAILED, "duplicate")
    assert copy_asset.duplicate_of_id == first_asset.id
    assert copy_asset.original_id == first_asset.original_id  # the bytes are stored once
    assert not copy_asset.renditions.exists()


def _in_threads(count: int, target: Callable[[int], None]) -> None:
    """Run target(i) in `count` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(i)
        except BaseException as error:  # handed to the test thread
            errors.append(error)
        finally:
            connection.close()  # each thread's own connection; the test DB must be droppable

    threads = [threading.Thread(target=run, args=(i,), name=f"t{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), f"{thread.name} is stuck"
    if errors:
        raise errors[0]


def test_two_moderators_approving_at_once_log_one_approval(
    open_campaign: Campaign,
    personas: dict[str, Any],
    run_worker: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = submit(open_campaign, personas["entrant"], jpeg_bytes(21))
    run_worker()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_MODERATION
    moderator = personas["moderator"]

    # Hold the winner's transaction open after its UPDATE so the other moderator's UPDATE
    # really waits on the row lock instead of arriving after the commit.
    real_log_action = services.log_action

    def slow_log_action(obj: Any, action: str, **kwargs: Any) -> Any:
        if action == "entry.approved":
            time.sleep(0.4)  # inside the winner's transaction, after its UPDATE took the lock
        return real_log_action(obj, action, **kwargs)

    monkeypatch.setattr(services, "log_action", slow_log_action)
    results: dict[int, str] = {}

    def approve(i: int) -> None:
        mine = Entry.objects.select_related("campaign").get(pk=entry.pk)
        results[i] = services.entry_moderate(
            entry=mine, user=moderator, decision=EntryStatus.APPROVED
        ).status

    _in_threads(2, approve)

    assert results == {0: EntryStatus.APPROVED, 1: EntryStatus.APPROVED}
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED
    approvals = AuditEvent.objects.filter(action="entry.approved", object_id=str(entry.pk))
    assert approvals.count() == 1
    emails = DBTaskResult.objects.filter(task_path__endswith="send_decision_email")
    assert emails.count() == 1  # the entrant hears about it once


def test_two_worker_threads_claim_each_queued_intake_exactly_once(
    open_campaign: Campaign,
    personas: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = [
        submit(open_campaign, personas["entrant"], jpeg_bytes(100 + i), f"p{i}.jpg")
        for i in range(10)
    ]
    intake_tasks = DBTaskResult.objects.filter(task_path__endswith="intake_asset")
    assert intake_tasks.count() == 10
    # Python only lets the main thread install signal handlers; everything else is the real
    # `crowdstudio worker --batch`.
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)
    sql_by_worker: dict[int, list[str]] = {}

    def work(i: int) -> None:
        with CaptureQueriesContext(connection) as queries:
            call_command("worker", batch=True)
        sql_by_worker[i] = [q["sql"] for q in queries.captured_queries]

    _in_threads(2, work)

    for sql in sql_by_worker.values():
        assert any("FOR UPDATE SKIP LOCKED" in statement for statement in sql)
    assets = Asset.objects.filter(entry__in=entries)
    assert sorted(assets.values_list("status", "attempts")) == [(AssetStatus.READY, 1)] * 10
    assert set(intake_tasks.values_list("status", flat=True)) == {"SUCCESSFUL"}
    claimed_by = [task.worker_ids for task in intake_tasks]
    assert all(len(ids) == 1 for ids in claimed_by), claimed_by  # nobody ran a task twice
    assert len({ids[0] for ids in claimed_by}) <= 2
    assert (
        Entry.objects.filter(
            pk__in=[e.pk for e in entries], status=EntryStatus.AWAITING_MODERATION
        ).count()
        == 10
    )
