"""Production settings: strict environment parsing and a clean `check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


def run_crowdstudio(args: list[str], env: dict[str, str], tmp_path: Path):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    base.update({"CROWDSTUDIO_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "crowdstudio", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "studio.example.org",
        "FIELD_ENCRYPTION_KEYS": "dGhpcy1pcy1hLXRlc3Qta2V5LW9mLTMyLWJ5dGVzISE=",
    }


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_crowdstudio(
        ["check", "--deploy", "--fail-level", "WARNING"], production_env(), tmp_path
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret(tmp_path):
    env = production_env()
    del env["SECRET_KEY"]
    result = run_crowdstudio(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_field_encryption_key(tmp_path):
    env = production_env()
    del env["FIELD_ENCRYPTION_KEYS"]
    result = run_crowdstudio(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(60))
    env = production_env()
    del env["SECRET_KEY"]
    env["SECRET_KEY_FILE"] = str(secret_file)
    result = run_crowdstudio(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_bad_boolean_fails_loudly(tmp_path, value):
    result = run_crowdstudio(["check"], {"DEBUG": value}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_database_urls_are_parsed():
    from crowdstudio.settings import database_from_url

    pg = database_from_url("postgres://cs:p%40ss@db.internal:5433/crowd?sslmode=require")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "cs",
        "p@ss",
        "db.internal",
        "5433",
        "crowd",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert database_from_url("sqlite:////var/lib/cs/db.sqlite3")["NAME"] == "/var/lib/cs/db.sqlite3"
