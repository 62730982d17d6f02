"""The shared harness of the permission tables (CONVENTIONS §12).

Each table (tests/test_permission_matrix.py, tests/api/test_auth.py, and each app's
tests/<app>/test_permissions.py) keeps its own world fixture and its rows, one expected status
per persona in the order of PERSONAS; the request and the assertions live here, so every table
checks the same things:

- a web page answers the expected status; LOGIN means a redirect to the login page, and any
  other 302 must not be one;
- an API route answers the expected status in JSON, and a refusal has the error shape
  (`message` and `code`);
- optionally, a refused request changes nothing (`unchanged`) and, for tables that ask for it,
  an accepted write is logged (`logs_writes`, CONVENTIONS §6).

The site-wide guards read each module's tables (ROWS / WEB_ROWS, ROUTES / API_ROWS) by name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from crowdstudio.audit.models import AuditEvent

PERSONAS = ("anonymous", "entrant", "judge", "moderator", "producer", "owner", "outsider")
LOGIN = "login"  # a 302 to the login page
LOGIN_PATH = "/accounts/login/"


@dataclass
class WebRow:
    """A named web route: its URL kwargs and form body, built from the table's world."""

    method: str
    kwargs: Callable[[Any], dict[str, Any]]
    expected: tuple[int | str, ...]  # in the order of PERSONAS
    body: Callable[[Any], dict[str, Any]] | None = None


@dataclass
class ApiRow:
    """An API route: its path under /api (e.g. "/campaigns") and JSON (or multipart) body."""

    method: str
    path: Callable[[Any], str]
    expected: tuple[int, ...]  # in the order of PERSONAS
    body: Callable[[Any], Any] | None = None
    multipart: bool = False


def client_as(personas: dict[str, Any], persona: str) -> Client:
    """A test client with that persona's session (none for "anonymous")."""
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def expected_for(row: WebRow | ApiRow, persona: str) -> int | str:
    return row.expected[PERSONAS.index(persona)]


def is_refusal(expected: int | str) -> bool:
    return expected == LOGIN or (isinstance(expected, int) and expected >= 400)


def check_web_row(
    name: str,
    row: WebRow,
    world: Any,
    personas: dict[str, Any],
    persona: str,
    *,
    logs_writes: bool = False,
    unchanged: Callable[[], Any] | None = None,
) -> HttpResponse:
    """Request the named page as `persona` and check the status the row expects.

    `logs_writes`: a refused request writes no audit event, an accepted POST writes at least
    one (proof that the row's body was valid). `unchanged`: a snapshot of what a refused
    request must leave as it was (counts of votes, ballots...).
    """
    url = reverse(name, kwargs=row.kwargs(world))
    client = client_as(personas, persona)
    snapshot = unchanged() if unchanged else None
    events_before = AuditEvent.objects.count()
    if row.method == "post":
        response = client.post(url, row.body(world) if row.body else {})
    else:
        response = client.get(url)

    expected = expected_for(row, persona)
    if expected == LOGIN:
        assert response.status_code == 302
        assert LOGIN_PATH in response["Location"]
    else:
        assert response.status_code == expected, response.content[:2000]
    if expected == 302:
        assert LOGIN_PATH not in response["Location"]
    if is_refusal(expected):
        if unchanged:
            # A refused request changes nothing.
            assert unchanged() == snapshot
    if logs_writes:
        events = AuditEvent.objects.count() - events_before
        if is_refusal(expected):
            # A refused request changes nothing, and so records nothing.
            assert events == 0
        elif row.method == "post":
            # An accepted write is logged (CONVENTIONS §6): proof that the body was valid.
            assert events > 0
    return response


def check_api_row(
    row: ApiRow,
    world: Any,
    personas: dict[str, Any],
    persona: str,
    *,
    unchanged: Callable[[], Any] | None = None,
) -> HttpResponse:
    """Call the route as `persona` and check the status, the JSON answer and the error shape.

    `unchanged`: a snapshot of what a refused call must leave as it was.
    """
    client = client_as(personas, persona)
    path = "/api" + row.path(world)
    body = row.body(world) if row.body else {}
    snapshot = unchanged() if unchanged else None
    if row.method == "get":
        response = client.get(path)
    elif row.multipart:
        response = client.post(path, body)
    else:
        response = getattr(client, row.method)(
            path, json.dumps(body), content_type="application/json"
        )

    expected = expected_for(row, persona)
    assert response.status_code == expected, response.content[:2000]
    assert response["Content-Type"].startswith("application/json")
    if is_refusal(expected):
        assert set(response.json()) >= {"message", "code"}
        if unchanged:
            assert unchanged() == snapshot
    return response
