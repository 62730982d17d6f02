"""The shared HTTP and parsing helpers of the connectors."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import Message

import pytest

from crowdstudio.social.connectors import BadResponse, MastodonConnector, Unavailable
from crowdstudio.social.connectors._http import (
    Response,
    connector_safe_url,
    parse_time,
    retry_after_seconds,
)

from .fakes import FakeMastodon


def _response(**headers: str) -> Response:
    message = Message()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return Response(429, message, b"")


def test_times_in_every_documented_form_become_aware_utc():
    expected = datetime(2026, 11, 1, 10, 0, 30, tzinfo=UTC)
    assert parse_time("2026-11-01T10:00:30.000Z") == expected
    assert parse_time("2026-11-01T10:00:30+0000") == expected  # Instagram
    assert parse_time("2026-11-01T12:00:30+02:00") == expected
    for bad in ("", None, 5, "yesterday"):
        with pytest.raises(BadResponse):
            parse_time(bad)


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert retry_after_seconds(_response(Retry_After="42"), now=now) == 42
    dated = _response(Retry_After="Sun, 01 Nov 2026 10:02:00 GMT")
    assert retry_after_seconds(dated, now=now) == 120
    assert retry_after_seconds(_response(Retry_After="soon"), now=now) is None
    assert retry_after_seconds(_response(), now=now) is None


def test_an_answer_over_the_response_size_limit_is_a_bad_response():
    with FakeMastodon(posts=40) as fake:
        connector = MastodonConnector(instance=fake.base_url, max_response_bytes=2000)
        with pytest.raises(BadResponse, match="larger than 2000"):
            connector.fetch_hashtag("vaccinesvideo", "")


def test_a_server_that_is_down_is_unavailable():
    with FakeMastodon() as fake:
        address = fake.base_url
    with pytest.raises(Unavailable) as caught:
        MastodonConnector(instance=address, access_token="secret").fetch_hashtag("x", "")
    assert caught.value.retryable


def test_error_messages_leave_out_the_query_string():
    assert connector_safe_url("https://g.example/v1/x?access_token=abc") == "https://g.example/v1/x"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/photo.jpg",
        "http://localhost:8000/photo.jpg",
        "http://10.1.2.3/photo.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/photo.jpg",
    ],
)
def test_media_from_a_non_public_address_is_refused(monkeypatch, url):
    from crowdstudio.social.connectors import _http
    from crowdstudio.social.connectors.base import ConnectorError, Media

    monkeypatch.setattr(_http, "ALLOW_PRIVATE_ADDRESSES", False)
    with pytest.raises(ConnectorError, match="non-public"):
        _http.Transport().download(Media(url=url, kind="image"), max_bytes=1000)


def test_a_media_redirect_to_a_non_public_address_is_refused(monkeypatch):
    import urllib.request

    from crowdstudio.social.connectors import _http
    from crowdstudio.social.connectors.base import ConnectorError

    monkeypatch.setattr(_http, "ALLOW_PRIVATE_ADDRESSES", False)
    handler = _http._PublicRedirect()
    request = urllib.request.Request("https://example.org/a.jpg")
    with pytest.raises(ConnectorError, match="non-public"):
        handler.redirect_request(request, None, 302, "Found", {}, "http://127.0.0.1/secret")
