"""Who may open which community page and call which community API route (one status per persona).

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: erin's approved entry in the open campaign, a comment on it by oscar (who belongs to
another organisation, so he is the crowd here), and a notification for erin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from crowdstudio.community import services
from crowdstudio.community.models import Notification
from tests.permissions import LOGIN, PERSONAS, ApiRow, WebRow, check_api_row, check_web_row

ADVICE = "The light is beautiful, but the horizon is tilted."


@dataclass
class World:
    slug: str
    entry_id: int
    comment_id: int
    notification_id: int
    token: str


def _entry(w: World) -> dict[str, Any]:
    return {"pk": w.entry_id}


def _comment(w: World) -> dict[str, Any]:
    return {"pk": w.comment_id}


def _campaign(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


def _none(w: World) -> dict[str, Any]:
    return {}


#                          anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "comment_create": WebRow(
        "post", _entry, (LOGIN, 302, 302, 302, 302, 302, 302), body=lambda w: {"body": "Nice!"}
    ),
    # Only the comment's author (oscar) may edit or delete it.
    "comment_edit": WebRow(
        "post", _comment, (LOGIN, 403, 403, 403, 403, 403, 302), body=lambda w: {"body": "Edited"}
    ),
    "comment_delete": WebRow("post", _comment, (LOGIN, 403, 403, 403, 403, 403, 302)),
    # Anyone signed in may report it, except its author.
    "comment_report": WebRow(
        "post",
        _comment,
        (LOGIN, 302, 302, 302, 302, 302, 400),
        body=lambda w: {"reason": "spam"},
    ),
    # The campaign's moderators (moderator, producer, owner) hide and restore.
    "comment_moderate": WebRow(
        "post",
        _comment,
        (LOGIN, 403, 403, 302, 302, 302, 403),
        body=lambda w: {"action": "hide", "reason": "Off topic"},
    ),
    "community_reports": WebRow("get", _campaign, (LOGIN, 403, 403, 200, 200, 200, 403)),
    # Not on one's own entry (erin), not by the organising team (they judge): only oscar.
    "review_save": WebRow(
        "post",
        _entry,
        (LOGIN, 403, 403, 403, 403, 403, 302),
        body=lambda w: {"rating": "4", "advice": ADVICE},
    ),
    "follow_entry": WebRow(
        "post", _entry, (LOGIN, 302, 302, 302, 302, 302, 302), body=lambda w: {"following": "1"}
    ),
    "follow_campaign": WebRow(
        "post", _campaign, (LOGIN, 302, 302, 302, 302, 302, 302), body=lambda w: {"following": "1"}
    ),
    "notifications": WebRow("get", _none, (LOGIN, 200, 200, 200, 200, 200, 200)),
    # The notification is erin's: for anyone else it does not exist.
    "notification_read": WebRow(
        "post", lambda w: {"pk": w.notification_id}, (LOGIN, 302, 404, 404, 404, 404, 404)
    ),
    "notifications_read_all": WebRow("post", _none, (LOGIN, 302, 302, 302, 302, 302, 302)),
    "notification_settings": WebRow(
        "post",
        _none,
        (LOGIN, 302, 302, 302, 302, 302, 302),
        body=lambda w: {"digest": "hourly", "language": "en"},
    ),
    # The signed token is the credential: it works for anyone holding the link.
    "digest_unsubscribe": WebRow(
        "get", lambda w: {"token": w.token}, (200, 200, 200, 200, 200, 200, 200)
    ),
}


#                          anon entrant judge mod  prod owner outsider
API_ROWS: dict[str, ApiRow] = {
    "comment_list": ApiRow(
        "get", lambda w: f"/entries/{w.entry_id}/comments", (200, 200, 200, 200, 200, 200, 200)
    ),
    "comment_create": ApiRow(
        "post",
        lambda w: f"/entries/{w.entry_id}/comments",
        (401, 201, 201, 201, 201, 201, 201),
        body=lambda w: {"body": "Lovely", "parent_id": w.comment_id},
    ),
    "review_list": ApiRow(
        "get", lambda w: f"/entries/{w.entry_id}/reviews", (200, 200, 200, 200, 200, 200, 200)
    ),
    "review_put": ApiRow(
        "put",
        lambda w: f"/entries/{w.entry_id}/review",
        (401, 403, 403, 403, 403, 403, 201),
        body=lambda w: {"rating": 5, "advice": ADVICE},
    ),
    "entry_follow": ApiRow(
        "put", lambda w: f"/entries/{w.entry_id}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "entry_unfollow": ApiRow(
        "delete", lambda w: f"/entries/{w.entry_id}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "campaign_follow": ApiRow(
        "put", lambda w: f"/campaigns/{w.slug}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "campaign_unfollow": ApiRow(
        "delete", lambda w: f"/campaigns/{w.slug}/follow", (401, 200, 200, 200, 200, 200, 200)
    ),
    "notification_list": ApiRow(
        "get", lambda w: "/notifications", (401, 200, 200, 200, 200, 200, 200)
    ),
    "notification_mark_read": ApiRow(
        "post",
        lambda w: f"/notifications/{w.notification_id}/read",
        (401, 200, 404, 404, 404, 404, 404),
    ),
    "notifications_mark_all_read": ApiRow(
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


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    check_web_row(name, WEB_ROWS[name], world, personas, persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona)


def test_every_api_row_names_a_community_handler():
    from crowdstudio.api import community

    handlers = {
        op.view_func.__name__
        for path_view in community.router.path_operations.values()
        for op in path_view.operations
    }
    assert set(API_ROWS) == handlers
