"""A fake Instagram Graph API: ig_hashtag_search, recent_media with `after` paging, media."""

from __future__ import annotations

import json
import re
import urllib.parse
import zlib
from datetime import datetime, timedelta
from typing import Any

from ._server import Answer, FakePost, FakeServer, Recorded

VERSION = "v21.0"
MEDIA_BASE = 17_900_000_000_000_000
_RECENT = re.compile(rf"^/{VERSION}/(\d+)/recent_media$")
_NODE = re.compile(rf"^/{VERSION}/(\d+)$")


def graph_error(
    message: str, code: int, subcode: int | None = None, kind: str = "OAuthException"
) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class FakeInstagram(FakeServer):
    """Graph API for one business account (`ig_user_id`, `token`). Every `carousel_every`-th
    generated post is a two-image carousel. `recent_window` (with `clock`) hides media older
    than the window, like the real 24 hours; `searched_tags` lists the hashtags searched."""

    network = "instagram"

    def __init__(
        self,
        *,
        token: str = "instagram-token",  # noqa: S107
        ig_user_id: str = "17841400000000001",
        carousel_every: int = 5,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.token = token
        self.ig_user_id = ig_user_id
        self.carousel_every = carousel_every
        self.searched_tags: list[str] = []
        self.recent_window: timedelta | None = None
        self.clock: datetime | None = None

    @property
    def graph_base(self) -> str:
        return f"{self.base_url}/{VERSION}"

    def hashtag_id(self, tag: str) -> str:
        return str(17_843_000_000_000_000 + zlib.crc32(tag.lower().encode()) % 1_000_000)

    def post_id(self, index: int) -> str:
        return str(MEDIA_BASE + index)

    def index_of(self, media_id: str) -> int | None:
        return int(media_id) - MEDIA_BASE if media_id.isdigit() else None

    # -- rendering ----------------------------------------------------------------------------

    def media(self, post: FakePost, fields: set[str]) -> dict[str, Any]:
        carousel = post.media >= 2 or (
            post.media == 1 and self.carousel_every > 0 and post.index % self.carousel_every == 0
        )
        item: dict[str, Any] = {
            "id": self.post_id(post.index),
            "caption": post.text,
            "media_type": "CAROUSEL_ALBUM" if carousel else "IMAGE",
            "permalink": f"https://www.instagram.com/p/C{post.index:09d}/",
            "timestamp": post.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        }
        if carousel:
            item["children"] = {
                "data": [
                    {
                        "id": f"{self.post_id(post.index)}{n}",
                        "media_type": "IMAGE",
                        "media_url": self.media_url(post, n),
                    }
                    for n in range(max(2, post.media))
                ]
            }
        elif post.media:
            item["media_url"] = self.media_url(post, 0)
        # media without media_url: what Instagram does for copyrighted media (our "no media").
        return {k: v for k, v in item.items() if k in fields or k == "id"}

    # -- routes -------------------------------------------------------------------------------

    def fault_answer(self, kind: str, retry_after: float) -> Answer:
        if kind == "rate_limit":
            usage = {
                self.ig_user_id: [
                    {
                        "type": "instagram",
                        "call_count": 100,
                        "total_cputime": 10,
                        "total_time": 10,
                        "estimated_time_to_regain_access": max(1, round(retry_after / 60)),
                    }
                ]
            }
            return Answer(
                400,
                graph_error("Application request limit reached", 4),
                headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
            )
        if kind == "error":
            return Answer(500, graph_error("An unknown error has occurred.", 1))
        if kind == "malformed":
            return Answer(200, raw=b'{"data": [{"id": "1", ')
        return super().fault_answer(kind, retry_after)

    def route(self, request: Recorded) -> Answer:
        if request.method != "GET":
            return Answer(400, graph_error("Unsupported post request.", 100, 33))
        if request.param("access_token") != self.token:
            return Answer(400, graph_error("Invalid OAuth access token.", 190))
        if request.path == f"/{VERSION}/ig_hashtag_search":
            if request.param("user_id") != self.ig_user_id or not request.param("q"):
                return Answer(400, graph_error("Invalid parameter", 100))
            tag = request.param("q").lstrip("#").lower()
            self.searched_tags.append(tag)
            return Answer(200, {"data": [{"id": self.hashtag_id(tag)}]})
        match = _RECENT.match(request.path)
        if match:
            return self._recent(request, match.group(1))
        match = _NODE.match(request.path)
        if match:
            index = self.index_of(match.group(1))
            post = self.post(index) if index is not None else None
            if post is None:
                return Answer(
                    400,
                    graph_error(
                        f"Unsupported get request. Object with ID '{match.group(1)}' does not "
                        "exist, cannot be loaded due to missing permissions, or does not "
                        "support this operation.",
                        100,
                        33,
                        "GraphMethodException",
                    ),
                )
            return Answer(200, self.media(post, _fields(request.param("fields"))))
        return Answer(400, graph_error("Unknown path components", 2500))

    def _recent(self, request: Recorded, hashtag_id: str) -> Answer:
        tag = next((t for t in set(self.searched_tags) if self.hashtag_id(t) == hashtag_id), None)
        if tag is None or request.param("user_id") != self.ig_user_id:
            return Answer(400, graph_error("Invalid parameter", 100))
        try:
            limit = int(request.param("limit") or 25)
        except ValueError:
            limit = 25
        limit = max(1, min(50, limit))
        after = request.param("after")
        upper = int(after) - 1 if after.isdigit() else self.count
        oldest = self.clock - self.recent_window if self.clock and self.recent_window else None
        fields = _fields(request.param("fields") or "id")
        found: list[FakePost] = []
        more = False
        for post in self.newest_first(upper, 1, tag):
            if oldest is not None and post.created_at < oldest:
                break
            if len(found) == limit:
                more = True
                break
            found.append(post)
        body: dict[str, Any] = {"data": [self.media(p, fields) for p in found]}
        if found:
            cursor = str(found[-1].index)
            body["paging"] = {"cursors": {"after": cursor}}
            if more:
                query = {k: v[0] for k, v in request.query.items()}
                query["after"] = cursor
                body["paging"]["next"] = (
                    f"{self.base_url}{request.path}?{urllib.parse.urlencode(query)}"
                )
        return Answer(200, body)


def _fields(spec: str) -> set[str]:
    """Top-level names of a Graph `fields` list ("a,b,children{c,d}" → {a, b, children})."""
    names, depth, current = set(), 0, ""
    for char in spec:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            names.add(current.strip())
            current = ""
        elif depth == 0:
            current += char
    names.add(current.strip())
    return {n for n in names if n}
