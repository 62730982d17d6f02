"""Fixtures of the social tests: an in-memory connector wired in place of the real clients."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.social.memory_connector import MemoryConnector

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fakes_on_loopback(monkeypatch):
    """The fake networks serve their media from 127.0.0.1, which production refuses."""
    from crowdstudio.social.connectors import _http

    monkeypatch.setattr(_http, "ALLOW_PRIVATE_ADDRESSES", True)


@pytest.fixture
def memory(monkeypatch) -> MemoryConnector:
    """One in-memory Mastodon connector, returned for every source."""
    from crowdstudio.social import clients

    connector = MemoryConnector("mastodon")
    monkeypatch.setattr(clients, "connector_for", lambda source: connector)
    return connector


@pytest.fixture
def rights_calls(monkeypatch) -> dict[str, list]:
    """Record what the poller hands to the rights app (whose services another helper writes)."""
    from crowdstudio.rights import services as rights

    calls: dict[str, list] = {"open": [], "consent": []}
    monkeypatch.setattr(
        rights, "rights_open_import", lambda *, entry, post: calls["open"].append((entry, post))
    )

    def consent(*, campaign, network, posts):
        calls["consent"].extend(posts)
        return 0

    monkeypatch.setattr(rights, "consent_replies_seen", consent)
    return calls


@pytest.fixture
def source(open_campaign, personas):
    from crowdstudio.social import services

    return services.source_connect(
        campaign=open_campaign,
        user=personas["owner"],
        network="mastodon",
        hashtag="#SummerNights",
        instance="https://example.social/",
        secret="mastodon-token-s3cret",
        now=NOW,
    )
