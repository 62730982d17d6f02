"""Bluesky: post search for a hashtag through an authenticated session (AT Protocol XRPC).

Requests (docs.bsky.app, lexicons app.bsky.feed.* and com.atproto.*):
- `com.atproto.server.createSession` {identifier, password} → {accessJwt, refreshJwt, did,
  handle}; an app password, never the account password. An expired access token answers 400
  `ExpiredToken`: we call `com.atproto.server.refreshSession` (Bearer refreshJwt) once, log in
  again if that fails too, and repeat the request.
- `app.bsky.feed.searchPosts?q=#tag&sort=latest&limit=100&cursor=…&since=…` → {posts, cursor}.
  The search cursor does NOT promise the whole result set: the index is eventually
  consistent and may stop paging early. We therefore re-read from `top - overlap` on every
  poll (see SeenWindow), which catches late-indexed posts inside the overlap.
- `app.bsky.feed.getPosts?uris=…` — a deleted post is simply missing from the answer.
- `com.atproto.repo.createRecord` with an `app.bsky.feed.post` record whose `reply` holds the
  `root` and `parent` strong refs {uri, cid}.
- 429 `RateLimitExceeded` with `Retry-After` or `ratelimit-reset` (epoch seconds).

Cursor: backfill from the newest result back through `cursor` (up to `backfill_pages` or
`not_before`), then forward sweeps with `since = top - overlap`, each sweep paged by `cursor`.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from datetime import UTC, datetime
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
    obj,
    opt_int,
    parse_json,
    parse_time,
    retry_after_seconds,
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

PAGE_LIMIT = 100  # the documented maximum for searchPosts
_TAG = re.compile(r"(?:^|\s)#([^\s#.,;:!?()\[\]{}\"']+)")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


class BlueskyConnector:
    """Searches a hashtag and replies through one account's session (app password)."""

    network = "bluesky"
    can_reply = True

    def __init__(
        self,
        *,
        identifier: str,
        app_password: str,
        service: str = "https://bsky.social",
        session: dict[str, str] | None = None,
        page_limit: int = PAGE_LIMIT,
        backfill_pages: int = 100,
        not_before: datetime | None = None,
        overlap_seconds: float = 600.0,
        web_base: str = "https://bsky.app",
        timeout: float = 15.0,
        max_response_bytes: int = 5 * 1024 * 1024,
    ) -> None:
        self.service = service.rstrip("/")
        self.identifier = identifier
        self.app_password = app_password
        # {"accessJwt", "refreshJwt", "did", "handle"}; readable so the caller may keep it.
        self.session: dict[str, str] = dict(session or {})
        self.page_limit = max(1, min(PAGE_LIMIT, page_limit))
        self.backfill_pages = max(1, backfill_pages)
        self.not_before = not_before
        self.overlap_seconds = overlap_seconds
        self.web_base = web_base.rstrip("/")
        self.http = Transport(timeout=timeout, max_response_bytes=max_response_bytes)

    # -- reading ----------------------------------------------------------------------------

    def fetch_hashtag(self, tag: str, cursor: str) -> Page:
        tag = tag.lstrip("#").strip()
        if not tag:
            raise ValueError("empty hashtag")
        state = load_cursor(cursor)
        if state.get("tag") != tag.lower() or state.get("mode") not in ("back", "forward"):
            state = {"tag": tag.lower(), "mode": "back", "cursor": "", "pages": 0}
        window = SeenWindow(state, self.overlap_seconds)
        if state["mode"] == "forward" and window.top is None:
            state = {"tag": tag.lower(), "mode": "back", "cursor": "", "pages": 0}
        params: dict[str, str | int | list[str]] = {
            "q": f"#{tag}",
            "sort": "latest",
            "limit": self.page_limit,
            "cursor": str(state.get("cursor") or ""),
        }
        since = window.since()
        if state["mode"] == "forward" and since is not None:
            params["since"] = format_time(since)
        answer = obj(self._xrpc("GET", "app.bsky.feed.searchPosts", params=params), "search")
        items = arr(answer.get("posts"), "search.posts")
        next_cursor = answer.get("cursor") if isinstance(answer.get("cursor"), str) else ""

        posts: list[Post] = []
        skipped = 0
        newest = _time_or_none(state.get("sweep_top"))
        too_old = False
        for item in items:
            try:
                post = self._post(item)
            except BadResponse:
                skipped += 1
                continue
            indexed = _indexed_at(post)
            newest = indexed if newest is None or indexed > newest else newest
            if not window.fresh(post.id):
                continue
            window.add(post.id, indexed, newest)
            if self.not_before is not None and post.created_at < self.not_before:
                too_old = True
                continue
            posts.append(post)

        if state["mode"] == "back":
            state["pages"] = int(state.get("pages") or 0) + 1
            state["sweep_top"] = format_time(newest) if newest else ""
            if not items or not next_cursor or too_old or state["pages"] >= self.backfill_pages:
                window.advance(newest)
                state.update(mode="forward", cursor="", sweep_top="")
            else:
                state["cursor"] = next_cursor
            more = True
        elif items and next_cursor:
            state.update(cursor=next_cursor, sweep_top=format_time(newest) if newest else "")
            more = True
        else:
            window.advance(newest)
            state.update(cursor="", sweep_top="")
            more = False
        state.update(window.dump())
        return Page(posts=tuple(posts), cursor=dump_cursor(state), more=more, skipped=skipped)

    def fetch_post(self, post_id: str) -> Post | None:
        answer = obj(
            self._xrpc("GET", "app.bsky.feed.getPosts", params={"uris": [post_id]}), "getPosts"
        )
        for item in arr(answer.get("posts"), "getPosts.posts"):
            post = self._post(item)
            if post.id == post_id:
                return post
        return None

    def download(self, media: Media, *, max_bytes: int) -> bytes:
        return self.http.download(media, max_bytes=max_bytes)

    # -- writing ----------------------------------------------------------------------------

    def reply(self, *, to: Post, text: str, idempotency_key: str = "") -> Post:
        """Reply to `to`; the record carries reply.root (the thread's first post) and
        reply.parent (`to`). Bluesky has no idempotency key (the argument is ignored): the
        caller records the attempt before retrying."""
        parent = {"uri": to.id, "cid": _cid(to)}
        if not parent["cid"]:
            fresh = self.fetch_post(to.id)
            if fresh is None:
                raise ConnectorError("the post to reply to was deleted")
            to = fresh
            parent["cid"] = _cid(fresh)
        root = parent
        reply_ref = obj(to.raw.get("record") or {}, "record").get("reply")
        if isinstance(reply_ref, dict) and isinstance(reply_ref.get("root"), dict):
            ref = reply_ref["root"]
            if isinstance(ref.get("uri"), str) and isinstance(ref.get("cid"), str):
                root = {"uri": ref["uri"], "cid": ref["cid"]}
        now = datetime.now(UTC)
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": format_time(now),
            "reply": {"root": root, "parent": parent},
        }
        facets = facets_for(text)
        if facets:
            record["facets"] = facets
        self._ensure_session()
        answer = obj(
            self._xrpc(
                "POST",
                "com.atproto.repo.createRecord",
                body={
                    "repo": self.session["did"],
                    "collection": "app.bsky.feed.post",
                    "record": record,
                },
            ),
            "createRecord",
        )
        uri = text_of(answer.get("uri"), "createRecord.uri")
        handle = self.session.get("handle", "")
        return Post(
            network=self.network,
            id=uri,
            url=self._web_url(uri, handle, self.session["did"]),
            author_id=self.session["did"],
            author_handle=handle,
            text=text,
            created_at=now,
            in_reply_to_id=to.id,
            in_reply_to_author_id=to.author_id,
            hashtags=tuple(_hashtags(text)),
            raw={"uri": uri, "cid": answer.get("cid"), "record": record},
        )

    # -- session and transport --------------------------------------------------------------

    def _ensure_session(self) -> None:
        if not self.session.get("accessJwt") or not self.session.get("did"):
            self._login()

    def _login(self) -> None:
        if not self.identifier or not self.app_password:
            raise NotAuthorised("a Bluesky handle and app password are needed")
        response = self.http.call(
            "POST",
            self._url("com.atproto.server.createSession"),
            json_body={"identifier": self.identifier, "password": self.app_password},
        )
        if response.status in (400, 401):
            raise NotAuthorised(f"Bluesky refused the login: {_error(response)[1]}")
        self._raise_for(response)
        self._store_session(parse_json(response))

    def _refresh(self) -> bool:
        refresh = self.session.get("refreshJwt")
        if not refresh:
            return False
        response = self.http.call(
            "POST",
            self._url("com.atproto.server.refreshSession"),
            headers={"Authorization": f"Bearer {refresh}"},
        )
        if response.status != 200:
            return False
        try:
            self._store_session(parse_json(response))
        except BadResponse:
            return False
        return True

    def _store_session(self, value: Any) -> None:
        answer = obj(value, "session")
        self.session = {
            "accessJwt": text_of(answer.get("accessJwt"), "session.accessJwt"),
            "refreshJwt": text_of(answer.get("refreshJwt"), "session.refreshJwt"),
            "did": text_of(answer.get("did"), "session.did"),
            "handle": text(answer.get("handle"), "session.handle", required=False),
        }

    def _xrpc(
        self,
        method: str,
        nsid: str,
        *,
        params: dict[str, str | int | list[str]] | None = None,
        body: Any = None,
    ) -> Any:
        self._ensure_session()
        for attempt in range(2):
            response = self.http.call(
                method,
                self._url(nsid),
                params=params,
                headers={"Authorization": f"Bearer {self.session['accessJwt']}"},
                json_body=body,
            )
            code, _ = _error(response)
            expired = code in ("ExpiredToken", "InvalidToken") or response.status == 401
            if expired and attempt == 0 and response.status in (400, 401):
                if not self._refresh():
                    self._login()
                continue
            self._raise_for(response)
            return parse_json(response)
        raise NotAuthorised("Bluesky keeps refusing the session")

    def _url(self, nsid: str) -> str:
        return f"{self.service}/xrpc/{nsid}"

    def _raise_for(self, response: Response) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        code, message = _error(response)
        if status == 429:
            wait = retry_after_seconds(response)
            reset = response.header("ratelimit-reset")
            if wait is None and reset.isdigit():
                wait = max(0.0, int(reset) - time.time())
            raise RateLimited(f"Bluesky rate limit: {message or code}", retry_after=wait)
        if status in (401, 403):
            raise NotAuthorised(f"Bluesky refused the session: {message or code}")
        if status >= 500:
            raise Unavailable(f"Bluesky answered {status}: {message or code}")
        raise BadResponse(f"Bluesky answered {status}: {code} {message}".strip())

    # -- shapes -----------------------------------------------------------------------------

    def _post(self, value: Any) -> Post:
        item = obj(value, "post")
        uri = text(item.get("uri"), "post.uri")
        if not uri.startswith("at://"):
            raise BadResponse("post.uri: not an at:// address")
        text(item.get("cid"), "post.cid")
        author = obj(item.get("author"), "post.author")
        did = text(author.get("did"), "author.did")
        handle = text(author.get("handle"), "author.handle", required=False)
        record = obj(item.get("record"), "post.record")
        reply_to: str | None = None
        reply = record.get("reply")
        if isinstance(reply, dict):
            reply_to = text(obj(reply.get("parent"), "reply.parent").get("uri"), "parent.uri")
        tags: list[str] = []
        for facet in arr(record.get("facets") or [], "record.facets"):
            for feature in arr(obj(facet, "facet").get("features") or [], "facet.features"):
                feature = obj(feature, "feature")
                if feature.get("$type") == "app.bsky.richtext.facet#tag":
                    tags.append(text(feature.get("tag"), "feature.tag").lstrip("#").lower())
        for extra in arr(record.get("tags") or [], "record.tags"):
            if isinstance(extra, str):
                tags.append(extra.lstrip("#").lower())
        body = text(record.get("text"), "record.text", required=False)
        if not tags:
            tags = _hashtags(body)
        created = parse_time(record.get("createdAt"))
        return Post(
            network=self.network,
            id=uri,
            url=self._web_url(uri, handle, did),
            author_id=did,
            author_handle=handle if handle and handle != "handle.invalid" else "",
            text=body,
            created_at=created,
            in_reply_to_id=reply_to,
            in_reply_to_author_id=_did_of(reply_to) if reply_to else None,
            hashtags=tuple(dict.fromkeys(tags)),
            media=tuple(_media(item.get("embed"))),
            raw=item,
        )

    def _web_url(self, uri: str, handle: str, did: str) -> str:
        rkey = uri.rsplit("/", 1)[-1]
        who = handle if handle and handle != "handle.invalid" else did
        return f"{self.web_base}/profile/{urllib.parse.quote(who, safe=':.')}/post/{rkey}"


def _media(embed: Any) -> list[Media]:
    if not isinstance(embed, dict):
        return []
    kind = embed.get("$type")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _media(embed.get("media"))
    found: list[Media] = []
    if kind == "app.bsky.embed.images#view":
        for image in arr(embed.get("images") or [], "embed.images"):
            image = obj(image, "image")
            url = image.get("fullsize") or image.get("thumb")
            if not isinstance(url, str) or not url:
                continue
            ratio = as_dict(image.get("aspectRatio"))
            found.append(
                Media(
                    url=url,
                    kind="image",
                    mime="image/jpeg",
                    width=opt_int(ratio.get("width")),
                    height=opt_int(ratio.get("height")),
                    description=text(image.get("alt"), "image.alt", required=False),
                )
            )
    elif kind == "app.bsky.embed.video#view":
        playlist = embed.get("playlist")
        if isinstance(playlist, str) and playlist:
            found.append(Media(url=playlist, kind="video", mime="application/x-mpegURL"))
    return found


def _cid(post: Post) -> str:
    cid = post.raw.get("cid")
    return cid if isinstance(cid, str) else ""


def _did_of(uri: str) -> str | None:
    parts = uri.removeprefix("at://").split("/")
    return parts[0] if parts and parts[0].startswith("did:") else None


def _indexed_at(post: Post) -> datetime:
    indexed = post.raw.get("indexedAt")
    try:
        return parse_time(indexed) if isinstance(indexed, str) and indexed else post.created_at
    except BadResponse:
        return post.created_at


def _time_or_none(value: Any) -> datetime | None:
    try:
        return parse_time(value) if isinstance(value, str) and value else None
    except BadResponse:
        return None


def _hashtags(body: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).lower() for m in _TAG.finditer(body)))


def facets_for(body: str) -> list[dict[str, Any]]:
    """Rich-text facets (byte offsets in UTF-8) for the #tags and links in `body`."""
    facets: list[dict[str, Any]] = []
    for match in _TAG.finditer(body):
        start = match.start(1) - 1
        facets.append(
            {
                "index": {
                    "byteStart": len(body[:start].encode()),
                    "byteEnd": len(body[: match.end(1)].encode()),
                },
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}],
            }
        )
    for match in _URL.finditer(body):
        facets.append(
            {
                "index": {
                    "byteStart": len(body[: match.start()].encode()),
                    "byteEnd": len(body[: match.end()].encode()),
                },
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group(0)}],
            }
        )
    return facets


def text_of(value: Any, what: str) -> str:
    return text(value, what)


def _error(response: Response) -> tuple[str, str]:
    try:
        body = parse_json(response)
    except BadResponse:
        return "", response.body[:200].decode("utf-8", "replace")
    if not isinstance(body, dict):
        return "", ""
    code = body.get("error") if isinstance(body.get("error"), str) else ""
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    return str(code), str(message)
