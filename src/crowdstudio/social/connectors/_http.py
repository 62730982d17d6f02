"""Plain HTTP for the connectors: urllib with timeouts, size limits and typed errors.

No third-party HTTP library: every call goes through `Transport.call`, which never follows a
redirect for API calls (so a bearer token is never replayed to another host), caps the body it
reads, and turns network failures into `Unavailable`. JSON is parsed by `parse_json`, which
raises `BadResponse` for anything that is not a JSON document.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from .base import BadResponse, ConnectorError, Media, Unavailable

USER_AGENT = "crowdstudio-connector/1 (+https://github.com/crowdstudio)"
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        return str(self.headers.get(name, "") or "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


#: Media addresses come from remote content, so a download refuses hosts that resolve to
#: loopback, private, link-local or otherwise non-public addresses (no requests into our own
#: network). Tests and benchmarks that serve fakes on 127.0.0.1 switch it on.
ALLOW_PRIVATE_ADDRESSES = False


def check_public_address(url: str) -> None:
    """Refuse an address whose host resolves to a non-public IP (unless allowed above).

    The host is resolved again when connecting, so a DNS answer that changes in between is not
    caught; an egress firewall is the complete answer, this is the cheap first line.
    """
    if ALLOW_PRIVATE_ADDRESSES:
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise Unavailable(f"cannot resolve {host!r}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise ConnectorError(f"refusing media from a non-public address ({host})")


class _PublicRedirect(urllib.request.HTTPRedirectHandler):
    """Follow a media redirect only to another public http(s) address."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        _check_scheme(newurl)
        check_public_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_api_opener = urllib.request.build_opener(_NoRedirect)
_download_opener = urllib.request.build_opener(_PublicRedirect)


def _read_capped(stream: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ConnectorError(f"response larger than {limit} bytes")


class Transport:
    """One network's HTTP access: base URL, timeout and response size limit."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes

    def call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int | list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        """Send one request; any HTTP status comes back as a Response (the caller maps it)."""
        if params:
            query = urllib.parse.urlencode(
                {k: v for k, v in params.items() if v not in ("", None)}, doseq=True
            )
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        _check_scheme(url)
        data = None
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with _api_opener.open(request, timeout=self.timeout) as answer:
                body = _read_capped(answer, self.max_response_bytes)
                return Response(answer.status, answer.headers, body)
        except urllib.error.HTTPError as error:
            try:
                body = _read_capped(error, self.max_response_bytes)
            except (ConnectorError, OSError):
                body = b""
            return Response(error.code, error.headers, body)
        except ConnectorError as error:
            raise BadResponse(error.message) from error
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            raise Unavailable(f"{method} {connector_safe_url(url)} failed: {error}") from error

    def download(self, media: Media, *, max_bytes: int) -> bytes:
        """Fetch a media file (no credentials sent; redirects followed to public hosts only) up to
        `max_bytes`."""
        _check_scheme(media.url)
        check_public_address(media.url)
        request = urllib.request.Request(media.url, headers={"User-Agent": USER_AGENT})  # noqa: S310
        try:
            with _download_opener.open(request, timeout=self.timeout) as answer:
                declared = answer.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise ConnectorError(
                        f"media is {int(declared)} bytes, more than the limit of {max_bytes}"
                    )
                return _read_capped(answer, max_bytes)
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise Unavailable(f"media download answered {error.code}") from error
            raise ConnectorError(f"media download answered {error.code}") from error
        except ConnectorError:
            raise
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            raise Unavailable(f"media download failed: {error}") from error


def _check_scheme(url: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise BadResponse(f"refusing a non-HTTP address: {connector_safe_url(url)}")


def connector_safe_url(url: str) -> str:
    """The address without its query (which may carry an access token)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def parse_json(response: Response) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadResponse(f"malformed JSON (HTTP {response.status})") from error


def retry_after_seconds(response: Response, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date); None when absent or unreadable."""
    value = response.header("Retry-After").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time (also Instagram's "+0000" form) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise BadResponse(f"expected a timestamp, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadResponse(f"unreadable timestamp {value!r}") from error
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def format_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# Shape checks: every field read from a remote answer goes through one of these.


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadResponse(f"{what}: expected an object")
    return value


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else an empty one (for optional nested fields)."""
    return value if isinstance(value, dict) else {}


def arr(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadResponse(f"{what}: expected a list")
    return value


def text(value: Any, what: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or (required and not value):
        raise BadResponse(f"{what}: expected a string")
    return value


def opt_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    return text(value, what)


def opt_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


_SOURCE_BREAKS = re.compile(r"[\t\r\n\f]+")


class _TextExtractor(HTMLParser):
    """Collects text only; block elements and <br> become line breaks, scripts are dropped."""

    _BLOCK = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "ul", "ol"})
    _SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Line breaks in HTML source are spaces; only <br> and blocks break lines.
            self.parts.append(_SOURCE_BREAKS.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text from a post's HTML: no tags survive, entities decoded, paragraphs kept."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts).replace("\r", "").replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def media_kind(value: str) -> str:
    value = value.lower()
    if value in ("image", "gifv", "photo", "carousel_album"):
        return "image" if value != "gifv" else "video"
    if value in ("video", "reels"):
        return "video"
    if value == "audio":
        return "audio"
    return "other"


def load_cursor(cursor: str) -> dict[str, Any]:
    """A cursor this package wrote (compact JSON); an unreadable one starts over."""
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dump_cursor(state: Mapping[str, Any]) -> str:
    return json.dumps(dict(state), separators=(",", ":"), sort_keys=True)


def same_origin(url: str, base: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


class SeenWindow:
    """Resume point for networks that page only backwards (Bluesky search, Instagram).

    `top` is the newest time seen in completed sweeps; the next sweep asks again from
    `top - overlap` (clocks and indexing lag differ) and drops the ids it already saw inside
    that window, so the overlap costs a few repeated items on the wire but none in the result.
    """

    MAX_IDS = 5000

    def __init__(self, state: Mapping[str, Any], overlap_seconds: float) -> None:
        self.overlap = overlap_seconds
        top = state.get("top")
        self.top: datetime | None = parse_time(top) if isinstance(top, str) and top else None
        raw = state.get("seen")
        self.seen: dict[str, str] = (
            {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        )

    def since(self) -> datetime | None:
        if self.top is None:
            return None
        return datetime.fromtimestamp(self.top.timestamp() - self.overlap, UTC)

    def fresh(self, item_id: str) -> bool:
        return item_id not in self.seen

    def add(self, item_id: str, when: datetime, newest: datetime) -> None:
        """Remember an item only if the next sweep can meet it again (within the overlap of
        the newest time seen), so a long backfill does not grow the cursor."""
        if when.timestamp() >= newest.timestamp() - self.overlap:
            self.seen[item_id] = format_time(when)

    def advance(self, newest: datetime | None) -> None:
        if newest is not None and (self.top is None or newest > self.top):
            self.top = newest
        floor = self.since()
        if floor is not None:
            cut = format_time(floor)
            self.seen = {k: v for k, v in self.seen.items() if v >= cut}
        if len(self.seen) > self.MAX_IDS:
            keep = sorted(self.seen.items(), key=lambda kv: kv[1])[-self.MAX_IDS :]
            self.seen = dict(keep)

    def dump(self) -> dict[str, Any]:
        return {"top": format_time(self.top) if self.top else "", "seen": self.seen}
