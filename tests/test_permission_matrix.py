"""Who may open which web page: one row per named route, one expected status per persona.

The API has its own table (tests/api/test_auth.py); this one covers the HTML pages. A named
route added to src/crowdstudio/urls.py without a row here fails
`test_every_named_web_route_has_a_row_in_the_permission_matrix`.

The expected statuses are what the product should do (CONVENTIONS §4 and §12), not a copy of
what the views happen to answer: anonymous visitors are sent to log in, drafts do not exist for
people outside the organisation, and members without the capability are refused with 403.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries import services as entry_services
from crowdstudio.entries.models import Entry, EntryStatus
from tests.entries.samples import photo
from tests.permissions import LOGIN, PERSONAS, WebRow, check_web_row, client_as

#: Route prefixes this table does not cover: the API has its own table, the rest is third-party.
NOT_WEB_PAGES = ("api/", "admin/", "accounts/", "i18n/", "media/")


@dataclass
class World:
    open_slug: str
    draft_slug: str
    org_slug: str
    round_id: int
    approved_id: int
    waiting_id: int  # erin's entry, awaiting moderation
    terms_id: int


def _later(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _campaign_fields(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "kind": "photo_video",
        "accepted_kinds": ["image"],
        "max_file_mb": 20,
        "max_megapixels": 50,
        "max_duration_seconds": 300,
        "max_files_per_entry": 5,
    }


def _open(w: World) -> dict[str, Any]:
    return {"slug": w.open_slug}


def _draft(w: World) -> dict[str, Any]:
    return {"slug": w.draft_slug}


def _first_prize_id(w: World) -> int:
    from crowdstudio.campaigns.models import Prize

    return Prize.objects.filter(round__campaign__slug=w.open_slug).values_list("pk", flat=True)[0]


def _waiting(w: World) -> dict[str, Any]:
    return {"pk": w.waiting_id}


def _approved(w: World) -> dict[str, Any]:
    return {"pk": w.approved_id}


# Write pages alternate between the draft (outsiders and entrants get 404: it does not exist
# for them) and the open campaign (they get 403: it is public, the page is not theirs).
#
#                      anon   entrant judge moderator producer owner outsider
ROWS: dict[str, WebRow] = {
    # Public pages.
    "home": WebRow("get", lambda w: {}, (200, 200, 200, 200, 200, 200, 200)),
    "privacy": WebRow("get", lambda w: {}, (200, 200, 200, 200, 200, 200, 200)),
    "campaign": WebRow("get", _draft, (404, 404, 200, 200, 200, 200, 404)),
    "campaign_gallery": WebRow("get", _open, (200, 200, 200, 200, 200, 200, 200)),
    "entry": WebRow("get", _waiting, (404, 200, 200, 200, 200, 200, 404)),
    # Status and the moderator's message: the author and the organisation's team only.
    "entry_status": WebRow("get", _approved, (404, 200, 200, 200, 200, 200, 404)),
    # Anyone signed in; the organising team may not enter its own campaign.
    "entry_create": WebRow(
        "post",
        _open,
        (LOGIN, 302, 403, 403, 403, 403, 302),
        body=lambda w: {
            "title": "Harbour lights",
            "uploads": [photo(7)],
            "accept_terms": "on",
            "terms_version_id": w.terms_id,
            "submission_key": str(uuid.uuid4()),
        },
    ),
    "my_entries": WebRow("get", lambda w: {}, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "api_tokens": WebRow("get", lambda w: {}, (LOGIN, 200, 200, 200, 200, 200, 200)),
    # Studio: anyone with a role in some organisation (oscar has his own).
    "studio": WebRow("get", lambda w: {}, (LOGIN, 403, 200, 200, 200, 200, 200)),
    "campaign_new": WebRow(
        "post",
        lambda w: {"org": w.org_slug},
        (LOGIN, 404, 403, 403, 302, 302, 404),
        body=lambda w: _campaign_fields("Winter Nights"),
    ),
    "campaign_edit": WebRow(
        "post",
        _draft,
        (LOGIN, 404, 403, 403, 302, 302, 404),
        body=lambda w: _campaign_fields("Secret Script Contest, revised"),
    ),
    "campaign_status": WebRow(
        "post",
        _open,
        (LOGIN, 403, 403, 403, 302, 302, 403),
        body=lambda w: {"to_status": "judging", "reason": "Enough entries."},
    ),
    "round_create": WebRow(
        "post",
        _draft,
        (LOGIN, 404, 403, 403, 302, 302, 404),
        body=lambda w: {"title": "Round 1", "opens_at": _later(1), "closes_at": _later(10)},
    ),
    "prize_create": WebRow(
        "post",
        _open,
        (LOGIN, 403, 403, 403, 302, 302, 403),
        body=lambda w: {
            "round": w.round_id,
            "rank": 2,
            "title": "Runner-up",
            "kind": "cash",
            "amount": "100",
            "currency": "EUR",
        },
    ),
    "terms_edit": WebRow(
        "post",
        _draft,
        (LOGIN, 404, 403, 403, 302, 302, 404),
        body=lambda w: {"body": "You keep your copyright."},
    ),
    # The codes are shown once on the page itself, so success is a 200, not a redirect.
    "codes_create": WebRow(
        "post",
        _open,
        (LOGIN, 403, 403, 403, 200, 200, 403),
        body=lambda w: {"kind": "invite", "count": 3, "max_uses": 1, "label": "Flyers"},
    ),
    "campaign_audit": WebRow("get", _draft, (LOGIN, 404, 403, 200, 200, 200, 404)),
    "track_upload": WebRow("get", _draft, (LOGIN, 404, 403, 403, 200, 200, 404)),
    "prize_remove": WebRow(
        "post",
        lambda w: {"slug": w.open_slug, "pk": _first_prize_id(w)},
        (LOGIN, 403, 403, 403, 302, 302, 403),
    ),
    "round_edit": WebRow(
        "get", lambda w: {"slug": w.open_slug, "number": 1}, (LOGIN, 403, 403, 403, 200, 200, 403)
    ),
    # Moderation: erin may see her own entry, not moderate it; oscar cannot see it at all.
    "moderation_queue": WebRow("get", _open, (LOGIN, 403, 403, 200, 200, 200, 403)),
    "moderation_bulk": WebRow(
        "post",
        _open,
        (LOGIN, 403, 403, 302, 302, 302, 403),
        body=lambda w: {"entry_ids": [w.waiting_id], "decision": "approved"},
    ),
    "moderation_detail": WebRow("get", _waiting, (LOGIN, 403, 403, 200, 200, 200, 404)),
    "moderation_decide": WebRow(
        "post",
        _waiting,
        (LOGIN, 403, 403, 302, 302, 302, 404),
        body=lambda w: {"decision": "approved"},
    ),
}

#: Views that only accept one method, and the method they refuse.
REFUSED_METHOD = {
    "campaign_status": "get",
    "moderation_bulk": "get",
    "moderation_decide": "get",
    "prize_remove": "get",
    "entry_status": "post",
}


def _named_web_routes(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, route) for every named route, walking included URLconfs."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _named_web_routes(pattern.url_patterns, route)
        elif pattern.name:
            yield pattern.name, route


#: Apps whose pages need their own world (a jury, votes, an award) keep their permission table
#: beside their tests, as `WEB_ROWS` (route name → anything); the guard below reads them.
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


def _app_web_rows() -> set[str]:
    names: set[str] = set()
    for module in APP_TABLES:
        names |= set(importlib.import_module(module).WEB_ROWS)
    return names


def test_every_named_web_route_has_a_row_in_the_permission_matrix():
    routes = _named_web_routes(get_resolver().url_patterns)
    # Names only: the API (namespaced) reuses some of them, e.g. "entry_create".
    web = {name for name, route in routes if not route.startswith(NOT_WEB_PAGES)}
    covered = set(ROWS) | _app_web_rows()
    assert web - covered == set(), "add a row to ROWS (or the app's WEB_ROWS) for each new page"
    assert covered - web == set(), "a permission table names a route that no longer exists"


@pytest.fixture
def world(
    personas, org, open_campaign, draft_campaign, django_capture_on_commit_callbacks, run_worker
) -> World:
    """Two of erin's entries, checked by the worker: one approved by mona, one still waiting."""
    terms = current_terms(open_campaign)
    entries = []
    with django_capture_on_commit_callbacks(execute=True):
        for seed, title in [(1, "Rooftop sunset"), (2, "Night swim")]:
            entries.append(
                entry_services.entry_submit(
                    campaign=open_campaign,
                    author=personas["entrant"],
                    title=title,
                    description="",
                    files=[photo(seed)],
                    terms_version_id=terms.id,
                    accept_terms=True,
                    applicant=Applicant(),
                )
            )
    run_worker()
    approved, waiting = Entry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk")
    assert approved.status == waiting.status == EntryStatus.AWAITING_MODERATION
    entry_services.entry_moderate(entry=approved, user=personas["moderator"], decision="approved")
    return World(
        open_slug=open_campaign.slug,
        draft_slug=draft_campaign.slug,
        org_slug=org.slug,
        round_id=open_campaign.rounds.get().pk,
        approved_id=approved.pk,
        waiting_id=waiting.pk,
        terms_id=terms.id,
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ROWS))
def test_web_page_permissions(name, persona, world, personas):
    check_web_row(name, ROWS[name], world, personas, persona, logs_writes=True)


@pytest.mark.parametrize("name", sorted(REFUSED_METHOD))
def test_single_method_views_refuse_the_other_method(name, world, personas):
    assert name in ROWS
    url = reverse(name, kwargs=ROWS[name].kwargs(world))
    client = client_as(personas, "owner")
    response = client.get(url) if REFUSED_METHOD[name] == "get" else client.post(url)
    assert response.status_code == 405
