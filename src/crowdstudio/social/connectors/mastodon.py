"""Mastodon: the public tag timeline of one instance.

Requests (docs.joinmastodon.org/methods/timelines, /methods/statuses):
- `GET /api/v1/timelines/tag/:hashtag?limit=40` — newest first; the `Link` header carries
  `rel="next"` (older, `max_id`) and `rel="prev"` (newer, `min_id`). We follow those addresses
  and never build ids from the array, so a filtered or reordered page cannot make us skip posts.
- `GET /api/v1/statuses/:id` — 404 means deleted (or no longer visible).
- `POST /api/v1/statuses` with `status`, `in_reply_to_id`, `visibility` and an
  `Idempotency-Key` header, authorised by the organisation's access token (Bearer).
- 429 carries `Retry-After` or `X-RateLimit-Reset` (an ISO time).

Cursor (opaque JSON the importer stores after each page):
- backfill: the first poll starts at the newest page and walks back through `rel="next"`
  up to `backfill_pages` pages or until posts are older than `not_before`. The `rel="prev"`
  address of that very first page is kept as `top`.
- forward: afterwards every poll follows `top` (`min_id` = newest seen): Mastodon then answers
  the posts immediately newer than it, and each page's `rel="prev"` moves `top` on. An empty
  page means caught up (`more=False`); the cursor stays where it was.
Posts that arrive while the backfill runs are newer than `top`, so forward mode picks them up.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from datetime import UTC, datetime
from typing import Any

from ._http import (
    Response,
    Transport,
    arr,
    dump_cursor,
    html_to_text,
    load_cursor,
    media_kind,
    obj,
    opt_int,
    opt_text,
    parse_json,
    parse_time,
    retry_after_seconds,
    same_origin,
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

PAGE_LIMIT = 40  # the documented maximum for timelines
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-z ]+)"?')


def parse_link_header(value: str) -> dict[str, str]:
    """{"next": url, "prev": url} from an RFC 8288 Link header."""
    links: dict[str, str] = {}
    for part in value.split(","):
        match = _LINK.search(part.strip())
        if match:
            for rel in match.group(2).split():
                links.setdefault(rel, match.group(1))
    return links


class MastodonConnector:
    """Reads one instance's tag timeline; replies with the organisation's account token."""

    network = "mastodon"
    can_reply = True

    def __init__(
        self,
        *,
        instance: str,
        access_token: str = "",
        page_limit: int = PAGE_LIMIT,
        backfill_pages: int = 100,
        not_before: datetime | None = None,
        reply_visibility: str = "public",
        timeout: float = 15.0,
        max_response_bytes: int = 5 * 1024 * 1024,
    ) -> None:
        parts = urllib.parse.urlsplit(instance if "://" in instance else f"https://{instance}")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an instance address: {instance!r}")
        self.instance = f"{parts.scheme}://{parts.netloc}"
        self.access_token = access_token
        self.page_limit = max(1, min(PAGE_LIMIT, page_limit))
        self.backfill_pages = max(1, backfill_pages)
        self.not_before = not_before
        self.reply_visibility = reply_visibility
        self.http = Transport(timeout=timeout, max_response_bytes=max_response_bytes)

    # -- reading --------------------------------------------------------------------------

    def fetch_hashtag(self, tag: str, cursor: str) -> Page:
        tag = tag.lstrip("#").strip()
        if not tag:
            raise ValueError("empty hashtag")
        state = load_cursor(cursor)
        if state.get("tag") != tag.lower() or state.get("mode") not in ("back", "forward"):
            state = {"tag": tag.lower(), "mode": "back", "url": "", "pages": 0, "top": ""}
        if state["mode"] == "forward" and not self._own_url(state.get("top", "")):
            # Nothing was seen yet (or the address is unusable): start a fresh backfill rather
            # than reading only the newest page and missing what came before it.
            state = {"tag": tag.lower(), "mode": "back", "url": "", "pages": 0, "top": ""}
        mode = state["mode"]
        url = self._own_url(state.get("url", "")) if mode == "back" else ""
        if mode == "forward":
            url = self._own_url(state.get("top", ""))
        if not url:
            url = f"{self.instance}/api/v1/timelines/tag/{urllib.parse.quote(tag, safe='')}"
            url += f"?limit={self.page_limit}"
        response = self._get(url)
        items = arr(parse_json(response), "tag timeline")
        links = parse_link_header(response.header("Link"))
        posts, skipped = self._statuses(items)

        if mode == "back":
            if not state.get("top"):
                # The newest page's "prev" link is where forward polling will start.
                state["top"] = links.get("prev", "")
            state["pages"] = int(state.get("pages") or 0) + 1
            too_old = self.not_before is not None and any(
                p.created_at < self.not_before for p in posts
            )
            if self.not_before is not None:
                posts = [p for p in posts if p.created_at >= self.not_before]
            next_url = links.get("next", "")
            if not items or not next_url or too_old or state["pages"] >= self.backfill_pages:
                state.update(mode="forward", url="")
            else:
                state["url"] = next_url
            return Page(posts=tuple(posts), cursor=dump_cursor(state), more=True, skipped=skipped)

        # forward: an empty page has no Link header; keep the address we have.
        if items and links.get("prev"):
            state["top"] = links["prev"]
        return Page(
            posts=tuple(posts), cursor=dump_cursor(state), more=bool(items), skipped=skipped
        )

    def fetch_post(self, post_id: str) -> Post | None:
        url = f"{self.instance}/api/v1/statuses/{urllib.parse.quote(post_id, safe='')}"
        response = self.http.call("GET", url, headers=self._auth())
        if response.status in (404, 410):
            return None
        self._raise_for(response)
        return self._status(parse_json(response))

    def download(self, media: Media, *, max_bytes: int) -> bytes:
        return self.http.download(media, max_bytes=max_bytes)

    # -- writing --------------------------------------------------------------------------

    def reply(self, *, to: Post, text: str, idempotency_key: str = "") -> Post:
        """Reply publicly; `idempotency_key` makes a retried call post only once (Mastodon keeps
        keys for an hour), so pass a key derived from what you are sending."""
        if not self.access_token:
            raise NotAuthorised("a Mastodon access token is needed to reply")
        mention = f"@{to.author_handle.lstrip('@')} " if to.author_handle else ""
        body = {
            "status": text if text.startswith("@") else f"{mention}{text}",
            "in_reply_to_id": to.id,
            "visibility": self.reply_visibility,
        }
        headers = {**self._auth(), "Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        response = self.http.call(
            "POST", f"{self.instance}/api/v1/statuses", headers=headers, json_body=body
        )
        self._raise_for(response)
        post = self._status(parse_json(response))
        if post is None:
            raise BadResponse("the posted reply came back without a status")
        return post

    # -- helpers ----------------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}

    def _own_url(self, url: str) -> str:
        """A Link address from the cursor, only if it stays on this instance (token safety)."""
        return url if url and same_origin(url, self.instance) else ""

    def _get(self, url: str) -> Response:
        response = self.http.call("GET", url, headers=self._auth())
        self._raise_for(response)
        return response

    def _raise_for(self, response: Response) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        message = _error_message(response)
        if status == 429:
            wait = retry_after_seconds(response)
            if wait is None:
                reset = response.header("X-RateLimit-Reset")
                try:
                    wait = max(0.0, (parse_time(reset) - datetime.now(UTC)).total_seconds())
                except BadResponse:
                    wait = None
            raise RateLimited(f"Mastodon rate limit: {message}", retry_after=wait)
        if status in (401, 403):
            raise NotAuthorised(f"Mastodon refused the token: {message}")
        if status >= 500:
            raise Unavailable(f"Mastodon answered {status}: {message}")
        if status == 422:
            raise ConnectorError(f"Mastodon refused the post: {message}")
        raise BadResponse(f"Mastodon answered {status}: {message}")

    def _statuses(self, items: list[Any]) -> tuple[list[Post], int]:
        """The page's posts; a status of the wrong shape is skipped and counted, so one broken
        item cannot block the cursor."""
        posts: list[Post] = []
        skipped = 0
        for item in items:
            try:
                post = self._status(item)
            except BadResponse:
                skipped += 1
                continue
            if post is not None:
                posts.append(post)
        return posts, skipped

    def _status(self, value: Any) -> Post | None:
        """One status as a Post; reblogs are skipped (None), other shape errors raise."""
        item = obj(value, "status")
        if item.get("reblog"):
            return None
        account = obj(item.get("account"), "status.account")
        acct = text(account.get("acct"), "account.acct")
        if "@" not in acct:
            acct = f"{acct}@{urllib.parse.urlsplit(self.instance).hostname}"
        media: list[Media] = []
        for raw in arr(item.get("media_attachments") or [], "media_attachments"):
            attachment = obj(raw, "media_attachment")
            url = attachment.get("url") or attachment.get("remote_url")
            if not isinstance(url, str) or not url:
                continue  # still processing on the server: nothing to fetch yet
            original = obj(attachment.get("meta") or {}, "meta").get("original")
            size = original if isinstance(original, dict) else {}
            media.append(
                Media(
                    url=url,
                    kind=media_kind(text(attachment.get("type"), "media.type")),
                    width=opt_int(size.get("width")),
                    height=opt_int(size.get("height")),
                    description=text(attachment.get("description"), "media", required=False),
                )
            )
        tags = tuple(
            text(obj(t, "tag").get("name"), "tag.name").lower()
            for t in arr(item.get("tags") or [], "tags")
        )
        return Post(
            network=self.network,
            id=text(item.get("id"), "status.id"),
            url=text(item.get("url") or item.get("uri"), "status.url"),
            author_id=text(account.get("id"), "account.id"),
            author_handle=f"@{acct}",
            text=html_to_text(text(item.get("content"), "status.content", required=False)),
            created_at=parse_time(item.get("created_at")),
            edited_at=parse_time(item["edited_at"]) if item.get("edited_at") else None,
            in_reply_to_id=opt_text(item.get("in_reply_to_id"), "in_reply_to_id"),
            in_reply_to_author_id=opt_text(
                item.get("in_reply_to_account_id"), "in_reply_to_account_id"
            ),
            hashtags=tags,
            media=tuple(media),
            raw=item,
        )


def _error_message(response: Response) -> str:
    try:
        body = parse_json(response)
    except BadResponse:
        return response.body[:200].decode("utf-8", "replace")
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"]
    return ""
