"""`make bench-ingest`: import 100k synthetic hashtag posts from a local fake Mastodon instance.

1. Starts the connectors' fake Mastodon server (tests/social/fakes) in its own process, with
   `--posts` generated posts carrying the hashtag, each with one small JPEG (the fake's
   generated posts come from 997 different accounts).
2. In this process, against a throwaway SQLite database (WAL) in a temporary folder: one open
   campaign with a Mastodon hashtag source pointed at the fake, then `source_poll` is called
   until the source has caught up. That is the whole production path: the real
   MastodonConnector over HTTP on loopback (Link-header paging, 40 posts a page), one media
   download per post within the campaign's size limit, content-addressed storage of the bytes,
   and per post the ImportedPost row, the author's identity (and placeholder user, once per
   account), the Entry and its Asset, the audit event, the rights app's `rights_open_import`,
   and the intake task queued in the database after each page's commit.
3. The intake itself (decoding, renditions) is NOT run: the queued intake tasks are counted
   instead (docs/benchmarks.md "Intake" measures that part).

Prints posts per second (wall time of the polls, fake server in another process), the peak
resident memory of this process (resource.getrusage) and, with `--tracemalloc`, the peak of
Python allocations (slower: tracemalloc hooks every allocation).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

TAG = "vaccinesvideo"

FAKE_SERVER = """
import sys
from datetime import UTC, datetime
from tests.social.fakes import FakeMastodon
fake = FakeMastodon(tag=sys.argv[1], posts=int(sys.argv[2]), record_limit=10,
                    start=datetime(2026, 11, 1, tzinfo=UTC))
fake.start()
print(fake.base_url, fake.token, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
fake.stop()
"""


def setup_django(data_dir: Path) -> None:
    os.environ["CROWDSTUDIO_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdstudio.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from crowdstudio.social.connectors import _http

    _http.ALLOW_PRIVATE_ADDRESSES = True  # the fake network serves its media from 127.0.0.1
    call_command("migrate", verbosity=0)
    # One poll walks the whole backlog: 100k posts are 2,500 pages of 40.
    settings.CROWDSTUDIO_SOCIAL_BACKFILL_PAGES = 1_000_000
    settings.CROWDSTUDIO_SOCIAL_MAX_PAGES_PER_POLL = 250


def make_source(base_url: str, token: str):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from crowdstudio.accounts.models import Organisation, User
    from crowdstudio.campaigns import services as campaigns
    from crowdstudio.social import services

    org = Organisation.objects.create(name="Bench", slug="bench")
    owner = User.objects.create_user("bench-owner")
    campaign = campaigns.campaign_create(
        organisation=org,
        user=owner,
        title="Bench",
        kind="photo_video",
        accepted_kinds=["image"],
        hashtags=f"#{TAG}",
    )
    now = timezone.now()
    campaigns.round_add(
        campaign=campaign,
        user=owner,
        title="R",
        opens_at=now - timedelta(days=60),
        closes_at=now + timedelta(days=60),
    )
    campaigns.terms_publish(campaign=campaign, user=owner, body="Terms")
    campaigns.campaign_transition(campaign=campaign, to_status="open", user=owner)
    return services.source_connect(
        campaign=campaign,
        user=owner,
        network="mastodon",
        hashtag=TAG,
        instance=base_url,
        secret=token,
    )


def run(n_posts: int, use_tracemalloc: bool) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from crowdstudio.entries.models import Entry
    from crowdstudio.social import services
    from crowdstudio.social.models import HashtagSource, ImportedPost

    server = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER, TAG, str(n_posts)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url, token = server.stdout.readline().split()
        source = make_source(base_url, token)
        if use_tracemalloc:
            tracemalloc.start()
        polls = pages = 0
        start = time.perf_counter()
        last_report = start
        while True:
            now = timezone.now()
            result = services.source_poll(source=source, now=now)
            polls += 1
            pages += result.pages
            if result.outcome != "ok":
                source.refresh_from_db()
                raise SystemExit(f"poll {polls} failed: {result.outcome}: {source.last_error}")
            source.refresh_from_db()
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                done = ImportedPost.objects.count()
                print(f"  … {done} posts after {last_report - start:.0f} s", flush=True)
            if source.next_poll_at and source.next_poll_at > now:
                break  # caught up: the next poll is a regular interval away
        elapsed = time.perf_counter() - start
        traced_peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
        if use_tracemalloc:
            tracemalloc.stop()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)

    imported = ImportedPost.objects.count()
    entries = Entry.objects.count()
    queued = DBTaskResult.objects.filter(
        task_path="crowdstudio.entries.tasks.intake_asset", status="READY"
    ).count()
    source = HashtagSource.objects.get(pk=source.pk)
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    cores = os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"posts on the fake: {n_posts}; polls: {polls}; pages: {pages}")
    print(f"imported posts: {imported}; entries: {entries}; skipped: {source.posts_skipped}")
    print(f"intake tasks queued (not run): {queued}")
    print(f"time: {elapsed:.1f} s; {imported / elapsed:.0f} posts/s")
    print(f"peak RSS of the importer process: {rss_kib / 1024:.0f} MiB")
    if traced_peak is not None:
        print(f"peak Python allocations (tracemalloc): {traced_peak / 1024 / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        setup_django(Path(tmp))
        run(args.posts, args.tracemalloc)


if __name__ == "__main__":
    main()
