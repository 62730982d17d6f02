"""`make bench-votes`: the vote endpoint of a running server, driven from a second process.

1. Prepares a throwaway database in a temporary folder (SQLite in WAL mode by default, or the
   database in DATABASE_URL, which must be empty): a campaign whose round has up-voting,
   `--entries` entries and `--voters` voters, and bulk-inserts `--votes` vote events with their
   ballots, voter rows and tallies (default 1M, all in the same round).
2. Times the leaderboard read with that many votes in the round (first page, 50 rows, and the
   audience scores of every entry that the results use).
3. Starts the server in its own process (Django's threaded `runserver --noreload`: there is no
   other WSGI server in the virtualenv) with benchmarks/bench_votes_settings.py, which adds a
   plain `/bench/hello/` view beside the product's URLs and lifts the rate limits.
4. A second process (this script with `--client`) keeps `--connections` concurrent clients
   busy for `--duration` seconds: first GET /bench/hello/, then
   POST /api/rounds/{id}/votes, each vote by one of 200 token-holding voters for an entry they
   have not voted for yet (so every request records a new vote: 201).

Prints the figures side by side. Server and client share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
LOAD_VOTERS = 200


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CROWDSTUDIO_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench_votes_settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE)]),
            "DEBUG": "1",  # the settings module then turns DEBUG off itself
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src"), str(HERE)]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def prepare(n_votes: int, n_entries: int, n_voters: int) -> dict[str, Any]:
    """The campaign, entries, voters and `n_votes` bulk-inserted votes; returns ids and tokens."""
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from crowdstudio.accounts.models import Membership, Organisation, Role
    from crowdstudio.accounts.services import api_token_create
    from crowdstudio.campaigns import services as campaigns
    from crowdstudio.campaigns.services import current_terms
    from crowdstudio.entries.models import Entry, EntryStatus
    from crowdstudio.voting.models import Ballot, RoundVoter, Tally, Vote

    User = get_user_model()
    now = timezone.now()
    org = Organisation.objects.create(name="Bench Records", slug="bench")
    owner = User.objects.create_user(username="owner", password=None)
    Membership.objects.create(organisation=org, user=owner, role=Role.OWNER)
    campaign = campaigns.campaign_create(
        organisation=org, user=owner, title="Bench", kind="photo_video", accepted_kinds=["image"]
    )
    rnd = campaigns.round_add(
        campaign=campaign,
        user=owner,
        title="Round 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    campaigns.terms_publish(campaign=campaign, user=owner, body="Terms.")
    campaigns.campaign_transition(campaign=campaign, to_status="open", user=owner)
    rnd.refresh_from_db()
    rnd.voting_scheme = "upvote"
    rnd.save()
    terms = current_terms(campaign)
    joined = now - timedelta(days=60)

    User.objects.bulk_create(
        [
            User(username=f"v{i}", password="!", date_joined=joined)  # noqa: S106 - unusable
            for i in range(n_voters + n_entries + LOAD_VOTERS)
        ],
        batch_size=5000,
    )
    user_ids = list(User.objects.exclude(pk=owner.pk).order_by("pk").values_list("pk", flat=True))
    voters = user_ids[:n_voters]
    authors = user_ids[n_voters : n_voters + n_entries]
    load_voters = user_ids[n_voters + n_entries :]
    Entry.objects.bulk_create(
        [
            Entry(
                campaign=campaign,
                round=rnd,
                author_id=author,
                title=f"Entry {i}",
                status=EntryStatus.APPROVED,
                terms_version=terms,
                terms_accepted_at=now,
                created_at=now,
                moderated_at=now,
            )
            for i, author in enumerate(authors)
        ],
        batch_size=5000,
    )
    entry_ids = list(Entry.objects.filter(round=rnd).order_by("pk").values_list("pk", flat=True))

    per_voter = -(-n_votes // n_voters)
    if per_voter > n_entries:
        raise SystemExit("more votes than voters × entries: raise --voters or --entries")
    counts = [0] * n_entries
    start = time.perf_counter()
    # Table names come from the models, never from input.
    ballot_sql = (
        f"INSERT INTO {Ballot._meta.db_table} (id, round_id, voter_id, entry_id, value, "  # noqa: S608
        "created_at, updated_at, discount_reason) VALUES (%s, %s, %s, %s, 1, %s, %s, '')"
    )
    vote_sql = (
        f"INSERT INTO {Vote._meta.db_table} (id, round_id, entry_id, voter_id, ballot_id, kind, "  # noqa: S608
        "value, previous, created_at, network_hash, device_hash) "
        "VALUES (%s, %s, %s, %s, %s, 'cast', 1, 0, %s, %s, %s)"
    )
    chunk: list[tuple[int, int, int]] = []
    made = 0

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(ballot_sql, [(b, rnd.pk, v, e, now, now) for b, v, e in chunk])
            cursor.executemany(
                vote_sql,
                [(b, rnd.pk, e, v, b, now, f"net{v % 5000:05d}", "dev") for b, v, e in chunk],
            )
        chunk.clear()

    with transaction.atomic():
        for v_index, voter in enumerate(voters):
            for k in range(per_voter):
                if made == n_votes:
                    break
                # Distinct entries per voter: 13 is coprime with any entry count not divisible
                # by 13, so k ↦ (7v + 13k) mod n visits distinct entries.
                e_index = (7 * v_index + 13 * k) % n_entries
                made += 1
                counts[e_index] += 1
                chunk.append((made, voter, entry_ids[e_index]))
                if len(chunk) >= 20000:
                    flush()
        if chunk:
            flush()
        RoundVoter.objects.bulk_create(
            [
                RoundVoter(
                    round=rnd,
                    voter_id=voter,
                    used=min(per_voter, max(0, n_votes - i * per_voter)),
                    counted=min(per_voter, max(0, n_votes - i * per_voter)),
                    first_vote_at=now,
                )
                for i, voter in enumerate(voters)
                if n_votes - i * per_voter > 0
            ],
            batch_size=5000,
        )
        Tally.objects.bulk_create(
            [
                Tally(
                    round=rnd,
                    entry_id=entry_ids[i],
                    raw_count=c,
                    raw_sum=c,
                    counted_count=c,
                    counted_sum=c,
                    score=float(c),
                    updated_at=now,
                )
                for i, c in enumerate(counts)
                if c
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ballot, Vote]):
            cursor.execute(sql)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    insert_seconds = time.perf_counter() - start
    tokens = [api_token_create(user=User(pk=pk), name="bench")[1] for pk in load_voters]
    return {
        "round_id": rnd.pk,
        "entry_ids": entry_ids,
        "tokens": tokens,
        "insert_seconds": insert_seconds,
        "votes": made,
        "vendor": connection.vendor,
    }


def time_leaderboard(round_id: int) -> tuple[float, float]:
    """Median milliseconds of the leaderboard's first page and of all audience scores."""
    from crowdstudio.campaigns.models import Round
    from crowdstudio.voting import selectors

    rnd = Round.objects.select_related("campaign").get(pk=round_id)

    def page() -> None:
        rows = list(selectors.leaderboard(rnd)[:50])
        selectors.leaderboard_rows(rnd, rows)

    def scores() -> None:
        selectors.audience_scores(rnd)

    result = []
    for fn in (page, scores):
        fn()  # warm the caches
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        result.append(statistics.median(times))
    return result[0], result[1]


# --- the load client (a separate process) ----------------------------------------------------


def client_main(spec: dict[str, Any]) -> None:
    port, duration, connections = spec["port"], spec["duration"], spec["connections"]
    results: dict[str, Any] = {}
    for phase in ("hello", "vote"):
        deadline = time.perf_counter() + duration
        latencies: list[list[float]] = [[] for _ in range(connections)]
        statuses: list[dict[int, int]] = [{} for _ in range(connections)]

        def work(
            n: int,
            phase: str = phase,
            deadline: float = deadline,
            latencies: list[list[float]] = latencies,
            statuses: list[dict[int, int]] = statuses,
        ) -> None:
            tokens = spec["tokens"][n::connections]
            entries = spec["entry_ids"]
            step = 0
            while time.perf_counter() < deadline:
                if phase == "hello":
                    method, path, body, headers = "GET", "/bench/hello/", None, {}
                else:
                    token = tokens[step % len(tokens)]
                    entry = entries[(step // len(tokens)) % len(entries)]
                    method, path = "POST", f"/api/rounds/{spec['round_id']}/votes"
                    body = json.dumps({"entry_id": entry})
                    headers = {
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    }
                step += 1
                # One connection per request: Python's http.server writes the headers and the
                # body separately, and with keep-alive Nagle's algorithm against the client's
                # delayed ACK adds ~40 ms to every response on Linux loopback.
                headers["Connection"] = "close"
                t0 = time.perf_counter()
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except OSError:
                    status = 0
                finally:
                    conn.close()
                latencies[n].append(time.perf_counter() - t0)
                statuses[n][status] = statuses[n].get(status, 0) + 1

        threads = [threading.Thread(target=work, args=(n,)) for n in range(connections)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        all_latencies = sorted(x for per in latencies for x in per)
        merged: dict[int, int] = {}
        for per in statuses:
            for status, count in per.items():
                merged[status] = merged.get(status, 0) + count
        ok = sum(c for s, c in merged.items() if 200 <= s < 300)
        results[phase] = {
            "per_second": ok / elapsed,
            "p50_ms": _percentile(all_latencies, 0.50) * 1000,
            "p99_ms": _percentile(all_latencies, 0.99) * 1000,
            "statuses": {str(k): v for k, v in sorted(merged.items())},
        }
    print(json.dumps(results))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


# --- orchestration ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server process exited during start-up")
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/hello/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(json.loads(Path(args.client).read_text()))
        return

    with tempfile.TemporaryDirectory(prefix="bench-votes-") as tmp:
        data_dir = Path(tmp)
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'bench.sqlite3'}"
        env = _env(data_dir, database_url)
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
        setup_django(env)
        print(
            f"Preparing {args.votes:,} votes ({args.entries:,} entries, {args.voters:,} voters)…",
            flush=True,
        )
        world = prepare(args.votes, args.entries, args.voters)
        page_ms, scores_ms = time_leaderboard(world["round_id"])
        from django.db import connections

        connections.close_all()

        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=str(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=(data_dir / "server.log").open("wb"),
        )
        try:
            _wait_for(port, server)
            spec_path = data_dir / "client.json"
            spec_path.write_text(
                json.dumps(
                    {
                        "port": port,
                        "duration": args.duration,
                        "connections": args.connections,
                        "round_id": world["round_id"],
                        "entry_ids": world["entry_ids"],
                        "tokens": world["tokens"],
                    }
                )
            )
            client = subprocess.run(
                [sys.executable, __file__, "--client", str(spec_path)],
                capture_output=True,
                text=True,
                check=True,
            )
            load = json.loads(client.stdout.strip().splitlines()[-1])
            print(json.dumps(load), flush=True)
            http_leaderboard = _time_http(port, f"/api/rounds/{world['round_id']}/leaderboard")
        finally:
            server.terminate()
            server.wait(timeout=30)
            log = (data_dir / "server.log").read_text(errors="replace")
            if "Traceback" in log:
                print("server errors (last 3000 characters):\n" + log[-3000:])

    hello, vote = load["hello"], load["vote"]
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"database: {world['vendor']}; server: django runserver --noreload (threaded WSGI)")
    seconds = world["insert_seconds"]
    print(f"bulk insert: {world['votes']:,} votes + ballots + tallies in {seconds:.1f} s")
    print(f"load: {args.connections} concurrent clients × {args.duration:.0f} s per phase\n")
    print(f"{'':28}{'hello view':>14}{'POST vote':>14}")
    print(f"{'requests/s (2xx)':28}{hello['per_second']:>14.0f}{vote['per_second']:>14.0f}")
    print(f"{'p50 latency (ms)':28}{hello['p50_ms']:>14.1f}{vote['p50_ms']:>14.1f}")
    print(f"{'p99 latency (ms)':28}{hello['p99_ms']:>14.1f}{vote['p99_ms']:>14.1f}")
    print(f"{'statuses':28}{json.dumps(hello['statuses']):>14}{json.dumps(vote['statuses']):>14}")
    print(f"\nleaderboard with {world['votes']:,} votes in the round:")
    print(f"  first page (50 rows) query:  {page_ms:.2f} ms")
    print(f"  audience scores, all entries: {scores_ms:.2f} ms")
    print(f"  GET /api/rounds/…/leaderboard over HTTP: {http_leaderboard:.1f} ms (median)")


def _time_http(port: int, path: str) -> float:
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        conn.close()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status == 200, response.status
    return statistics.median(times)


if __name__ == "__main__":
    main()
