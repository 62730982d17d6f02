"""Authentication, error format, docs, and who may call which route (the permission table)."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from crowdstudio.accounts.models import ApiToken
from crowdstudio.api.urls import api
from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries import services as entry_services
from crowdstudio.entries.models import Entry, EntryStatus
from tests.permissions import PERSONAS, ApiRow, check_api_row

# --- tokens ---------------------------------------------------------------------------------


def test_a_valid_token_authenticates_a_script_and_records_its_use(personas, make_token):
    raw = make_token(personas["producer"])
    response = Client().get(
        "/api/entries", {"mine": "true"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_may_write_without_a_csrf_token(personas, make_token, draft_campaign):
    raw = make_token(personas["producer"])
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        f"/api/campaigns/{draft_campaign.slug}",
        json.dumps({"tagline": "Hi"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    assert response.json()["tagline"] == "Hi"


def test_a_revoked_token_is_refused(personas, make_token):
    raw = make_token(personas["producer"])
    ApiToken.objects.update(revoked_at=timezone.now())
    response = Client().get(
        "/api/entries", {"mine": "true"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "revoked" in response.json()["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer cs_not-a-token-we-issued",
        "Bearer ",
    ],
)
def test_a_garbage_token_is_refused_even_on_a_public_route(db, header):
    response = Client().get("/api/campaigns", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_token_of_a_deactivated_user_is_refused(personas, make_token):
    raw = make_token(personas["producer"])
    personas["producer"].is_active = False
    personas["producer"].save()
    response = Client().get("/api/entries", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_last_used_is_not_rewritten_on_every_request(personas, make_token):
    raw = make_token(personas["producer"])
    earlier = timezone.now() - timedelta(seconds=5)
    ApiToken.objects.update(last_used_at=earlier)
    Client().get("/api/entries", headers={"Authorization": f"Bearer {raw}"})
    assert ApiToken.objects.get().last_used_at == earlier


def test_a_protected_route_without_credentials_answers_401_json(db):
    response = Client().post("/api/campaigns", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication required.", "code": "unauthenticated"}
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- sessions and CSRF ----------------------------------------------------------------------


def _csrf_client(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return client, secret


def test_a_browser_session_must_send_the_csrf_token_to_write(personas, draft_campaign):
    client, _secret = _csrf_client(personas["producer"])
    response = client.patch(
        f"/api/campaigns/{draft_campaign.slug}",
        json.dumps({"tagline": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_a_browser_session_with_the_csrf_header_may_write(personas, draft_campaign):
    client, secret = _csrf_client(personas["producer"])
    response = client.patch(
        f"/api/campaigns/{draft_campaign.slug}",
        json.dumps({"tagline": "x"}),
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 200


def test_a_browser_session_reads_without_a_csrf_token(personas, draft_campaign):
    client, _secret = _csrf_client(personas["judge"])
    response = client.get(f"/api/campaigns/{draft_campaign.slug}")
    assert response.status_code == 200


# --- the error format -----------------------------------------------------------------------


def test_malformed_json_is_a_422_json_error(api_as, open_campaign):
    response = api_as("producer").client.post(
        f"/api/campaigns/{open_campaign.slug}/transition",
        "{'to': open",
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "JSON" in response.json()["message"]


def test_an_invalid_field_is_named_in_the_422(api_as, open_campaign):
    response = api_as("producer").post(
        f"/campaigns/{open_campaign.slug}/transition", {"to": "sideways"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("to: ")
    assert body["errors"][0]["field"] == "to"


def test_an_unknown_campaign_is_a_404_json_error(api_as, personas):
    response = api_as("owner").get("/campaigns/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unexpected_error_is_a_500_without_a_traceback(api_as, personas, monkeypatch, caplog):
    from crowdstudio.api import campaigns

    def explode(user: Any) -> Any:
        raise RuntimeError("database on fire: secret detail")

    monkeypatch.setattr(campaigns, "campaigns_visible_to", explode)
    with caplog.at_level(logging.ERROR, logger="crowdstudio.api.urls"):
        response = api_as("entrant").get("/campaigns")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert "secret detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "database on fire" in caplog.text


# --- docs -----------------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_route_and_the_error_shape(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {
        "/api/campaigns",
        "/api/campaigns/{slug}",
        "/api/campaigns/{slug}/entries",
        "/api/entries",
        "/api/entries/{entry_id}",
        "/api/campaigns/{slug}/moderation",
        "/api/entries/{entry_id}/approve",
        "/api/entries/{entry_id}/reject",
        "/api/campaigns/{slug}/moderation/bulk",
    } <= set(schema["paths"])
    reject = schema["paths"]["/api/entries/{entry_id}/reject"]["post"]["responses"]
    assert reject["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) >= {"message", "code"}


def test_the_docs_page_loads(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_docs_page_needs_no_external_site(db):
    # django-ninja serves Swagger UI from its own static files only when "ninja" is installed.
    html = Client().get("/api/docs").content.decode()
    assert "https://" not in html and "http://" not in html


# --- the permission table -------------------------------------------------------------------
#
# One row per route: the request, and the status each persona gets. A route added to the API
# without a row here fails `test_every_route_has_a_row_in_the_permission_table`.


@dataclass
class World:
    open_slug: str
    draft_slug: str
    entry_id: int
    terms_id: int
    upload: Callable[[], Any]


def _later(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


#                                      anon entrant judge  mod  prod owner outsider
ROUTES: dict[str, ApiRow] = {
    "campaign_list": ApiRow("get", lambda w: "/campaigns", (200, 200, 200, 200, 200, 200, 200)),
    "campaign_create": ApiRow(
        "post",
        lambda w: "/campaigns",
        (401, 404, 403, 403, 201, 201, 404),
        body=lambda w: {"organisation": "northern-lights", "title": "New", "kind": "photo_video"},
    ),
    "campaign_detail": ApiRow(
        "get", lambda w: f"/campaigns/{w.draft_slug}", (404, 404, 200, 200, 200, 200, 404)
    ),
    "campaign_update": ApiRow(
        "patch",
        lambda w: f"/campaigns/{w.draft_slug}",
        (401, 404, 403, 403, 200, 200, 404),
        body=lambda w: {"tagline": "Changed"},
    ),
    "campaign_transition": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.open_slug}/transition",
        (401, 403, 403, 403, 200, 200, 403),
        body=lambda w: {"to": "judging"},
    ),
    "round_create": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.open_slug}/rounds",
        (401, 403, 403, 403, 201, 201, 403),
        body=lambda w: {"title": "Final", "opens_at": _later(40), "closes_at": _later(50)},
    ),
    "prize_create": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.open_slug}/rounds/1/prizes",
        (401, 403, 403, 403, 201, 201, 403),
        body=lambda w: {"rank": 2, "title": "Runner-up", "kind": "cash", "amount": "100"},
    ),
    "terms_create": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.open_slug}/terms",
        (401, 403, 403, 403, 201, 201, 403),
        body=lambda w: {"body": "New terms."},
    ),
    "entry_create": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.open_slug}/entries",
        (401, 201, 403, 403, 403, 403, 201),
        multipart=True,
        body=lambda w: {
            "title": "Mine",
            "accept_terms": "true",
            "terms_version_id": w.terms_id,
            "files": [w.upload()],
        },
    ),
    "entry_list": ApiRow("get", lambda w: "/entries", (200, 200, 200, 200, 200, 200, 200)),
    "entry_detail": ApiRow(
        "get", lambda w: f"/entries/{w.entry_id}", (404, 200, 200, 200, 200, 200, 404)
    ),
    "moderation_queue": ApiRow(
        "get", lambda w: f"/campaigns/{w.open_slug}/moderation", (401, 403, 403, 200, 200, 200, 403)
    ),
    "entry_approve": ApiRow(
        "post", lambda w: f"/entries/{w.entry_id}/approve", (401, 403, 403, 200, 200, 200, 404)
    ),
    "entry_reject": ApiRow(
        "post",
        lambda w: f"/entries/{w.entry_id}/reject",
        (401, 403, 403, 200, 200, 200, 404),
        body=lambda w: {"reason": "Out of focus."},
    ),
    "moderation_bulk": ApiRow(
        "post",
        lambda w: f"/campaigns/{w.open_slug}/moderation/bulk",
        (401, 403, 403, 200, 200, 200, 403),
        body=lambda w: {"entry_ids": [w.entry_id], "decision": "approved"},
    ),
}

_NOT_ROUTES = {"openapi-json", "openapi-view", "api-root"}

#: Apps whose routes need their own world (a jury, votes, an award) keep their permission
#: table beside their tests, as `API_ROWS` (route name → anything); the guard below reads them.
APP_TABLES = (
    "tests.community.test_permissions",
    "tests.voting.test_permissions",
    "tests.judging.test_permissions",
    "tests.awards.test_permissions",
    "tests.social.test_permissions",
    "tests.rights.test_permissions",
    "tests.studio.test_permissions",
    "tests.screenplays.test_permissions",
    "tests.screenplays.test_tableread_permissions",
)


def _app_api_rows() -> set[str]:
    names: set[str] = set()
    for module in APP_TABLES:
        names |= set(importlib.import_module(module).API_ROWS)
    return names


def test_every_route_has_a_row_in_the_permission_table():
    patterns, _app, _namespace = api.urls
    names = {p.name for p in patterns} - _NOT_ROUTES
    assert names - _app_api_rows() == set(ROUTES), "add a row to ROUTES for each new route"
    operations = {
        (op["operationId"], method)
        for path in api.get_openapi_schema()["paths"].values()
        for method, op in path.items()
    }
    for name, row in ROUTES.items():
        assert any(
            op_id.endswith(f"_{name}") and method == row.method for op_id, method in operations
        ), f"{name} is not a {row.method.upper()}"


@pytest.fixture
def world(personas, open_campaign, draft_campaign, image_upload) -> World:
    """An entry of erin's waiting for moderation in the open campaign (intake skipped)."""
    terms = current_terms(open_campaign)
    entry = entry_services.entry_submit(
        campaign=open_campaign,
        author=personas["entrant"],
        title="Night swim",
        description="",
        files=[image_upload(3)],
        terms_version_id=terms.id,
        accept_terms=True,
        applicant=Applicant(),
    )
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.AWAITING_MODERATION)
    uploads = iter(range(100, 200))
    return World(
        open_slug=open_campaign.slug,
        draft_slug=draft_campaign.slug,
        entry_id=entry.pk,
        terms_id=terms.id,
        upload=lambda: image_upload(next(uploads)),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_permissions(route, persona, world, personas):
    check_api_row(ROUTES[route], world, personas, persona)
