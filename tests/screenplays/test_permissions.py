"""Who may open which screenplays page and call which screenplays API route, per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: a script contest of the organisation, open now. Erin (the entrant) wrote an approved
screenplay with the default collaboration setting "by permission"; a reader asked for access;
a second approved screenplay of hers is a PDF. Erin also has an approved film entry in the
organisation's music-video call (a test movie candidate). The organising team (judge,
moderator, producer, owner) may always post revisions; the outsider may read but not revise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crowdstudio.campaigns.services import current_terms
from crowdstudio.screenplays import services
from crowdstudio.screenplays.models import Screenplay, ScriptVersion
from tests.permissions import (
    LOGIN,
    PERSONAS,
    ApiRow,
    WebRow,
    check_api_row,
    check_web_row,
    client_as,
)
from tests.screenplays.conftest import REVISED, make_script_campaign, submit_script, with_video

PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n"


@dataclass
class World:
    slug: str
    terms_id: int
    screenplay: int
    pdf_screenplay: int
    version_id: int
    access_id: int
    film: int


def _sp(w: World) -> dict[str, Any]:
    return {"pk": w.screenplay}


def _v1(w: World) -> dict[str, Any]:
    return {"pk": w.screenplay, "number": 1}


def _submit_body(w: World) -> dict[str, Any]:
    return {
        "title": "Second Script",
        "script": SimpleUploadedFile("two.fountain", b"INT. ROOM - DAY\n\nA chair.\n"),
        "collaboration": "open",
        "accept_terms": "on",
        "terms_version_id": w.terms_id,
        "submission_key": "5b0d7ad2-7c43-4a4c-9df1-2f3a1f5d0c11",
    }


ALL_200 = (200, 200, 200, 200, 200, 200, 200)
TEAM_AND_WRITER = (LOGIN, 302, 302, 302, 302, 302, 403)
WRITER_ONLY = (LOGIN, 302, 403, 403, 403, 403, 403)

#                         anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "campaign_screenplays": WebRow("get", lambda w: {"slug": w.slug}, ALL_200),
    "screenplay_submit": WebRow(
        "post",
        lambda w: {"slug": w.slug},
        (LOGIN, 302, 403, 403, 403, 403, 302),
        body=_submit_body,
    ),
    "screenplay": WebRow("get", _sp, ALL_200),
    "screenplay_version": WebRow("get", _v1, ALL_200),
    "screenplay_download": WebRow(
        "get", lambda w: {"pk": w.screenplay, "number": 1, "fmt": "fountain"}, ALL_200
    ),
    "screenplay_read_pdf": WebRow("get", lambda w: {"pk": w.pdf_screenplay, "number": 1}, ALL_200),
    "screenplay_comment": WebRow(
        "post",
        _v1,
        (LOGIN, 302, 302, 302, 302, 302, 302),
        body=lambda w: {"element": 1, "body": "Lovely image."},
    ),
    "screenplay_revise": WebRow(
        "post",
        _v1,
        (LOGIN, 302, 302, 302, 302, 302, 403),
        body=lambda w: {"text": REVISED, "message": "Sharper", "based_on": ["1"]},
    ),
    "screenplay_report": WebRow("get", _v1, ALL_200),
    "screenplay_report_csv": WebRow("get", _v1, ALL_200),
    "screenplay_diff": WebRow("get", _sp, ALL_200),
    "screenplay_lineage": WebRow("get", _sp, ALL_200),
    "screenplay_collaboration": WebRow(
        "post", _sp, WRITER_ONLY, body=lambda w: {"collaboration": "closed"}
    ),
    "screenplay_access_request": WebRow(
        "post",
        _sp,
        (LOGIN, 302, 302, 302, 302, 302, 302),
        body=lambda w: {"message": "May I revise?"},
    ),
    "screenplay_access_decide": WebRow(
        "post",
        lambda w: {"pk": w.screenplay, "access_id": w.access_id},
        WRITER_ONLY,
        body=lambda w: {"decision": "granted"},
    ),
    "test_movie_declare": WebRow(
        "post",
        lambda w: {"pk": w.film},
        TEAM_AND_WRITER,
        body=lambda w: {"version": w.version_id},
    ),
}

#: Accepted requests that only answer with a message (nothing changes, so nothing is logged):
#: the writer cannot ask herself for access.
NOT_LOGGED = {("screenplay_access_request", "entrant")}

#                                       anon entrant judge mod prod owner outsider
API_ROWS: dict[str, ApiRow] = {
    "campaign_screenplay_list": ApiRow(
        "get", lambda w: f"/campaigns/{w.slug}/screenplays", ALL_200
    ),
    "screenplay_get": ApiRow("get", lambda w: f"/screenplays/{w.screenplay}", ALL_200),
    "screenplay_version_elements": ApiRow(
        "get", lambda w: f"/screenplays/{w.screenplay}/versions/1/elements", ALL_200
    ),
    "screenplay_revision_post": ApiRow(
        "post",
        lambda w: f"/screenplays/{w.screenplay}/revisions",
        (401, 201, 201, 201, 201, 201, 403),
        body=lambda w: {"based_on": [1], "message": "Sharper", "text": REVISED},
    ),
    "screenplay_diff_get": ApiRow(
        "get", lambda w: f"/screenplays/{w.screenplay}/diff?a=1&b=1", ALL_200
    ),
}


@pytest.fixture
def world(personas, org, approved_entry, make_user) -> World:
    campaign = make_script_campaign(personas, org)
    erin, mona = personas["entrant"], personas["moderator"]
    sp = submit_script(campaign, erin, approve_by=mona)
    pdf = submit_script(campaign, erin, data=PDF, title="Scanned", approve_by=mona)
    reader = make_user("reader")
    row = services.access_request(screenplay=sp, user=reader, message="Please")
    film = with_video(approved_entry(erin, title="Lighthouse test shoot"))
    return World(
        slug=campaign.slug,
        terms_id=current_terms(campaign).id,
        screenplay=sp.pk,
        pdf_screenplay=pdf.pk,
        version_id=ScriptVersion.objects.get(screenplay=sp, number=1).pk,
        access_id=row.pk,
        film=film.pk,
    )


def _snapshot() -> tuple[int, int, list[str]]:
    return (
        ScriptVersion.objects.count(),
        Screenplay.objects.count(),
        list(Screenplay.objects.order_by("pk").values_list("collaboration", flat=True)),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    check_web_row(
        name,
        WEB_ROWS[name],
        world,
        personas,
        persona,
        logs_writes=(name, persona) not in NOT_LOGGED,
        unchanged=_snapshot,
    )


@pytest.mark.parametrize("name", sorted(n for n, r in WEB_ROWS.items() if r.method == "post"))
def test_write_views_refuse_get(name, world, personas):
    if name in ("screenplay_submit", "screenplay_revise"):
        pytest.skip("a form page: GET shows the form")
    url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
    assert client_as(personas, "owner").get(url).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona, unchanged=_snapshot)
