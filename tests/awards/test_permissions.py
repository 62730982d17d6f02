"""Who may open which awards page and call which awards API route, one expected status per persona.

The site-wide guards (tests/test_permission_matrix.py, tests/api/test_auth.py) read WEB_ROWS and
API_ROWS from here, so a new route without a row fails.

The world: erin won the open campaign's €500 cash prize and gave her payee details. Payouts are
the owner's alone (Capability.MANAGE_PAYOUTS); payee details are the winner's alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdstudio.awards import services
from crowdstudio.awards.models import PayoutObligation
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
    org: str
    obligation_id: int


def _campaign(w: World) -> dict[str, Any]:
    return {"slug": w.slug}


def _org(w: World) -> dict[str, Any]:
    return {"org": w.org}


def _obligation(w: World) -> dict[str, Any]:
    return {"pk": w.obligation_id}


PAYEE_FORM = {
    "legal_name": "Erin Example",
    "country": "DE",
    "tax_form": "w8ben",
    "form_signed_on": timezone.localdate().isoformat(),
    "taxpayer_id": "",
    "payout_account": "",
}

#                         anon   entrant judge moderator producer owner outsider
WEB_ROWS: dict[str, WebRow] = {
    "my_awards": WebRow("get", lambda w: {}, (LOGIN, 200, 200, 200, 200, 200, 200)),
    "payee_details": WebRow(
        "post", lambda w: {}, (LOGIN, 302, 404, 404, 404, 404, 404), body=lambda w: PAYEE_FORM
    ),
    "payouts_campaign": WebRow("get", _campaign, (LOGIN, 403, 403, 403, 403, 200, 403)),
    "payouts_export": WebRow("get", _campaign, (LOGIN, 403, 403, 403, 403, 200, 403)),
    "payouts_organisation": WebRow("get", _org, (LOGIN, 404, 403, 403, 403, 200, 404)),
    "payout_settings": WebRow(
        "post",
        _org,
        (LOGIN, 404, 403, 403, 403, 302, 404),
        body=lambda w: {"tax_forms_required": "on", "provider": "manual"},
    ),
    "payouts_ledger": WebRow("get", _org, (LOGIN, 404, 403, 403, 403, 200, 404)),
    "payout_detail": WebRow("get", _obligation, (LOGIN, 404, 403, 403, 403, 200, 404)),
    "payout_send": WebRow("post", _obligation, (LOGIN, 404, 403, 403, 403, 302, 404)),
    "payout_mark_paid": WebRow(
        "post",
        _obligation,
        (LOGIN, 404, 403, 403, 403, 302, 404),
        body=lambda w: {"reference": "SEPA-1", "paid_on": timezone.localdate().isoformat()},
    ),
    "payout_cancel": WebRow(
        "post",
        _obligation,
        (LOGIN, 404, 403, 403, 403, 302, 404),
        body=lambda w: {"reason": "Disqualified"},
    ),
    "payout_treaty_rate": WebRow(
        "post",
        _obligation,
        (LOGIN, 404, 403, 403, 403, 302, 404),
        body=lambda w: {"rate": "15"},
    ),
}


#                                       anon entrant judge mod prod owner outsider
API_ROWS: dict[str, ApiRow] = {
    "my_awards": ApiRow("get", lambda w: "/me/awards", (401, 200, 200, 200, 200, 200, 200)),
    "payee_details": ApiRow("get", lambda w: "/me/payee", (401, 200, 404, 404, 404, 404, 404)),
    "payee_details_update": ApiRow(
        "put",
        lambda w: "/me/payee",
        (401, 200, 404, 404, 404, 404, 404),
        body=lambda w: PAYEE_FORM,
    ),
    "campaign_payouts": ApiRow(
        "get", lambda w: f"/campaigns/{w.slug}/payouts", (401, 403, 403, 403, 403, 200, 403)
    ),
    "payout_send": ApiRow(
        "post",
        lambda w: f"/payouts/{w.obligation_id}/send",
        (401, 404, 403, 403, 403, 200, 404),
    ),
}


@pytest.fixture
def world(personas, org, open_campaign, approved_entry) -> World:
    entry = approved_entry(personas["entrant"], title="Harbour at night")
    prize = open_campaign.rounds.get().prizes.get(rank=1)
    award = services.award_confirm(prize=prize, entry=entry, user=personas["owner"])
    services.payee_details_save(
        user=personas["entrant"],
        legal_name="Erin Example",
        country="DE",
        tax_form="w8ben",
        form_signed_on=timezone.localdate(),
        taxpayer_id="DE12345678901",
    )
    return World(
        slug=open_campaign.slug,
        org=org.slug,
        obligation_id=PayoutObligation.objects.get(award=award).pk,
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(WEB_ROWS))
def test_web_page_permissions(name, persona, world, personas):
    check_web_row(name, WEB_ROWS[name], world, personas, persona, logs_writes=True)


@pytest.mark.parametrize(
    "name", sorted(n for n, r in WEB_ROWS.items() if r.method == "post" and n != "payee_details")
)
def test_write_views_refuse_get(name, world, personas):
    url = reverse(name, kwargs=WEB_ROWS[name].kwargs(world))
    assert client_as(personas, "owner").get(url).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_ROWS))
def test_api_route_permissions(name, persona, world, personas):
    check_api_row(API_ROWS[name], world, personas, persona)
