"""Tests that only mean something on PostgreSQL (band indexes, row locks, SKIP LOCKED).

Run them with `scripts/with-postgres .venv/bin/python -m pytest -m postgres tests/postgres`,
which starts a throwaway cluster and exports DATABASE_URL. Anywhere else (the SQLite run of the
whole suite) every test in this folder is skipped with the reason, never failed.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent


def postgres_url_given() -> bool:
    return urlsplit(os.environ.get("DATABASE_URL", "")).scheme in {"postgres", "postgresql"}


SKIP_REASON = (
    "needs PostgreSQL: run `scripts/with-postgres .venv/bin/python -m pytest -m postgres "
    "tests/postgres` (DATABASE_URL is not a postgres:// URL here)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A conftest hook sees every collected item, so pick out this folder's own.
    mine = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    for item in mine:
        item.add_marker(pytest.mark.postgres)
        if not postgres_url_given():
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(autouse=True)
def _really_postgres() -> None:
    """Guard against a misconfigured run silently testing SQLite instead."""
    from django.db import connection

    assert connection.vendor == "postgresql", connection.vendor
