"""Who may open which community page and call which community API route (one status per persona).

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: erin's approved entry in the open campaign, a comment on it by oscar (who belongs to
another organisation, so he is the crowd here), and a notification for erin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crowdstudio.community import services
from crowdstudio.community.models import Notification

PERSONAS = ("anonymous", "entrant", "judge", "moderator", "producer", "owner", "outsider")
LOGIN = "login"
LOGIN_PATH = "/accounts/login/"
ADVICE = "The light is beautiful, but the horizon is tilted."


@dataclass
class World:
    slug: str
    entry_id: int
    comment_id: int
    notification_id: int
    token: str


@dataclass
class Row:
    method: str
    kwargs: Callable[[World], dict[str, Any]]
    expected: tuple[int | str, ...]  # in the order of PERSONAS
    body: Callable[[World], dict[str, Any]] = field(default=lambda w: {})


def _entry(w: World) -> dict[str, Any]:
    return {"pk": w.entry_id}


def _comment(w: World) -> dict[str, Any]:
    return {"pk": w.comment_id}


def _campaign(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


def _none(w: World) -> dict[str, Any]:
    return {}


#                          anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, Row] = {
    "comment_create": Row(
        "post", _entry, (LOGIN, 302, 302, 302, 302, 302, 302), body=lambda w: {"body": "Nice!"}
    ),
    # Only the comment's author (oscar) may edit or delete it.
    "comment_edit": Row(
        "post", _comment, (LOGIN, 403, 403, 403, 403, 403, 302), body=lambda w: {"body": "Edited"}
    ),
    "comment_delete": Row("post", _comment, (LOGIN, 403, 403, 403, 403, 403, 302)),
    # Anyone signed in may report it, except its author.
    "comment_report": Row(
        "post",
        _comment,
        (LOGIN, 302, 302, 302, 302, 302, 400),
        body=lambda w: {"reason": "spam"},
    ),
    # The campaign's moderators (moderator, producer, owner) hide and restore.
    "comment_moderate": Row(
        "post",
        _comment,
        (LOGIN, 403, 403, 302, 302, 302, 403),
        body=lambda w: {"action": "hide", "reason": "Off topic"},
    ),
    "community_reports": Row("get", _campaign, (LOGIN, 403, 403, 200, 200, 200, 403)),
    # Not on one's own entry (erin), not by the organising team (they judge): only oscar.
    "review_save": Row(
        "post",
        _entry,
        (LOGIN, 403, 403, 403, 403, 403, 302),
        body=lambda w: {"rating": "4", "advice": ADVICE},
    ),
    "follow_entry": Row(
        "post", _entry, (LOGIN, 302, 302, 302, 302, 302, 302), body=lambda w: {"following": "1"}
    ),
    "follow_campaign": Row(
        "post", _campaign, (LOGIN, 302, 302, 302, 302, 302, 302), body=lambda w: {"following": "1"}
    ),
    "notifications": Row("get", _none, (LOGIN, 200, 200, 200, 200, 200, 200)),
    # The notification is erin's: for anyone else it does not exist.
    "notification_read": Row(
        "post", lambda w: {"pk": w.notification_id}, (LOGIN, 302, 404, 404, 404, 404, 404)
    ),
    "notifications_read_all": Row("post", _none, (LOGIN, 302, 302, 302, 302, 302, 302)),
    "notification_settings": Row(
        "post",
        _none,
        (LOGIN, 302, 302, 302, 302, 302, 302),
        body=lambda w: {"digest": "hourly", "language": "en"},
    ),
    # The signed token is the credential: it works for anyone holding the link.
    "digest_unsubscribe": Row(
        "get", lambda w: {"token": w.token}, (200, 200, 200, 200, 200, 200, 200)
    ),
}


#                          anon entrant judge mod  prod owner outsider
API_ROWS: dict[str, Row] = {
    "comment_list": Row(
        "get", lambda w: f"/entries/{w.entry_id}/comments", (200, 200, 200, 200, 200, 200, 200)
    ),
    "comment_create": Row(
        "post",
        lambda w: f"/entries/{w.entry_id}/comments",
        (401, 201, 201, 201, 201, 201, 201),
        body=lambda w: {"body": "Lovely", "parent_id": w.comment_id},
    ),
    "review_list": Row(
        "get", lambda w: f"/entries/{w.entry_id}/reviews", (200, 200, 200, 200, 200, 200, 200)
    ),
    "review_put": Row(
        "put",
        lambda w: f"/entries/{w.entry_id}/review",
        (401, 403, 403, 403, 403, 403, 201),
        body=lambda w: {"rating": 5, "advice": ADVICE},
    ),
    "entry_follow": Row(
        "put", lambda w: f"/entries/{w.entry_id}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "entry_unfollow": Row(
        "delete", lambda w: f"/entries/{w.entry_id}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "campaign_follow": Row(
        "put", lambda w: f"/campaigns/{w.slug}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "campaign_unfollow": Row(
        "delete", lambda w: f"/campaigns/{w.slug}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "notification_list": Row(
        "get", lambda w: "/notifications", (401, 200, 200, 200, 200, 200, 200)
    ),
    "notification_mark_read": Row(
        "post",
        lambda w: f"/notifications/{w.notification_id}/read",
        (401, 200, 404, 404, 404, 404, 404),
    ),
    "notifications_mark_all_read": Row(
        "post", lambda w: "/notifications/read-all", (401, 200, 200, 200, 200, 200, 200)
    ),
}


@pytest.fixture
def world(personas, open_campaign, approved_entry) -> World:
    entry = approved_entry(personas["entrant"], title="Rooftop sunset")
    comment = services.comment_post(entry=entry, user=personas["outsider"], body="Great light")
    notification = Notification.objects.get(recipient=personas["entrant"])
    return World(
        slug=open_campaign.slug,
        entry_id=entry.pk,
        comment_id=comment.pk,
        notification_id=notification.pk,
        token=services.unsubscribe_token(personas["entrant"]),
    )


def _client_as(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    row = WEB_ROWS[name]
    url = reverse(name, kwargs=row.kwargs(world))
    client = _client_as(personas, persona)
    if row.method == "post":
        response = client.post(url, row.body(world))
    else:
        response = client.get(url)
    expected = row.expected[PERSONAS.index(persona)]
    if expected == LOGIN:
        assert response.status_code == 302
        assert LOGIN_PATH in response["Location"]
    else:
        assert response.status_code == expected, response.content[:2000]
    if expected == 302:
        assert LOGIN_PATH not in response["Location"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    row = API_ROWS[name]
    client = _client_as(personas, persona)
    path = "/api" + row.kwargs(world)  # type: ignore[operator]
    body = json.dumps(row.body(world))
    if row.method == "get":
        response = client.get(path)
    else:
        response = getattr(client, row.method)(path, body, content_type="application/json")
    expected = row.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, response.content
    if isinstance(expected, int) and expected >= 400:
        assert set(response.json()) >= {"message", "code"}


def test_every_api_row_names_a_community_handler():
    from crowdstudio.api import community

    handlers = {
        op.view_func.__name__
        for path_view in community.router.path_operations.values()
        for op in path_view.operations
    }
    assert set(API_ROWS) == handlers
