"""The real `crowdstudio worker` as its own OS process, against a file-based SQLite database.

Nothing here uses pytest-django's test database: every write happens in a subprocess
(`crowdstudio migrate`, `crowdstudio shell -c …`, `crowdstudio worker`) configured only through
the environment (CROWDSTUDIO_DATA_DIR, DATABASE_URL), exactly as an operator runs it. The test
process only reads the database file with the standard library's sqlite3 to watch progress.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

# The processes share two CPU cores with a parallel test run: allow for a slow machine.
DEADLINE_SECONDS = 25.0
POLL_SECONDS = 0.02
LEASE_SECONDS = 4  # longer than one intake of the big PNG, so a live job is never requeued


def _crowdstudio() -> list[str]:
    script = Path(sys.executable).with_name("crowdstudio")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crowdstudio"]


# Runs inside `crowdstudio shell -c`: an open campaign, an entrant, and one submitted entry whose
# intake task is queued (on_commit fires as the submission's transaction commits).
SEED = """
import json, os
from datetime import timedelta
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from crowdstudio.accounts.models import Membership, Organisation, Role, User
from crowdstudio.campaigns import services as campaigns
from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries.services import entry_submit

org = Organisation.objects.create(name="Worker Test Records", slug="worker-test")
owner = User.objects.create_user("alice", "alice@example.org", "correct horse battery")
Membership.objects.create(organisation=org, user=owner, role=Role.OWNER)
campaign = campaigns.campaign_create(organisation=org, user=owner, title="Night Shots",
                                     kind="music_video", accepted_kinds=["image"])
now = timezone.now()
campaigns.round_add(campaign=campaign, user=owner, title="Round 1",
                    opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
campaigns.terms_publish(campaign=campaign, user=owner, body="You grant us a licence.")
campaigns.campaign_transition(campaign=campaign, to_status="open", user=owner)
erin = User.objects.create_user("erin", "erin@example.org", "correct horse battery")
path = Path(os.environ["SEED_UPLOAD"])
entry = entry_submit(
    campaign=campaign, author=erin, title="From the roof", description="",
    files=[SimpleUploadedFile(path.name, path.read_bytes(), os.environ["SEED_UPLOAD_TYPE"])],
    terms_version_id=current_terms(campaign).id, accept_terms=True, applicant=Applicant(),
)
asset = entry.assets.get()
print("SEEDED " + json.dumps({"entry": entry.id, "asset": asset.id}))
"""


@dataclass
class Site:
    """One isolated installation: its data folder, database file and process environment."""

    data_dir: Path
    db_path: Path
    env: dict[str, str]
    logs: Path

    def run(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [*_crowdstudio(), *args],
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"crowdstudio {' '.join(args)} failed:\n{result.stderr}"
        return result.stdout

    def seed(self, upload: Path, content_type: str) -> tuple[int, int]:
        out = self.run(
            "shell",
            "-c",
            SEED,
            extra_env={"SEED_UPLOAD": str(upload), "SEED_UPLOAD_TYPE": content_type},
        )
        line = next(line for line in out.splitlines() if line.startswith("SEEDED "))
        ids = json.loads(line.removeprefix("SEEDED "))
        return ids["entry"], ids["asset"]

    def query(self, sql: str, *params: object) -> tuple[Any, ...]:
        # A fresh connection per read: always sees the worker's latest committed state (WAL).
        with sqlite3.connect(self.db_path, timeout=10) as con:
            row = con.execute(sql, params).fetchone()
        con.close()
        assert row is not None, f"no row for {sql} {params}"
        return tuple(row)

    def asset(self, asset_id: int) -> dict[str, Any]:
        status, attempts, error_code = self.query(
            "SELECT status, attempts, error_code FROM entries_asset WHERE id = ?", asset_id
        )
        return {"status": status, "attempts": attempts, "error_code": error_code}

    def entry_status(self, entry_id: int) -> str:
        return self.query("SELECT status FROM entries_entry WHERE id = ?", entry_id)[0]


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per module; each test starts from a copy of the migrated file."""
    folder = tmp_path_factory.mktemp("migrated")
    db_path = folder / "crowdstudio.sqlite3"
    env = _env(folder / "data", db_path)
    result = subprocess.run(
        [*_crowdstudio(), "migrate", "--no-input", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Fold the WAL back into the main file so a plain copy is complete.
    with sqlite3.connect(db_path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return db_path


def _env(data_dir: Path, db_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "DATABASE_", "CROWDSTUDIO_", "DJANGO_ALLOW"))
    }
    env.pop("TASKS_BACKEND", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "crowdstudio.settings",
            "CROWDSTUDIO_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{db_path.resolve()}",  # four slashes: an absolute path
            # Run as in production: with DEBUG on, db_worker would put the worker under Django's
            # autoreloader, i.e. in a child process that outlives a killed parent.
            "DEBUG": "false",
            "SECRET_KEY": "worker-process-test-only-" + "x" * 40,
            "FIELD_ENCRYPTION_KEYS": "d29ya2VyLXByb2Nlc3MtdGVzdC1vbmx5LWtleS0zMmI=",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def site(tmp_path: Path, migrated_db: Path) -> Site:
    db_path = tmp_path / "crowdstudio.sqlite3"
    shutil.copyfile(migrated_db, db_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    return Site(
        data_dir=tmp_path / "data", db_path=db_path, env=_env(tmp_path / "data", db_path), logs=logs
    )


@pytest.fixture
def start_worker(site: Site) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `crowdstudio worker` processes; any still running at the end are killed."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (site.logs / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [*_crowdstudio(), "worker", "--interval", "0.2", *args],
            env={**site.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown can kill all of it
        )
        log.close()  # the child holds its own descriptor
        started.append(process)
        return process

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _worker_logs(site: Site) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
        for p in sorted(site.logs.glob("*.log"))
    )


def wait_until(site: Site, what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{_worker_logs(site)}")
        time.sleep(POLL_SECONDS)


def _jpeg(path: Path) -> Path:
    img = Image.new("RGB", (640, 480), (20, 30, 60))
    draw = ImageDraw.Draw(img)
    draw.ellipse((200, 120, 440, 360), fill=(250, 200, 80))
    draw.rectangle((0, 400, 640, 480), fill=(10, 60, 20))
    img.save(path, "JPEG", quality=90)
    return path


def _big_png(path: Path) -> Path:
    """20 megapixels of gradients: small on disk (<1 MB) but about a second of decoding."""
    size = (5000, 4000)
    red = Image.linear_gradient("L").rotate(90).resize(size)
    green = Image.linear_gradient("L").resize(size)
    blue = Image.radial_gradient("L").resize(size)
    buffer = io.BytesIO()
    Image.merge("RGB", (red, green, blue)).save(buffer, "PNG", compress_level=1)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_worker_process_takes_a_queued_entry_to_the_moderation_queue(
    site: Site, start_worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    entry_id, asset_id = site.seed(_jpeg(tmp_path / "roof.jpg"), "image/jpeg")
    assert site.entry_status(entry_id) == "received"
    (queued,) = site.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
    )
    assert queued == 1

    worker = start_worker()
    wait_until(
        site,
        "the entry to await moderation",
        lambda: site.entry_status(entry_id) == "awaiting_moderation",
    )
    assert site.asset(asset_id) == {"status": "ready", "attempts": 1, "error_code": ""}
    (renditions,) = site.query(
        "SELECT count(*) FROM entries_rendition WHERE asset_id = ?", asset_id
    )
    assert renditions >= 2  # web and thumb, at least
    (web_file,) = site.query(
        "SELECT file FROM entries_rendition WHERE asset_id = ? AND role = 'web'", asset_id
    )
    assert (site.data_dir / "media" / str(web_file)).is_file()

    # SIGTERM between tasks is a clean shutdown, as under systemd or Docker.
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0, _worker_logs(site)


def test_a_job_of_a_killed_worker_is_requeued_and_finished_by_the_next_worker(
    site: Site, start_worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    upload = _big_png(tmp_path / "panorama.png")
    uploaded_sha256 = hashlib.sha256(upload.read_bytes()).hexdigest()
    entry_id, asset_id = site.seed(upload, "image/png")
    fast = {"CROWDSTUDIO_INTAKE_LEASE_SECONDS": str(LEASE_SECONDS)}

    first = start_worker("--sweep-interval", "0.5", extra_env=fast)
    wait_until(
        site,
        "the first worker to start the job",
        lambda: site.asset(asset_id)["status"] == "processing",
    )
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as when its machine dies
    assert first.wait(timeout=10) == -signal.SIGKILL
    # What the dead worker left: the job claimed once, unfinished, its lease still running.
    assert site.asset(asset_id) == {"status": "processing", "attempts": 1, "error_code": ""}
    assert site.entry_status(entry_id) in {"received", "processing"}  # killed just after the claim?

    start_worker("--sweep-interval", "0.5", extra_env=fast)
    wait_until(
        site,
        "the entry to await moderation after the requeue",
        lambda: site.entry_status(entry_id) == "awaiting_moderation",
    )
    assert site.asset(asset_id) == {"status": "ready", "attempts": 2, "error_code": ""}
    (requeued,) = site.query(
        "SELECT count(*) FROM audit_auditevent WHERE action = 'entry.asset_requeued'"
    )
    assert requeued == 1

    sha256, storage_name = site.query(
        "SELECT o.sha256, o.storage_name FROM entries_originalfile o "
        "JOIN entries_asset a ON a.original_id = o.id WHERE a.id = ?",
        asset_id,
    )
    assert sha256 == uploaded_sha256
    original = site.data_dir / "originals" / str(storage_name)
    assert hashlib.sha256(original.read_bytes()).hexdigest() == uploaded_sha256
