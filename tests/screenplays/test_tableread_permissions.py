"""Who may open which table-read page, per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: Erin (the entrant) wrote an approved screenplay entry of the open (public) campaign,
so everyone may see it and listen to its finished table read. Requesting a read is for the
writer and the organisation's team (judge, moderator, producer, owner); the outsider may listen
but not request. Table reads have no API routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from crowdstudio.screenplays.models import TableRead
from crowdstudio.screenplays.tableread_services import suggested_casting
from tests.permissions import LOGIN, PERSONAS, ApiRow, WebRow, check_web_row, client_as
from tests.screenplays.tableread_world import done_read, make_version


@dataclass
class World:
    screenplay: int
    read: int
    casting_body: dict[str, str]


def _version(w: World) -> dict[str, Any]:
    return {"pk": w.screenplay, "number": 1}


def _read(w: World) -> dict[str, Any]:
    return {"pk": w.read}


ALL_200 = (200, 200, 200, 200, 200, 200, 200)

#                         anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "table_read_panel": WebRow("get", _version, ALL_200),
    "table_read_create": WebRow(
        "post",
        _version,
        (LOGIN, 302, 302, 302, 302, 302, 403),
        body=lambda w: w.casting_body,
    ),
    "table_read_status": WebRow("get", _read, ALL_200),
    "table_read_audio": WebRow("get", _read, ALL_200),
    "table_read_download": WebRow("get", _read, ALL_200),
    "table_read_chapters": WebRow("get", _read, ALL_200),
}
API_ROWS: dict[str, ApiRow] = {}


@pytest.fixture
def world(personas, approved_entry) -> World:
    erin = personas["entrant"]
    version = make_version(erin, approved_entry(erin, title="The Lighthouse"))
    read = done_read(version, erin)
    casting = suggested_casting(version=version)
    roles = list(casting)
    return World(
        screenplay=version.screenplay_id,
        read=read.pk,
        casting_body={f"voice_{i}": casting[role] for i, role in enumerate(roles)},
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    response = check_web_row(
        name,
        WEB_ROWS[name],
        world,
        personas,
        persona,
        logs_writes=True,
        unchanged=lambda: TableRead.objects.count(),
    )
    response.close()  # a streamed file stays open until its response is closed


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "judge"])
def test_a_script_nobody_may_see_yet_has_no_table_read_pages_for_them(
    persona, personas, approved_entry, open_campaign
):
    erin = personas["entrant"]
    entry = approved_entry(erin)
    entry.status = "awaiting_moderation"
    entry.save(update_fields=["status"])
    version = make_version(erin, entry)
    read = done_read(version, erin)
    client = client_as(personas, persona)
    expected = 200 if persona == "judge" else 404  # the team sees entries in any status
    for name, kwargs in (
        ("table_read_panel", {"pk": version.screenplay_id, "number": 1}),
        ("table_read_audio", {"pk": read.pk}),
        ("table_read_download", {"pk": read.pk}),
        ("table_read_chapters", {"pk": read.pk}),
    ):
        response = client.get(reverse(name, kwargs=kwargs))
        response.close()
        assert response.status_code == expected, name
