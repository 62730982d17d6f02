"""A fake Mastodon instance: tag timeline with Link paging, statuses, replies, rate limits."""

from __future__ import annotations

import html
import re
import urllib.parse
import zlib
from typing import Any

from ._server import Answer, FakePost, FakeServer, Recorded, Reply, iso_ms

ID_BASE = 113_000_000_000_000_000
_STATUS = re.compile(r"^/api/v1/statuses/([^/]+)$")
_TAG = re.compile(r"^/api/v1/timelines/tag/([^/]+)$")


class FakeMastodon(FakeServer):
    """Public tag timeline of one instance. `token` is the organisation's access token that
    POST /api/v1/statuses requires; replies become posts by `studio_account`."""

    network = "mastodon"

    def __init__(
        self,
        *,
        token: str = "mastodon-token",  # noqa: S107
        studio_account: str = "studio",
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.token = token
        self.studio_account = studio_account
        self.idempotency: dict[str, int] = {}

    def post_id(self, index: int) -> str:
        return str(ID_BASE + index)

    def account_id(self, name: str) -> str:
        return str(100_000 + zlib.crc32(name.encode()) % 900_000)

    def index_of(self, status_id: str) -> int | None:
        return int(status_id) - ID_BASE if status_id.isdigit() else None

    # -- rendering ----------------------------------------------------------------------------

    def status(self, post: FakePost) -> dict[str, Any]:
        host = self.base_url
        sid = self.post_id(post.index)
        replied = self.post(post.in_reply_to) if post.in_reply_to else None
        if post.html is not None:
            content = post.html
        else:
            words = []
            for word in post.text.split(" "):
                if word.startswith("#") and len(word) > 1:
                    name = html.escape(word[1:])
                    words.append(
                        f'<a href="{host}/tags/{name}" class="mention hashtag" rel="tag">'
                        f"#<span>{name}</span></a>"
                    )
                else:
                    words.append(html.escape(word))
            content = f"<p>{' '.join(words)}</p>"
        return {
            "id": sid,
            "created_at": iso_ms(post.created_at),
            "edited_at": iso_ms(post.edited_at) if post.edited_at else None,
            "in_reply_to_id": self.post_id(post.in_reply_to) if post.in_reply_to else None,
            "in_reply_to_account_id": self.account_id(replied.author) if replied else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"{host}/users/{post.author}/statuses/{sid}",
            "url": f"{host}/@{post.author}/{sid}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "content": content,
            "reblog": None,
            "account": {
                "id": self.account_id(post.author),
                "username": post.author,
                "acct": post.author,
                "display_name": post.author.title(),
                "url": f"{host}/@{post.author}",
            },
            "media_attachments": [
                {
                    "id": f"{sid}{n}",
                    "type": "image",
                    "url": self.media_url(post, n),
                    "preview_url": self.media_url(post, n),
                    "remote_url": None,
                    "meta": {"original": {"width": 48, "height": 32, "size": "48x32"}},
                    "description": f"Image {n} of post {post.index}",
                    "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
                }
                for n in range(post.media)
            ],
            "mentions": [],
            "tags": [{"name": t, "url": f"{host}/tags/{t}"} for t in post.tags],
            "emojis": [],
        }

    # -- routes -------------------------------------------------------------------------------

    def fault_answer(self, kind: str, retry_after: float) -> Answer:
        answer = super().fault_answer(kind, retry_after)
        if kind == "rate_limit":
            answer.headers["X-RateLimit-Limit"] = "300"
            answer.headers["X-RateLimit-Remaining"] = "0"
        if kind == "malformed":
            answer.raw = b'[{"id": "1", "content": '
        return answer

    def route(self, request: Recorded) -> Answer:
        if request.method == "GET":
            match = _TAG.match(request.path)
            if match:
                return self._timeline(request, match.group(1).lower())
            match = _STATUS.match(request.path)
            if match:
                index = self.index_of(match.group(1))
                post = self.post(index) if index is not None else None
                if post is None:
                    return Answer(404, {"error": "Record not found"})
                return Answer(200, self.status(post))
        if request.method == "POST" and request.path == "/api/v1/statuses":
            return self._create(request)
        return Answer(404, {"error": "Not found"})

    def _timeline(self, request: Recorded, tag: str) -> Answer:
        try:
            limit = int(request.param("limit") or 20)
        except ValueError:
            return Answer(400, {"error": "limit must be a number"})
        limit = max(1, min(40, limit))
        ids = {k: self.index_of(request.param(k)) for k in ("max_id", "min_id", "since_id")}
        upper = ids["max_id"] - 1 if ids["max_id"] is not None else self.count
        if ids["min_id"] is not None:
            found = []
            for post in self.oldest_first(ids["min_id"] + 1, upper, tag):
                found.append(post)
                if len(found) == limit:
                    break
            found.reverse()
        else:
            lower = ids["since_id"] + 1 if ids["since_id"] is not None else 1
            found = []
            for post in self.newest_first(upper, lower, tag):
                found.append(post)
                if len(found) == limit:
                    break
        headers: dict[str, str] = {}
        if found:
            here = f"{self.base_url}/api/v1/timelines/tag/{urllib.parse.quote(tag)}"
            older = self.post_id(found[-1].index)
            newer = self.post_id(found[0].index)
            headers["Link"] = (
                f'<{here}?limit={limit}&max_id={older}>; rel="next", '
                f'<{here}?limit={limit}&min_id={newer}>; rel="prev"'
            )
        return Answer(200, [self.status(p) for p in found], headers=headers)

    def _create(self, request: Recorded) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, {"error": "The access token is invalid"})
        body = request.json
        if not isinstance(body, dict):
            form = urllib.parse.parse_qs(request.body.decode(errors="replace"))
            body = {k: v[0] for k, v in form.items()}
        key = request.headers.get("idempotency-key", "")
        if key and key in self.idempotency:
            existing = self.post(self.idempotency[key])
            assert existing is not None
            return Answer(200, self.status(existing))
        text = str(body.get("status") or "").strip()
        if not text:
            return Answer(422, {"error": "Validation failed: Text can't be blank"})
        parent = None
        if body.get("in_reply_to_id"):
            parent = self.index_of(str(body["in_reply_to_id"]))
            if parent is None or self.post(parent) is None:
                return Answer(404, {"error": "Record not found"})
        tags = tuple(w[1:].lower() for w in text.split() if w.startswith("#") and len(w) > 1)
        post = self.add_post(
            text=text, author=self.studio_account, tags=tags, media=0, in_reply_to=parent
        )
        if key:
            self.idempotency[key] = post.index
        self.replies.append(Reply(index=post.index, body=body, headers=dict(request.headers)))
        return Answer(200, self.status(post))
