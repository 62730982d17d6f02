"""A fake Bluesky PDS/AppView: sessions, searchPosts with cursors, getPosts, createRecord."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime
from typing import Any

from ._server import Answer, FakePost, FakeServer, Recorded, Reply, iso_ms

_RKEY_PREFIX = "3kz"


class FakeBluesky(FakeServer):
    """Log in with `handle` / `app_password`. `expire_sessions()` makes every issued access
    token answer 400 ExpiredToken (refreshSession then works). `search_page_cap` makes search
    stop handing out a cursor after that many pages (the documented "no promise" caveat)."""

    network = "bluesky"

    def __init__(
        self,
        *,
        handle: str = "studio.bsky.example",
        app_password: str = "app-pass-word",  # noqa: S107
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.handle = handle
        self.app_password = app_password
        self.studio_did = self.did_of(handle.split(".")[0])
        self.valid_access: set[str] = set()
        self.expired_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.search_page_cap: int | None = None
        self._tokens = itertools.count(1)

    def did_of(self, author: str) -> str:
        return f"did:plc:{hashlib.sha256(author.encode()).hexdigest()[:24]}"

    def handle_of(self, author: str) -> str:
        return self.handle if author == self.handle.split(".")[0] else f"{author}.bsky.example"

    def post_id(self, index: int) -> str:
        post = self.post(index)
        author = post.author if post else f"fan{index % 997}"
        return f"at://{self.did_of(author)}/app.bsky.feed.post/{_RKEY_PREFIX}{index:010d}"

    def index_of(self, uri: str) -> int | None:
        rkey = uri.rsplit("/", 1)[-1]
        digits = rkey.removeprefix(_RKEY_PREFIX)
        return int(digits) if rkey.startswith(_RKEY_PREFIX) and digits.isdigit() else None

    def cid_of(self, index: int) -> str:
        return "bafyrei" + hashlib.sha256(f"post{index}".encode()).hexdigest()[:52]

    def expire_sessions(self) -> None:
        with self._lock:
            self.expired_access |= self.valid_access
            self.valid_access.clear()

    # -- rendering ----------------------------------------------------------------------------

    def view(self, post: FakePost) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": iso_ms(post.created_at),
            "langs": ["en"],
        }
        facets = []
        encoded = post.text.encode()
        for tag in post.tags:
            needle = f"#{tag}".encode()
            start = encoded.lower().find(needle)
            if start >= 0:
                facets.append(
                    {
                        "index": {"byteStart": start, "byteEnd": start + len(needle)},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
                    }
                )
        if facets:
            record["facets"] = facets
        if post.in_reply_to:
            parent = {"uri": self.post_id(post.in_reply_to), "cid": self.cid_of(post.in_reply_to)}
            record["reply"] = {"root": parent, "parent": parent}
        view: dict[str, Any] = {
            "uri": self.post_id(post.index),
            "cid": self.cid_of(post.index),
            "author": {
                "did": self.did_of(post.author),
                "handle": self.handle_of(post.author),
                "displayName": post.author.title(),
            },
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "indexedAt": iso_ms(post.created_at),
            "labels": [],
        }
        if post.media:
            view["embed"] = {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": self.media_url(post, n),
                        "fullsize": self.media_url(post, n),
                        "alt": f"Image {n} of post {post.index}",
                        "aspectRatio": {"width": 48, "height": 32},
                    }
                    for n in range(post.media)
                ],
            }
        return view

    # -- routes -------------------------------------------------------------------------------

    def fault_answer(self, kind: str, retry_after: float) -> Answer:
        if kind == "rate_limit":
            return Answer(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                headers={
                    "Retry-After": f"{retry_after:g}",
                    "ratelimit-limit": "3000",
                    "ratelimit-remaining": "0",
                },
            )
        if kind == "error":
            return Answer(500, {"error": "InternalServerError", "message": "Internal Server Error"})
        return super().fault_answer(kind, retry_after)

    def route(self, request: Recorded) -> Answer:
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession" and request.method == "POST":
            return self._create_session(request)
        if nsid == "com.atproto.server.refreshSession" and request.method == "POST":
            return self._refresh_session(request)
        refused = self._check_access(request)
        if refused is not None:
            return refused
        if nsid == "app.bsky.feed.searchPosts" and request.method == "GET":
            return self._search(request)
        if nsid == "app.bsky.feed.getPosts" and request.method == "GET":
            found = []
            for uri in request.query.get("uris", [])[:25]:
                index = self.index_of(uri)
                post = self.post(index) if index is not None else None
                if post is not None:
                    found.append(self.view(post))
            return Answer(200, {"posts": found})
        if nsid == "com.atproto.repo.createRecord" and request.method == "POST":
            return self._create_record(request)
        return Answer(501, {"error": "MethodNotImplemented", "message": nsid})

    def _new_session(self) -> dict[str, Any]:
        n = next(self._tokens)
        access, refresh = f"access-{n}", f"refresh-{n}"
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        return {
            "did": self.studio_did,
            "handle": self.handle,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _create_session(self, request: Recorded) -> Answer:
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("identifier") not in (self.handle, self.studio_did) or (
            body.get("password") != self.app_password
        ):
            return Answer(
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
            )
        return Answer(200, self._new_session())

    def _refresh_session(self, request: Recorded) -> Answer:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.valid_refresh:
            return Answer(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
        self.valid_refresh.discard(token)
        return Answer(200, self._new_session())

    def _check_access(self, request: Recorded) -> Answer | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.valid_access:
            return None
        if token in self.expired_access:
            return Answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
        return Answer(
            401, {"error": "AuthenticationRequired", "message": "Authentication Required"}
        )

    def _search(self, request: Recorded) -> Answer:
        q = request.param("q").strip()
        try:
            limit = int(request.param("limit") or 25)
        except ValueError:
            limit = 0
        if not q or not 1 <= limit <= 100:
            return Answer(400, {"error": "InvalidRequest", "message": "bad q or limit"})
        cursor = request.param("cursor")
        upper = int(cursor) - 1 if cursor.isdigit() else self.count
        since = request.param("since")
        since_at = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        tag = q[1:].lower() if q.startswith("#") else None
        found: list[FakePost] = []
        reached_end = True
        for post in self.newest_first(upper, 1, tag):
            if tag is None and q.lower() not in post.text.lower():
                continue
            if since_at is not None and post.created_at < since_at:
                break
            if len(found) == limit:
                reached_end = False
                break
            found.append(post)
        body: dict[str, Any] = {"posts": [self.view(p) for p in found]}
        capped = (
            self.search_page_cap is not None and self._pages_of(request) >= self.search_page_cap
        )
        if found and not reached_end and not capped:
            body["cursor"] = str(found[-1].index)
        return Answer(200, body)

    def _pages_of(self, request: Recorded) -> int:
        """How many pages of this search the cursor has walked (for `search_page_cap`)."""
        cursor = request.param("cursor")
        if not cursor.isdigit():
            return 1
        # Count pages by position from the top of the result set.
        limit = int(request.param("limit") or 25)
        return 1 + max(0, (self.count - int(cursor)) // max(1, limit))

    def _create_record(self, request: Recorded) -> Answer:
        body = request.json if isinstance(request.json, dict) else {}
        record = body.get("record")
        if body.get("repo") not in (self.studio_did, self.handle) or not isinstance(record, dict):
            return Answer(400, {"error": "InvalidRequest", "message": "bad repo or record"})
        if body.get("collection") != "app.bsky.feed.post" or not record.get("text"):
            return Answer(400, {"error": "InvalidRequest", "message": "bad collection or text"})
        parent_index = None
        reply = record.get("reply")
        if reply is not None:
            refs = [reply.get("root"), reply.get("parent")] if isinstance(reply, dict) else []
            if len(refs) != 2 or not all(
                isinstance(r, dict)
                and isinstance(r.get("uri"), str)
                and isinstance(r.get("cid"), str)
                for r in refs
            ):
                return Answer(400, {"error": "InvalidRequest", "message": "bad reply refs"})
            parent_index = self.index_of(reply["parent"]["uri"])
        text = str(record["text"])
        tags = tuple(w[1:].lower() for w in text.split() if w.startswith("#") and len(w) > 1)
        post = self.add_post(
            text=text,
            author=self.handle.split(".")[0],
            tags=tags,
            media=0,
            in_reply_to=parent_index,
        )
        self.replies.append(Reply(index=post.index, body=body, headers=dict(request.headers)))
        return Answer(
            200,
            {
                "uri": self.post_id(post.index),
                "cid": self.cid_of(post.index),
                "commit": {"cid": "bafyreicommit", "rev": "3kzrev"},
            },
        )
