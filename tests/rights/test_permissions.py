"""Who may open which rights page and call which rights API route (one status per persona).

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: erin's approved upload (her rights, granted by the terms); a Mastodon post with an
open rights request (its link); another imported post not asked yet; an Instagram post whose
link request the organiser has not delivered yet. The team's rights pages need
Capability.MODERATE, the policy Capability.EDIT_CAMPAIGN; withdrawal is the creator's alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdstudio.campaigns.services import current_terms
from crowdstudio.rights import services
from tests.permissions import (
    LOGIN,
    PERSONAS,
    ApiRow,
    WebRow,
    check_api_row,
    check_web_row,
    client_as,
)


@dataclass
class World:
    slug: str
    upload_id: int
    fresh_id: int
    token: str
    link_request_id: int
    terms_id: int


def _token(w: World) -> dict[str, Any]:
    return {"token": w.token}


def _upload(w: World) -> dict[str, Any]:
    return {"pk": w.upload_id}


def _campaign(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


WITHDRAW = {"reason": "Changed my mind", "confirm": "on"}

#                         anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "rights_link": WebRow("get", _token, (200, 200, 200, 200, 200, 200, 200)),
    "rights_prove": WebRow("post", _token, (LOGIN, 302, 302, 302, 302, 302, 302)),
    # Nobody in the world has proved the handle yet: everyone is refused.
    "rights_accept": WebRow(
        "post",
        _token,
        (LOGIN, 403, 403, 403, 403, 403, 403),
        body=lambda w: {"accept_terms": "on", "terms_version_id": w.terms_id},
    ),
    "rights_decline": WebRow("post", _token, (LOGIN, 403, 403, 403, 403, 403, 403)),
    "rights_entry": WebRow("get", _upload, (LOGIN, 200, 200, 200, 200, 200, 404)),
    "rights_withdraw": WebRow(
        "post", _upload, (LOGIN, 302, 404, 404, 404, 404, 404), body=lambda w: WITHDRAW
    ),
    "rights_request_entry": WebRow(
        "post", lambda w: {"pk": w.fresh_id}, (LOGIN, 403, 403, 302, 302, 302, 403)
    ),
    "rights_release_add": WebRow(
        "post",
        _upload,
        (LOGIN, 302, 403, 302, 302, 302, 404),
        body=lambda w: {
            "kind": "people",
            "person_name": "Pat Passer-by",
            "signed_at": timezone.localdate().isoformat(),
        },
    ),
    "rights_campaign": WebRow("get", _campaign, (LOGIN, 403, 403, 200, 200, 200, 403)),
    "rights_send": WebRow(
        "post",
        _campaign,
        (LOGIN, 403, 403, 302, 302, 302, 403),
        body=lambda w: {"entries": [w.fresh_id]},
    ),
    "rights_policy": WebRow(
        "post",
        _campaign,
        (LOGIN, 403, 403, 403, 302, 302, 403),
        body=lambda w: {
            "public_display": "on",
            "consent_hashtag": "OkToUse",
            "request_expiry_days": "14",
            "reply_templates": "May we use it? {hashtag} {link}",
        },
    ),
    "rights_mark_sent": WebRow(
        "post", lambda w: {"pk": w.link_request_id}, (LOGIN, 404, 403, 302, 302, 302, 404)
    ),
}

#                                       anon entrant judge mod prod owner outsider
API_ROWS: dict[str, ApiRow] = {
    "rights_overview": ApiRow(
        "get", lambda w: f"/campaigns/{w.slug}/rights", (401, 403, 403, 200, 200, 200, 403)
    ),
    "rights_requests_send": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.slug}/rights/requests",
        (401, 403, 403, 200, 200, 200, 403),
        body=lambda w: {"entry_ids": [w.fresh_id]},
    ),
    "rights_withdraw": ApiRow(
        "post",
        lambda w: f"/entries/{w.upload_id}/rights/withdraw",
        (401, 200, 404, 404, 404, 404, 404),
        body=lambda w: {"reason": "Changed my mind", "confirm": True},
    ),
}


@pytest.fixture
def world(personas, open_campaign, approved_entry, imported_entry, fake_social) -> World:
    upload = approved_entry(personas["entrant"], title="Harbour at night")
    asked = imported_entry("100")
    fresh = imported_entry("110")
    instagram = imported_entry("ig1", network="instagram")
    result = services.rights_request_send(entries=[asked, instagram], user=personas["moderator"])
    by_entry = {r.entry_id: r for r in result.sent}
    return World(
        slug=open_campaign.slug,
        upload_id=upload.pk,
        fresh_id=fresh.pk,
        token=by_entry[asked.pk].token,
        link_request_id=by_entry[instagram.pk].pk,
        terms_id=current_terms(open_campaign).id,
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    check_web_row(name, WEB_ROWS[name], world, personas, persona, logs_writes=True)


@pytest.mark.parametrize("name", sorted(n for n, r in WEB_ROWS.items() if r.method == "post"))
def test_write_views_refuse_get(name, world, personas):
    url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
    assert client_as(personas, "owner").get(url).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona)


def test_an_unknown_token_is_not_found(client, db):
    assert client.get(reverse("rights_link", kwargs={"token": "nope"})).status_code == 404
