"""Instagram: Graph API hashtag search for a Business or Creator account.

Requests (developers.facebook.com/docs/instagram-platform, "Hashtag Search"):
- `GET /ig_hashtag_search?user_id=&q=` → {"data": [{"id"}]}, the hashtag's node id. Each new
  hashtag counts against 30 unique hashtags per account in a rolling 7 days; searching the
  same tag again inside that time is free. The connector keeps `searched` (tag → first search
  time) which the caller stores and passes back, refuses a 31st tag with `QuotaExceeded`
  before asking, and reports `quota_left()` so the app can show what is left. The hashtag id is
  also kept in the cursor, so a poll does not search again at all.
- `GET /{hashtag-id}/recent_media?user_id=&fields=…&limit=50&after=` → {"data": [...],
  "paging": {"cursors": {"after"}, "next"}}. Only media from the last 24 hours, newest first:
  poll at least hourly. No `username` is returned (author_id and author_handle are ""), and
  hashtag media cannot be commented on through the API (`can_reply = False`): rights requests
  go by link.
- Errors are {"error": {"message", "type", "code", "error_subcode"}}; codes 4, 17, 32 and 613
  are rate limits (`X-Business-Use-Case-Usage` may say when access returns), 190 a bad token.

Cursor: every poll sweeps the recent media page by page (`after`) until it reaches media older
than the newest seen in earlier sweeps (minus an overlap), dropping ids already seen.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ._http import (
    Response,
    SeenWindow,
    Transport,
    arr,
    as_dict,
    dump_cursor,
    format_time,
    load_cursor,
    media_kind,
    obj,
    parse_json,
    parse_time,
    text,
)
from .base import (
    BadResponse,
    ConnectorError,
    Media,
    NotAuthorised,
    Page,
    Post,
    RateLimited,
    Unavailable,
)

PAGE_LIMIT = 50  # documented maximum per page of recent_media
HASHTAG_QUOTA = 30
QUOTA_WINDOW = timedelta(days=7)
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
FIELDS = "id,caption,media_type,media_url,permalink,timestamp,children{id,media_url,media_type}"


class QuotaExceeded(RateLimited):
    """The account has searched 30 unique hashtags in the last 7 days."""


class InstagramConnector:
    """Reads a hashtag's recent media with a business account token; cannot reply."""

    network = "instagram"
    can_reply = False

    def __init__(
        self,
        *,
        ig_user_id: str,
        access_token: str,
        graph_base: str = "https://graph.facebook.com/v21.0",
        searched: Mapping[str, datetime] | None = None,
        page_limit: int = PAGE_LIMIT,
        overlap_seconds: float = 600.0,
        max_pages: int = 200,
        timeout: float = 15.0,
        max_response_bytes: int = 5 * 1024 * 1024,
    ) -> None:
        if not ig_user_id or not access_token:
            raise ValueError("an Instagram user id and access token are needed")
        self.ig_user_id = ig_user_id
        self.access_token = access_token
        self.graph_base = graph_base.rstrip("/")
        # Unique hashtags searched by this account: tag → time of the first search. Store it
        # after every poll (it changes only when a new tag is searched) and pass it back.
        self.searched: dict[str, datetime] = dict(searched or {})
        self.page_limit = max(1, min(PAGE_LIMIT, page_limit))
        self.overlap_seconds = overlap_seconds
        self.max_pages = max(1, max_pages)
        self.http = Transport(timeout=timeout, max_response_bytes=max_response_bytes)

    # -- hashtag quota --------------------------------------------------------------------

    def quota_used(self, *, now: datetime | None = None) -> dict[str, datetime]:
        """The hashtags that still count against the quota, with their first search time."""
        floor = (now or datetime.now(UTC)) - QUOTA_WINDOW
        return {tag: when for tag, when in self.searched.items() if when > floor}

    def quota_left(self, *, now: datetime | None = None) -> int:
        return max(0, HASHTAG_QUOTA - len(self.quota_used(now=now)))

    def quota_frees_at(self, *, now: datetime | None = None) -> datetime | None:
        """When the oldest counted hashtag stops counting (None while there is room)."""
        used = self.quota_used(now=now)
        if len(used) < HASHTAG_QUOTA:
            return None
        return min(used.values()) + QUOTA_WINDOW

    def hashtag_id(self, tag: str, *, now: datetime | None = None) -> str:
        """The hashtag's node id; counts against the quota the first time in 7 days."""
        now = now or datetime.now(UTC)
        tag = tag.lstrip("#").strip().lower()
        used = self.quota_used(now=now)
        if tag not in used and len(used) >= HASHTAG_QUOTA:
            frees = min(used.values()) + QUOTA_WINDOW
            raise QuotaExceeded(
                f"this Instagram account has searched {HASHTAG_QUOTA} hashtags in 7 days",
                retry_after=max(0.0, (frees - now).total_seconds()),
            )
        answer = obj(
            self._get("ig_hashtag_search", {"user_id": self.ig_user_id, "q": tag}),
            "ig_hashtag_search",
        )
        found = arr(answer.get("data"), "ig_hashtag_search.data")
        if not found:
            raise ConnectorError(f"Instagram knows no hashtag #{tag}")
        if tag not in used:
            self.searched[tag] = now
        return text(obj(found[0], "hashtag").get("id"), "hashtag.id")

    # -- reading ----------------------------------------------------------------------------

    def fetch_hashtag(self, tag: str, cursor: str) -> Page:
        tag = tag.lstrip("#").strip().lower()
        if not tag:
            raise ValueError("empty hashtag")
        state = load_cursor(cursor)
        if state.get("tag") != tag:
            state = {"tag": tag}
        window = SeenWindow(state, self.overlap_seconds)
        hashtag_id = state.get("hashtag_id")
        if not isinstance(hashtag_id, str) or not hashtag_id:
            hashtag_id = self.hashtag_id(tag)
        params = {
            "user_id": self.ig_user_id,
            "fields": FIELDS,
            "limit": self.page_limit,
            "after": str(state.get("after") or ""),
        }
        answer = obj(
            self._get(f"{urllib.parse.quote(hashtag_id, safe='')}/recent_media", params),
            "recent_media",
        )
        items = arr(answer.get("data"), "recent_media.data")
        paging = as_dict(answer.get("paging"))
        after = as_dict(paging.get("cursors")).get("after")
        after = after if isinstance(after, str) else ""
        has_next = isinstance(paging.get("next"), str) and bool(paging.get("next"))

        floor = window.since()
        newest = _time_or_none(state.get("sweep_top"))
        posts: list[Post] = []
        skipped = 0
        reached_known = False
        for item in items:
            try:
                post = self._media(item)
            except BadResponse:
                skipped += 1
                continue
            newest = post.created_at if newest is None or post.created_at > newest else newest
            if floor is not None and post.created_at < floor:
                reached_known = True
                continue
            if not window.fresh(post.id):
                continue
            window.add(post.id, post.created_at, newest)
            posts.append(post)

        pages = int(state.get("pages") or 0) + 1
        if items and after and has_next and not reached_known and pages < self.max_pages:
            state.update(after=after, pages=pages, sweep_top=format_time(newest) if newest else "")
            more = True
        else:
            window.advance(newest)
            state.update(after="", pages=0, sweep_top="")
            more = False
        state.update(window.dump(), hashtag_id=hashtag_id)
        return Page(posts=tuple(posts), cursor=dump_cursor(state), more=more, skipped=skipped)

    def fetch_post(self, post_id: str) -> Post | None:
        """The media object now; None when Instagram says it does not exist (deleted). Meta
        may refuse reads of other accounts' media: that is a ConnectorError, not None."""
        try:
            answer = self._get(urllib.parse.quote(post_id, safe=""), {"fields": FIELDS})
        except _Missing:
            return None
        return self._media(answer)

    def download(self, media: Media, *, max_bytes: int) -> bytes:
        return self.http.download(media, max_bytes=max_bytes)

    def reply(self, *, to: Post, text: str, idempotency_key: str = "") -> Post:
        raise NotAuthorised("Instagram does not allow comments on hashtag media through the API")

    # -- transport --------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        response = self.http.call(
            "GET",
            f"{self.graph_base}/{path}",
            params={**params, "access_token": self.access_token},
        )
        if 200 <= response.status < 300:
            return parse_json(response)
        self._raise_for(response)
        raise BadResponse(f"Instagram answered {response.status}")  # pragma: no cover

    def _raise_for(self, response: Response) -> None:
        status = response.status
        code, subcode, message = _graph_error(response)
        if code in RATE_LIMIT_CODES or status == 429:
            raise RateLimited(
                f"Instagram rate limit ({code}): {message}", retry_after=_regain_after(response)
            )
        if status == 404 or (code == 100 and subcode == 33):
            raise _Missing(message)
        if code == 190 or status in (401, 403) or code in (10, 200):
            raise NotAuthorised(f"Instagram refused the token ({code}): {message}")
        if status >= 500 or code in (1, 2):
            raise Unavailable(f"Instagram answered {status} ({code}): {message}")
        raise BadResponse(f"Instagram answered {status} ({code}): {message}")

    # -- shapes -----------------------------------------------------------------------------

    def _media(self, value: Any) -> Post:
        item = obj(value, "media")
        media_type = text(item.get("media_type"), "media.media_type")
        media: list[Media] = []
        children = item.get("children")
        if media_type == "CAROUSEL_ALBUM" and isinstance(children, dict):
            for child in arr(children.get("data") or [], "children.data"):
                child = obj(child, "child")
                url = child.get("media_url")
                if isinstance(url, str) and url:
                    kind = media_kind(text(child.get("media_type"), "child.media_type"))
                    media.append(Media(url=url, kind=kind))
        else:
            # media_url is left out for media that contain copyrighted material.
            url = item.get("media_url")
            if isinstance(url, str) and url:
                media.append(Media(url=url, kind=media_kind(media_type)))
        caption = text(item.get("caption"), "media.caption", required=False)
        return Post(
            network=self.network,
            id=text(item.get("id"), "media.id"),
            url=text(item.get("permalink"), "media.permalink"),
            author_id="",
            author_handle="",
            text=caption,
            created_at=parse_time(item.get("timestamp")),
            hashtags=tuple(_hashtags(caption)),
            media=tuple(media),
            raw=item,
        )


class _Missing(ConnectorError):
    pass


def _hashtags(caption: str) -> list[str]:
    found: list[str] = []
    for word in caption.replace("\n", " ").split():
        if word.startswith("#") and len(word) > 1:
            tag = word[1:].rstrip(".,;:!?").lower()
            if tag and tag not in found:
                found.append(tag)
    return found


def _graph_error(response: Response) -> tuple[int | None, int | None, str]:
    try:
        body = parse_json(response)
    except BadResponse:
        return None, None, response.body[:200].decode("utf-8", "replace")
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None, ""
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    return code, subcode, str(message)


def _regain_after(response: Response) -> float | None:
    """Seconds from X-Business-Use-Case-Usage's estimated_time_to_regain_access (minutes)."""
    header = response.header("X-Business-Use-Case-Usage")
    if not header:
        return None
    try:
        usage = json.loads(header)
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    values = [m for m in minutes if isinstance(m, int | float) and not isinstance(m, bool)]
    return float(max(values)) * 60 if values else None


def _time_or_none(value: Any) -> datetime | None:
    try:
        return parse_time(value) if isinstance(value, str) and value else None
    except BadResponse:
        return None
